// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab: an eBPF-observed kernel allocation lab.  Dispatches to the
 * subcommands; each one parses its own options.
 */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include "kmlab/version.h"
#include "cmd.h"

bool kmlab_verbose;
unsigned int kmlab_live_max;
unsigned int kmlab_ring_mib;

const char *argp_program_version = "kmlab " KMLAB_VERSION;

static const char doc[] =
"An eBPF-observed kernel allocation lab.\vCommands:\n"
"  check PLAN          compile a .kml plan and print what the verifier predicts\n"
"  gen PLAN            compile a plan to a kernel module of its own (C, Kbuild)\n"
"  run PLAN            run a plan in the kmlab_dp module under the observer\n"
"  watch MODULE        observe any module from its load to its unload\n"
"  trace               stream kernel allocations live, with filters\n"
"  report RUN.json     draw a run's --json stream: Perfetto trace, HTML page\n"
"\n"
"'kmlab COMMAND --help' shows a command's options.  Exit status: 0 nothing found, 1 findings, 2 usage or environment error (or the module's load or unload was not seen), 3 inconclusive: nothing found, but events were lost that could have hidden a finding.";

static const struct argp_option opts[] = {
	{ "verbose", 'v', NULL, 0, "Show what the kernel offers and libbpf's debug output", 0 },
	{},
};

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct cmd cmds[] = {
	{ "check", cmd_check },
	{ "gen", cmd_gen },
	{ "report", cmd_report },
#ifndef KMLAB_CHECK_ONLY	/* build/kmlab-check: no libbpf, no kernel */
	{ "run", cmd_run },
	{ "watch", cmd_watch },
	{ "trace", cmd_trace },
#endif
};

static int cmd_index;

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'v':
		kmlab_verbose = true;
		break;
	case ARGP_KEY_ARG:
		/* the command: the rest of argv is its own */
		cmd_index = state->next - 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!cmd_index)
			argp_error(state, "which command? check, gen, run, watch, trace or report");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.args_doc = "COMMAND [ARGS...]",
		.doc = doc,
	};
	char name[64];
	size_t i;
	int err;

	argp_err_exit_status = 2;
	err = argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, NULL);
	if (err)
		return 2;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[cmd_index], cmds[i].name)) {
			/* "Usage: kmlab run ..." in the command's help */
			snprintf(name, sizeof(name), "kmlab %s", cmds[i].name);
			argv[cmd_index] = name;
			return cmds[i].fn(argc - cmd_index, argv + cmd_index);
		}
	fprintf(stderr, "kmlab: unknown command '%s': use", argv[cmd_index]);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "%s %s", i ? "," : "", cmds[i].name);
	fprintf(stderr, " (kmlab --help)\n");
	return 2;
}
