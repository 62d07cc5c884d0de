// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The data plane's IR checker (module/ir_check.c), run here as the
 * module runs it: compiled plans pass, and blobs that break a rule are
 * refused with the op, its line and a reason that says what to do.
 */
#include <stdlib.h>
#include <string.h>
#include "plan_util.h"
#include "kmlab/ir_check.h"

static struct kmlab_ir_check chk;

/* the data plane's verdict on @p's blob after @mutate changed a copy */
static int check(const struct plan *p, __u32 ncpus,
		 void (*mutate)(struct kmlab_ir_header *h))
{
	void *blob = malloc(p->ir_len);
	int err;

	memcpy(blob, p->ir, p->ir_len);
	if (mutate)
		mutate(blob);
	memset(&chk, 0, sizeof(chk));
	chk.ncpus = ncpus;
	chk.max_bytes = KMLAB_MAX_BYTES;
	err = kmlab_ir_check(blob, p->ir_len, &chk);
	free(blob);
	return err;
}

static struct kmlab_ir_op *ops(struct kmlab_ir_header *h)
{
	return (void *)((struct kmlab_ir_obj *)(h + 1) + h->nr_objs);
}

static void old_version(struct kmlab_ir_header *h) { h->version = 1; }
static void slab_on_kmalloc(struct kmlab_ir_header *h) { ops(h)[0].slab = KMLAB_SLAB_POISON; }
static void unknown_flag(struct kmlab_ir_header *h) { ops(h)[0].flags = 1U << 5; }
static void drop_end(struct kmlab_ir_header *h) { ops(h)[3].code = KMLAB_OP_NOP; }
static void no_gfp_base(struct kmlab_ir_header *h) { ops(h)[0].gfp = KMLAB_GFP_ZERO; }

int main(void)
{
	struct plan *p;

	p = compile("a = kmalloc(64)\nrepeat 3 {\n  write a[0..8] = 1\n}\nfree a\n");
	TAP_OK(p && !check(p, 1, NULL) && chk.match[1] == 3 && chk.match[3] == 1 &&
	       chk.cost[KMLAB_PHASE_LOAD] == 64,
	       "a compiled plan passes, its repeat matched, its cost counted");
	TAP_OK(p && check(p, 1, old_version) && strstr(chk.why, "rebuild the plan"),
	       "an IR version 1 blob is refused: rebuild the plan");
	TAP_OK(p && check(p, 1, slab_on_kmalloc) && chk.op == 0 && chk.line == 1 &&
	       strstr(chk.why, "only kmem_cache_create takes them"),
	       "slab flags on a kmalloc: refused at its op and line");
	TAP_OK(p && check(p, 1, unknown_flag) && strstr(chk.why, "unknown flags"),
	       "an op flag the IR does not define: refused");
	TAP_OK(p && check(p, 1, drop_end) && strstr(chk.why, "never closed"),
	       "a repeat without its end: refused");
	TAP_OK(p && check(p, 1, no_gfp_base) &&
	       strstr(chk.why, "exactly one of KERNEL, ATOMIC, NOWAIT"),
	       "a gfp without its base flag: refused");
	plan_free(p);

	p = compile("u = alloc_percpu(32 KiB)\nfree_percpu(u)\n");
	TAP_OK(p && !check(p, 1, NULL) && check(p, 4096, NULL) &&
	       strstr(chk.why, "max_bytes"),
	       "32 KiB of percpu memory: fine on 1 CPU, over max_bytes on 4096");
	plan_free(p);

	p = compile("c = kmem_cache_create(64, SLAB_POISON)\nc2 = kmem_cache_create(64)\n"
		    "kmem_cache_destroy(c)\nkmem_cache_destroy(c2)\n");
	TAP_OK(p && !check(p, 1, NULL), "slab flags on kmem_cache_create: accepted");
	plan_free(p);
	diag_free(&util_dl);
	return tap_done();
}
