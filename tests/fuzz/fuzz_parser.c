// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: any bytes through the whole plan compiler (lexer,
 * parser, sema, lowering, verifier) and the diagnostic printer.  Checks
 * the blob it produces is self-consistent, so a lowering bug is a crash,
 * and that the data plane's own checker (module/ir_check.c) accepts
 * every plan that compiles: a rule the compiler misses is a crash too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "plan.h"

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmlab_ir_header *h;
	struct diag_list dl;
	struct plan *plan = NULL;
	int i, rc;

	if (!sink)
		sink = fopen("/dev/null", "w");
	diag_init(&dl);
	rc = plan_compile("fuzz.kml", (const char *)data, size, &plan, &dl);
	if (rc == PLAN_IR_REFUSED) {
		diag_print(&dl, stderr);
		abort();	/* compiled, and the kernel would refuse it */
	}
	if (!rc) {
		h = plan->ir;
		if (h->magic != KMLAB_IR_MAGIC || h->size != plan->ir_len ||
		    (int)h->nr_ops != plan->nr_ops || plan->nr_ops > KMLAB_MAX_OPS ||
		    plan->nr_objs > KMLAB_MAX_OBJS)
			abort();
		for (i = 0; i < plan->nr_ops; i++)
			if (plan->ops[i].obj >= (__u32)plan->nr_objs &&
			    plan->ops[i].code < KMLAB_OP_REPEAT)
				abort();
		for (i = 0; i < plan->nr_preds; i++)
			if (!plan->preds[i].msg[0] || plan->preds[i].count < 1)
				abort();
	} else if (!dl.errors) {
		abort();	/* a failure must say why */
	}
	diag_print(&dl, sink);
	plan_free(plan);
	diag_free(&dl);
	return 0;
}
