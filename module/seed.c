// SPDX-License-Identifier: GPL-2.0
/*
 * Seed buffers: insmod kmlab_dp.ko names="a,b" values=1024,4096 kmallocs
 * each named buffer at load and kfrees it at unload.  Built with
 * -DKMLAB_LEAKY (kmlab_leaky.ko), the unload forgets the last buffer: a
 * real module leak for the observer to find.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "kmlab_dp.h"

/* Kbuild defines KMLAB_LEAKY for leaky_seed.o (kmlab_leaky.ko) */
#ifdef KMLAB_LEAKY
#define SEED_FORGETS_LAST	true
#else
#define SEED_FORGETS_LAST	false
#endif

static char *names;
module_param(names, charp, 0444);
MODULE_PARM_DESC(names, "comma-separated names of seed buffers");

static unsigned long values[KMLAB_MAX_OBJS];
static int nr_values;
module_param_array(values, ulong, &nr_values, 0444);
MODULE_PARM_DESC(values, "size in bytes of each seed buffer");

static struct {
	char name[KMLAB_NAME_LEN];
	void *ptr;
	size_t size;
} seed[KMLAB_MAX_OBJS];
static int nr_seed;

static void seed_emit(int i, u16 op, u16 phase)
{
	struct kmlab_step s = {
		.ptr = (unsigned long)seed[i].ptr,
		.size = seed[i].size,
		.obj = i,
		.op = op,
		.family = KMLAB_FAM_KMALLOC,
		.phase = phase,
		.name = seed[i].name,
	};

	if (phase == KMLAB_PHASE_LOAD)
		s.flags = KMLAB_STEP_INIT;
	kmlab_emit(&s);
}

/* Split names into seed[] and check it against values[]. */
static int seed_parse(void)
{
	char *p = names;
	int i;

	while (p && *p) {
		char *comma = strchr(p, ',');
		size_t n = comma ? comma - p : strlen(p);

		if (nr_seed == KMLAB_MAX_OBJS) {
			pr_err("more than %d names in names=: pass fewer buffers\n",
			       KMLAB_MAX_OBJS);
			return -EINVAL;
		}
		if (n == 0 || n >= KMLAB_NAME_LEN) {
			pr_err("name %d in names= is empty or longer than %d characters: use a C identifier of 1..%d characters\n",
			       nr_seed + 1, KMLAB_NAME_LEN - 1,
			       KMLAB_NAME_LEN - 1);
			return -EINVAL;
		}
		memcpy(seed[nr_seed].name, p, n);
		seed[nr_seed].name[n] = '\0';
		if (!kmlab_valid_name(seed[nr_seed].name, KMLAB_NAME_LEN)) {
			pr_err("name \"%s\" in names= is not a C identifier: use letters, digits and _, not starting with a digit\n",
			       seed[nr_seed].name);
			return -EINVAL;
		}
		for (i = 0; i < nr_seed; i++) {
			if (!strcmp(seed[i].name, seed[nr_seed].name)) {
				pr_err("name \"%s\" appears twice in names=: give each buffer its own name\n",
				       seed[i].name);
				return -EINVAL;
			}
		}
		nr_seed++;
		p = comma ? comma + 1 : NULL;
	}
	if (nr_seed != nr_values) {
		pr_err("names= has %d names but values= has %d sizes: give one size per name\n",
		       nr_seed, nr_values);
		return -EINVAL;
	}
	for (i = 0; i < nr_seed; i++) {
		if (values[i] < 1 || values[i] > KMALLOC_MAX_SIZE) {
			pr_err("size %lu of \"%s\" is out of range: use 1..%lu bytes\n",
			       values[i], seed[i].name, KMALLOC_MAX_SIZE);
			return -EINVAL;
		}
		seed[i].size = values[i];
	}
	return 0;
}

int kmlab_seed_init(void)
{
	int i, err;

	err = seed_parse();
	if (err)
		return err;
	for (i = 0; i < nr_seed; i++) {
		seed[i].ptr = kmalloc(seed[i].size, GFP_KERNEL);
		/* on failure the allocator has already logged it */
		if (!seed[i].ptr)
			goto err_free;
		pr_info("seed: kmalloc %s size=%zu\n", seed[i].name,
			seed[i].size);
		seed_emit(i, KMLAB_OP_KMALLOC, KMLAB_PHASE_LOAD);
	}
	return 0;

err_free:
	while (--i >= 0) {
		seed_emit(i, KMLAB_OP_KFREE, KMLAB_PHASE_LOAD);
		kfree(seed[i].ptr);
		seed[i].ptr = NULL;
	}
	return -ENOMEM;
}

void kmlab_seed_exit(void)
{
	int i, last = nr_seed;

	/* the leaky build forgets its last buffer, like a buggy driver */
	if (SEED_FORGETS_LAST && nr_seed > 0)
		last = nr_seed - 1;
	for (i = 0; i < last; i++) {
		/* the event goes out before the free: ptr is still valid */
		seed_emit(i, KMLAB_OP_KFREE, KMLAB_PHASE_UNLOAD);
		pr_info("seed: kfree %s size=%zu\n", seed[i].name,
			seed[i].size);
		kfree(seed[i].ptr);
		seed[i].ptr = NULL;
	}
}
