// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab report RUN.json: draw a run (or a watch) from its --json stream,
 * as a Perfetto trace and as one HTML page.  No kernel needed: the
 * stream can come from the lab guest or another machine.
 */
#include <argp.h>
#include <errno.h>
#include <string.h>
#include "cmd.h"
#include "kptr.h"
#include "picture.h"

static struct report_env {
	const char *in, *perfetto, *html;
} env;

static const struct argp_option opts[] = {
	{ "perfetto", 'p', "FILE", 0, "Write a trace for ui.perfetto.dev or chrome://tracing: a track per object", 0 },
	{ "hide-pointers", OPT_HIDE_POINTERS, NULL, 0, "Write kernel addresses as pseudonyms (the same address, the same name), for reports to share", 0 },
	{ "html", 'H', "FILE", 0, "Write one self-contained HTML page: summary, findings, an SVG timeline, bytes", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		env.perfetto = arg;
		break;
	case 'H':
		env.html = arg;
		break;
	case OPT_HIDE_POINTERS:
		kptr_hide(0);
		break;
	case ARGP_KEY_ARG:
		if (env.in)
			argp_error(state, "one run at a time: '%s' is extra", arg);
		env.in = arg;
		break;
	case ARGP_KEY_END:
		if (!env.in)
			argp_error(state, "which run? kmlab report RUN.json (what kmlab run or watch --json wrote)");
		if (!env.perfetto && !env.html)
			argp_error(state, "what to write? --perfetto FILE, --html FILE or both");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.args_doc = "RUN.json",
		.doc = "Draw a run or a watch from its --json stream ('-': stdin): a Perfetto trace, an HTML page.\vThe files hold kernel addresses: they are created 0600.  Exit status: 0 written, 2 the stream or a file could not be read or written.",
	};
	struct picture p;
	char err[256] = "";
	FILE *in;
	int ret;

	memset(&env, 0, sizeof(env));
	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return KMLAB_EXIT_ENV;
	in = strcmp(env.in, "-") ? fopen(env.in, "r") : stdin;
	if (!in) {
		fprintf(stderr, "kmlab report: cannot read %s: %s\n", env.in, strerror(errno));
		return KMLAB_EXIT_ENV;
	}
	ret = picture_read(in, &p, err, sizeof(err));
	if (in != stdin)
		fclose(in);
	if (ret) {
		fprintf(stderr, "kmlab report: %s: %s\n", env.in, err);
		picture_free(&p);
		return KMLAB_EXIT_ENV;
	}
	ret = picture_save(&p, env.perfetto, env.html) ? KMLAB_EXIT_ENV : 0;
	if (!ret)
		fprintf(stderr, "kmlab report: %d objects, %d findings, verdict %s%s%s%s%s\n", p.nr_objs, p.nr_finds,
			p.verdict, env.perfetto ? "; trace: " : "", env.perfetto ? env.perfetto : "",
			env.html ? "; page: " : "", env.html ? env.html : "");
	picture_free(&p);
	return ret;
}
