// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab run PLAN: compile the plan, attach the observer, insert the data
 * plane, hand it the plan (LOAD), ask for DEMAND, reset it (UNLOAD),
 * remove it, then report what the observer saw.
 *
 * kmlab run --compiled KO PLAN: the same with the module kmlab gen wrote
 * for the plan (codegen.c): kmlab_dp is in for its guard and its step
 * tracepoint, the module's init runs LOAD, a write to its demand
 * parameter DEMAND, and its exit UNLOAD.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "cmd.h"
#include "cmd_options.h"
#include "kptr.h"
#include "cmd_session.h"
#include "diag.h"
#include "ksyms.h"
#include "codegen.h"
#include "modload.h"
#include "plan.h"
#include "kmlab/ir_check.h"

#define DEV_PATH	"/dev/kmlab"
#define DEV_SYSFS	"/sys/class/misc/kmlab/dev"

/*
 * Pacing (kmlab/ir.h): the data plane runs at most PACE_WINDOW steps
 * ahead of the step events we consumed.  A step brings at most
 * PACE_EVENTS events (its own; an allocation and a free, as krealloc
 * makes; a page-backed kmalloc's page event), each at most the largest
 * record plus the ring's 8-byte record header.  A window's events then
 * take a quarter of the observer's ring buffer, which leaves room to
 * spare for what else it carries.
 */
#define PACE_EVENTS		4
#define PACE_EVENT_BYTES	(sizeof(union kmlab_ev) + 8)
#define PACE_WINDOW		(OBSERVER_RING_BYTES / 4 / \
				 (PACE_EVENT_BYTES * PACE_EVENTS))
/* after a batch of fewer events, let the next one gather this long */
#define BATCH_MIN		256
#define BATCH_MS		10

static struct run_env {
	const char *plan;
	const char *module;
	const char *compiled;	/* --compiled KO */
	int timeout_s;		/* wait for the unload event */
	bool progress;		/* --progress, or stderr is a terminal */
} env = { .timeout_s = 10 };

/*
 * A line on stderr, rewritten twice a second, while a long plan runs:
 * the steps and events so far.  Wiped before the report.
 */
struct progress {
	struct timespec start, last;
	bool shown;
};

static double since(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_show(struct progress *pg, const struct session *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!env.progress || since(&pg->last, &now) < 0.5)
		return;
	pg->last = now;
	pg->shown = true;
	fprintf(stderr, "\rkmlab: %llu steps, %llu events, %.1f s",
		(unsigned long long)s->steps,
		(unsigned long long)s->tl.events, since(&pg->start, &now));
	fflush(stderr);
}

static void progress_end(const struct progress *pg)
{
	if (pg->shown)
		fputs(isatty(STDERR_FILENO) ? "\r\033[K" : "\n", stderr);
}

/* the first SIGINT or SIGTERM: stop the plan, report, clean up */
static volatile sig_atomic_t stop_sig;
/* the plan is over: a signal now only cuts the wait for the unload */
static volatile sig_atomic_t plan_over;
/* a second signal, or one after the plan: do not wait any longer */
static volatile int hurry;

static void on_signal(int sig)
{
	if (stop_sig || plan_over)
		hurry = 1;
	if (!stop_sig)
		stop_sig = sig;
}

static const char *sig_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" :
	       "a signal";
}

static const struct argp_option opts[] = {
	{ "module", 'm', "PATH", 0, "The data plane (kmlab_dp.ko) to use", 0 },
	{ "compiled", 'c', "KO", 0, "Run the plan's own module, which `kmlab gen PLAN` wrote and kbuild built, instead of handing the plan to kmlab_dp (loaded too, for its guard and events)", 0 },
	{ "timeout", 't', "S", 0, "Wait at most S seconds for the unload (default 10)", 0 },
	{ "progress", OPT_PROGRESS, NULL, 0, "Show the steps and events so far on stderr while the plan runs (the default when stderr is a terminal)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 'm':
		env.module = arg;
		break;
	case 'c':
		env.compiled = arg;
		break;
	case OPT_PROGRESS:
		env.progress = true;
		break;
	case 't':
		errno = 0;
		env.timeout_s = strtol(arg, &end, 10);
		if (errno || *end || env.timeout_s <= 0)
			argp_error(state, "--timeout wants whole seconds > 0, not '%s'", arg);
		break;
	default:
		if (!cmd_plan_arg(state, key, arg, &env.plan,
				  "kmlab run PLAN.kml"))
			return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Without udev (the busybox lab) make the node from sysfs. */
static int open_dev(void)
{
	unsigned int major, minor;
	int i, fd;
	FILE *f;

	for (i = 0; i < 20; i++) {
		fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			break;
		f = fopen(DEV_SYSFS, "r");
		if (f) {
			if (fscanf(f, "%u:%u", &major, &minor) == 2)
				mknod(DEV_PATH, S_IFCHR | 0600,
				      makedev(major, minor));
			fclose(f);
			continue;
		}
		usleep(50 * 1000);
	}
	if (fd < 0)
		fprintf(stderr, "kmlab: cannot open %s: %s: is kmlab_dp loaded and is devtmpfs mounted on /dev?\n", DEV_PATH,
			strerror(errno));
	return fd;
}

/* The line of the data plane's status that starts with @key (without
 * it) into @buf; false when there is none. */
static bool dev_status(int fd, const char *key, char *buf, size_t len)
{
	char st[4096], *line, *end;
	ssize_t n = pread(fd, st, sizeof(st) - 1, 0);

	if (n <= 0)
		return false;
	st[n] = '\0';
	for (line = st; line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (!strncmp(line, key, strlen(key))) {
			snprintf(buf, len, "%s", line + strlen(key));
			return true;
		}
	}
	return false;
}

struct writer {
	const struct plan *plan;
	int fd;
	volatile int done;
	int err;		/* 0, -EINTR (aborted) or -1 */
	bool started;		/* the plan was written */
	char aborted[64];	/* "before line N", from the data plane */
};

/* 0, -EINTR when an abort cut the phase short, or -1 (said why). */
static int write_cmd(struct writer *w, const void *buf, size_t len,
		     const char *what)
{
	ssize_t n = write(w->fd, buf, len);
	char why[256];
	int err = errno;

	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && err == EINTR) {
		dev_status(w->fd, "aborted: ", w->aborted, sizeof(w->aborted));
		return -EINTR;
	}
	if (n >= 0)
		fprintf(stderr, "kmlab: the data plane took %zd of %zu bytes of the %s: the blob must go in one write\n", n, len,
			what);
	else if (dev_status(w->fd, "refused: ", why, sizeof(why)))
		fprintf(stderr, "kmlab: the data plane refused the %s: %s\n",
			what, why);
	else
		fprintf(stderr, "kmlab: the data plane refused the %s: %s (its reason is in dmesg)\n",
			what, strerror(err));
	return -1;
}

/*
 * The phases run inside these writes; a thread does them so that the
 * main one can drain the ring buffer meanwhile.  SIGINT and SIGTERM are
 * blocked here: the main thread takes them and aborts the phase.
 */
static void *write_phases(void *arg)
{
	struct writer *w = arg;

	if (!stop_sig) {
		w->started = true;
		w->err = write_cmd(w, w->plan->ir, w->plan->ir_len, "plan");
	}
	if (!w->err && !stop_sig)
		w->err = write_cmd(w, "demand", 6, "demand command");
	/*
	 * UNLOAD now, while kmlab_step is attached: the attachment pins the
	 * module, so module exit cannot be watched.  Also after an abort:
	 * reset frees what the plan still holds.
	 */
	if (write_cmd(w, "reset", 5, "reset command") == -1 && !w->err)
		w->err = -1;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Tell the data plane how many steps we consumed; -1 when it refused. */
static int ack(int fd, __u64 steps)
{
	char cmd[32];
	int n = snprintf(cmd, sizeof(cmd), "ack %llu",
			 (unsigned long long)steps);

	return write(fd, cmd, n) == n ? 0 : -1;
}

/* Ask the data plane to pace itself against our acks. */
static bool start_pacing(int fd)
{
	char cmd[32], why[256];
	int n = snprintf(cmd, sizeof(cmd), "pace %u", (unsigned int)PACE_WINDOW);

	if (write(fd, cmd, n) == n)
		return true;
	fprintf(stderr, "kmlab: warning: the data plane does not pace itself (%s): a long plan may overrun the observer's ring buffer\n",
		dev_status(fd, "refused: ", why, sizeof(why)) ? why :
		strerror(errno));
	return false;
}

/* What the data plane counted while pacing: a note when it waited. */
static void pace_notes(struct session *s, int fd)
{
	unsigned long long window, steps, waits, stalls, ahead;
	long long acked;
	char st[256];

	if (!dev_status(fd, "pace: ", st, sizeof(st)) ||
	    sscanf(st, "window=%llu steps=%llu acked=%lld waits=%llu stalls=%llu max_ahead=%llu",
		   &window, &steps, &acked, &waits, &stalls, &ahead) != 6)
		return;
	if (stalls)
		session_note(s, "the data plane waited for this reader %llu times; %llu times it had no ack for %d ms and went on, so events may have been dropped (see the lost counts)",
			     waits, stalls, KMLAB_PACE_WAIT_MS);
	else if (waits)
		session_note(s, "the data plane waited %llu times for this reader to catch up (it runs at most %llu steps ahead; it was up to %llu)",
			     waits, window, ahead);
}

/* Run the plan's phases; the module is in, the observer attached. */
static int drive(struct session *s, const struct plan *plan,
		 const char *name)
{
	struct writer w = { .plan = plan, .fd = -1 };
	struct progress pg = { 0 };
	bool paced = false, acked_ok = true;
	__u64 acked = 0;
	sigset_t block, old;
	pthread_t thread;
	int ctl, err, n;

	/* the module_load event names t0; it is usually there already */
	for (int i = 0; i < 20 && !s->tl.loaded; i++)
		observer_poll(s->ob, 50);
	if (!s->tl.loaded)
		fprintf(stderr, "kmlab: warning: the observer did not see %s load; its allocations may be missed\n", name);

	ctl = open_dev();
	w.fd = open_dev();
	if (ctl < 0 || w.fd < 0) {
		w.err = -1;
		goto out_remove;
	}
	/* the step events counted from here on are the ones we ack */
	s->steps = 0;
	paced = start_pacing(ctl);

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = pthread_create(&thread, NULL, write_phases, &w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		fprintf(stderr, "kmlab: cannot start a thread: %s\n",
			strerror(err));
		w.err = -1;
		goto out_remove;
	}
	clock_gettime(CLOCK_MONOTONIC, &pg.start);
	pg.last = pg.start;
	while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
		progress_show(&pg, s);
		/* until the writer is done: it may not have seen the first */
		if (stop_sig && write(ctl, "abort", 5) != 5)
			fprintf(stderr, "kmlab: cannot abort the plan: %s\n",
				strerror(errno));
		n = observer_poll(s->ob, 20);
		if (n <= 0)
			continue;
		if (paced && acked_ok && s->steps != acked) {
			acked_ok = !ack(ctl, s->steps);
			acked = s->steps;
		}
		/* a short batch: let the next one gather, with fewer wakeups
		 * of this reader; after a long one more is waiting */
		if (n < BATCH_MIN)
			usleep(BATCH_MS * 1000);
	}
	pthread_join(thread, NULL);
	plan_over = 1;
	while (observer_poll(s->ob, 0) > 0)
		;
	progress_end(&pg);
	if (paced)
		pace_notes(s, ctl);
	if (stop_sig && w.aborted[0])
		session_note(s, "interrupted by %s: the data plane stopped %s of the plan and did not run the rest; reset freed what the plan held",
			     sig_name(stop_sig), w.aborted);
	else if (stop_sig && !w.started)
		session_note(s, "interrupted by %s before the plan started: nothing ran",
			     sig_name(stop_sig));
	else if (stop_sig)
		session_note(s, "interrupted by %s as the plan ended: its unload phase may not have run; reset freed what the plan held",
			     sig_name(stop_sig));

out_remove:
	plan_over = 1;
	observer_detach_step(s->ob);
	if (ctl >= 0)
		close(ctl);
	if (w.fd >= 0)
		close(w.fd);
	if (modload_remove(name)) {
		fprintf(stderr, "kmlab: %s stays loaded: its leaks cannot be told; rmmod it by hand\n", name);
		return -1;
	}
	err = session_wait_unload(s, env.timeout_s * 1000, &hurry);
	if (err == -EINTR)
		session_note(s, "interrupted by %s while waiting for %s to go away: its leaks cannot be told",
			     sig_name(stop_sig), name);
	else if (err)
		fprintf(stderr, "kmlab: warning: no module_free event from the observer within %d s: the report is inconclusive\n", env.timeout_s);
	return w.err == -EINTR ? 0 : w.err;
}

/* --compiled: the module kmlab gen wrote for the plan */
struct compiled {
	const char *path;
	char name[64];
	bool demand;		/* the plan has a demand phase */
};

/* Its init runs the LOAD phase; then DEMAND, as kmlab_dp's "demand". */
static int compiled_load(void *arg)
{
	struct compiled *c = arg;
	char path[160];
	int fd, err = 0;

	if (modload_insert(c->path, ""))
		return -1;
	if (!c->demand)
		return 0;
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/demand",
		 c->name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		fprintf(stderr, "kmlab: cannot run %s's demand phase (%s): %s (its reason is in dmesg)\n",
			c->name, path, strerror(errno));
		err = -1;
	}
	if (fd >= 0)
		close(fd);
	return err;
}

/* Its exit runs the UNLOAD phase and frees what the plan still holds. */
static int compiled_unload(void *arg)
{
	struct compiled *c = arg;

	return modload_remove(c->name);
}

/* The module is kmlab gen's for this very plan: same IR digest. */
static int compiled_check(const struct plan *plan, struct compiled *c)
{
	char want[32], got[64];
	int err;

	if (modload_check(c->path, c->name, sizeof(c->name)))
		return -1;
	err = modload_info(c->path, "kmlab_plan", got, sizeof(got));
	if (err < 0)
		return -1;
	codegen_digest(plan, want, sizeof(want));
	if (err || strcmp(got, want)) {
		fprintf(stderr, "kmlab: %s was not written by kmlab gen from %s as it is now (%s): run kmlab gen %s again and rebuild it\n",
			c->path, plan->path,
			err ? "it has no kmlab_plan digest" : "its digest differs",
			plan->path);
		return -1;
	}
	if (modload_is_loaded(c->name)) {
		fprintf(stderr, "kmlab: %s is already loaded, so its load cannot be observed: rmmod %s first\n",
			c->name, c->name);
		return -1;
	}
	for (int i = 0; i < plan->nr_ops; i++)
		if (plan->ops[i].phase == KMLAB_PHASE_DEMAND)
			c->demand = true;
	return 0;
}

/*
 * Load the compiled module (its LOAD phase runs in init, its DEMAND on
 * the parameter's write), then remove it (UNLOAD in its exit), reading
 * the events all along; kmlab_step is kmlab_dp's, which stays attached.
 */
static int drive_compiled(struct session *s, struct compiled *c)
{
	int err;

	err = session_while(s, compiled_load, c);
	if (!modload_is_loaded(c->name)) {
		observer_detach_step(s->ob);
		return -1;
	}
	/* module symbols vanish at unload: take them now (the .ko's own,
	 * bound at its load, name its sites first) */
	if (!s->ks)
		s->ks = ksyms_load();
	if (session_while(s, compiled_unload, c)) {
		observer_detach_step(s->ob);
		fprintf(stderr, "kmlab: %s stays loaded: its leaks cannot be told; rmmod it by hand\n",
			c->name);
		return -1;
	}
	if (session_wait_unload(s, env.timeout_s * 1000, &hurry))
		fprintf(stderr, "kmlab: warning: no module_free event from the observer within %d s: the report is inconclusive\n",
			env.timeout_s);
	observer_detach_step(s->ob);
	return err;
}

/* Possible CPUs, as num_possible_cpus() counts them: "0-1,4". */
static unsigned int possible_cpus(void)
{
	unsigned int a, b, n = 0;
	char buf[256], *p, *tok;
	FILE *f;

	f = fopen("/sys/devices/system/cpu/possible", "r");
	if (!f)
		return 1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (tok = strtok_r(buf, ",\n", &p); tok;
	     tok = strtok_r(NULL, ",\n", &p)) {
		if (sscanf(tok, "%u-%u", &a, &b) == 2 && b >= a)
			n += b - a + 1;
		else if (sscanf(tok, "%u", &a) == 1)
			n++;
	}
	return n ? n : 1;
}

/* The module's max_bytes, KMLAB_MAX_BYTES if it cannot be read. */
static unsigned long long max_bytes(const char *name)
{
	unsigned long long v = KMLAB_MAX_BYTES;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/max_bytes",
		 name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = KMLAB_MAX_BYTES;
		fclose(f);
	}
	return v;
}

/*
 * `kmlab check` ran the data plane's checker as if percpu memory lived
 * on one CPU and max_bytes had its default; the data plane counts this
 * machine's possible CPUs and its own max_bytes.  Run it again as the
 * data plane will, so that it is never handed a plan it refuses.
 */
static int preflight(const struct plan *plan, const char *name)
{
	struct kmlab_ir_check *c = calloc(1, sizeof(*c));
	int err;

	if (!c) {
		fprintf(stderr, "kmlab: out of memory\n");
		return -1;
	}
	c->ncpus = possible_cpus();
	c->max_bytes = max_bytes(name);
	err = kmlab_ir_check(plan->ir, plan->ir_len, c);
	if (err)
		fprintf(stderr, "kmlab: %s:%u: %s's checker would refuse this plan here (%u possible CPUs, max_bytes=%llu): %s\n",
			plan->path, c->line, name, c->ncpus,
			(unsigned long long)c->max_bytes, c->why);
	free(c);
	return err;
}

/*
 * The allocator families the observer must watch for this plan: those
 * of its objects and of its frees (kmlab/ops.h), so that a vfree of
 * kmalloc memory is seen too.  Nothing
 * else is attached: fewer probes on the kernel's hot paths.
 */
static unsigned int plan_families(const struct plan *plan)
{
	unsigned int fams = 1u << KMLAB_FAM_KMALLOC;
	int i;

	for (i = 0; i < plan->nr_objs; i++)
		if (plan->objs[i].family < KMLAB_FAM_MAX)
			fams |= 1u << plan->objs[i].family;
	for (i = 0; i < plan->nr_ops; i++)
		if (kmlab_op_class(plan->ops[i].code) == KMLAB_OPC_FREE ||
		    kmlab_op_class(plan->ops[i].code) == KMLAB_OPC_DESTROY)
			fams |= 1u << kmlab_op_family(plan->ops[i].code);
	/* kvmalloc falls back to vmalloc; caches and their objects */
	if (fams & (1u << KMLAB_FAM_KVMALLOC))
		fams |= 1u << KMLAB_FAM_VMALLOC;
	if (fams & (1u << KMLAB_FAM_CACHE | 1u << KMLAB_FAM_SLAB))
		fams |= 1u << KMLAB_FAM_CACHE | 1u << KMLAB_FAM_SLAB;
	return fams;
}

int cmd_run(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cmd_reports_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.children = children,
		.args_doc = "PLAN",
		.doc = "Run a plan in the kmlab_dp module under the BPF observer and report what happened to every object.\vNeeds root and a kernel with modules and BTF (the lab guest: scripts/lab run PLAN).  Exit status: 0 nothing found, 1 findings, 2 errors, 3 inconclusive (nothing found, but events were lost that could have hidden a finding); 128 + N when signal N (SIGINT, SIGTERM) stopped the plan: then kmlab reports what it saw, resets and unloads the data plane.",
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct compiled cc = { 0 };
	bool dp_ours = false;
	char modname[64], title[512];
	struct diag_list diags;
	struct plan *plan = NULL;
	struct session s;
	unsigned int fams;
	const char *path;
	int ret = KMLAB_EXIT_ENV, err;

	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return KMLAB_EXIT_ENV;
	env.progress = env.progress || isatty(STDERR_FILENO);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	diag_init(&diags);
	if (plan_compile_file(env.plan, &plan, &diags)) {
		diag_print(&diags, stderr);
		fprintf(stderr, "kmlab: %s does not compile: fix the errors above (kmlab check %s)\n", env.plan, env.plan);
		diag_free(&diags);
		return KMLAB_EXIT_ENV;
	}
	diag_print(&diags, stderr);	/* warnings */
	diag_free(&diags);

	if (geteuid()) {
		fprintf(stderr, "kmlab: run loads a module and BPF programs: run it as root (in the lab: scripts/lab run %s)\n",
			env.plan);
		goto out_plan;
	}
	if (access("/proc/modules", F_OK)) {
		fprintf(stderr, "kmlab: this kernel cannot load modules (CONFIG_MODULES is off): run the plan in the lab: scripts/lab run %s\n", env.plan);
		goto out_plan;
	}
	path = modload_find(env.module);
	if (!path || modload_check(path, modname, sizeof(modname)))
		goto out_plan;
	if (env.compiled) {
		cc.path = env.compiled;
		if (compiled_check(plan, &cc))
			goto out_plan;
		/* a kmlab_dp already in serves as well: leave it in */
		dp_ours = !modload_is_loaded(modname);
	} else if (modload_is_loaded(modname)) {
		fprintf(stderr, "kmlab: %s is already loaded, so its load cannot be observed: rmmod %s first\n", modname,
			modname);
		goto out_plan;
	}

	fams = plan_families(plan);
	err = session_open_families(&s, env.compiled ? cc.name : modname, true,
				    cmd_out.json, fams, env.plan);
	if (!err)
		err = session_pictures(&s, cmd_out.perfetto, cmd_out.html, "run",
				       env.plan);
	if (err)
		goto out_session;
	/* kmalloc, kmem_cache and pages come from tracepoints: a plan with
	 * no other family is fully seen without any kprobe attached */
	if (!(fams & ~(1u << KMLAB_FAM_KMALLOC | 1u << KMLAB_FAM_CACHE |
		       1u << KMLAB_FAM_PAGES | 1u << KMLAB_FAM_GFP_PAGES)))
		s.rc.families = true;
	if (stop_sig) {
		fprintf(stderr, "kmlab: %s before the plan started: nothing ran\n",
			sig_name(stop_sig));
		ret = 128 + stop_sig;
		goto out_session;
	}
	snprintf(title, sizeof(title), "plan %s%s", env.plan,
		 env.compiled ? ", compiled" : "");
	s.rc.title = title;
	s.rc.module_path = env.compiled ? env.compiled : path;
	s.rc.plan = plan;

	if (env.compiled) {
		/* kmlab loads it from its file: name its sites from the .ko's
		 * symbols as it loads, as watch PATH.ko does (kallsyms may lack
		 * some, and has none of its init code once init is over) */
		s.ksyms_at_load = true;
		if (dp_ours && modload_insert(path, ""))
			goto out_session;
		if (preflight(plan, modname) || observer_attach_step(s.ob) ||
		    drive_compiled(&s, &cc)) {
			if (dp_ours)
				modload_remove(modname);
			goto out_session;
		}
		if (dp_ours && modload_remove(modname))
			fprintf(stderr, "kmlab: warning: %s stays loaded: rmmod it by hand\n",
				modname);
		goto finish;
	}

	if (modload_insert(path, ""))
		goto out_session;
	/* module symbols vanish at unload: take them now */
	s.ks = ksyms_load();
	if (!s.ks)
		fprintf(stderr, "kmlab: warning: cannot read /proc/kallsyms (%s): sites will be raw addresses\n",
			strerror(errno));
	if (preflight(plan, modname) || observer_attach_step(s.ob)) {
		modload_remove(modname);
		goto out_session;
	}
	if (drive(&s, plan, modname))
		goto out_session;
finish:
	if (stop_sig)
		s.interrupted = sig_name(stop_sig);
	ret = session_finish(&s);
	if (stop_sig)
		ret = 128 + stop_sig;

out_session:
	session_close(&s);
out_plan:
	plan_free(plan);
	return ret;
}
