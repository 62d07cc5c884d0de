// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Semantic analysis: every diagnostic (text and line:col, with a hint),
 * and what is accepted on purpose (hazards are predictions, not errors).
 */
#include <stdlib.h>
#include <string.h>
#include "plan_util.h"

static const struct {
	const char *src;
	int line, col;
	const char *msg;
} errors[] = {
	/* names */
	{ "write zz[0..4] = 1\n", 1, 7, "'zz' is not allocated before this line" },
	{ "free = kmalloc(8)\n", 1, 1, "'free' is a statement word, not a name for an object" },
	{ "kfree = kmalloc(8)\n", 1, 1, "'kfree' is a function, not a name for an object" },
	{ "GFP_KERNEL = kmalloc(8)\n", 1, 1, "'GFP_KERNEL' is a flag, not a name for an object" },
	{ "abcdefghijabcdefghijabcdefghijab = kmalloc(8)\n", 1, 1, "name too long (32 characters)" },
	{ "v = vmalloc(100)\nv = kmalloc(100)\n", 2, 1, "'v' holds vmalloc memory (line 1), not kmalloc" },
	{ "at unload {\n x = kmalloc(8)\n}\nfree x\n", 4, 6, "'x' is not allocated before this line" },
	/* calls and arguments */
	{ "x = frob(8)\n", 1, 5, "unknown allocator 'frob'" },
	{ "x = kfree(y)\n", 1, 5, "'kfree' does not allocate" },
	{ "frob(x)\n", 1, 1, "unknown function 'frob'" },
	{ "kmalloc(8)\n", 1, 1, "the result of 'kmalloc' must be given a name" },
	{ "x = kmalloc(8, GFP_FOO)\n", 1, 16, "unknown flag 'GFP_FOO'" },
	{ "c = kmem_cache_create(8, SLAB_FOO)\n", 1, 26, "unknown flag 'SLAB_FOO'" },
	{ "x = kmalloc(8, GFP_KERNEL, __GFP_ZERO)\n", 1, 28, "GFP flags given twice" },
	{ "c = kmem_cache_create(8, poison, red_zone)\n", 1, 34, "cache flags given twice" },
	{ "x = kmalloc(GFP_KERNEL)\n", 1, 5, "kmalloc: missing the size" },
	{ "x = alloc_pages(GFP_KERNEL)\n", 1, 5, "alloc_pages: missing the order" },
	{ "x = kcalloc(8)\n", 1, 5, "kcalloc: missing a number (count and size)" },
	{ "x = kmalloc(8, 16)\n", 1, 16, "kmalloc: one number too many" },
	{ "c = kmem_cache_create(8)\nx = kmem_cache_alloc(c)\nkmem_cache_free(x)\n", 3, 1, "kmem_cache_free: missing the cache or the object" },
	{ "kfree()\n", 1, 1, "kfree: missing the object's name" },
	{ "x = kmalloc(8)\ny = kmalloc(8, x)\n", 2, 16, "kmalloc: takes no such argument" },
	{ "x = kmalloc(8)\nkfree(x, GFP_KERNEL)\n", 2, 10, "kfree: frees take no GFP flags" },
	{ "x = vmalloc(8, GFP_ATOMIC)\n", 1, 16, "vmalloc: takes no GFP flags (it always uses GFP_KERNEL)" },
	{ "x = kmalloc(8, SLAB_POISON)\n", 1, 16, "kmalloc: cache flags only go to kmem_cache_create()" },
	{ "x = kmalloc(8, GFP_KERNEL | GFP_ATOMIC)\n", 1, 16, "conflicting GFP flags" },
	/* sizes */
	{ "x = kmalloc(0)\n", 1, 13, "size 0: kmalloc returns no usable memory" },
	{ "x = kzalloc(4 MiB + 1)\n", 1, 19, "expected" },
	{ "x = kmalloc(8 MiB)\n", 1, 13, "8388608 bytes is more than kmalloc can give (4096 KiB)" },
	{ "x = vmalloc(65 MiB)\n", 1, 13, "68157440 bytes is more than vmalloc can give (65536 KiB)" },
	{ "x = kvmalloc(65 MiB)\n", 1, 14, "is more than kvmalloc can give" },
	{ "x = alloc_percpu(33 KiB)\n", 1, 18, "33792 bytes is more than alloc_percpu can give (32 KiB)" },
	{ "x = alloc_pages_exact(5 MiB)\n", 1, 23, "is more than alloc_pages_exact can give (4096 KiB)" },
	{ "x = kcalloc(1024, 8 KiB)\n", 1, 19, "8388608 bytes is more than kcalloc can give" },
	{ "x = kcalloc(0, 8)\n", 1, 13, "kcalloc count 0 out of range" },
	{ "x = kcalloc(8, 0)\n", 1, 16, "size 0: kcalloc returns no usable memory" },
	{ "x = alloc_pages(GFP_KERNEL, 11)\n", 1, 29, "order 11 is above MAX_ORDER - 1 (10)" },
	{ "x = __get_free_pages(GFP_KERNEL, 12)\n", 1, 34, "order 12 is above MAX_ORDER - 1 (10)" },
	{ "c = kmem_cache_create(64, 3)\n", 1, 27, "bad alignment 3" },
	{ "c = kmem_cache_create(0)\n", 1, 23, "size 0: kmem_cache_create returns no usable memory" },
	/* families */
	{ "v = vmalloc(8)\nx = kmem_cache_alloc(v)\n", 2, 22, "'v' is not a cache" },
	{ "c = kmem_cache_create(8)\nx = kmem_cache_alloc(c)\nkmem_cache_free(x, x)\n", 3, 17, "'x' is not a cache" },
	{ "c = kmem_cache_create(8)\nkfree(c)\n", 2, 7, "kfree cannot take 'c': it is a cache, not memory" },
	{ "x = kmalloc(8)\nkmem_cache_destroy(x)\n", 2, 20, "kmem_cache_destroy cannot take 'x': it is memory, not a cache" },
	{ "p = alloc_pages(GFP_KERNEL, 0)\nkfree(p)\n", 2, 7, "kfree cannot take 'p': it is a struct page *, not an address" },
	{ "p = __get_free_pages(GFP_KERNEL, 0)\n__free_pages(p, 0)\n", 2, 14, "__free_pages cannot take 'p': it is an address, not a struct page *" },
	{ "x = kmalloc(8)\nfree_pages(x, 0)\n", 2, 12, "free_pages cannot take 'x': it is not a page address" },
	{ "c = kmem_cache_create(8)\nwrite c[0..2] = 1\n", 2, 7, "'c' is a cache, not memory" },
	{ "c = kmem_cache_create(8)\nforget c\n", 2, 8, "a cache cannot be forgotten" },
	{ "c = kmem_cache_create(8)\nfree c + 8\n", 2, 6, "no offset on a cache" },
	{ "c = kmem_cache_create(8)\nx = kmem_cache_alloc(c)\nkmem_cache_free(c + 8, x)\n", 3, 17, "no offset on a cache" },
	{ "h = kmalloc(8)\nx = krealloc(h, 16)\n", 2, 1, "krealloc must assign back to 'h'" },
	{ "v = vmalloc(8)\nv = krealloc(v, 16)\n", 2, 14, "'v' holds vmalloc memory" },
	{ "h = kmalloc(8)\nh = krealloc(h + 1, 16)\n", 2, 14, "krealloc of an interior pointer" },
	/* accesses */
	{ "x = kmalloc(8)\nwrite x[4..2] = 1\n", 2, 9, "empty byte range" },
	{ "x = kmalloc(8)\nread x[4..4]\n", 2, 8, "empty byte range" },
	{ "x = kmalloc(8)\nwrite x[0..2] = 300\n", 2, 17, "fill value 0x12c does not fit in a byte" },
	{ "atomic irq {\n x = kmalloc(8, GFP_ATOMIC)\n}\natomic irq {\n vfree(x)\n}\n", 5, 2, "vfree may sleep" },
	{ "x = kmalloc(100)\nrepeat 3 {\n read x[0..8 KiB]\n}\n", 3, 0, "bytes 0..8192 reach more than 4 KiB past the end of x (128 bytes given)" },
	{ "x = kmalloc(100)\nfree x\nwrite x[1 MiB] = 1\n", 3, 0, "reach more than 4 KiB past the end of x" },
	{ "x = vmalloc(100)\nfree x + 4096\n", 2, 0, "offset 4096 is outside x (4096 bytes given)" },
	/* atomic sections */
	{ "atomic spinlock {\n x = kmalloc(8)\n}\n", 2, 6, "kmalloc with GFP_KERNEL (the default) may sleep, inside the atomic section of line 1" },
	{ "atomic irq {\n x = kzalloc(8, GFP_KERNEL | __GFP_ZERO)\n}\n", 2, 6, "kzalloc with GFP_KERNEL may sleep" },
	{ "atomic irq {\n x = vmalloc(8)\n}\n", 2, 6, "vmalloc may sleep" },
	{ "atomic irq {\n x = kvmalloc(8 KiB)\n}\n", 2, 6, "kvmalloc with GFP_KERNEL (the default) may sleep" },
	{ "atomic irq {\n x = alloc_percpu(8)\n}\n", 2, 6, "alloc_percpu with GFP_KERNEL (the default) may sleep" },
	{ "atomic irq {\n x = alloc_pages(GFP_KERNEL, 0)\n}\n", 2, 6, "alloc_pages with GFP_KERNEL may sleep" },
	{ "atomic irq {\n c = kmem_cache_create(8)\n}\n", 2, 6, "kmem_cache_create may sleep" },
	{ "c = kmem_cache_create(8)\natomic irq {\n x = kmem_cache_alloc(c)\n}\n", 3, 6, "kmem_cache_alloc with GFP_KERNEL (the default) may sleep" },
	{ "c = kmem_cache_create(8)\natomic irq {\n free c\n}\n", 3, 2, "kmem_cache_destroy may sleep" },
	{ "v = vmalloc(8)\natomic spinlock {\n vfree(v)\n}\n", 3, 2, "vfree may sleep" },
	{ "v = kvmalloc(8)\natomic spinlock {\n free v\n}\n", 3, 2, "kvfree may sleep" },
	{ "atomic spinlock {\n pause 1 ms\n}\n", 2, 2, "pause may sleep" },
	{ "repeat 2 {\n atomic spinlock {\n  repeat 2 {\n   atomic irq {\n   }\n  }\n }\n}\n", 4, 4, "atomic section inside the atomic section of line 2" },
	/* structure */
	{ "repeat 0 {\n}\n", 1, 8, "repeat count 0 out of range" },
	{ "repeat 100001 {\n}\n", 1, 8, "repeat count 100001 out of range" },
	{ "repeat 2 { repeat 2 { repeat 2 { repeat 2 { repeat 2 { } } } } }\n", 1, 45, "blocks nested too deeply" },
	{ "pause 10001 ms\n", 1, 7, "pause of 10001 ms is too long" },
	{ "pause 11 s\n", 1, 7, "pause of 11000 ms is too long" },
	{ "repeat 2 {\n at unload {\n }\n}\n", 2, 2, "a phase cannot be inside a block" },
	{ "x = kmalloc(8)\nplan late\n", 2, 1, "'plan' must be the first statement" },
	{ "plan a\nplan b\n", 2, 1, "'plan' must be the first statement" },
	{ "plan abcdefghijabcdefghijabcdefghijab\n", 1, 6, "plan name too long (32 characters)" },
};

static void too_many(void)
{
	char *src = malloc(1 << 20);
	size_t at = 0;
	int i;

	for (i = 0; i < 65; i++)
		at += sprintf(src + at, "o%d = kmalloc(8)\nfree o%d\n", i, i);
	expect_error(src, 129, 1, "too many objects");

	at = sprintf(src, "x = kmalloc(8)\n");
	for (i = 0; i < 1030; i++)
		at += sprintf(src + at, "read x[0]\n");
	expect_error(src, 1025, 0, "the plan needs more than 1024 ops");

	/* 1023 ops fit, but the implicit forget of x does not */
	at = sprintf(src, "x = kmalloc(8)\ny = kmalloc(8)\n");
	for (i = 0; i < 1021; i++)
		at += sprintf(src + at, "read x[0]\n");
	at += sprintf(src + at, "free x\n");
	expect_error(src, 2, 0, "no room for the op that leaks 'y'");
	free(src);
}

static void accepted(void)
{
	struct plan *plan;

	/* hazards compile: they are the lessons */
	plan = compile("b = kmalloc(64)\nvfree(b)\nkfree(b)\nread b[0..128]\n");
	TAP_OK(plan && !util_dl.errors, "hazards are not errors");
	plan_free(plan);
	/* GFP_ATOMIC and GFP_NOWAIT are fine inside atomic sections */
	plan = compile("atomic irq {\n a = kmalloc(8, GFP_ATOMIC)\n"
		       " b = kvmalloc(8 KiB, GFP_NOWAIT)\n free a\n}\nfree b\n");
	TAP_OK(plan && !util_dl.errors, "non-sleeping allocations in atomic");
	plan_free(plan);
	/* the same name may be reused after a free, in the same family */
	plan = compile("a = kmalloc(8)\nfree a\na = kzalloc(16)\nfree a\n");
	TAP_OK(plan && plan->nr_objs == 1 && !plan->nr_preds,
	       "one object per name");
	plan_free(plan);
	/* execution order: a name made at load is known on demand,
	 * even when the demand block comes first in the file */
	plan = compile("on demand {\n read x[0]\n}\nx = kmalloc(8)\n"
		       "at unload {\n free x\n}\n");
	TAP_OK(plan && !util_dl.errors, "names resolve in phase order");
	plan_free(plan);
	/* a lone name that is an object is a pointer, not a flag */
	plan = compile("c = kmem_cache_create(24, hwcache_align, 16)\n"
		       "o = kmem_cache_alloc(c, GFP_KERNEL)\nfree o\nfree c\n");
	TAP_OK(plan && plan->ops[0].slab == KMLAB_SLAB_HWCACHE &&
	       plan->ops[0].off == 16, "cache flags and align in any order");
	plan_free(plan);
}

int main(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		expect_error(errors[i].src, errors[i].line, errors[i].col,
			     errors[i].msg);
	too_many();
	accepted();
	diag_free(&util_dl);
	return tap_done();
}
