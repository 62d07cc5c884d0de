// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab_cases: one module, one case per "mode", each a way real drivers
 * use the allocators that once fooled the observer.
 *
 *  tailfree  exit frees one object twice through a noinline release():
 *            gcc turns both kfree()s into jumps, and the second
 *            release() into a jump too, so that kfree()'s call site is
 *            the module's caller (delete_module), not the module.
 *            Load it only on a kernel booted with slub_debug (the lab
 *            is): SLUB then catches the second free and survives it.
 *  large     a 64 KiB and an 8 KiB kmalloc, each freed once at exit: the
 *            page allocator backs them, and frees their pages inside
 *            kfree().  One free each, no finding.
 *  initfail  init allocates 64 bytes, keeps them and fails: every
 *            attempt leaks (busybox insmod tries twice).
 *  rcu       exit frees with kfree_rcu(): the kernel's own kfree of it
 *            comes a grace period later, after the module is gone.
 *  hold      init allocates 200 bytes (in cases_hold(), core text),
 *            exit frees them: a clean module that holds an object while
 *            loaded.  Its core text is 16 KiB, so that it fits the hole
 *            kmlab_tenant's freed init text leaves, and few others.
 *  timer     a timer allocates 64 bytes with GFP_ATOMIC (in softirq
 *            context), exit frees them: a module that acts in interrupts.
 *  busy      a kernel thread allocates and frees with every family
 *            (kmalloc, vmalloc, kvmalloc, pages, percpu, kfree_rcu) until
 *            unload: load for observers attaching and detaching
 *            (tests/guest/stress.sh).  /sys/module/kmlab_cases/parameters/
 *            rounds counts its rounds.
 *  many      init allocates count (default 40000) 32-byte objects and
 *            holds them all, exit frees them (leaks them all with
 *            leak=1): a module holding more objects than a fixed-size
 *            map of the observer's would.  batch=N does both N at a
 *            time, 10 ms apart: a module whose set grows over time (all
 *            at once, its events can outrun a reader in the lab's TCG).
 *  softfree  init allocates 200 percpu counters and 200 4 KiB vmalloc
 *            buffers, a timer frees two of each a tick (in softirq
 *            context) while a kernel thread on the timer's CPU vmallocs
 *            and vfrees: an interrupt that comes while a kprobe's
 *            handler runs frees there, as a driver's RCU callback
 *            would, and the kernel skips those kprobe hits (misses the
 *            observer must count, never leaks it reports as sure).
 *  flood     a kernel thread kmallocs, vmallocs and frees without pause until
 *            unload: more events than a reader keeps up with (under TCG),
 *            for ever.
 *  bulk      a cache of its own ("kmlab_bulk", 96-byte objects), 8 of
 *            them by kmem_cache_alloc_bulk(), which fires no kmem
 *            tracepoint; exit gives them back by kmem_cache_free_bulk()
 *            and destroys the cache (with leak=1: 6 of them, and the
 *            cache stays, as it must with objects in it).
 *
 * poke (any mode, written while loaded) makes it act then, as an ioctl
 * would, for observers that attach to a loaded module:
 *  leak      kmalloc(96), write "kmlab_cases: poked" there, forget it
 *  twice     free the held object ("hold") twice: SLUB (slub_debug)
 *            catches the second free
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/vmalloc.h>

static char *mode = "hold";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "tailfree, large, initfail, rcu, hold, timer, busy, many, softfree, flood or bulk");

static unsigned long count = 40000;
module_param(count, ulong, 0444);
MODULE_PARM_DESC(count, "many: the objects to hold");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "many: leave them all allocated at exit; bulk: leave two and the cache");

static unsigned long batch;
module_param(batch, ulong, 0444);
MODULE_PARM_DESC(batch, "many: allocate and free this many at a time, 10 ms apart (0: all at once)");

/* many: after each batch of objects, a pause */
static void cases_pace(unsigned long done)
{
	if (batch && done % batch == 0)
		usleep_range(10000, 11000);
}

/* many: each held object links to the one before */
struct cases_link {
	struct cases_link *next;
	char data[24];
};

static struct cases_link *held;

struct cases_obj {
	struct rcu_head rcu;
	char data[100];
};

static void *obj;
static void *big;

static unsigned long rounds;
module_param(rounds, ulong, 0444);
MODULE_PARM_DESC(rounds, "busy: rounds of allocations so far (read only)");

static struct task_struct *busy_task;
static struct timer_list cases_timer;
static bool timer_armed;

static void cases_timer_fn(struct timer_list *t)
{
	WRITE_ONCE(obj, kmalloc(64, GFP_ATOMIC));
}

/* one of each family, freed at once: a busy driver in miniature */
static void cases_round(void)
{
	void *a = kmalloc(128, GFP_KERNEL);
	void *v = vmalloc(8192);
	void *kv = kvmalloc(4096, GFP_KERNEL);
	struct page *p = alloc_pages(GFP_KERNEL, 1);
	unsigned long g = __get_free_page(GFP_KERNEL);
	u64 __percpu *pc = alloc_percpu(u64);
	struct cases_obj *r = kzalloc(sizeof(*r), GFP_KERNEL);

	kfree(a);
	vfree(v);
	kvfree(kv);
	if (p)
		__free_pages(p, 1);
	free_page(g);
	free_percpu(pc);
	if (r)
		kfree_rcu(r, rcu);
}

static int cases_busy(void *unused)
{
	while (!kthread_should_stop()) {
		cases_round();
		WRITE_ONCE(rounds, rounds + 1);
		usleep_range(8000, 12000);
	}
	return 0;
}

/* softfree: the counters and buffers, freed from the last */
#define SOFT_OBJS	200
#define SOFT_PER_TICK	2
#define SOFT_CPU	0

static u64 __percpu *soft[SOFT_OBJS];
static void *soft_buf[SOFT_OBJS];
static int soft_left;
static struct task_struct *soft_task;

static void cases_soft_free(void)
{
	--soft_left;
	free_percpu(soft[soft_left]);
	vfree(soft_buf[soft_left]);
}

static void cases_soft_fn(struct timer_list *t)
{
	int i;

	for (i = 0; i < SOFT_PER_TICK && soft_left > 0; i++)
		cases_soft_free();
	if (soft_left > 0)
		mod_timer(&cases_timer, jiffies + 1);
}

/* kprobe handlers running on the timer's CPU, for its ticks to land in */
static int cases_soft_busy(void *unused)
{
	while (!kthread_should_stop()) {
		vfree(vmalloc(8192));
		/* an observer must keep up with its events */
		usleep_range(200, 400);
	}
	return 0;
}

static int cases_flood(void *unused)
{
	while (!kthread_should_stop()) {
		kfree(kmalloc(64, GFP_KERNEL));
		vfree(vmalloc(8192));
		cond_resched();
	}
	return 0;
}

static int cases_softfree(void)
{
	for (soft_left = 0; soft_left < SOFT_OBJS; soft_left++) {
		soft[soft_left] = alloc_percpu(u64);
		soft_buf[soft_left] = vmalloc(4096);
		if (!soft[soft_left] || !soft_buf[soft_left]) {
			soft_left++;
			goto fail;
		}
	}
	soft_task = kthread_create(cases_soft_busy, NULL, "kmlab_soft");
	if (IS_ERR(soft_task))
		goto fail;
	kthread_bind(soft_task, SOFT_CPU);
	wake_up_process(soft_task);
	timer_setup(&cases_timer, cases_soft_fn, 0);
	cases_timer.expires = jiffies + 1;
	add_timer_on(&cases_timer, SOFT_CPU);
	timer_armed = true;
	return 0;
fail:
	soft_task = NULL;
	while (soft_left > 0)
		cases_soft_free();
	return -ENOMEM;
}

/* core text: the allocation's call site outlives init */
static noinline void *cases_hold(void)
{
	return kmalloc(200, GFP_KERNEL);
}

/* never called: 16 KiB of core text (see "hold") */
static void __used cases_padding(void)
{
	asm volatile(".skip 16384, 0x90");
}

/* noinline, so that its kfree() is a tail call (jmp kfree) */
static noinline void cases_release(void *p)
{
	kfree(p);
}

static int poke_set(const char *val, const struct kernel_param *kp)
{
	void *p;

	if (sysfs_streq(val, "leak")) {
		p = kmalloc(96, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		/* what a hex dump of the leak should show */
		strscpy(p, "kmlab_cases: poked", 96);
		pr_info("poke: leaking 96 bytes at %p\n", p);
		return 0;
	}
	if (sysfs_streq(val, "twice") && !strcmp(mode, "hold") && obj) {
		p = obj;
		obj = NULL;
		cases_release(p);
		/* the bug on purpose */
		cases_release(p);
		return 0;
	}
	return -EINVAL;
}

static const struct kernel_param_ops poke_ops = {
	.set = poke_set,
};

module_param_cb(poke, &poke_ops, NULL, 0200);
MODULE_PARM_DESC(poke, "write leak or twice (hold mode) to have the module act now");

static int cases_many(void)
{
	unsigned long i;

	for (i = 0; i < count; i++) {
		struct cases_link *l = kmalloc(sizeof(*l), GFP_KERNEL);

		if (!l)
			return -ENOMEM;
		l->next = held;
		held = l;
		cases_pace(i + 1);
	}
	return 0;
}

static void cases_release_many(void)
{
	unsigned long done = 0;

	while (held) {
		struct cases_link *l = held;

		held = l->next;
		kfree(l);
		cases_pace(++done);
	}
}

#define BULK_OBJS	8

static struct kmem_cache *bulk_cache;
static void *bulk[BULK_OBJS];

static int cases_bulk(void)
{
	bulk_cache = kmem_cache_create("kmlab_bulk", 96, 0, 0, NULL);
	if (!bulk_cache)
		return -ENOMEM;
	if (kmem_cache_alloc_bulk(bulk_cache, GFP_KERNEL, BULK_OBJS, bulk) !=
	    BULK_OBJS) {
		kmem_cache_destroy(bulk_cache);
		return -ENOMEM;
	}
	return 0;
}

static int __init cases_init(void)
{
	if (!strcmp(mode, "large")) {
		big = kmalloc(65536, GFP_KERNEL);
		obj = kmalloc(8192, GFP_KERNEL);
		if (!big || !obj) {
			kfree(big);
			kfree(obj);
			return -ENOMEM;
		}
		memset(big, 0x5a, 65536);
		return 0;
	}
	if (!strcmp(mode, "initfail")) {
		obj = kmalloc(64, GFP_KERNEL);
		pr_info("init allocated %p and fails on purpose\n", obj);
		return -ENODEV;
	}
	if (!strcmp(mode, "tailfree") || !strcmp(mode, "hold")) {
		obj = cases_hold();
		return obj ? 0 : -ENOMEM;
	}
	if (!strcmp(mode, "rcu")) {
		struct cases_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

		obj = o;
		return obj ? 0 : -ENOMEM;
	}
	if (!strcmp(mode, "timer")) {
		timer_setup(&cases_timer, cases_timer_fn, 0);
		mod_timer(&cases_timer, jiffies + 1);
		timer_armed = true;
		return 0;
	}
	if (!strcmp(mode, "busy")) {
		busy_task = kthread_run(cases_busy, NULL, "kmlab_busy");
		return PTR_ERR_OR_ZERO(busy_task);
	}
	if (!strcmp(mode, "many")) {
		int err = cases_many();

		if (err)
			cases_release_many();
		return err;
	}
	if (!strcmp(mode, "softfree"))
		return cases_softfree();
	if (!strcmp(mode, "flood")) {
		busy_task = kthread_run(cases_flood, NULL, "kmlab_flood");
		return PTR_ERR_OR_ZERO(busy_task);
	}
	if (!strcmp(mode, "bulk"))
		return cases_bulk();
	pr_err("unknown mode=%s: use tailfree, large, initfail, rcu, hold, timer, busy, many, softfree, flood or bulk\n",
	       mode);
	return -EINVAL;
}

static void __exit cases_exit(void)
{
	struct cases_obj *o = obj;

	if (soft_task) {
		del_timer_sync(&cases_timer);
		kthread_stop(soft_task);
		while (soft_left > 0)
			cases_soft_free();
	} else if (timer_armed) {
		del_timer_sync(&cases_timer);
		kfree(obj);
	} else if (busy_task) {
		kthread_stop(busy_task);
		/* its kfree_rcu()s must run before our text goes */
		rcu_barrier();
	} else if (!strcmp(mode, "large")) {
		kfree(big);
		kfree(obj);
	} else if (!strcmp(mode, "rcu")) {
		kfree_rcu(o, rcu);
	} else if (!strcmp(mode, "many")) {
		if (!leak)
			cases_release_many();
	} else if (!strcmp(mode, "bulk")) {
		size_t n = leak ? BULK_OBJS - 2 : BULK_OBJS;

		kmem_cache_free_bulk(bulk_cache, n, bulk);
		if (!leak)
			kmem_cache_destroy(bulk_cache);
	} else if (!strcmp(mode, "tailfree")) {
		cases_release(obj);
		/* the bug on purpose: a tail call, caught by slub_debug */
		cases_release(obj);
	} else {
		kfree(obj);
	}
}

module_init(cases_init);
module_exit(cases_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmlab test module: allocation cases that fooled observers");
