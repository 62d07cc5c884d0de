// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Plans the kernel cannot build, or the data plane refuses: `kmlab
 * check` must refuse each of them itself, saying which limit and why,
 * so that `kmlab run` never hands the module a plan it refuses.  The
 * worst-case bounds are the module's own code (kmlab/ir.h), walked here
 * as module/plan.c and `kmlab run` walk them.
 */
#include <stdlib.h>
#include <string.h>
#include "plan_util.h"

/* Does @src compile? (TAP, with the first diagnostic when it does not) */
static void expect_ok(const char *src, const char *name)
{
	struct plan *plan = compile(src);
	char why[300];

	snprintf(why, sizeof(why), "%s", util_dl.n ? util_dl.v[0].msg : "");
	tap_ok(plan != NULL, name, why);
	plan_free(plan);
}

/* The bound the data plane's walk breaks on @src with @ncpus and @max. */
static int module_bound(const char *src, unsigned int ncpus, __u64 max)
{
	struct plan *plan = compile(src);
	struct kmlab_ir_bound b;
	int i, err = 0;

	if (!plan)
		return -1;
	kmlab_ir_bound_init(&b, plan->ops, plan->nr_ops, ncpus, max);
	for (i = 0; i < plan->nr_ops && !err; i++)
		err = kmlab_ir_bound_op(&b, &plan->ops[i]);
	if (!err)
		err = kmlab_ir_bound_end(&b);
	plan_free(plan);
	return err;
}

/*
 * SLUB's debug layout.  Measured in the lab (6.1, slub_debug=FZPU):
 * kmem_cache_create(4 MiB) fails with "kmem_cache_create_usercopy(...)
 * failed with error -22" and a stack dump, with or without the plan's
 * own debug flags.
 */
static void slab_layout(void)
{
	TAP_EQ_INT(kmlab_slab_debug_size(4 << 20, 0, 0), (4 << 20) + 96,
		   "slab: 4 MiB objects take 96 bytes more with debug metadata");
	TAP_OK(kmlab_slab_debug_size(4194208, 0, 0) == KMLAB_MAX_SLAB,
	       "slab: 4194208-byte objects just fit 4 MiB");
	TAP_OK(kmlab_slab_debug_size(4194216, 0, 0) > KMLAB_MAX_SLAB,
	       "slab: 4194216-byte objects do not");
	TAP_OK(kmlab_slab_debug_size(4190208, 0, 0) <= KMLAB_MAX_SLAB &&
	       kmlab_slab_debug_size(4190208, 4096, 0) > KMLAB_MAX_SLAB,
	       "slab: a 4 KiB alignment pads the left red zone to 4 KiB");
	TAP_EQ_INT(kmlab_slab_debug_size(24, 0, KMLAB_SLAB_HWCACHE) % 32, 0,
		   "slab: hwcache_align aligns small objects to half a line");

	expect_error("c = kmem_cache_create(4 MiB)\n", 1, 23,
		     "kmem_cache_create would fail");
	expect_error("c = kmem_cache_create(4 MiB, poison | red_zone | consistency | store_user)\n",
		     1, 23, "more than its biggest slab (4 MiB)");
	expect_error("c = kmem_cache_create(4194200, 4096)\n", 1, 23,
		     "4194200-byte objects take");
	expect_ok("c = kmem_cache_create(4194208)\no = kmem_cache_alloc(c)\n"
		  "free o\nfree c\n", "slab: the biggest cache that fits compiles");
}

/* kvmalloc_node() falls back to vmalloc only with GFP_KERNEL. */
static void kvmalloc_atomic(void)
{
	expect_error("x = kvmalloc(8 MiB, GFP_ATOMIC)\nfree x\n", 1, 14,
		     "more than kvmalloc with GFP_ATOMIC can give (4096 KiB)");
	expect_error("x = kvzalloc(5 MiB, GFP_NOWAIT)\nfree x\n", 1, 14,
		     "more than kvmalloc with GFP_NOWAIT can give");
	expect_ok("x = kvmalloc(4 MiB, GFP_ATOMIC)\nfree x\n",
		  "kvmalloc: 4 MiB with GFP_ATOMIC is kmalloc's, fine");
	expect_ok("x = kvmalloc(8 MiB)\nfree x\n",
		  "kvmalloc: 8 MiB with GFP_KERNEL falls back to vmalloc, fine");
}

/* SLUB has no DMA32 caches: it warns with a stack dump. */
static void dma32(void)
{
	expect_error("x = kmalloc(64, GFP_KERNEL | GFP_DMA32)\n", 1, 17,
		     "GFP_DMA32 on kmalloc");
	expect_error("x = kvmalloc(64, GFP_DMA32)\n", 1, 18,
		     "GFP_DMA32 on kvmalloc");
	expect_error("c = kmem_cache_create(64)\n"
		     "o = kmem_cache_alloc(c, GFP_KERNEL | GFP_DMA32)\n", 2, 25,
		     "GFP_DMA32 on kmem_cache_alloc");
	expect_error("p = alloc_percpu(64, GFP_DMA32)\n", 1, 22,
		     "GFP_DMA32 on alloc_percpu");
	expect_ok("p = alloc_pages(GFP_KERNEL | GFP_DMA32, 0)\nfree p\n"
		  "q = alloc_pages_exact(8 KiB, GFP_DMA32)\nfree q\n",
		  "dma32: page allocations may ask for it");
}

/* KMLAB_MAX_STEPS per phase and KMLAB_MAX_ATOMIC_STEPS in all. */
static void steps(void)
{
	const char *too_long =
		"repeat 1000 {\n repeat 1001 {\n  x = kmalloc(8)\n  free x\n }\n}\n";
	const char *too_atomic =
		"atomic spinlock {\n repeat 17000 {\n"
		"  x = kmalloc(8, GFP_ATOMIC)\n  free x\n }\n}\n";

	expect_error(too_long, 2, 0,
		     "the load phase runs more than 1000000 ops");
	TAP_EQ_INT(module_bound(too_long, 1, KMLAB_MAX_BYTES), -1,
		   "steps: never compiled, so never sent");
	expect_ok("repeat 100000 {\n x = kmalloc(8)\n free x\n}\n",
		  "steps: 300001 ops in a phase are fine");
	expect_error(too_atomic, 2, 0,
		     "more than 65536 ops run inside atomic sections");
	/* a repeat counts as often as its body: 4 x 15000 + 2 */
	expect_ok("atomic spinlock {\n repeat 15000 {\n"
		  "  x = kmalloc(8, GFP_ATOMIC)\n  free x\n }\n}\n",
		  "steps: 60002 atomic ops are fine");
}

/* max_bytes: every allocation counted, as if nothing were freed. */
static void bytes(void)
{
	const char *percpu = "repeat 1500 {\n p = alloc_percpu(32 KiB)\n"
			     " free p\n}\n";

	expect_error("repeat 100 {\n x = vmalloc(1 MiB)\n free x\n}\n", 2, 0,
		     "the load phase may allocate 104857600 bytes");
	expect_ok("repeat 64 {\n x = vmalloc(1 MiB)\n free x\n}\n",
		  "bytes: exactly 64 MiB is fine");
	expect_error("at load {\n a = vmalloc(40 MiB)\n free a\n}\n"
		     "at unload {\n b = vmalloc(40 MiB)\n free b\n}\n", 7, 0,
		     "the phases together may allocate 83886080 bytes");
	expect_error("on demand {\n repeat 20 {\n  p = alloc_pages(GFP_KERNEL, 10)\n"
		     "  free p\n }\n}\n", 3, 0,
		     "the demand phase may allocate");
	/* percpu memory counts once per possible CPU: the checker counts
	 * one, `kmlab run` the target's (the lab has 2) */
	expect_ok(percpu, "bytes: 1500 x 32 KiB percpu fits on one CPU");
	TAP_EQ_INT(module_bound(percpu, 1, KMLAB_MAX_BYTES), KMLAB_BOUND_OK,
		   "bytes: the module takes it on one CPU");
	TAP_EQ_INT(module_bound(percpu, 2, KMLAB_MAX_BYTES), KMLAB_BOUND_BYTES,
		   "bytes: the module refuses it on two, so kmlab run checks first");
	TAP_EQ_INT(module_bound(percpu, 2, 128ULL << 20), KMLAB_BOUND_OK,
		   "bytes: unless max_bytes is raised");
}

/* Accesses and frees the data plane refuses: beyond any object. */
static void far(void)
{
	expect_error("x = vmalloc(64 MiB)\nread x[67108864..67108872]\nfree x\n",
		     2, 0, "beyond any object the lab makes (64 MiB)");
	expect_error("x = kmalloc(8)\nfree x\nfree x + 67108864\n", 3, 0,
		     "offset 67108864 is beyond any object");
}

int main(void)
{
	slab_layout();
	kvmalloc_atomic();
	dma32();
	steps();
	bytes();
	far();
	diag_free(&util_dl);
	return tap_done();
}
