/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers for the plan compiler's unit tests: compile a string, look up
 * diagnostics and predictions. */
#ifndef KMLAB_PLAN_UTIL_H
#define KMLAB_PLAN_UTIL_H

#include <stdio.h>
#include <string.h>
#include "diag.h"
#include "plan.h"
#include "tap.h"

static struct diag_list util_dl;

/* Compile @src as "t.kml"; NULL when it did not compile (see util_dl). */
static inline struct plan *compile(const char *src)
{
	struct plan *plan = NULL;

	diag_free(&util_dl);
	diag_init(&util_dl);
	if (plan_compile("t.kml", src, strlen(src), &plan, &util_dl))
		return NULL;
	return plan;
}

/* Is there an error at @line:@col whose message contains @msg? */
static inline const struct diag *find_diag(int line, int col, const char *msg)
{
	int i;

	for (i = 0; i < util_dl.n; i++) {
		const struct diag *d = &util_dl.v[i];

		if (d->line == line && d->col == col && strstr(d->msg, msg))
			return d;
	}
	return NULL;
}

/* Compiling @src fails with @msg at @line:@col, and says what to do. */
static inline void expect_error(const char *src, int line, int col,
				const char *msg)
{
	struct plan *plan = compile(src);
	const struct diag *d = find_diag(line, col, msg);
	char name[160], why[400];

	snprintf(name, sizeof(name), "error %d:%d '%s'", line, col, msg);
	if (util_dl.n)
		snprintf(why, sizeof(why), "first diagnostic %d:%d '%s'",
			 util_dl.v[0].line, util_dl.v[0].col,
			 util_dl.v[0].msg);
	else
		snprintf(why, sizeof(why), "no diagnostic at all");
	tap_ok(!plan && d && d->level == DIAG_ERROR && d->hint[0], name, why);
	plan_free(plan);
}

/* The prediction of @kind at @line, or NULL. */
static inline const struct prediction *find_pred(const struct plan *plan,
						 enum finding_kind kind,
						 int line, int line2)
{
	int i;

	for (i = 0; plan && i < plan->nr_preds; i++) {
		const struct prediction *p = &plan->preds[i];

		if (p->kind == kind && p->line == line &&
		    (line2 < 0 || p->line2 == line2))
			return p;
	}
	return NULL;
}

#endif /* KMLAB_PLAN_UTIL_H */
