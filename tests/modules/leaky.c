// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab_leaky: only the seed buffers, and its unload forgets the last
 * one (leaky_seed.c is seed.c built with KMLAB_LEAKY).  A real module
 * leak for the observer's tests.  With helpers=1 it also leaks copies
 * that core helpers allocate on its behalf: kasprintf() and
 * kstrdup_const() reach kmalloc through a second helper, so the
 * allocation's call site is core code and only the stack names us.
 * With churn=N it allocates and frees N objects first; with
 * wrong_cache=1 it frees an object into a cache it is not from.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "kmlab_dp.h"

static bool helpers;
module_param(helpers, bool, 0444);
MODULE_PARM_DESC(helpers, "also leak a kasprintf() and a kstrdup_const() copy");

/*
 * 47 characters: a 48-byte copy.  kstrdup_const() copies it: only the
 * core kernel's .rodata is shared, never a module's.
 */
static const char leaky_label[] = "kmlab_leaky: a label copied by kstrdup_const().";

static noinline void leaky_helpers(void)
{
	/* 55 characters + NUL: a 56-byte request */
	const char *a = kasprintf(GFP_KERNEL, "kmlab_leaky: %s %04d",
				  "this line is formatted by kasprintf()", 1);
	const char *b = kstrdup_const(leaky_label, GFP_KERNEL);

	pr_info("helpers leak \"%s\" and \"%s\"\n", a ? a : "(none)",
		b ? b : "(none)");
}

static unsigned int churn;
module_param(churn, uint, 0444);
MODULE_PARM_DESC(churn, "allocate, then free, this many 32-byte objects at load (0..1048576)");

/* More frees than the observer remembers: it must say it forgot some. */
static int leaky_churn(void)
{
	unsigned int i;
	void **objs;

	if (churn > 1048576) {
		pr_err("churn=%u is too many: use 0..1048576\n", churn);
		return -EINVAL;
	}
	objs = kvcalloc(churn, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	for (i = 0; i < churn; i++) {
		objs[i] = kmalloc(32, GFP_KERNEL);
		if (!objs[i])
			break;
	}
	while (i--)
		kfree(objs[i]);
	kvfree(objs);
	return 0;
}

static bool wrong_cache;
module_param(wrong_cache, bool, 0444);
MODULE_PARM_DESC(wrong_cache, "free an object into a cache it is not from (SLUB warns and frees it into its own)");

/*
 * kmem_cache_free() into another cache: with freelist hardening (Debian)
 * or slub_debug, SLUB warns "Wrong slab cache" and frees the object into
 * its own cache; the kernel survives.  Without either it would corrupt
 * the other cache: refuse then.
 */
static int leaky_wrong_cache(void)
{
	struct kmem_cache *a, *b;
	void *obj;
	int err = 0;

	if (!IS_ENABLED(CONFIG_SLAB_FREELIST_HARDENED)) {
		pr_err("wrong_cache=1 needs CONFIG_SLAB_FREELIST_HARDENED: without it the free would corrupt a cache\n");
		return -EINVAL;
	}
	/* SLAB_STORE_USER: never merged into kmalloc-96 and the like */
	a = kmem_cache_create("kmlab_leaky_a", 96, 0, SLAB_STORE_USER, NULL);
	b = kmem_cache_create("kmlab_leaky_b", 160, 0, SLAB_STORE_USER, NULL);
	obj = a ? kmem_cache_alloc(a, GFP_KERNEL) : NULL;
	if (!b || !obj)
		err = -ENOMEM;
	else
		kmem_cache_free(b, obj);	/* SLUB frees it into a */
	kmem_cache_destroy(b);
	kmem_cache_destroy(a);
	return err;
}

static int __init kmlab_leaky_init(void)
{
	int err = churn ? leaky_churn() : 0;

	if (!err && wrong_cache)
		err = leaky_wrong_cache();
	if (!err)
		err = kmlab_seed_init();
	if (!err && helpers)
		leaky_helpers();
	return err;
}

static void __exit kmlab_leaky_exit(void)
{
	kmlab_seed_exit();
	pr_info("unloaded (the last seed buffer is leaked on purpose)\n");
}

module_init(kmlab_leaky_init);
module_exit(kmlab_leaky_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("kmlab");
MODULE_DESCRIPTION("kmlab test module that leaks its last seed buffer");
