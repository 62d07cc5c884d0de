// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The timeline's cost per event and its memory, without a kernel: N
 * synthetic alloc + step + free lifecycles folded in, then the text
 * report, for N doubling up to a million.  Linear time shows as a flat
 * ns/event column; memory bounded by the live objects as a flat peak RSS.
 * Three address patterns: a loop reusing one address (a plan's repeat),
 * a ring of 4096 addresses (a busy driver on SLUB's freelists), and
 * every object at its own address (nothing ever reused: the worst case,
 * where nothing can be let go of).  Each run is its own process, so its
 * peak RSS is its own.  A benchmark: it prints, it asserts nothing.
 * make bench-timeline
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "kmlab/ir.h"
#include "report.h"
#include "timeline.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void feed(struct timeline *tl, __u32 type, __u64 ts, __u64 ptr)
{
	union kmlab_ev e;

	memset(&e, 0, sizeof(e));
	e.h.type = type;
	e.h.ts = ts;
	if (type == KMLAB_EV_ALLOC) {
		e.alloc.ptr = ptr;
		e.alloc.size_req = e.alloc.size_alloc = 64;
		e.alloc.src = KMLAB_FAM_KMALLOC;
	} else if (type == KMLAB_EV_FREE) {
		e.free.ptr = ptr;
		e.free.size_req = e.free.size_alloc = 64;
		e.free.src = KMLAB_FAM_KMALLOC;
		e.free.alloc_src = KMLAB_FAM_KMALLOC;
	} else if (type == KMLAB_EV_STEP) {
		e.step.step.ptr = ptr;
		e.step.step.size = 64;
		e.step.step.op = KMLAB_OP_KFREE;
		e.step.step.line = 3;
		strcpy(e.step.step.name, "x");
	}
	timeline_add(tl, &e);
}

/* seconds to fold @pairs lifecycles in; *@report: to print the text
 * report of them after */
static double run(long pairs, long ring, double *report)
{
	struct report_ctx rc = { .title = "bench" };
	struct timeline tl;
	double t0, t1;
	FILE *null;
	long i;

	timeline_init(&tl, "bench");
	t0 = now();
	for (i = 0; i < pairs; i++) {
		__u64 ptr = 0xffff888001000000ULL +
			    (__u64)(ring ? i % ring : i) * 64;

		feed(&tl, KMLAB_EV_ALLOC, 3 * i, ptr);
		feed(&tl, KMLAB_EV_STEP, 3 * i + 1, ptr);
		feed(&tl, KMLAB_EV_FREE, 3 * i + 2, ptr);
	}
	t0 = now() - t0;
	null = fopen("/dev/null", "w");
	t1 = now();
	if (null) {
		report_text(null, &tl, &rc);
		fclose(null);
	}
	*report = now() - t1;
	timeline_free(&tl);
	return t0;
}

/* one run in a child: ns per event, ns per object for the report, and
 * the child's peak RSS in MiB */
static void measure(long pairs, long ring, double out[3])
{
	struct rusage ru;
	int fd[2], st;
	pid_t pid;

	out[0] = out[1] = out[2] = -1;
	if (pipe(fd))
		return;
	pid = fork();
	if (!pid) {
		double r[2];

		r[0] = run(pairs, ring, &r[1]);
		if (write(fd[1], r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (pid > 0 && read(fd[0], out, 2 * sizeof(double)) ==
			   2 * sizeof(double) &&
	    wait4(pid, &st, 0, &ru) == pid) {
		out[0] *= 1e9 / (3 * pairs);
		out[1] *= 1e9 / pairs;
		out[2] = ru.ru_maxrss / 1024.0;
	}
	close(fd[0]);
}

int main(void)
{
	static const struct {
		const char *name;
		long ring;
	} pat[] = {
		{ "one address", 1 }, { "4096 addresses", 4096 },
		{ "all distinct", 0 },
	};
	long pairs;
	size_t p;

	printf("%-16s %9s %9s %12s %14s %13s\n", "addresses", "pairs",
	       "events", "ns/event", "report ns/obj", "peak RSS MiB");
	for (p = 0; p < sizeof(pat) / sizeof(pat[0]); p++)
		for (pairs = 1000000 / 64; pairs <= 1000000; pairs *= 4) {
			double m[3];

			if (pairs * 4 > 1000000)
				pairs = 1000000;
			measure(pairs, pat[p].ring, m);
			printf("%-16s %9ld %9ld %12.1f %14.1f %13.1f\n",
			       pat[p].name, pairs, 3 * pairs, m[0], m[1],
			       m[2]);
			fflush(stdout);
		}
	return 0;
}
