// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab trace: stream kmalloc / kmem_cache lifecycle events live, for the
 * processes and sizes asked for (or the allocations of one module), and
 * print a summary on Ctrl-C.  Works on any kernel with BTF, also one
 * without modules (the host).
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cmd.h"
#include "json.h"
#include "ksyms.h"
#include "observer.h"

static struct trace_env {
	__u32 pid;
	const char *comm;
	const char *module;
	__u64 min_size, max_size;
	const char *json;
	int duration_s;
	bool quiet;
} env;

static volatile int stop;

struct trace {
	struct ksyms *ks;
	FILE *json;
	__u64 t0;
	char mod[KMLAB_MOD_NAME_LEN];	/* --module: its text, in case it */
	__u64 text_base, text_len;	/* unloads before we read kallsyms */
	__u64 allocs, frees, failed, bytes, double_frees;
};

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Only allocations made by process PID", 0 },
	{ "comm", 'c', "NAME", 0, "Only allocations made by processes named NAME", 0 },
	{ "min-size", 'n', "BYTES", 0, "Only requests of at least BYTES", 0 },
	{ "max-size", 'x', "BYTES", 0, "Only requests of at most BYTES", 0 },
	{ "module", 'm', "NAME", 0, "Only allocations from module NAME's code (from its load on)", 0 },
	{ "json", 'j', "FILE", 0, "Write JSON lines to FILE ('-': stdout, JSON only: the live lines are left out and the summary goes to stderr)",
	  0 },
	{ "duration", 'd', "S", 0, "Stop after S seconds", 0 },
	{ "quiet", 'q', NULL, 0, "Only the summary", 0 },
	{ "verbose", 'v', NULL, 0, "Show what the kernel offers and libbpf's debug output", 0 },
	{},
};

static __u64 number(struct argp_state *state, const char *opt,
		    const char *arg)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || *end || arg[0] == '-')
		argp_error(state, "%s wants a number, not '%s'", opt, arg);
	return v;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		env.pid = number(state, "--pid", arg);
		break;
	case 'c':
		if (strlen(arg) >= KMLAB_COMM_LEN)
			argp_error(state, "--comm: the kernel keeps %d characters of a name; '%s' is longer",
				   KMLAB_COMM_LEN - 1, arg);
		env.comm = arg;
		break;
	case 'n':
		env.min_size = number(state, "--min-size", arg);
		break;
	case 'x':
		env.max_size = number(state, "--max-size", arg);
		break;
	case 'm':
		env.module = arg;
		break;
	case 'j':
		env.json = arg;
		break;
	case 'd':
		env.duration_s = number(state, "--duration", arg);
		break;
	case 'q':
		env.quiet = true;
		break;
	case 'v':
		kmlab_verbose = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "trace takes no arguments, only options: '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (env.module && (env.pid || env.comm || env.min_size ||
				   env.max_size))
			argp_error(state, "--module cannot be combined with the process and size filters");
		if (env.max_size && env.min_size > env.max_size)
			argp_error(state, "--min-size is above --max-size");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void on_signal(int sig)
{
	stop = 1;
}

static const char *site(const struct trace *t, __u64 addr, char *buf,
			size_t len)
{
	const char *mod = NULL;
	unsigned long off;

	if (t->text_len && addr - t->text_base < t->text_len &&
	    (!t->ks || !ksyms_lookup(t->ks, addr, &off, &mod) || !mod ||
	     strcmp(mod, t->mod))) {
		snprintf(buf, len, ".text+0x%llx [%s]",
			 (unsigned long long)(addr - t->text_base), t->mod);
		return buf;
	}
	if (t->ks)
		return ksyms_format(t->ks, addr, buf, len);
	snprintf(buf, len, "0x%" PRIx64, (uint64_t)addr);
	return buf;
}

static void json_event(struct trace *t, const struct kmlab_event *e,
		       const char *what, double ms)
{
	char s[160];

	fprintf(t->json, "{\"type\":\"event\",\"event\":\"%s\",\"ms\":%.3f,\"pid\":%u,\"comm\":", what, ms, e->pid);
	json_strn(t->json, e->comm, strnlen(e->comm, sizeof(e->comm)));
	fprintf(t->json, ",\"ptr\":\"0x%" PRIx64 "\",\"size\":%llu,\"size_alloc\":%llu,\"site\":", (uint64_t)e->ptr,
		(unsigned long long)e->size_req,
		(unsigned long long)e->size_alloc);
	json_str(t->json, site(t, e->call_site, s, sizeof(s)));
	if (e->type == KMLAB_EV_FREE)
		fprintf(t->json, ",\"age_ms\":%.3f",
			(e->ts - e->ts2) / 1e6);
	fprintf(t->json, "}\n");
}

static int on_event(void *ctx, const struct kmlab_event *e)
{
	struct trace *t = ctx;
	const char *what;
	char s[160];
	double ms;

	if (!t->t0)
		t->t0 = e->ts;
	ms = (e->ts - t->t0) / 1e6;
	switch (e->type) {
	case KMLAB_EV_ALLOC:
		t->allocs++;
		t->bytes += e->size_alloc;
		what = "alloc";
		break;
	case KMLAB_EV_ALLOC_FAIL:
		t->failed++;
		what = "alloc_failed";
		break;
	case KMLAB_EV_FREE:
		t->frees++;
		what = "free";
		break;
	case KMLAB_EV_DOUBLE_FREE:
		t->double_frees++;
		what = "double_free";
		break;
	case KMLAB_EV_MOD_LOAD:
		snprintf(t->mod, sizeof(t->mod), "%.*s",
			 (int)sizeof(e->name), e->name);
		t->text_base = e->base;
		t->text_len = e->len;
		if (!env.quiet)
			printf("%12.3f  module %s loaded\n", ms, e->name);
		ksyms_free(t->ks);
		t->ks = ksyms_load();
		return 0;
	case KMLAB_EV_MOD_FREE:
		if (!env.quiet)
			printf("%12.3f  module %s unloaded\n", ms, e->name);
		return 0;
	default:
		return 0;
	}
	if (t->json)
		json_event(t, e, what, ms);
	if (env.quiet)
		return 0;
	printf("%12.3f  %-16.16s %7u  %-12s 0x%016" PRIx64 "  %6llu/%-6llu  %s", ms, e->comm, e->pid, what, (uint64_t)e->ptr,
	       (unsigned long long)e->size_req,
	       (unsigned long long)e->size_alloc,
	       site(t, e->call_site, s, sizeof(s)));
	if (e->type == KMLAB_EV_FREE)
		printf("  (lived %.3f ms)", (e->ts - e->ts2) / 1e6);
	printf("\n");
	return 0;
}

static int count_live(void *ctx, __u64 ptr, const struct kmlab_live *v)
{
	(*(__u64 *)ctx)++;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int cmd_trace(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = "Stream kernel allocations (kmalloc, kmem_cache_alloc) and their frees live; Ctrl-C prints a summary.\vColumns: ms since the first event, process, pid, event, address, requested/allocated bytes, call site.",
	};
	struct observer_opts o = {};
	struct sigaction sa = { .sa_handler = on_signal };
	struct observer *ob = NULL;
	struct trace t = {};
	__u64 lost[KMLAB_LOST_MAX], rec, live = 0, all_lost;
	long long end;
	int i, err, ret = KMLAB_EXIT_ENV;

	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return KMLAB_EXIT_ENV;
	if (env.json) {
		t.json = strcmp(env.json, "-") ? fopen(env.json, "w") : stdout;
		/* stdout carries JSON only */
		if (t.json == stdout)
			env.quiet = true;
		if (!t.json) {
			fprintf(stderr, "kmlab: cannot write --json %s: %s\n",
				env.json, strerror(errno));
			return KMLAB_EXIT_ENV;
		}
	}
	o.target = env.module;
	o.trace = !env.module;
	o.pid = env.pid;
	o.comm = env.comm;
	o.min_size = env.min_size;
	o.max_size = env.max_size;
	observer_verbose(kmlab_verbose);
	t.ks = ksyms_load();
	err = observer_open(&ob, &o, on_event, &t);
	if (err)
		goto out;
	if (env.module && !observer_has_modules(ob)) {
		fprintf(stderr, "kmlab: this kernel has no module support: --module %s can never match; trace processes instead (--pid, --comm)\n", env.module);
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "tracing: Ctrl-C to stop\n");

	end = now_ms() + env.duration_s * 1000LL;
	while (!stop && (!env.duration_s || now_ms() < end)) {
		err = observer_poll(ob, 100);
		if (err < 0) {
			fprintf(stderr, "kmlab: reading the ring buffer failed: %s\n", strerror(-err));
			goto out;
		}
	}
	while (observer_poll(ob, 0) > 0)
		;
	fflush(stdout);

	observer_lost(ob, lost, &rec);
	observer_for_each_live(ob, count_live, &live);
	all_lost = rec;
	for (i = 0; i < KMLAB_LOST_MAX; i++)
		all_lost += lost[i];
	fprintf(t.json == stdout ? stderr : stdout, "summary: %llu allocations (%llu bytes), %llu frees, %llu still allocated, %llu failed, %llu double frees; lost: %llu ring buffer, %llu live map full, %llu recursion\n",
	       (unsigned long long)t.allocs, (unsigned long long)t.bytes,
	       (unsigned long long)t.frees, (unsigned long long)live,
	       (unsigned long long)t.failed,
	       (unsigned long long)t.double_frees,
	       (unsigned long long)lost[KMLAB_LOST_RINGBUF],
	       (unsigned long long)lost[KMLAB_LOST_LIVE_FULL],
	       (unsigned long long)rec);
	if (t.json)
		fprintf(t.json, "{\"type\":\"summary\",\"allocs\":%llu,\"frees\":%llu,\"live\":%llu,\"failed\":%llu,\"lost_ringbuf\":%llu,\"lost_live_full\":%llu,\"recursion_misses\":%llu,\"lost_events\":%llu}\n",
			(unsigned long long)t.allocs,
			(unsigned long long)t.frees, (unsigned long long)live,
			(unsigned long long)t.failed,
			(unsigned long long)lost[KMLAB_LOST_RINGBUF],
			(unsigned long long)lost[KMLAB_LOST_LIVE_FULL],
			(unsigned long long)rec,
			(unsigned long long)all_lost);
	/* recursion misses are allocations in interrupts that hit while
	 * the program ran on that CPU: counted, shown, not an error */
	if (all_lost)
		fprintf(stderr, "kmlab: note: %llu event%s not traced (see 'lost' above); counts are lower bounds\n",
			(unsigned long long)all_lost, all_lost == 1 ? "" : "s");
	ret = KMLAB_EXIT_CLEAN;
out:
	observer_close(ob);
	ksyms_free(t.ks);
	if (t.json && t.json != stdout)
		fclose(t.json);
	return ret;
}
