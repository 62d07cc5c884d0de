// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab run PLAN: compile the plan, attach the observer, insert the data
 * plane, hand it the plan (LOAD), ask for DEMAND, reset it (UNLOAD),
 * remove it, then report what the observer saw.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "cmd.h"
#include "cmd_session.h"
#include "diag.h"
#include "ksyms.h"
#include "modload.h"
#include "plan.h"

#define DEV_PATH	"/dev/kmlab"
#define DEV_SYSFS	"/sys/class/misc/kmlab/dev"

static struct run_env {
	const char *plan;
	const char *module;
	const char *json;
	int timeout_s;		/* wait for the unload event */
} env = { .timeout_s = 10 };

static const struct argp_option opts[] = {
	{ "module", 'm', "PATH", 0, "The data plane (kmlab_dp.ko) to use", 0 },
	{ "json", 'j', "FILE", 0, "Also write JSON lines to FILE ('-': "
	  "stdout)", 0 },
	{ "timeout", 't', "S", 0, "Wait at most S seconds for the unload "
	  "(default 10)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's debug output", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 'm':
		env.module = arg;
		break;
	case 'j':
		env.json = arg;
		break;
	case 't':
		errno = 0;
		env.timeout_s = strtol(arg, &end, 10);
		if (errno || *end || env.timeout_s <= 0)
			argp_error(state, "--timeout wants whole seconds > 0, "
				   "not '%s'", arg);
		break;
	case 'v':
		kmlab_verbose = true;
		break;
	case ARGP_KEY_ARG:
		if (env.plan)
			argp_error(state, "one plan at a time: '%s' is extra",
				   arg);
		env.plan = arg;
		break;
	case ARGP_KEY_END:
		if (!env.plan)
			argp_error(state, "which plan? kmlab run PLAN.kml");
		break;
	default:
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
		fd = open(DEV_PATH, O_WRONLY | O_CLOEXEC);
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
		fprintf(stderr, "kmlab: cannot open %s: %s: is kmlab_dp "
			"loaded and is devtmpfs mounted on /dev?\n", DEV_PATH,
			strerror(errno));
	return fd;
}

static int write_cmd(int fd, const void *buf, size_t len, const char *what)
{
	ssize_t n = write(fd, buf, len);

	if (n == (ssize_t)len)
		return 0;
	if (n < 0)
		fprintf(stderr, "kmlab: the data plane refused the %s: %s "
			"(its reason is in dmesg)\n", what, strerror(errno));
	else
		fprintf(stderr, "kmlab: the data plane took %zd of %zu bytes "
			"of the %s: the blob must go in one write\n", n, len,
			what);
	return -1;
}

struct writer {
	const struct plan *plan;
	volatile int done;
	int err;
};

/* The phases run inside these writes; a thread does them so that the
 * main one can drain the ring buffer meanwhile. */
static void *write_phases(void *arg)
{
	struct writer *w = arg;
	int fd;

	fd = open_dev();
	if (fd < 0) {
		w->err = -1;
	} else {
		w->err = write_cmd(fd, w->plan->ir, w->plan->ir_len, "plan");
		if (!w->err)
			w->err = write_cmd(fd, "demand", 6, "demand command");
		/* UNLOAD now, while kmlab_step is attached: the attachment
		 * pins the module, so module exit cannot be watched */
		if (!w->err)
			w->err = write_cmd(fd, "reset", 5, "reset command");
		close(fd);
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Run the plan's phases; the module is in, the observer attached. */
static int drive(struct session *s, const struct plan *plan,
		 const char *name)
{
	struct writer w = { .plan = plan };
	pthread_t thread;
	int err;

	/* the module_load event names t0; it is usually there already */
	for (int i = 0; i < 20 && !s->tl.loaded; i++)
		observer_poll(s->ob, 50);
	if (!s->tl.loaded)
		fprintf(stderr, "kmlab: warning: the observer did not see "
			"%s load; its allocations may be missed\n", name);

	err = pthread_create(&thread, NULL, write_phases, &w);
	if (err) {
		fprintf(stderr, "kmlab: cannot start a thread: %s\n",
			strerror(err));
		w.err = -1;
	} else {
		while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE))
			observer_poll(s->ob, 20);
		pthread_join(thread, NULL);
	}
	while (observer_poll(s->ob, 0) > 0)
		;
	observer_detach_step(s->ob);

	if (modload_remove(name)) {
		fprintf(stderr, "kmlab: %s stays loaded: its leaks cannot be "
			"told; rmmod it by hand\n", name);
		return -1;
	}
	if (session_wait_unload(s, env.timeout_s * 1000, NULL))
		fprintf(stderr, "kmlab: warning: no module_free event from "
			"the observer within %d s: the report is "
			"inconclusive\n", env.timeout_s);
	return w.err;
}

int cmd_run(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.args_doc = "PLAN",
		.doc = "Run a plan in the kmlab_dp module under the BPF "
		       "observer and report what happened to every object.\v"
		       "Needs root and a kernel with modules and BTF (the "
		       "lab guest: scripts/lab run PLAN).",
	};
	char modname[64], title[512];
	struct diag_list diags;
	struct plan *plan = NULL;
	struct session s;
	const char *path;
	int ret = KMLAB_EXIT_ENV, err;

	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return KMLAB_EXIT_ENV;

	diag_init(&diags);
	if (plan_compile_file(env.plan, &plan, &diags)) {
		diag_print(&diags, stderr);
		fprintf(stderr, "kmlab: %s does not compile: fix the errors "
			"above (kmlab check %s)\n", env.plan, env.plan);
		diag_free(&diags);
		return KMLAB_EXIT_ENV;
	}
	diag_free(&diags);

	if (geteuid()) {
		fprintf(stderr, "kmlab: run loads a module and BPF programs: "
			"run it as root (in the lab: scripts/lab run %s)\n",
			env.plan);
		goto out_plan;
	}
	if (access("/proc/modules", F_OK)) {
		fprintf(stderr, "kmlab: this kernel cannot load modules "
			"(CONFIG_MODULES is off): run the plan in the lab: "
			"scripts/lab run %s\n", env.plan);
		goto out_plan;
	}
	path = modload_find(env.module);
	if (!path || modload_check(path, modname, sizeof(modname)))
		goto out_plan;
	if (modload_is_loaded(modname)) {
		fprintf(stderr, "kmlab: %s is already loaded, so its load "
			"cannot be observed: rmmod %s first\n", modname,
			modname);
		goto out_plan;
	}

	err = session_open(&s, modname, true, env.json);
	if (err)
		goto out_session;
	snprintf(title, sizeof(title), "plan %s", env.plan);
	s.rc.title = title;
	s.rc.module_path = path;
	s.rc.plan = plan;

	if (modload_insert(path, ""))
		goto out_session;
	/* module symbols vanish at unload: take them now */
	s.ks = ksyms_load();
	if (!s.ks)
		fprintf(stderr, "kmlab: warning: cannot read /proc/kallsyms "
			"(%s): sites will be raw addresses\n",
			strerror(errno));
	if (observer_attach_step(s.ob)) {
		modload_remove(modname);
		goto out_session;
	}
	if (drive(&s, plan, modname))
		goto out_session;
	ret = session_finish(&s);

out_session:
	session_close(&s);
out_plan:
	plan_free(plan);
	return ret;
}
