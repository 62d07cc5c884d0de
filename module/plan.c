// SPDX-License-Identifier: GPL-2.0
/*
 * A plan blob becomes the module's plan: checked by the IR checker
 * (ir_check.c, the same code `kmlab check` runs), then copied with the
 * checker's block matches and worst-case costs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/cpumask.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include "kmlab_dp.h"

struct kmlab_plan *kmlab_plan_parse(const void *blob, size_t len)
{
	struct kmlab_ir_check *c;
	struct kmlab_plan *p = NULL;
	int err = -ENOMEM;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->ncpus = num_possible_cpus();
	c->max_bytes = kmlab_max_bytes;
	if (kmlab_ir_check(blob, len, c)) {
		kmlab_refuse("%s", c->why);
		err = -EINVAL;
		goto out;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto out;
	p->blob = kmemdup(blob, len, GFP_KERNEL);
	memcpy(&p->hdr, blob, sizeof(p->hdr));
	p->match = kmemdup(c->match, max(p->hdr.nr_ops, 1U) * sizeof(u32),
			   GFP_KERNEL);
	if (!p->blob || !p->match)
		goto out;
	p->objs = p->blob + sizeof(p->hdr);
	p->ops = (void *)(p->objs + p->hdr.nr_objs);
	memcpy(p->cost, c->cost, sizeof(p->cost));
	kfree(c);
	return p;
out:
	kfree(c);
	kmlab_plan_free(p);
	return ERR_PTR(err);
}

void kmlab_plan_free(struct kmlab_plan *p)
{
	if (!p)
		return;
	kfree(p->match);
	kfree(p->blob);
	kfree(p);
}
