// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab_tenant: a module with a large init text and a small core.  Its
 * init text is freed once init returns, and the next module loaded may
 * land in that range: that module's allocations are its own, never
 * kmlab_tenant's.  (The next module is kmlab_cases mode=hold.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

static void *obj;

static int __init tenant_init(void)
{
	/*
	 * 32 KiB of init text, jumped over: a hole that kmlab_cases' 16 KiB
	 * core fits once it is freed.
	 */
	asm volatile("jmp 1f\n\t.skip 32768, 0x90\n1:");
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
