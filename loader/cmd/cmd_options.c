// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "cmd.h"
#include "cmd_options.h"
#include "kptr.h"

struct cmd_outputs cmd_out;

static const struct argp_option common_opts[] = {
	{ "hide-pointers", OPT_HIDE_POINTERS, NULL, 0, "Write kernel addresses as pseudonyms (the same address, the same name), for reports to share", 0 },
	{ "verbose", 'v', NULL, 0, "Show what the kernel offers and libbpf's debug output", 0 },
	{},
};

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_HIDE_POINTERS:
		kptr_hide(0);
		break;
	case 'v':
		kmlab_verbose = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cmd_common_argp = {
	.options = common_opts,
	.parser = parse_common,
};

static const struct argp_option report_opts[] = {
	{ "json", 'j', "FILE", 0, "Also write JSON lines to FILE ('-': stdout, and the text goes to stderr)", 0 },
	{ "perfetto", 'P', "FILE", 0, "Also write a trace for ui.perfetto.dev or chrome://tracing: a track per object", 0 },
	{ "html", 'H', "FILE", 0, "Also write one HTML page: summary, an SVG timeline, the findings", 0 },
	{},
};

static error_t parse_reports(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		cmd_out.json = arg;
		break;
	case 'P':
		cmd_out.perfetto = arg;
		break;
	case 'H':
		cmd_out.html = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child report_children[] = {
	{ &cmd_common_argp, 0, NULL, 0 },
	{},
};

const struct argp cmd_reports_argp = {
	.options = report_opts,
	.parser = parse_reports,
	.children = report_children,
};
