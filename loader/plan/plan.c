// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* plan_compile(): lexer -> parser -> sema -> lower -> verify -> blob. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ast.h"
#include "diag.h"
#include "parser.h"
#include "plan.h"
#include "kmlab/ir_check.h"

#define PLAN_MAX_BYTES	(16U << 20)	/* a plan is a page of text */

/* The file stem, as [A-Za-z0-9_], for the blob header. */
static void plan_stem(const char *path, const char *fallback, char *out)
{
	const char *base = path ? strrchr(path, '/') : NULL;
	size_t i, n = 0;

	base = base ? base + 1 : path;
	if (!base || !*base || !strcmp(base, "-"))
		base = fallback[0] ? fallback : "plan";
	for (i = 0; base[i] && base[i] != '.' && n < KMLAB_NAME_LEN - 1; i++) {
		char ch = base[i];

		out[n++] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') ? ch : '_';
	}
	if (!n)
		out[n++] = '_';
	memset(out + n, 0, KMLAB_NAME_LEN - n);
}

/*
 * The data plane's own checker on the blob, as it will run it with its
 * default max_bytes (percpu memory on one CPU: `kmlab run` checks again
 * with the target's).  The compiler's own checks come first and explain
 * more; a refusal here is a rule they missed, so a plan that compiles
 * is always one the kernel accepts.
 */
static int ir_accepted(struct plan *plan, struct diag_list *diags)
{
	struct kmlab_ir_check *c = calloc(1, sizeof(*c));
	int err;

	if (!c) {
		diag_add(diags, DIAG_ERROR, 0, 0, 1, "free some memory",
			 "out of memory");
		return -1;
	}
	c->ncpus = 1;
	c->max_bytes = KMLAB_MAX_BYTES;
	err = kmlab_ir_check(plan->ir, plan->ir_len, c);
	if (err)
		diag_add(diags, DIAG_ERROR, c->line, 0, 1,
			 "change this statement; and please report it: kmlab's compiler should have explained this itself",
			 "the data plane would refuse this plan: %s", c->why);
	free(c);
	return err;
}

int plan_compile(const char *path, const char *src, size_t len,
		 struct plan **out, struct diag_list *diags)
{
	struct kmlab_ir_header *hdr;
	struct sema *sm = NULL;
	struct plan *plan = NULL;
	struct stmt *ast = NULL;
	size_t blob;
	int i, n;

	*out = NULL;
	diag_set_source(diags, path, src, len);
	if (len > PLAN_MAX_BYTES) {
		diag_add(diags, DIAG_ERROR, 0, 0, 1,
			 "a plan is a short text file; check that this is the right file",
			 "plan is too big (%zu bytes, at most %u)", len,
			 PLAN_MAX_BYTES);
		return -1;
	}
	ast = parse_plan(src, len, diags);
	sm = calloc(1, sizeof(*sm));
	plan = calloc(1, sizeof(*plan));
	if (!sm || !plan)
		goto err;
	if (diags->errors)
		goto err;
	/* after syntax errors, sema would only add follow-on noise */
	if (sema_check(ast, sm, diags))
		goto err;
	blob = sizeof(*hdr) + sm->nr_syms * sizeof(struct kmlab_ir_obj) +
	       KMLAB_MAX_OPS * sizeof(struct kmlab_ir_op);
	plan->ir = calloc(1, blob);
	plan->path = strdup(path ? path : "-");
	plan->src = malloc(len + 1);
	if (!plan->ir || !plan->path || !plan->src)
		goto err;
	memcpy(plan->src, src, len);
	plan->src[len] = '\0';
	plan->src_len = len;
	hdr = plan->ir;
	plan->objs = (void *)(hdr + 1);
	plan->ops = (void *)(plan->objs + sm->nr_syms);
	plan->nr_objs = sm->nr_syms;
	for (i = 0; i < sm->nr_syms; i++) {
		memcpy(plan->objs[i].name, sm->syms[i].name, KMLAB_NAME_LEN);
		plan->objs[i].family = sm->syms[i].family;
		plan->objs[i].line = sm->syms[i].line;
	}
	n = lower_plan(ast, plan->ops, KMLAB_MAX_OPS, diags);
	if (n < 0)
		goto err;
	plan->nr_ops = n;
	if (verify_plan(plan, diags))
		goto err;
	hdr->magic = KMLAB_IR_MAGIC;
	hdr->version = KMLAB_IR_VERSION;
	hdr->nr_objs = plan->nr_objs;
	hdr->nr_ops = plan->nr_ops;
	plan->ir_len = sizeof(*hdr) +
		       plan->nr_objs * sizeof(struct kmlab_ir_obj) +
		       plan->nr_ops * sizeof(struct kmlab_ir_op);
	hdr->size = plan->ir_len;
	plan_stem(path, sm->plan, hdr->plan);
	if (ir_accepted(plan, diags)) {
		ast_free_stmts(ast);
		free(sm);
		plan_free(plan);
		return PLAN_IR_REFUSED;
	}
	ast_free_stmts(ast);
	free(sm);
	*out = plan;
	return 0;
err:
	if (!diags->errors)
		diag_add(diags, DIAG_ERROR, 0, 0, 1, "free some memory",
			 "out of memory");
	ast_free_stmts(ast);
	free(sm);
	plan_free(plan);
	return -1;
}

int plan_compile_file(const char *path, struct plan **out,
		      struct diag_list *diags)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *p;
	int ret;

	*out = NULL;
	if (!f) {
		diag_set_source(diags, path, "", 0);
		diag_add(diags, DIAG_ERROR, 0, 0, 1,
			 "check the path; plans live in tests/plans/",
			 "cannot open the plan: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			p = cap > 2ULL * PLAN_MAX_BYTES ? NULL :
			    realloc(buf, cap);
			if (!p)
				break;	/* too big: plan_compile says so */
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (!n)
			break;
	}
	if (ferror(f)) {
		diag_set_source(diags, path, "", 0);
		diag_add(diags, DIAG_ERROR, 0, 0, 1,
			 "check that the path is a readable file",
			 "cannot read the plan: %s", strerror(errno));
		ret = -1;
	} else {
		ret = plan_compile(path, buf ? buf : "", len, out, diags);
	}
	if (f != stdin)
		fclose(f);
	free(buf);
	return ret;
}

void plan_free(struct plan *plan)
{
	if (!plan)
		return;
	free(plan->path);
	free(plan->src);
	free(plan->ir);
	free(plan->preds);
	free(plan);
}

const char *plan_line(const struct plan *plan, int line, int *len)
{
	const char *p = plan->src, *end = plan->src + plan->src_len, *nl;

	*len = 0;
	if (!p || line < 1)
		return NULL;
	while (--line > 0) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			return NULL;
		p = nl + 1;
	}
	nl = memchr(p, '\n', end - p);
	*len = (int)((nl ? nl : end) - p);
	return p;
}
