// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab watch MODULE: observe any module from its load to its unload
 * (the user runs insmod and rmmod elsewhere), or from now on if it is
 * loaded, and report its leaks and double frees with their sites.
 * kmlab watch PATH.ko [-- PARAMS] loads the module itself, and unloads
 * it after --unload-after S, on Ctrl-C, or leaves that to the user's
 * rmmod.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "cmd_options.h"
#include "kptr.h"
#include "cmd_session.h"
#include "ksyms.h"
#include "modsyms.h"
#include "modload.h"

static struct watch_env {
	const char *module;
	const char *path;	/* PATH.ko: kmlab loads it */
	char params[1024];	/* -- PARAMS: its module parameters */
	char name[KMLAB_MOD_NAME_LEN];	/* PATH.ko's module name */
	int timeout_s;		/* 0: until the unload or Ctrl-C */
	int unload_after_s;	/* PATH.ko: rmmod after S s; 0: the user does */
	bool stats;		/* print bpf_stats per program at the end */
} env;

static volatile int stop;

static const struct argp_option opts[] = {
	{ "timeout", 't', "S", 0, "Give up after S seconds (default: wait for the unload or Ctrl-C)", 0 },
	{ "unload-after", 'u', "S", 0, "With PATH.ko: unload the module S seconds after it loaded (default: wait for rmmod; Ctrl-C unloads it)", 0 },
	{ "no-watchpoints", OPT_NO_WATCHPOINTS, NULL, 0, "Leave the CPUs' debug registers alone (a debugger's, or to measure their cost): late reads go unseen, late writes wait for SLUB's check", 0 },
	{ "stats", 's', NULL, 0, "At the end, print each observer program's run count and average cost (needs kernel.bpf_stats_enabled=1)", 0 },
	{},
};

/* PATH.ko or ./mod: a file to load; a bare word is a module's name */
static bool is_path(const char *arg)
{
	size_t n = strlen(arg);

	return strchr(arg, '/') || (n > 3 && !strcmp(arg + n - 3, ".ko"));
}

/* PARAMS after PATH.ko: "name=value" words, given to it as insmod would */
static void add_param(struct argp_state *state, const char *p)
{
	size_t len = strlen(env.params);

	if (len + strlen(p) + 2 > sizeof(env.params))
		argp_error(state, "the module parameters are longer than %zu bytes", sizeof(env.params) - 1);
	sprintf(env.params + len, "%s%s", len ? " " : "", p);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 't':
		errno = 0;
		env.timeout_s = strtol(arg, &end, 10);
		if (errno || *end || env.timeout_s <= 0)
			argp_error(state, "--timeout wants whole seconds > 0, not '%s'", arg);
		break;
	case 'u':
		errno = 0;
		env.unload_after_s = strtol(arg, &end, 10);
		if (errno || *end || env.unload_after_s <= 0)
			argp_error(state, "--unload-after wants whole seconds > 0, not '%s'", arg);
		break;
	case 's':
		env.stats = true;
		break;
	case OPT_NO_WATCHPOINTS:
		session_no_watchpoints();
		break;
	case ARGP_KEY_ARG:
		if (env.path) {
			add_param(state, arg);
			break;
		}
		if (env.module)
			argp_error(state, "one module at a time: '%s' is extra (parameters are for a module kmlab loads: kmlab watch PATH.ko -- PARAMS)",
				   arg);
		if (is_path(arg)) {
			env.path = arg;
			env.module = arg;
			break;
		}
		if (strlen(arg) >= KMLAB_MOD_NAME_LEN)
			argp_error(state, "'%s' is longer than a module name can be", arg);
		env.module = arg;
		break;
	case ARGP_KEY_END:
		if (!env.module)
			argp_error(state, "which module? kmlab watch NAME (the name lsmod shows), or kmlab watch PATH.ko to load it");
		if (env.unload_after_s && !env.path)
			argp_error(state, "--unload-after needs a module kmlab loads: kmlab watch PATH.ko --unload-after S");
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

/*
 * PATH.ko: load it with its parameters.  An init that fails still loaded
 * (and maybe allocated): its events follow, so the report goes on.
 * Returns 0 when the kernel ran its init, -1 when it refused the module.
 */
static int insert(void *unused)
{
	return modload_insert(env.path, env.params);
}

static int remove_it(void *unused)
{
	return modload_remove(env.name);
}

/* its init and exit run in the syscall: events are read meanwhile, so
 * that a watchpoint can follow the frees they make */
static int load_it(struct session *s)
{
	int err = session_while(s, insert, NULL);

	if (!err)
		return 0;
	/* the module_load event comes only if the kernel got to the init */
	session_wait_unload(s, 2000, &stop);
	if (!s->tl.loaded)
		return -1;
	fprintf(stderr, "kmlab: %s's init failed (%s): reporting what it did until then\n", env.name, strerror(-err));
	return 0;
}

/*
 * Until the module is gone: --unload-after S, then rmmod; Ctrl-C also
 * unloads a module kmlab loaded; else the user's rmmod.  0, -EINTR,
 * -ETIMEDOUT (--timeout) or another -errno.
 */
static int until_unloaded(struct session *s)
{
	int wait_ms = env.timeout_s ? env.timeout_s * 1000 : -1, err;

	if (env.path && env.unload_after_s && !s->tl.unloaded) {
		err = session_wait_unload(s, env.unload_after_s * 1000, &stop);
		if (err != -ETIMEDOUT && err != -EINTR)
			return err;
	} else {
		err = session_wait_unload(s, wait_ms, &stop);
		if (!env.path || err != -EINTR)
			return err;
	}
	if (!s->tl.unloaded && modload_is_loaded(env.name) > 0) {
		fprintf(stderr, "kmlab: unloading %s%s\n", env.name, stop ? " (interrupted)" : "");
		err = session_while(s, remove_it, NULL);
		if (err) {
			fprintf(stderr, "kmlab: cannot unload %s: %s; rmmod it yourself\n", env.name, strerror(-err));
			return session_wait_unload(s, wait_ms, NULL);
		}
	}
	/* the unload's events, whatever stopped the wait before */
	return session_wait_unload(s, 10000, NULL);
}

int cmd_watch(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cmd_reports_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.children = children,
		.args_doc = "MODULE\nPATH.ko [--] [PARAM=VALUE...]",
		.doc = "Observe a module from its load to its unload and report its leaks, double frees and what it left behind.\vkmlab watch MODULE waits for the module named MODULE: start it, then insmod and rmmod the module in another shell; a module already loaded is watched from now on (what it allocated before is unknown, so a clean watch is inconclusive).  kmlab watch PATH.ko loads the module itself, with the parameters that follow, and unloads it after --unload-after S or on Ctrl-C (else rmmod it yourself).  Exit status: 0 nothing found, 1 findings, 2 usage or environment error (or the module's load or unload was not seen), 3 inconclusive (nothing found, but kmlab could not see everything: events were lost, the module was not unloaded, or it was loaded before kmlab attached).",
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char title[128];
	struct session s;
	int ret = KMLAB_EXIT_ENV, err;
	bool loaded;

	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, NULL))
		return KMLAB_EXIT_ENV;
	if (env.path) {
		/* its name, and a module built for this kernel */
		if (modload_check(env.path, env.name, sizeof(env.name)))
			return KMLAB_EXIT_ENV;
		env.module = env.name;
	}
	/* '-' and '_' are the same in module names; the kernel keeps '_' */
	for (char *p = (char *)env.module; *p; p++)
		if (*p == '-')
			*p = '_';

	loaded = modload_is_loaded(env.module) > 0;
	if (loaded && env.path) {
		fprintf(stderr, "kmlab: %s is already loaded, so kmlab cannot load it: rmmod %s first, or watch it from now on with kmlab watch %s\n",
			env.module, env.module, env.module);
		return KMLAB_EXIT_ENV;
	}
	memset(&s, 0, sizeof(s));
	err = session_open(&s, env.module, false, cmd_out.json);
	if (!err)
		err = session_pictures(&s, cmd_out.perfetto, cmd_out.html, "watch", env.module);
	if (err)
		goto out;
	s.ksyms_at_load = true;
	/* its .ko names its functions, init ones even once the kernel forgot
	 * them; read now, before its events come */
	s.rc.module_path = env.path;
	if (env.path) {
		s.modsyms = modsyms_load(env.path);
		s.modsyms_tried = true;
		/* the core kernel's names, while nothing waits on us */
		s.ks = ksyms_load();
	}
	snprintf(title, sizeof(title), "watch module %s", env.module);
	s.rc.title = title;
	if (!observer_has_modules(s.ob))
		fprintf(stderr, "kmlab: note: this kernel has no module support (no module_load tracepoint): %s can never load here\n", env.module);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (env.path) {
		fprintf(stderr, "watching %s: loading %s%s%s\n", env.module, env.path, env.params[0] ? " " : "",
			env.params);
		if (load_it(&s)) {
			fprintf(stderr, "kmlab: %s was not loaded: nothing to report\n", env.module);
			goto out;
		}
		if (!env.unload_after_s)
			fprintf(stderr, "%s loaded: rmmod %s when done (Ctrl-C unloads it)\n", env.module, env.module);
	} else if (loaded) {
		/* its symbols while it is surely there (it may go before
		 * the attach's event is read); what it holds now it got
		 * unseen: from now on only */
		s.ks = ksyms_load();
		if (observer_attach_loaded(s.ob, env.module))
			goto out;
		fprintf(stderr, "watching %s, already loaded, from now on (its earlier allocations are unknown): rmmod it or Ctrl-C to end\n",
			env.module);
	} else {
		fprintf(stderr, "watching %s: load it now\n", env.module);
	}

	err = until_unloaded(&s);
	if (env.stats && s.ob)
		observer_print_stats(s.ob, stderr);
	if (err && err != -EINTR && err != -ETIMEDOUT)
		goto out;
	if (!s.tl.loaded) {
		fprintf(stderr, "kmlab: %s was not loaded while watching: nothing to report\n", env.module);
		goto out;
	}
	if (err && !s.tl.unloaded)
		fprintf(stderr, "kmlab: %s is still loaded: objects it holds are not leaks yet; the report is inconclusive\n",
			env.module);
	ret = session_finish(&s);
out:
	session_close(&s);
	return ret;
}
