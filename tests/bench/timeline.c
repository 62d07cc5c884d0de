// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The timeline's cost per event, without a kernel: N synthetic alloc +
 * free + step events folded in, for N doubling up to a million pairs.
 * Linear time shows as a flat ns/event column.  Two address patterns: a
 * loop reusing one address (a plan's repeat), and every object at its
 * own address (a busy driver).  A benchmark: it prints, it asserts
 * nothing.  make bench-timeline
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
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
static double run(long pairs, int reuse, double *report)
{
	struct report_ctx rc = { .title = "bench" };
	struct timeline tl;
	double t0, t1;
	FILE *null;
	long i;

	timeline_init(&tl, "bench");
	t0 = now();
	for (i = 0; i < pairs; i++) {
		__u64 ptr = 0xffff888001000000ULL + (reuse ? 0 : (__u64)i * 64);

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

int main(void)
{
	long pairs;

	printf("%10s %10s %14s %14s %16s %16s\n", "pairs", "events",
	       "reuse ns/ev", "distinct ns/ev", "report reuse ns", "distinct ns");
	for (pairs = 1000000 / 64; pairs <= 1000000; pairs *= 2) {
		double ra, rb, a = run(pairs, 1, &ra), b = run(pairs, 0, &rb);

		printf("%10ld %10ld %14.1f %14.1f %16.1f %16.1f\n", pairs,
		       3 * pairs, a * 1e9 / (3 * pairs),
		       b * 1e9 / (3 * pairs), ra * 1e9 / pairs,
		       rb * 1e9 / pairs);
		fflush(stdout);
	}
	return 0;
}
