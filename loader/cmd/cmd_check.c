// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab check PLAN: compile a plan and print what the verifier predicts,
 * without running anything.  Exit 0 clean, 1 defects predicted, 2 the
 * plan does not compile (or usage error).
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "diag.h"
#include "json.h"
#include "plan.h"

static struct check_env {
	const char *plan;
	const char *json;
	bool quiet;
} env;

static const char doc[] =
"Compile a .kml plan and predict its defects, without running it.\vPrints compiler diagnostics, then one line per predicted defect (leak, double_free, late_access, wrong_free, interior_free, overflow, failed_alloc, refused) with the plan line that causes it.  Exit status: 0 no defect predicted, 1 defects predicted, 2 the plan does not compile.";

static const struct argp_option opts[] = {
	{ "json", 'j', "FILE", 0, "Also write findings as JSON lines to FILE ('-': stdout, and the text goes to stderr)", 0 },
	{ "quiet", 'q', NULL, 0, "Print only diagnostics and the summary", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		env.json = arg;
		break;
	case 'q':
		env.quiet = true;
		break;
	default:
		if (!cmd_plan_arg(state, key, arg, &env.plan,
				  "kmlab check PLAN.kml"))
			return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* the text report: stderr when --json - takes stdout (JSON only there) */
static FILE *text_out;

static void print_pred(const struct plan *plan, const struct prediction *p)
{
	const char *obj = p->obj >= 0 ? plan->objs[p->obj].name : "-";

	fprintf(text_out, "%s:%d: predicted %s: %s", plan->path, p->line,
	       finding_name(p->kind), obj);
	if (p->size)
		fprintf(text_out, " (%llu bytes)", p->size);
	if (p->count > 1)
		fprintf(text_out, " x%u", p->count);
	if (p->line2)
		fprintf(text_out, ", see line %d", p->line2);
	fprintf(text_out, "\n    %s\n", p->msg);
}

static void json_pred(FILE *f, const struct plan *plan,
		      const struct prediction *p)
{
	fprintf(f, "{\"type\":\"finding\",\"kind\":");
	json_str(f, finding_name(p->kind));
	fprintf(f, ",\"object\":");
	json_str(f, p->obj >= 0 ? plan->objs[p->obj].name : NULL);
	fprintf(f, ",\"size\":%llu,\"site\":\"", p->size);
	/* "file:line", the file without its directory */
	fprintf(f, "%s:%d\"", base_name(plan->path), p->line);
	fprintf(f, ",\"line\":%d,\"line2\":%d,\"count\":%u", p->line,
		p->line2, p->count);
	fprintf(f, ",\"predicted\":true,\"observed\":false,\"message\":");
	json_str(f, p->msg);
	fprintf(f, "}\n");
}

static void json_diags(FILE *f, const struct diag_list *dl)
{
	static const char *const level[] = { "error", "warning", "note" };
	int i;

	for (i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->v[i];

		fprintf(f, "{\"type\":\"diagnostic\",\"level\":\"%s\",\"site\":\"%s:%d\",\"line\":%d,\"col\":%d,\"message\":",
			level[d->level], base_name(dl->path ? dl->path : "-"),
			d->line, d->line, d->col);
		json_str(f, d->msg);
		fprintf(f, ",\"hint\":");
		json_str(f, d->hint[0] ? d->hint : NULL);
		fprintf(f, "}\n");
	}
}

static void json_summary(FILE *f, const struct plan *plan,
			 const struct diag_list *dl, const int *counts)
{
	int k;

	fprintf(f, "{\"type\":\"summary\",\"file\":");
	json_str(f, env.plan);
	fprintf(f, ",\"plan\":");
	json_str(f, plan ? ((struct kmlab_ir_header *)plan->ir)->plan : NULL);
	fprintf(f, ",\"compiled\":%s,\"errors\":%d,\"warnings\":%d",
		plan ? "true" : "false", dl->errors, dl->warnings);
	if (plan)
		fprintf(f, ",\"objects\":%d,\"ops\":%d,\"ir_bytes\":%zu",
			plan->nr_objs, plan->nr_ops, plan->ir_len);
	fprintf(f, ",\"findings\":%d", plan ? plan->nr_preds : 0);
	for (k = 0; k < FINDING_MAX; k++)
		fprintf(f, ",\"%s\":%d", finding_plural(k), counts[k]);
	fprintf(f, ",\"verdict\":\"%s\"}\n", !plan ? "error" :
		plan->nr_preds ? "findings" : "clean");
}

int cmd_check(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.args_doc = "PLAN",
		.doc = doc,
	};
	int counts[FINDING_MAX] = { 0 }, i, k, ret, err;
	struct plan *plan = NULL;
	struct diag_list diags;
	FILE *jf = NULL;

	memset(&env, 0, sizeof(env));
	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return KMLAB_EXIT_ENV;
	if (env.json) {
		jf = json_open(env.json);
		if (!jf) {
			fprintf(stderr, "kmlab check: cannot write %s: %s; give a writable path to --json\n", env.json,
				strerror(errno));
			return KMLAB_EXIT_ENV;
		}
		json_header(jf, "check", env.plan, NULL);
	}
	text_out = jf == stdout ? stderr : stdout;
	diag_init(&diags);
	ret = plan_compile_file(env.plan, &plan, &diags);
	diag_print(&diags, stderr);
	if (ret) {
		fprintf(stderr, "%s: %d error%s; nothing was run\n", env.plan,
			diags.errors, diags.errors == 1 ? "" : "s");
		ret = KMLAB_EXIT_ENV;
		goto out;
	}
	for (i = 0; i < plan->nr_preds; i++) {
		counts[plan->preds[i].kind]++;
		if (!env.quiet)
			print_pred(plan, &plan->preds[i]);
		if (jf)
			json_pred(jf, plan, &plan->preds[i]);
	}
	if (!plan->nr_preds) {
		fprintf(text_out, "%s: no defects predicted (%d objects, %d ops)\n",
			plan->path, plan->nr_objs, plan->nr_ops);
	} else {
		fprintf(text_out, "%s: %d defect%s predicted:", plan->path,
			plan->nr_preds, plan->nr_preds == 1 ? "" : "s");
		for (k = 0; k < FINDING_MAX; k++)
			if (counts[k])
				fprintf(text_out, " %d %s", counts[k],
					finding_name(k));
		fprintf(text_out, "\n");
	}
	ret = plan->nr_preds ? KMLAB_EXIT_FINDINGS : KMLAB_EXIT_CLEAN;
out:
	if (jf) {
		json_diags(jf, &diags);
		json_summary(jf, plan, &diags, counts);
		err = json_close(jf);
		if (err) {
			fprintf(stderr, "kmlab check: writing %s failed: %s\n",
				env.json, strerror(-err));
			ret = KMLAB_EXIT_ENV;
		}
	}
	plan_free(plan);
	diag_free(&diags);
	return ret;
}
