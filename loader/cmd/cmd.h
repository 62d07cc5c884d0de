/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The kmlab subcommands; each parses its own argv (argv[0] = its name). */
#ifndef KMLAB_CMD_H
#define KMLAB_CMD_H

#include <argp.h>
#include <stdbool.h>

/* exit codes of every command */
#define KMLAB_EXIT_CLEAN	0	/* nothing found */
#define KMLAB_EXIT_FINDINGS	1	/* findings reported */
#define KMLAB_EXIT_ENV		2	/* usage, environment, load/unload unseen */
/* nothing found, but events were lost that could have changed that */
#define KMLAB_EXIT_INCONCLUSIVE	3

extern bool kmlab_verbose;	/* -v: libbpf debug output */
/* --live N: the observer's live map room, 0: from the machine's memory */
extern unsigned int kmlab_live_max;
/* --ring MIB: the ring buffer's size in MiB, 0: from the machine's memory */
extern unsigned int kmlab_ring_mib;

/* long-only options shared by the commands */
#define OPT_HIDE_POINTERS	0x100
#define OPT_NO_WATCHPOINTS	0x101
#define OPT_PROGRESS		0x102
#define OPT_LIVE		0x103
#define OPT_RING		0x104

/* @arg as a number (0x for hex), or an argp error that names @opt */
unsigned long long cmd_number(struct argp_state *state, const char *opt,
			      const char *arg);

/*
 * The one PLAN argument of check, gen and run, from their argp parsers:
 * true when @key was it (ARGP_KEY_ARG, ARGP_KEY_END), @usage the line a
 * missing one is told ("kmlab run PLAN.kml").
 */
static inline bool cmd_plan_arg(struct argp_state *state, int key, char *arg,
				const char **plan, const char *usage)
{
	if (key == ARGP_KEY_ARG) {
		if (*plan)
			argp_error(state, "one plan at a time: '%s' is extra",
				   arg);
		*plan = arg;
		return true;
	}
	if (key == ARGP_KEY_END && !*plan)
		argp_error(state, "which plan? %s", usage);
	return key == ARGP_KEY_END;
}

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif /* KMLAB_CMD_H */
