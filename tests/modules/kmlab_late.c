// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab_late: the bugs a driver author makes with memory after it is
 * gone or past its end, one per "mode", as plain driver code (no kmlab
 * in it).  Load it only on a kernel whose kmalloc caches have SLUB debug
 * (the lab boots slub_debug=FZPU): SLUB then catches and repairs each.
 *
 *  late_write  init frees a 128-byte state and delay_ms (20) later clears
 *              a field of it (offset 16, 8 bytes) through the stale pointer.
 *  late_read   ... reads that field instead.
 *  overflow    init fills a 100-byte buffer with 112 bytes; exit frees
 *              it.  SLUB sees the 12 extra bytes only where it keeps the
 *              requested size (6.2+, "kmalloc Redzone"): 6.1's red zone
 *              begins at 128.
 *  overflow_end  init writes 8 bytes just past a 128-byte buffer; exit
 *              frees it.  SLUB's right red zone, on every kernel.
 *  reuse       no bug: five times, allocates 128 bytes, uses and frees
 *              them, and waits delay_ms; SLUB hands the same slot out again
 *              (its checks write it under the module's kmalloc() call).
 *  free_again  a second free after another module took the slot (below).
 *  kfence_write, kfence_read, kfence_overflow  the same on an object KFENCE
 *              sampled (kfence.sample_interval=MS; init asks for up to 20 s).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kfence.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "kmlab_late.h"

static char *mode = "late_write";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "late_write, late_read, overflow, overflow_end, reuse, free_again, kfence_write, kfence_read or kfence_overflow");

static unsigned int delay_ms = 20;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "late_*: the time between the free and the use (default 20)");

struct late_state {
	u64 magic;
	u64 flags;
	u64 count;		/* offset 16: the field used after the free */
	char rest[104];
};

static void *buf;

static noinline void late_use(struct late_state *st, bool write)
{
	msleep(delay_ms);
	if (write)
		WRITE_ONCE(st->count, 0);
	else
		pr_info("stale count %llx\n", READ_ONCE(st->count));
}

/* as a driver's copy loop would: no size the compiler could check */
static noinline void fill(void *p, int c, size_t len)
{
	OPTIMIZER_HIDE_VAR(p);
	memset(p, c, len);
}

/*
 * KFENCE takes one allocation per sample interval, whoever makes it: ask
 * often enough to be the one, slowly enough not to flood anyone.
 */
static void *kfence_kmalloc(size_t size)
{
	unsigned long until = jiffies + 20 * HZ;
	void *p;

	while (time_before(jiffies, until)) {
		p = kmalloc(size, GFP_KERNEL);
		if (!p || is_kfence_address(p))
			return p;
		kfree(p);
		usleep_range(2000, 4000);
	}
	pr_err("KFENCE handed out no object in 20 s: boot with kfence.sample_interval=100\n");
	return NULL;
}

static int kfence_mode(void)
{
	struct late_state *st;

	if (!IS_ENABLED(CONFIG_KFENCE)) {
		pr_err("this kernel has no KFENCE (CONFIG_KFENCE)\n");
		return -ENODEV;
	}

	if (!strcmp(mode, "kfence_overflow")) {
		buf = kfence_kmalloc(100);
		if (!buf)
			return -ENODEV;
		fill(buf, 0x41, 112);
		return 0;
	}
	st = kfence_kmalloc(sizeof(*st));
	if (!st)
		return -ENODEV;
	st->count = 1;
	kfree(st);
	late_use(st, mode[7] == 'w');
	return 0;
}

static int __init late_init(void)
{
	struct late_state *st;

	if (!strcmp(mode, "reuse")) {
		int i;

		for (i = 0; i < 5; i++) {
			st = kmalloc(sizeof(*st), GFP_KERNEL);
			if (!st)
				return -ENOMEM;
			st->count = i;
			fill(st->rest, i, sizeof(st->rest));
			kfree(st);
			msleep(delay_ms);
		}
		return 0;
	}
	if (!strcmp(mode, "kfence_write") || !strcmp(mode, "kfence_read") ||
	    !strcmp(mode, "kfence_overflow"))
		return kfence_mode();

	if (!strcmp(mode, "late_write") || !strcmp(mode, "late_read")) {
		st = kzalloc(sizeof(*st), GFP_KERNEL);
		if (!st)
			return -ENOMEM;
		st->count = 1;
		kfree(st);
		late_use(st, mode[5] == 'w');
		return 0;
	}
	if (!strcmp(mode, "overflow")) {
		buf = kmalloc(100, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		fill(buf, 0x41, 112);
		return 0;
	}
	if (!strcmp(mode, "overflow_end")) {
		buf = kmalloc(128, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		fill(buf, 0x42, 136);
		return 0;
	}
	if (!strcmp(mode, "free_again")) {
		buf = kmalloc(128, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		kfree(buf);
		/* for kmlab_tenant take=: the test module's own address */
		pr_info("freed %px\n", buf);
		return 0;
	}
	pr_err("unknown mode '%s': late_write, late_read, overflow, overflow_end, reuse, free_again or kfence_*\n",
	       mode);
	return -EINVAL;
}

/*
 * free_again: init frees a 128-byte buffer and keeps the pointer;
 * kmlab_tenant take=ADDR is handed the slot, frees it, and right away
 * (so that nobody takes the slot in between) calls this, which frees the
 * stale pointer again.  SLUB refuses it ("Object already free"); the
 * observer's free record ended when the slot was handed out.  Not a tail
 * call: the module's frame must be on SLUB's stack.
 */
void kmlab_late_free_again(void)
{
	kfree(buf);
	buf = NULL;
	pr_info("freed again\n");
}
EXPORT_SYMBOL_GPL(kmlab_late_free_again);

static void __exit late_exit(void)
{
	kfree(buf);
}

module_init(late_init);
module_exit(late_exit);
MODULE_DESCRIPTION("kmlab test: late accesses and overflows as drivers make them");
MODULE_LICENSE("GPL");
