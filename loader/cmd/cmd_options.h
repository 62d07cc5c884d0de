/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The options several commands share, parsed in one place (argp
 * children): what a report is written to (run, watch), and how
 * (--hide-pointers, --verbose: run, watch, trace).
 */
#ifndef KMLAB_CMD_OPTIONS_H
#define KMLAB_CMD_OPTIONS_H

#include <argp.h>

struct cmd_outputs {
	const char *json;	/* --json FILE, '-': stdout */
	const char *perfetto;	/* --perfetto FILE */
	const char *html;	/* --html FILE */
};

/* what cmd_reports_argp parsed */
extern struct cmd_outputs cmd_out;

/* --hide-pointers, --verbose */
extern const struct argp cmd_common_argp;
/* --json, --perfetto, --html, and the common ones */
extern const struct argp cmd_reports_argp;

#endif /* KMLAB_CMD_OPTIONS_H */
