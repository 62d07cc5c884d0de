// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab_tenant: a module with a large init text and a small core.  Its
 * init text is freed once init returns, and the next module loaded may
 * land in that range: that module's allocations are its own, never
 * kmlab_tenant's.  (The next module is kmlab_cases mode=hold.)
 *
 * With take=ADDR it is instead the next tenant of a freed kmalloc(128)
 * slot (kmlab_late mode=free_again prints ADDR): it allocates until SLUB
 * hands that address out, then frees all it took, as any other user of
 * kmalloc-128 might between a module's free and its second free; then it
 * has kmlab_late make that second free (kmlab_late_free_again()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "kmlab_late.h"

static void *obj;


static unsigned long take;
module_param(take, ulong, 0444);
MODULE_PARM_DESC(take, "a freed kmalloc(128) address: be handed it, then free it");

/*
 * SLUB puts a slab that was full back at the tail of its node's partial
 * list when one of its objects is freed, so the slot comes after every
 * free object ahead of it: keep what is taken until it comes (a few MiB
 * after a busy run), then free it all.
 */
#define TAKE_MAX	(1 << 18)

/*
 * The kmalloc-128 caches a kmalloc(128) may come from: with
 * CONFIG_RANDOM_KMALLOC_CACHES the caller's address picks one of 16
 * copies, so this module's own kmalloc(128) would seldom reach the slot:
 * it asks each copy.
 */
#ifdef CONFIG_RANDOM_KMALLOC_CACHES
#define TAKE_TYPES	(KMALLOC_RANDOM_END + 1)
#else
#define TAKE_TYPES	(KMALLOC_NORMAL + 1)
#endif

/* Allocate from @s until @take comes; free all taken.  The count. */
static int take_from(struct kmem_cache *s, void **got, bool *found)
{
	int i, n;

	for (n = 0; n < TAKE_MAX && !*found; n++) {
		got[n] = kmem_cache_alloc(s, GFP_KERNEL | __GFP_NOWARN);
		if (!got[n])
			break;
		*found = (unsigned long)got[n] == take;
	}
	for (i = 0; i < n; i++)
		kmem_cache_free(s, got[i]);
	return n;
}

static int take_slot(void)
{
	void **got = kvcalloc(TAKE_MAX, sizeof(*got), GFP_KERNEL);
	void (*free_again)(void);
	bool found = false;
	int t, n = 0;

	if (!got)
		return -ENOMEM;
	for (t = KMALLOC_NORMAL; t < TAKE_TYPES && !found; t++) {
		struct kmem_cache *s = kmalloc_caches[t][__kmalloc_index(128, false)];

		if (s)
			n += take_from(s, got, &found);
	}
	kvfree(got);
	pr_info("%s %px in %d allocations\n",
		found ? "took" : "was not handed", (void *)take, n);
	if (!found)
		return -EAGAIN;
	/* looked up, not linked: kmlab_tenant loads without kmlab_late */
	free_again = symbol_get(kmlab_late_free_again);
	if (!free_again) {
		pr_err("kmlab_late is not loaded (mode=free_again)\n");
		return -ENOENT;
	}
	free_again();
	symbol_put(kmlab_late_free_again);
	return 0;
}

static int __init tenant_init(void)
{
	/*
	 * 32 KiB of init text, jumped over: a hole that kmlab_cases' 16 KiB
	 * core fits once it is freed.
	 */
	asm volatile("jmp 1f\n\t.skip 32768, 0x90\n1:");
	if (take)
		return take_slot();
	obj = kmalloc(128, GFP_KERNEL);
	return obj ? 0 : -ENOMEM;
}

static void __exit tenant_exit(void)
{
	kfree(obj);
}

module_init(tenant_init);
module_exit(tenant_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmlab test module: a large init text that another module may reuse");
