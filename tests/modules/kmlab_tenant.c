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

/* init text to spare: 32 KiB of it, a hole kmlab_cases' core fits */
#define TENANT_STEP(n) \
	static noinline int __init tenant_step##n(int x) \
	{ \
		return (x * 2654435761U + n) ^ (x >> 3); \
	}
#define TENANT_STEPS8(n) TENANT_STEP(n##0) TENANT_STEP(n##1) TENANT_STEP(n##2) \
	TENANT_STEP(n##3) TENANT_STEP(n##4) TENANT_STEP(n##5) \
	TENANT_STEP(n##6) TENANT_STEP(n##7)
TENANT_STEPS8(1)
TENANT_STEPS8(2)
TENANT_STEPS8(3)
TENANT_STEPS8(4)

static int __init tenant_init(void)
{
	int x = 1;

#define TENANT_CALL8(n) \
	x = tenant_step##n##0(x); x = tenant_step##n##1(x); \
	x = tenant_step##n##2(x); x = tenant_step##n##3(x); \
	x = tenant_step##n##4(x); x = tenant_step##n##5(x); \
	x = tenant_step##n##6(x); x = tenant_step##n##7(x)
	TENANT_CALL8(1);
	TENANT_CALL8(2);
	TENANT_CALL8(3);
	TENANT_CALL8(4);
	/* never executed: jumped over */
	asm volatile("jmp 1f\n\t.skip 32768, 0x90\n1:");
	obj = kmalloc(128, GFP_KERNEL);
	pr_info("init done (%d)\n", x & 1);
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
