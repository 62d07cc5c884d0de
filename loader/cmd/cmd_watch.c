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
#include <limits.h>
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

/* one module watched */
struct watched {
	const char *path;	/* PATH.ko: kmlab loads it */
	char params[1024];	/* its parameters (the words after it) */
	char name[KMLAB_MOD_NAME_LEN];	/* the kernel's name for it */
	bool ours;		/* kmlab loaded it: kmlab unloads it */
};

static struct watch_env {
	struct watched mods[KMLAB_MODS_MAX];
	int nr;
	bool paths;		/* some are PATH.ko */
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

/* a word after PATH.ko: "name=value" (or a bool's "name"), given to it
 * as insmod would */
static void add_param(struct argp_state *state, struct watched *m,
		      const char *p)
{
	size_t len = strlen(m->params);

	if (len + strlen(p) + 2 > sizeof(m->params))
		argp_error(state, "the module parameters of %s are longer than %zu bytes", m->path,
			   sizeof(m->params) - 1);
	sprintf(m->params + len, "%s%s", len ? " " : "", p);
}

/* the next word: a module (a name, or PATH.ko), or a parameter of the
 * PATH.ko before it (name=value, or a bare name that is not a path) */
static void add_word(struct argp_state *state, const char *arg)
{
	struct watched *last = env.nr ? &env.mods[env.nr - 1] : NULL, *m;

	if (last && last->path && (strchr(arg, '=') || !is_path(arg))) {
		/* a bool parameter, or a module's name put after a file */
		if (!strchr(arg, '='))
			fprintf(stderr, "kmlab: '%s' after %s is taken as its parameter (%s=y); to watch a module by name, name it before the first PATH.ko\n",
				arg, last->path, arg);
		add_param(state, last, arg);
		return;
	}
	if (strchr(arg, '='))
		argp_error(state, "'%s' looks like a module parameter, but no PATH.ko comes before it: only a module kmlab loads takes parameters (kmlab watch PATH.ko %s)",
			   arg, arg);
	if (env.nr == KMLAB_MODS_MAX)
		argp_error(state, "at most %d modules at once: '%s' is one too many", KMLAB_MODS_MAX, arg);
	m = &env.mods[env.nr++];
	if (is_path(arg)) {
		m->path = arg;
		env.paths = true;
		return;
	}
	if (strlen(arg) >= KMLAB_MOD_NAME_LEN)
		argp_error(state, "'%s' is longer than a module name can be", arg);
	strcpy(m->name, arg);
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
		add_word(state, arg);
		break;
	case ARGP_KEY_END:
		if (!env.nr)
			argp_error(state, "which module? kmlab watch NAME (the name lsmod shows), or kmlab watch PATH.ko to load it");
		if (env.unload_after_s && !env.paths)
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

static int insert(void *arg)
{
	struct watched *m = arg;

	return modload_insert(m->path, m->params);
}

static int remove_it(void *arg)
{
	struct watched *m = arg;

	return modload_remove(m->name);
}

/*
 * A module already loaded: its symbols from the .ko modules.dep names
 * for it, if the module was built from that file (the same build ID),
 * placed where the module is (@s's modsyms, bound).  The file's path,
 * kept in @buf for the report, or NULL.
 */
static const char *bind_ko(struct session *s, const char *name, char *buf,
			   size_t len)
{
	struct modsyms *ms;

	if (!modload_dep_path(name, buf, len))
		return NULL;
	ms = modsyms_load(buf);
	if (!modsyms_same_build(ms, name) || modsyms_bind(ms, name) <= 0) {
		modsyms_free(ms);
		return NULL;
	}
	s->modsyms = ms;
	s->modsyms_tried = true;
	s->modsyms_bound = true;
	s->rc.module_path = buf;
	return buf;
}

/*
 * PATH.ko: load it with its parameters, its session @s.  Its init and
 * exit run in the syscall: events are read meanwhile, so that a
 * watchpoint can follow the frees they make.  An init that fails still
 * loaded (and maybe allocated): its events follow, so the report goes
 * on.  Returns 0 when the kernel ran its init, -1 when it refused the
 * module.
 */
static int load_it(struct session *s, struct watched *m)
{
	int err;

	fprintf(stderr, "watching %s: loading %s%s%s\n", m->name, m->path,
		m->params[0] ? " " : "", m->params);
	err = session_while(s, insert, m);
	if (!err) {
		m->ours = true;
		return 0;
	}
	/* the module_load event comes only if the kernel got to the init */
	session_wait_module(s, 2000, &stop);
	if (!s->tl.loaded)
		return -1;
	m->ours = true;
	fprintf(stderr, "kmlab: %s's init failed (%s): reporting what it did until then\n", m->name, strerror(-err));
	return 0;
}

/* The modules kmlab loaded, still loaded, out: the last loaded first
 * (it may use the others).  Then the events of their unload. */
static void unload_ours(struct session *g, int wait_ms)
{
	struct watched *m;
	int i, err;

	for (i = env.nr - 1; i >= 0; i--) {
		m = &env.mods[i];
		if (!m->ours || g[i].tl.unloaded || modload_is_loaded(m->name) <= 0)
			continue;
		fprintf(stderr, "kmlab: unloading %s%s\n", m->name, stop ? " (interrupted)" : "");
		err = session_while(g, remove_it, m);
		if (err) {
			fprintf(stderr, "kmlab: cannot unload %s: %s; rmmod it yourself\n", m->name,
				strerror(-err));
			session_wait_module(&g[i], wait_ms, NULL);
		}
	}
	/* the unload's events, whatever stopped the wait before */
	for (i = 0; i < env.nr; i++)
		if (env.mods[i].ours)
			session_wait_module(&g[i], 10000, NULL);
}

/*
 * Until the modules are gone: --unload-after S, then rmmod those kmlab
 * loaded; Ctrl-C also unloads those; else the user's rmmod.  0, -EINTR,
 * -ETIMEDOUT (--timeout) or another -errno.
 */
static int until_unloaded(struct session *g, bool ours)
{
	int wait_ms = env.timeout_s ? env.timeout_s * 1000 : -1, err;

	if (ours && env.unload_after_s) {
		err = session_wait_unload(g, env.unload_after_s * 1000, &stop);
		if (err != -ETIMEDOUT && err != -EINTR)
			return err;
	} else {
		err = session_wait_unload(g, wait_ms, &stop);
		if (!ours || err != -EINTR)
			return err;
	}
	unload_ours(g, wait_ms);
	return err == -EINTR ? err : 0;
}

/* "a b c": the modules' names, for titles */
static const char *names(char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < env.nr && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? " " : "",
			      env.mods[i].name);
	return buf;
}

/* Each module's name, from its .ko for a PATH.ko; none twice, and none
 * kmlab should load already loaded.  0 or an exit code. */
static int name_them(void)
{
	struct watched *m;
	int i, j;

	for (i = 0; i < env.nr; i++) {
		m = &env.mods[i];
		/* its name, and a module built for this kernel */
		if (m->path && modload_check(m->path, m->name, sizeof(m->name)))
			return KMLAB_EXIT_ENV;
		/* '-' and '_' are the same in module names; the kernel
		 * keeps '_' */
		for (char *p = m->name; *p; p++)
			if (*p == '-')
				*p = '_';
		for (j = 0; j < i; j++) {
			if (strcmp(env.mods[j].name, m->name))
				continue;
			fprintf(stderr, "kmlab: %s is named twice: watch each module once\n", m->name);
			return KMLAB_EXIT_ENV;
		}
		if (m->path && modload_is_loaded(m->name) > 0) {
			fprintf(stderr, "kmlab: %s is already loaded, so kmlab cannot load it: rmmod %s first, or watch it from now on with kmlab watch %s\n",
				m->name, m->name, m->name);
			return KMLAB_EXIT_ENV;
		}
	}
	return 0;
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
		.args_doc = "MODULE...\nPATH.ko [--] [PARAM=VALUE...] [PATH.ko [PARAM=VALUE...]...]",
		.doc = "Observe a module from its load to its unload and report its leaks, double frees and what it left behind.\vkmlab watch MODULE waits for the module named MODULE: start it, then insmod and rmmod the module in another shell; a module already loaded is watched from now on (what it allocated before is unknown, so a clean watch is inconclusive).  kmlab watch PATH.ko loads the module itself, with the parameters that follow, and unloads it after --unload-after S or on Ctrl-C (else rmmod it yourself).  Several modules (up to 8, names first, then each PATH.ko with its parameters) are watched at once, by one observer: kmlab loads its PATH.ko ones in order and unloads them in reverse, and reports each module on its own, then a line with each one's verdict.  Exit status: 0 nothing found, 1 findings, 2 usage or environment error (or a module's load or unload was not seen), 3 inconclusive (nothing found, but kmlab could not see everything: events were lost, the module was not unloaded, or it was loaded before kmlab attached); of several modules, the first that applies to any of them.",
	};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *targets[KMLAB_MODS_MAX];
	char title[KMLAB_MODS_MAX][128], all[KMLAB_MODS_MAX * KMLAB_MOD_NAME_LEN];
	struct session g[KMLAB_MODS_MAX];
	static char kopath[KMLAB_MODS_MAX][PATH_MAX];
	const char *ko;
	int ret = KMLAB_EXIT_ENV, err, i, seen = 0;
	bool ours = false, refused = false;
	struct watched *m;

	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, NULL))
		return KMLAB_EXIT_ENV;
	err = name_them();
	if (err)
		return err;
	for (i = 0; i < env.nr; i++)
		targets[i] = env.mods[i].name;
	names(all, sizeof(all));

	memset(g, 0, sizeof(g));
	err = session_open_group(g, env.nr, targets, cmd_out.json);
	if (!err)
		err = session_pictures(g, cmd_out.perfetto, cmd_out.html, "watch", all);
	if (err)
		goto out;
	for (i = 0; i < env.nr; i++) {
		m = &env.mods[i];
		g[i].ksyms_at_load = true;
		/* its .ko names its functions, init ones even once the
		 * kernel forgot them; read now, before its events come */
		g[i].rc.module_path = m->path;
		if (m->path) {
			g[i].modsyms = modsyms_load(m->path);
			g[i].modsyms_tried = true;
			/* the core kernel's names, while nothing waits on us */
			g[i].ks = ksyms_load();
		}
		snprintf(title[i], sizeof(title[i]), "watch module %s", m->name);
		g[i].rc.title = title[i];
	}
	if (!observer_has_modules(g->ob))
		fprintf(stderr, "kmlab: note: this kernel has no module support (no module_load tracepoint): %s can never load here\n", all);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* those already loaded first: one that cannot be attached to ends
	 * the run before kmlab loaded anything */
	for (i = 0; i < env.nr; i++) {
		m = &env.mods[i];
		if (m->path)
			continue;
		if (modload_is_loaded(m->name) <= 0) {
			fprintf(stderr, "watching %s: load it now\n", m->name);
			continue;
		}
		/* its symbols while it is surely there (it may go before
		 * the attach's event is read): from the .ko it was built
		 * from, where modprobe's list has it, else from kallsyms,
		 * whose modules come after the core kernel's 150,000
		 * names (0.55 s in the TCG guest) */
		ko = bind_ko(&g[i], m->name, kopath[i], sizeof(kopath[i]));
		if (!ko)
			g[i].ks = ksyms_load();
		/* what it holds now it got unseen: from now on only */
		if (observer_attach_loaded(g->ob, m->name))
			goto out;
		fprintf(stderr, "watching %s, already loaded, from now on (its earlier allocations are unknown): rmmod it or Ctrl-C to end\n",
			m->name);
		/* the core kernel's names stay: they can wait until now */
		if (ko)
			g[i].ks = ksyms_load();
	}
	for (i = 0; i < env.nr && !stop; i++) {
		m = &env.mods[i];
		if (!m->path)
			continue;
		if (load_it(&g[i], m)) {
			fprintf(stderr, "kmlab: %s was not loaded%s\n", m->name,
				env.nr == 1 ? ": nothing to report" : "");
			refused = true;
			break;
		}
		ours = true;
		if (!env.unload_after_s)
			fprintf(stderr, "%s loaded: rmmod %s when done (Ctrl-C unloads it)\n", m->name, m->name);
	}
	if (refused && !ours)
		goto out;
	if (refused) {
		/* the next ones may need the one refused: unload what
		 * kmlab loaded, report what it saw */
		unload_ours(g, 10000);
		err = 0;
	} else {
		err = until_unloaded(g, ours);
	}
	if (env.stats && g->ob)
		observer_print_stats(g->ob, stderr);
	if (err && err != -EINTR && err != -ETIMEDOUT)
		goto out;
	for (i = 0; i < env.nr; i++) {
		if (!g[i].tl.loaded)
			continue;
		seen++;
		if (!g[i].tl.unloaded)
			fprintf(stderr, "kmlab: %s is still loaded: objects it holds are not leaks yet; the report is inconclusive\n",
				env.mods[i].name);
	}
	if (!seen) {
		fprintf(stderr, "kmlab: %s %s not loaded while watching: nothing to report\n", all,
			env.nr > 1 ? "were" : "was");
		goto out;
	}
	ret = session_finish(g);
out:
	session_close(g);
	return ret;
}
