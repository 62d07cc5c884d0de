// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab watch MODULE: observe any module from its load to its unload
 * (the user runs insmod and rmmod elsewhere) and report its leaks and
 * double frees with their sites.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "cmd_session.h"
#include "modload.h"

static struct watch_env {
	const char *module;
	const char *json;
	int timeout_s;		/* 0: until the unload or Ctrl-C */
	bool stats;		/* print bpf_stats per program at the end */
} env;

static volatile int stop;

static const struct argp_option opts[] = {
	{ "json", 'j', "FILE", 0, "Also write JSON lines to FILE ('-': stdout, and the text goes to stderr)", 0 },
	{ "timeout", 't', "S", 0, "Give up after S seconds (default: wait for the unload or Ctrl-C)", 0 },
	{ "stats", 's', NULL, 0, "At the end, print each observer program's run count and average cost (needs kernel.bpf_stats_enabled=1)", 0 },
	{ "verbose", 'v', NULL, 0, "Show what the kernel offers and libbpf's debug output", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 'j':
		env.json = arg;
		break;
	case 't':
		errno = 0;
		env.timeout_s = strtol(arg, &end, 10);
		if (errno || *end || env.timeout_s <= 0)
			argp_error(state, "--timeout wants whole seconds > 0, not '%s'", arg);
		break;
	case 's':
		env.stats = true;
		break;
	case 'v':
		kmlab_verbose = true;
		break;
	case ARGP_KEY_ARG:
		if (env.module)
			argp_error(state, "one module at a time: '%s' is extra", arg);
		if (strlen(arg) >= KMLAB_MOD_NAME_LEN)
			argp_error(state, "'%s' is longer than a module name can be", arg);
		env.module = arg;
		break;
	case ARGP_KEY_END:
		if (!env.module)
			argp_error(state, "which module? kmlab watch NAME (the name lsmod shows)");
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

int cmd_watch(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.args_doc = "MODULE",
		.doc = "Observe a module from its load to its unload and report its leaks and double frees.\vStart kmlab watch first, then insmod and rmmod the module in another shell.  Only kmalloc and kmem_cache allocations made from the module's own code are seen.",
	};
	struct sigaction sa = { .sa_handler = on_signal };
	char title[128];
	struct session s;
	int ret = KMLAB_EXIT_ENV, err;

	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return KMLAB_EXIT_ENV;
	/* '-' and '_' are the same in module names; the kernel keeps '_' */
	for (char *p = (char *)env.module; *p; p++)
		if (*p == '-')
			*p = '_';

	if (modload_is_loaded(env.module) > 0) {
		fprintf(stderr, "kmlab: %s is already loaded, so its load cannot be observed: rmmod %s, then watch again\n",
			env.module, env.module);
		return KMLAB_EXIT_ENV;
	}
	err = session_open(&s, env.module, false, env.json);
	if (err)
		goto out;
	s.ksyms_at_load = true;
	snprintf(title, sizeof(title), "watch module %s", env.module);
	s.rc.title = title;
	if (!observer_has_modules(s.ob))
		fprintf(stderr, "kmlab: note: this kernel has no module support (no module_load tracepoint): %s can never load here\n", env.module);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "watching %s: load it now\n", env.module);

	err = session_wait_unload(&s, env.timeout_s ?
				  env.timeout_s * 1000 : -1, &stop);
	if (env.stats && s.ob)
		observer_print_stats(s.ob, stderr);
	if (err && err != -EINTR && err != -ETIMEDOUT)
		goto out;
	if (!s.tl.loaded) {
		fprintf(stderr, "kmlab: %s was not loaded while watching: nothing to report\n", env.module);
		goto out;
	}
	if (err)
		fprintf(stderr, "kmlab: %s is still loaded: objects it holds are not leaks yet; the report is inconclusive\n",
			env.module);
	ret = session_finish(&s);
out:
	session_close(&s);
	return ret;
}
