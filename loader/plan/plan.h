/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The plan compiler's interface: .kml source in, IR blob and predicted
 * findings out.  lexer.c -> parser.c (AST) -> sema.c -> lower.c (IR)
 * -> verify.c (predictions).  Diagnostics go through diag.h.
 */
#ifndef KMLAB_PLAN_H
#define KMLAB_PLAN_H

#include <stddef.h>
#include <stdio.h>
#include "kmlab/ir.h"
#include "findings.h"

struct diag_list;

/* One predicted finding, from the verifier. */
struct prediction {
	enum finding_kind kind;
	int obj;		/* object index, -1 if none */
	int line;		/* the line that causes it */
	int line2;		/* the related line (alloc, first free), or 0 */
	unsigned long long size; /* object's requested size, 0 if unknown */
	unsigned int count;	/* how many times (repeat blocks), >= 1 */
	char msg[160];		/* one sentence, for the report */
};

struct plan {
	char *path;		/* as given */
	char *src;		/* whole source text */
	size_t src_len;
	void *ir;		/* the lowered blob (kmlab/ir.h) */
	size_t ir_len;
	struct kmlab_ir_obj *objs;	/* points into ir */
	struct kmlab_ir_op *ops;	/* points into ir */
	int nr_objs, nr_ops;
	struct prediction *preds;
	int nr_preds;
};

/*
 * Compile the plan in @src (@len bytes, named @path in diagnostics).
 * Returns 0 and sets *@out when it compiled (predictions may exist),
 * -1 when there were syntax or semantic errors (see @diags), and
 * PLAN_IR_REFUSED when it compiled to a blob the data plane's checker
 * refuses (a rule the compiler missed: a bug, see @diags).
 */
#define PLAN_IR_REFUSED	(-2)
int plan_compile(const char *path, const char *src, size_t len,
		 struct plan **out, struct diag_list *diags);
/* Read @path (or "-" for stdin) and compile it. */
int plan_compile_file(const char *path, struct plan **out,
		      struct diag_list *diags);
void plan_free(struct plan *plan);

/*
 * verify.c: predict what @plan's ops will do (fills preds), flag hazard
 * ops, and append the implicit FORGET ops for objects the plan never
 * frees (ops has room for KMLAB_MAX_OPS).  Returns 0, or -1 (reported in
 * @diags) when the ops do not fit or an op goes too far to run safely.
 */
int verify_plan(struct plan *plan, struct diag_list *diags);

/* Source line @line (1-based) of @plan, without newline, for reports. */
const char *plan_line(const struct plan *plan, int line, int *len);

#endif /* KMLAB_PLAN_H */
