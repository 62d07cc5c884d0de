// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The plan corpus (tests/plans): every plan compiles, opens with a
 * comment saying what it teaches, and predicts exactly what its
 * "# expect:" line says (KIND@LINE[xCOUNT] ..., or "clean").  The lead
 * compares the same lines with what the guest observes.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include "plan_util.h"

static void predicted(const struct plan *p, char *buf, size_t size)
{
	size_t at = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < p->nr_preds && at < size; i++) {
		const struct prediction *q = &p->preds[i];

		at += snprintf(buf + at, size - at, "%s%s@%d", i ? " " : "",
			       finding_name(q->kind), q->line);
		if (q->count > 1 && at < size)
			at += snprintf(buf + at, size - at, "x%u", q->count);
	}
	if (!p->nr_preds)
		snprintf(buf, size, "clean");
}

static void check_plan(const char *path)
{
	struct diag_list dl;
	struct plan *p = NULL;
	char name[256], got[512], want[512] = "", why[1100];
	const char *e;
	int len;

	diag_init(&dl);
	snprintf(name, sizeof(name), "%s compiles", path);
	if (!tap_ok(!plan_compile_file(path, &p, &dl), name, dl.n ? dl.v[0].msg : "")) {
		diag_free(&dl);
		return;
	}
	e = plan_line(p, 1, &len);
	snprintf(name, sizeof(name), "%s opens with a comment", path);
	tap_ok(e && len > 2 && e[0] == '#', name, "first line is not a comment");

	e = strstr(p->src, "\n# expect: ");
	if (e) {
		e += 11;
		len = (int)strcspn(e, "\n");
		snprintf(want, sizeof(want), "%.*s", len, e);
	}
	predicted(p, got, sizeof(got));
	snprintf(name, sizeof(name), "%s predicts: %s", path, want);
	snprintf(why, sizeof(why), "predicted '%s'", got);
	tap_ok(want[0] && !strcmp(got, want), name, why);
	if (strstr(path, "/families/") || strstr(path, "/clean/")) {
		snprintf(name, sizeof(name), "%s is clean", path);
		tap_ok(!p->nr_preds, name, got);
	}
	plan_free(p);
	diag_free(&dl);
}

int main(void)
{
	static const char *const dirs[] = { "lessons", "hazards", "families",
					    "clean" };
	char pattern[64];
	glob_t g;
	unsigned int i;
	size_t j;

	for (i = 0; i < 4; i++) {
		snprintf(pattern, sizeof(pattern), "tests/plans/%s/*.kml",
			 dirs[i]);
		memset(&g, 0, sizeof(g));
		if (glob(pattern, 0, NULL, &g)) {
			tap_ok(0, pattern, "no plans (run from the top directory)");
			continue;
		}
		for (j = 0; j < g.gl_pathc; j++)
			check_plan(g.gl_pathv[j]);
		globfree(&g);
	}
	return tap_done();
}
