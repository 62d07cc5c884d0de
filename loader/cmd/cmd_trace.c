// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab trace: stream kmalloc / kmem_cache lifecycle events live, for the
 * processes and sizes asked for, the allocations of one module or of one
 * command it starts, and print a summary (per call site with --top) on
 * Ctrl-C.  Works on any kernel with BTF, also one without modules (the
 * host).
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "cmd.h"
#include "cmd_options.h"
#include "json.h"
#include "kptr.h"
#include "ksyms.h"
#include "observer.h"
#include "trace_sites.h"

static struct trace_env {
	__u32 pid;
	const char *comm;
	const char *module;
	__u64 min_size, max_size;
	const char *json;
	int duration_s;
	int top;		/* --top N: 0 none */
	char **cmd;		/* -- CMD ARGS...: NULL-terminated */
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
	/* frees no event showed, found as their address was handed out
	 * again (kmlab_ev_alloc.replaced_site) */
	__u64 frees_missed;
	struct trace_sites sites;	/* --top */
	int sites_err;
	bool header_done;	/* the column header is printed */
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
	{ "top", 't', "N", 0, "At the end, the N call sites that allocated the most bytes: allocations, bytes and what is still allocated", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		env.pid = cmd_number(state, "--pid", arg);
		break;
	case 'c':
		if (strlen(arg) >= KMLAB_COMM_LEN)
			argp_error(state, "--comm: the kernel keeps %d characters of a name; '%s' is longer",
				   KMLAB_COMM_LEN - 1, arg);
		env.comm = arg;
		break;
	case 'n':
		env.min_size = cmd_number(state, "--min-size", arg);
		break;
	case 'x':
		env.max_size = cmd_number(state, "--max-size", arg);
		break;
	case 'm':
		env.module = arg;
		break;
	case 'j':
		env.json = arg;
		break;
	case 'd':
		env.duration_s = cmd_number(state, "--duration", arg);
		break;
	case 'q':
		env.quiet = true;
		break;
	case 't':
		env.top = cmd_number(state, "--top", arg);
		if (env.top <= 0)
			argp_error(state, "--top wants a count of call sites, 1 or more");
		break;
	case ARGP_KEY_ARG:
		/* the command to trace: the rest of argv is its own */
		env.cmd = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (env.module && (env.pid || env.comm || env.min_size ||
				   env.max_size || env.cmd))
			argp_error(state, "--module cannot be combined with the process and size filters or a command");
		if (env.cmd && (env.pid || env.comm))
			argp_error(state, "a command to trace is its own process filter: drop --pid and --comm");
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
	return kptr(addr, buf, len);
}

/* what a trace line shows of an object's event */
struct trace_row {
	const struct kmlab_ev_head *h;
	const char *what;
	__u64 ptr, size_req, size_alloc, site;
	__u64 alloc_site;	/* a free: the site that allocated it */
	__u64 alloc_ts;		/* ... and when, 0 otherwise */
	/* an allocation: the object that had the address before, whose
	 * free no event showed; 0 if none */
	__u64 replaced_site, replaced_size;
};

static void json_event(struct trace *t, const struct trace_row *r, double ms)
{
	char s[160], p[KPTR_LEN];

	fprintf(t->json, "{\"type\":\"event\",\"event\":\"%s\",\"ms\":%.3f,\"pid\":%u,\"comm\":", r->what, ms, r->h->pid);
	json_strn(t->json, r->h->comm, strnlen(r->h->comm,
						sizeof(r->h->comm)));
	fprintf(t->json, ",\"ptr\":\"%s\",\"size\":%llu,\"size_alloc\":%llu,\"site\":", kptr(r->ptr, p, sizeof(p)),
		(unsigned long long)r->size_req,
		(unsigned long long)r->size_alloc);
	json_str(t->json, site(t, r->site, s, sizeof(s)));
	if (r->alloc_ts)
		fprintf(t->json, ",\"age_ms\":%.3f",
			(r->h->ts - r->alloc_ts) / 1e6);
	fprintf(t->json, "}\n");
}

static void count_site(struct trace *t, const struct trace_row *r)
{
	if (r->h->type == KMLAB_EV_ALLOC) {
		if (sites_alloc(&t->sites, r->site, r->size_alloc))
			t->sites_err = -ENOMEM;
		if (r->replaced_site)
			sites_free(&t->sites, r->replaced_site,
				   r->replaced_size);
	} else if (r->h->type == KMLAB_EV_FREE) {
		/* a free carries the site that allocated the object */
		sites_free(&t->sites, r->alloc_site, r->size_alloc);
	}
}

/* The row of an object's event, false for the others. */
static bool trace_row(struct trace *t, const union kmlab_ev *e,
		      struct trace_row *r)
{
	memset(r, 0, sizeof(*r));
	r->h = &e->h;
	switch (e->h.type) {
	case KMLAB_EV_ALLOC:
	case KMLAB_EV_ALLOC_FAIL:
		if (e->h.type == KMLAB_EV_ALLOC) {
			t->allocs++;
			t->bytes += e->alloc.size_alloc;
			r->what = "alloc";
		} else {
			t->failed++;
			r->what = "alloc_failed";
		}
		r->ptr = e->alloc.ptr;
		r->size_req = e->alloc.size_req;
		r->size_alloc = e->alloc.size_alloc;
		r->site = e->alloc.call_site;
		r->replaced_site = e->alloc.replaced_site;
		r->replaced_size = e->alloc.replaced_size;
		t->frees_missed += !!r->replaced_site;
		return true;
	case KMLAB_EV_FREE:
		t->frees++;
		r->what = "free";
		r->ptr = e->free.ptr;
		r->size_req = e->free.size_req;
		r->size_alloc = e->free.size_alloc;
		r->site = e->free.call_site;
		r->alloc_site = e->free.alloc_site;
		r->alloc_ts = e->free.alloc_ts;
		return true;
	case KMLAB_EV_DOUBLE_FREE:
		t->double_frees++;
		r->what = "double_free";
		r->ptr = e->double_free.ptr;
		r->size_req = e->double_free.size_req;
		r->size_alloc = e->double_free.size_alloc;
		r->site = e->double_free.call_site;
		return true;
	}
	return false;
}

static int on_event(void *ctx, const union kmlab_ev *e)
{
	char p[KPTR_LEN];
	struct trace *t = ctx;
	struct trace_row r;
	char s[160];
	double ms;

	if (!t->t0)
		t->t0 = e->h.ts;
	ms = (e->h.ts - t->t0) / 1e6;
	switch (e->h.type) {
	case KMLAB_EV_MOD_LOAD:
		snprintf(t->mod, sizeof(t->mod), "%.*s",
			 (int)sizeof(e->mod_load.name), e->mod_load.name);
		t->text_base = e->mod_load.text;
		t->text_len = e->mod_load.text_size;
		if (!env.quiet)
			printf("%12.3f  module %s loaded\n", ms, t->mod);
		ksyms_free(t->ks);
		t->ks = ksyms_load();
		return 0;
	case KMLAB_EV_MOD_FREE:
		if (!env.quiet)
			printf("%12.3f  module %.*s unloaded\n", ms,
			       (int)sizeof(e->mod_free.name),
			       e->mod_free.name);
		return 0;
	}
	if (!trace_row(t, e, &r))
		return 0;
	if (env.top)
		count_site(t, &r);
	if (t->json)
		json_event(t, &r, ms);
	if (env.quiet)
		return 0;
	if (!t->header_done) {
		printf("%12s  %-16s %7s  %-12s %-18s  %6s/%-6s  %s\n", "MS",
		       "COMM", "PID", "EVENT", "ADDRESS", "REQ", "ALLOC",
		       "CALL SITE");
		t->header_done = true;
	}
	printf("%12.3f  %-16.16s %7u  %-12s %-18s  %6llu/%-6llu  %s", ms, e->h.comm, e->h.pid, r.what, kptr(r.ptr, p, sizeof(p)),
	       (unsigned long long)r.size_req,
	       (unsigned long long)r.size_alloc,
	       site(t, r.site, s, sizeof(s)));
	if (r.alloc_ts)
		printf("  (lived %.3f ms)", (e->h.ts - r.alloc_ts) / 1e6);
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

/*
 * -- CMD: fork it now, held on a pipe until the observer is attached (its
 * pid is the filter, fixed when the programs load), then let it exec.
 * Returns its pid, or -1.  @go[1] releases it; @go[0] then reads the
 * errno of a failed exec, or EOF once the exec closed it.
 */
static pid_t start_command(int go[2])
{
	int in[2], out[2], e;
	pid_t pid;
	char c;

	if (pipe2(in, O_CLOEXEC)) {
		fprintf(stderr, "kmlab: cannot start %s: pipe: %s\n", env.cmd[0], strerror(errno));
		return -1;
	}
	if (pipe2(out, O_CLOEXEC)) {
		fprintf(stderr, "kmlab: cannot start %s: pipe: %s\n", env.cmd[0], strerror(errno));
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid = fork();
	if (!pid) {
		/* EOF without a byte: kmlab gave up before tracing (our
		 * copy of the write end would keep that EOF from coming) */
		close(in[1]);
		close(out[0]);
		if (read(in[0], &c, 1) != 1)
			_exit(127);
		execvp(env.cmd[0], env.cmd);
		e = errno;
		if (write(out[1], &e, sizeof(e)) != sizeof(e))
			_exit(127);
		_exit(127);
	}
	if (pid < 0)
		fprintf(stderr, "kmlab: cannot start %s: fork: %s\n", env.cmd[0], strerror(errno));
	close(in[0]);
	close(out[1]);
	go[0] = out[0];
	go[1] = in[1];
	if (pid > 0)
		return pid;
	close(go[0]);
	close(go[1]);
	return -1;
}

/* Let the command exec; 0, or the errno its exec failed with. */
static int release_command(int go[2])
{
	int e = 0;
	ssize_t n;

	if (write(go[1], "g", 1) != 1)
		e = errno;
	close(go[1]);
	go[1] = -1;
	n = e ? 0 : read(go[0], &e, sizeof(e));
	close(go[0]);
	go[0] = -1;
	return n == sizeof(e) || n == 0 ? e : EIO;
}

/* the command's exit, said the way a shell would */
static void command_done(int status)
{
	fflush(stdout);
	if (WIFEXITED(status))
		fprintf(stderr, "kmlab: %s exited with status %d\n", env.cmd[0], WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "kmlab: %s was killed by signal %d (%s)\n", env.cmd[0], WTERMSIG(status),
			strsignal(WTERMSIG(status)));
}

static void print_top(struct trace *t, FILE *out)
{
	char s[160], p[KPTR_LEN];
	size_t i, n;

	sites_sort(&t->sites);
	n = t->sites.n < (size_t)env.top ? t->sites.n : (size_t)env.top;
	fprintf(out, "top %zu of %zu call sites by bytes allocated:\n", n, t->sites.n);
	fprintf(out, "%10s %12s %12s %12s  %s\n", "ALLOCS", "BYTES", "OUTSTANDING", "OUT_BYTES", "CALL SITE");
	for (i = 0; i < n; i++) {
		const struct site_stat *st = &t->sites.v[i];

		site(t, st->site, s, sizeof(s));
		fprintf(out, "%10llu %12llu %12llu %12llu  %s\n", (unsigned long long)st->allocs,
			(unsigned long long)st->bytes, (unsigned long long)st->outstanding,
			(unsigned long long)st->outstanding_bytes, s);
		if (!t->json)
			continue;
		fprintf(t->json, "{\"type\":\"site\",\"site\":");
		json_str(t->json, s);
		fprintf(t->json, ",\"addr\":\"%s\",\"allocs\":%llu,\"bytes\":%llu,\"outstanding\":%llu,\"outstanding_bytes\":%llu}\n",
			kptr(st->site, p, sizeof(p)), (unsigned long long)st->allocs, (unsigned long long)st->bytes,
			(unsigned long long)st->outstanding, (unsigned long long)st->outstanding_bytes);
	}
	if (t->sites_err)
		fprintf(out, "(out of memory: some allocations are not in the per-site counts)\n");
}

/*
 * The verdict: a double free is a finding; lost events make the counts
 * lower bounds and leave room for a double free not seen.
 */
static const char *verdict(const struct trace *t, __u64 all_lost)
{
	if (t->double_frees)
		return "findings";
	return all_lost ? "inconclusive" : "clean";
}

/* The summary, text and JSON; the exit status its verdict gives. */
static int print_summary(struct trace *t, struct observer *ob)
{
	FILE *out = t->json == stdout ? stderr : stdout;
	__u64 lost[KMLAB_LOST_MAX], rec, live = 0, all_lost, live_max, freed_max;
	__u64 ring;
	int i;

	observer_lost(ob, lost, &rec);
	observer_map_sizes(ob, &live_max, &freed_max, &ring);
	observer_for_each_live(ob, count_live, &live);
	all_lost = rec;
	for (i = 0; i < KMLAB_LOST_MAX; i++)
		all_lost += lost[i];
	if (env.top)
		print_top(t, out);
	fprintf(out, "summary: %llu allocations (%llu bytes), %llu frees, %llu still allocated, %llu failed, %llu double frees; lost: %llu ring buffer, %llu live map full, %llu recursion",
		(unsigned long long)t->allocs, (unsigned long long)t->bytes, (unsigned long long)t->frees,
		(unsigned long long)live, (unsigned long long)t->failed, (unsigned long long)t->double_frees,
		(unsigned long long)kmlab_ring_lost(lost), (unsigned long long)lost[KMLAB_LOST_LIVE_FULL],
		(unsigned long long)rec);
	if (lost[KMLAB_LOST_UNFOLLOWED])
		fprintf(out, ", %llu processes not followed (too many at once)",
			(unsigned long long)lost[KMLAB_LOST_UNFOLLOWED]);
	fprintf(out, "; verdict: %s\n", verdict(t, all_lost));
	if (t->frees_missed)
		fprintf(out, "note: %llu object%s freed without a kmem event (kmem_cache_free_bulk(), kfree_rcu()'s batches, or a free whose program the kernel skipped), each counted freed when its address was handed out again; some of the still allocated may have gone that way since\n",
			(unsigned long long)t->frees_missed,
			t->frees_missed == 1 ? " was" : "s were");
	if (lost[KMLAB_LOST_LIVE_FULL])
		fprintf(out, "note: more objects were allocated and alive at once than the observer's live map has room for (%llu): %llu allocations were not followed; --live %llu gives room for all of them\n",
			(unsigned long long)live_max, (unsigned long long)lost[KMLAB_LOST_LIVE_FULL],
			kmlab_live_enough(live_max, lost[KMLAB_LOST_LIVE_FULL]));
	if (kmlab_ring_lost(lost))
		fprintf(out, "note: the ring buffer (%llu MiB) had no room for %llu records while kmlab read: --ring %llu gives more\n",
			(unsigned long long)(ring >> 20), (unsigned long long)kmlab_ring_lost(lost),
			kmlab_ring_enough(ring, kmlab_ring_lost(lost)));
	if (t->json)
		fprintf(t->json, "{\"type\":\"summary\",\"findings\":%llu,\"double_frees\":%llu,\"allocs\":%llu,\"bytes\":%llu,\"frees\":%llu,\"live\":%llu,\"failed\":%llu,\"lost_ringbuf\":%llu,\"lost_live_full\":%llu,\"live_max\":%llu,\"recursion_misses\":%llu,\"lost_unfollowed\":%llu,\"frees_missed\":%llu,\"lost_events\":%llu,\"verdict\":\"%s\"}\n",
			(unsigned long long)t->double_frees, (unsigned long long)t->double_frees,
			(unsigned long long)t->allocs, (unsigned long long)t->bytes,
			(unsigned long long)t->frees, (unsigned long long)live,
			(unsigned long long)t->failed, (unsigned long long)kmlab_ring_lost(lost),
			(unsigned long long)lost[KMLAB_LOST_LIVE_FULL],
			(unsigned long long)live_max, (unsigned long long)rec,
			(unsigned long long)lost[KMLAB_LOST_UNFOLLOWED],
			(unsigned long long)t->frees_missed,
			(unsigned long long)all_lost, verdict(t, all_lost));
	/* recursion misses are allocations in interrupts that hit while
	 * the program ran on that CPU: counted, shown, not an error */
	if (all_lost)
		fprintf(stderr, "kmlab: note: %llu event%s not traced (see 'lost' above); counts are lower bounds\n",
			(unsigned long long)all_lost, all_lost == 1 ? "" : "s");
	if (t->double_frees)
		return KMLAB_EXIT_FINDINGS;
	return all_lost ? KMLAB_EXIT_INCONCLUSIVE : KMLAB_EXIT_CLEAN;
}

int cmd_trace(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cmd_common_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.children = children,
		.args_doc = "[-- COMMAND [ARGS...]]",
		.doc = "Stream kernel allocations (kmalloc, kmem_cache_alloc) and their frees live, system-wide or of one COMMAND kmlab starts; Ctrl-C (or the command's exit) prints a summary.\vColumns: ms since the first event, process, pid, event, address, requested/allocated bytes, call site.  A COMMAND is traced with its threads and every process it starts (and those start), from their fork to their exit.  Exit status: 0 nothing wrong seen, 1 double frees seen, 2 usage or environment error, 3 events were lost (the counts are lower bounds).",
	};
	struct observer_opts o = {};
	struct sigaction sa = { .sa_handler = on_signal };
	struct observer *ob = NULL;
	struct trace t = {};
	int err, status, go[2] = { -1, -1 }, ret = KMLAB_EXIT_ENV;
	pid_t child = 0;
	long long end;

	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, NULL))
		return KMLAB_EXIT_ENV;
	if (env.json) {
		t.json = json_open(env.json);
		/* stdout carries JSON only */
		if (t.json == stdout)
			env.quiet = true;
		if (!t.json) {
			fprintf(stderr, "kmlab: cannot write --json %s: %s\n",
				env.json, strerror(errno));
			return KMLAB_EXIT_ENV;
		}
	}
	if (env.cmd) {
		child = start_command(go);
		if (child < 0)
			goto out;
		env.pid = child;
	}
	o.targets[0] = env.module;
	o.nr_targets = env.module ? 1 : 0;
	o.trace = !env.module;
	o.pid = env.pid;
	o.follow = env.cmd != NULL;
	o.comm = env.comm;
	o.min_size = env.min_size;
	o.live_max = kmlab_live_max;
	o.ring_mib = kmlab_ring_mib;
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
	if (t.json) {
		struct utsname u;

		json_header(t.json, "trace", env.module ? env.module : env.cmd ? env.cmd[0] : NULL,
			    uname(&u) ? NULL : u.release);
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (child) {
		fprintf(stderr, "tracing %s (pid %d): Ctrl-C to stop\n", env.cmd[0], child);
		err = release_command(go);
		if (err) {
			fprintf(stderr, "kmlab: cannot run %s: %s; give a program in PATH or a path to one\n", env.cmd[0],
				strerror(err));
			goto out;
		}
	} else {
		fprintf(stderr, "tracing: Ctrl-C to stop\n");
	}

	end = now_ms() + env.duration_s * 1000LL;
	while (!stop && (!env.duration_s || now_ms() < end)) {
		err = observer_poll(ob, 100);
		if (err < 0) {
			fprintf(stderr, "kmlab: reading the ring buffer failed: %s\n", strerror(-err));
			goto out;
		}
		if (child && waitpid(child, &status, WNOHANG) == child) {
			command_done(status);
			child = 0;
			break;
		}
	}
	while (observer_poll(ob, 0) > 0)
		;
	fflush(stdout);
	ret = print_summary(&t, ob);
out:
	if (go[1] >= 0) {
		close(go[0]);
		close(go[1]);	/* the command exits 127 without running */
	}
	if (child > 0 && ret == KMLAB_EXIT_ENV) {
		waitpid(child, &status, 0);
	} else if (child > 0) {
		if (waitpid(child, &status, WNOHANG) == child)
			command_done(status);
		else
			fprintf(stderr, "kmlab: %s (pid %d) is still running; it was traced until now\n", env.cmd[0],
				child);
	}
	observer_close(ob);
	ksyms_free(t.ks);
	sites_release(&t.sites);
	if (t.json)
		json_close(t.json);
	return ret;
}
