// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Lowering: checked statements to IR ops (include/kmlab/ir.h), grouped by
 * phase in the order they run.  Each op keeps its source line.
 */
#include <string.h>
#include "ast.h"
#include "diag.h"

struct out {
	struct kmlab_ir_op *ops;
	int n, max;
	int phase;
	struct diag_list *dl;
};

static int emit(struct out *o, const struct stmt *s, __u16 code)
{
	struct kmlab_ir_op *op;

	if (o->n == o->max) {
		diag_add(o->dl, DIAG_ERROR, s->line, 0, 1,
			 "use `repeat N { }` instead of copies of statements",
			 "the plan needs more than %d ops", KMLAB_MAX_OPS);
		return -1;
	}
	op = &o->ops[o->n++];
	memset(op, 0, sizeof(*op));
	op->code = code;
	op->phase = o->phase;
	op->line = s->line;
	return 0;
}

static int lower_list(struct out *o, const struct stmt *s);

static int lower_stmt(struct out *o, const struct stmt *s)
{
	struct kmlab_ir_op *op;

	if (s->ok <= 0)
		return 0;
	if (emit(o, s, s->code))
		return -1;
	op = &o->ops[o->n - 1];
	switch (s->kind) {
	case STMT_REPEAT:
	case STMT_ATOMIC:
		op->count = s->count;
		op->arg = s->kind == STMT_ATOMIC ? (__u32)s->sub : 0;
		if (lower_list(o, s->body))
			return -1;
		/* the END op carries the block's line */
		return emit(o, s, s->kind == STMT_REPEAT ?
			    KMLAB_OP_REPEAT_END : KMLAB_OP_ATOMIC_END);
	case STMT_PAUSE:
		op->count = s->count;
		return 0;
	case STMT_WRITE:
		op->fill = (__u8)s->num;
		/* fall through */
	default:
		op->obj = s->obj;
		op->arg = s->arg_obj >= 0 ? (__u32)s->arg_obj : 0;
		op->gfp = s->gfp;
		op->slab = s->slab;
		op->size = s->size;
		op->off = s->off;
		op->len = s->len;
		op->count = s->count;
		return 0;
	}
}

static int lower_list(struct out *o, const struct stmt *s)
{
	for (; s; s = s->next)
		if (lower_stmt(o, s))
			return -1;
	return 0;
}

int lower_plan(const struct stmt *first, struct kmlab_ir_op *ops, int max,
	       struct diag_list *dl)
{
	struct out o = { .ops = ops, .max = max, .dl = dl };
	const struct stmt *s;

	for (o.phase = 0; o.phase < KMLAB_PHASE_MAX; o.phase++) {
		for (s = first; s; s = s->next) {
			if (s->kind == STMT_PHASE) {
				if (s->sub == o.phase && lower_list(&o, s->body))
					return -1;
			} else if (o.phase == KMLAB_PHASE_LOAD &&
				   s->kind != STMT_PLAN &&
				   lower_stmt(&o, s)) {
				return -1;
			}
		}
	}
	return o.n;
}
