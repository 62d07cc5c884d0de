// SPDX-License-Identifier: GPL-2.0
/*
 * IR check: the loader already verified the plan, but the module trusts
 * nothing written to it.  Every rule of kmlab/ir.h is checked here, and
 * the worst case (bytes allocated, ops executed, with every repeat
 * multiplied out) is bounded before anything runs.
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

#define bad_op(i, op, fmt, ...) \
	kmlab_refuse("plan: op %u (line %u): " fmt, (i), (op)->line, \
		     ##__VA_ARGS__)

struct check_ctx {
	u32 open[KMLAB_MAX_DEPTH];	/* indices of the open blocks */
	int depth;
	int atomic;			/* open atomic blocks */
	struct kmlab_ir_bound bound;	/* the worst case, shared with the checker */
};

/* The family an allocating op gives its object; FAM_NONE: not an alloc. */
static u32 alloc_family(u16 code)
{
	return kmlab_op_class(code) == KMLAB_OPC_ALLOC ?
	       kmlab_op_family(code) : KMLAB_FAM_NONE;
}

/* frees of an object (a cache is destroyed instead) */
static bool is_free(u16 code)
{
	return kmlab_op_class(code) == KMLAB_OPC_FREE;
}

static int check_gfp(u32 i, const struct kmlab_ir_op *op)
{
	u32 fam = alloc_family(op->code);

	if (!kmlab_op_takes_gfp(op->code)) {
		/* vmalloc and cache creation sleep: GFP_KERNEL is implied */
		if (op->gfp && !((fam == KMLAB_FAM_VMALLOC ||
				  fam == KMLAB_FAM_SLAB) &&
				 op->gfp == KMLAB_GFP_KERNEL)) {
			bad_op(i, op, "gfp 0x%x on an op that takes no gfp: set it to 0",
			       op->gfp);
			return -EINVAL;
		}
		return 0;
	}
	if (op->gfp & ~KMLAB_GFP_ALL) {
		bad_op(i, op, "unknown gfp bits 0x%x: use KMLAB_GFP_* only",
		       op->gfp & ~KMLAB_GFP_ALL);
		return -EINVAL;
	}
	if (hweight32(op->gfp & KMLAB_GFP_BASE) != 1) {
		bad_op(i, op, "gfp 0x%x needs exactly one of KERNEL, ATOMIC, NOWAIT",
		       op->gfp);
		return -EINVAL;
	}
	if ((op->gfp & KMLAB_GFP_DMA32) && fam != KMLAB_FAM_PAGES &&
	    fam != KMLAB_FAM_GFP_PAGES && fam != KMLAB_FAM_PAGES_EXACT) {
		bad_op(i, op, "GFP_DMA32 is for page allocations only (slab would warn): drop it");
		return -EINVAL;
	}
	return 0;
}

static int check_size(u32 i, const struct kmlab_ir_op *op)
{
	u64 max, size = op->size;

	switch (op->code) {
	case KMLAB_OP_KCALLOC:
		if (!op->count || !size) {
			bad_op(i, op, "kcalloc(%u, %llu) is empty: use count and size >= 1",
			       op->count, op->size);
			return -EINVAL;
		}
		/*
		 * n * size overflowing is the failed-allocation lesson:
		 * kcalloc() returns NULL before it reaches the allocator.
		 */
		if (check_mul_overflow(size, (u64)op->count, &size))
			return 0;
		fallthrough;
	case KMLAB_OP_KMALLOC:
	case KMLAB_OP_KZALLOC:
	case KMLAB_OP_KREALLOC:
	case KMLAB_OP_CACHE_CREATE:
	case KMLAB_OP_PAGES_EXACT:
		max = KMLAB_MAX_KMALLOC;
		break;
	case KMLAB_OP_KVMALLOC:
		max = (op->gfp & KMLAB_GFP_KERNEL) ? KMLAB_MAX_VMALLOC :
						     KMLAB_MAX_KMALLOC;
		break;
	case KMLAB_OP_VMALLOC:
	case KMLAB_OP_VZALLOC:
		max = KMLAB_MAX_VMALLOC;
		break;
	case KMLAB_OP_ALLOC_PERCPU:
		max = KMLAB_MAX_PERCPU;
		break;
	case KMLAB_OP_ALLOC_PAGES:
	case KMLAB_OP_GET_FREE_PAGES:
		if (size > KMLAB_MAX_ORDER) {
			bad_op(i, op, "order %llu is above %d: ask for a smaller order",
			       size, KMLAB_MAX_ORDER);
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}
	if (size < 1 || size > max) {
		bad_op(i, op, "size %llu is out of range for this allocator: use 1..%llu bytes",
		       size, max);
		return -EINVAL;
	}
	if (op->code != KMLAB_OP_CACHE_CREATE)
		return 0;
	if (op->off > PAGE_SIZE || (op->off && !is_power_of_2(op->off))) {
		bad_op(i, op, "cache align %llu is not 0 or a power of two <= %lu",
		       op->off, PAGE_SIZE);
		return -EINVAL;
	}
	/*
	 * kmem_cache_create() fails, with a stack dump, when the object and
	 * SLUB's debug metadata (which slub_debug= may add to any cache)
	 * outgrow the biggest slab.
	 */
	if (kmlab_slab_debug_size(size, op->off, op->slab) > KMLAB_MAX_SLAB) {
		bad_op(i, op, "a cache of %llu-byte objects takes %llu bytes per object with SLUB's debug metadata, more than the biggest slab (%llu bytes, order %d): use smaller objects, or pages",
		       size, kmlab_slab_debug_size(size, op->off, op->slab),
		       KMLAB_MAX_SLAB, KMLAB_MAX_ORDER);
		return -EINVAL;
	}
	return 0;
}

/* Object and argument indices exist and have the family the op needs. */
static int check_objs(const struct kmlab_plan *p, u32 i,
		      const struct kmlab_ir_op *op)
{
	u32 fam = alloc_family(op->code), ofam;

	if (!kmlab_op_has_obj(op->code))
		return 0;
	if (op->obj >= p->hdr.nr_objs) {
		bad_op(i, op, "object index %u is past the %u objects",
		       op->obj, p->hdr.nr_objs);
		return -EINVAL;
	}
	ofam = p->objs[op->obj].family;
	if (fam != KMLAB_FAM_NONE && ofam != fam) {
		bad_op(i, op, "object %s is %s but this op makes %s objects",
		       p->objs[op->obj].name, kmlab_family_name(ofam),
		       kmlab_family_name(fam));
		return -EINVAL;
	}
	if ((is_free(op->code) || op->code == KMLAB_OP_READ ||
	     op->code == KMLAB_OP_WRITE) && ofam == KMLAB_FAM_SLAB) {
		bad_op(i, op, "object %s is a cache: use CACHE_DESTROY for it",
		       p->objs[op->obj].name);
		return -EINVAL;
	}
	if (op->code == KMLAB_OP_CACHE_DESTROY && ofam != KMLAB_FAM_SLAB) {
		bad_op(i, op, "object %s is not a cache: only caches are destroyed",
		       p->objs[op->obj].name);
		return -EINVAL;
	}
	if (op->code == KMLAB_OP_CACHE_ALLOC ||
	    op->code == KMLAB_OP_CACHE_FREE) {
		if (op->arg >= p->hdr.nr_objs ||
		    p->objs[op->arg].family != KMLAB_FAM_SLAB) {
			bad_op(i, op, "cache argument %u is not a cache object",
			       op->arg);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_access(u32 i, const struct kmlab_ir_op *op)
{
	u64 end;

	if (op->code != KMLAB_OP_WRITE && op->code != KMLAB_OP_READ) {
		if (is_free(op->code) && op->off >= KMLAB_MAX_VMALLOC) {
			bad_op(i, op, "free offset %llu is beyond any object",
			       op->off);
			return -EINVAL;
		}
		return 0;
	}
	if (!op->len || check_add_overflow(op->off, op->len, &end) ||
	    end > KMLAB_MAX_VMALLOC) {
		bad_op(i, op, "access [%llu, +%llu) is empty, overflows or is beyond any object",
		       op->off, op->len);
		return -EINVAL;
	}
	return 0;
}

/* Blocks nest, stay in one phase, and the worst case stays bounded. */
static int check_block(struct kmlab_plan *p, struct check_ctx *c, u32 i,
		       const struct kmlab_ir_op *op)
{
	u32 open;
	u16 want;

	if (c->depth && p->ops[c->open[c->depth - 1]].phase != op->phase) {
		bad_op(i, op, "phase %u inside a block opened in phase %u: close blocks within their phase",
		       op->phase, p->ops[c->open[c->depth - 1]].phase);
		return -EINVAL;
	}
	switch (op->code) {
	case KMLAB_OP_REPEAT:
	case KMLAB_OP_ATOMIC:
		if (c->depth == KMLAB_MAX_DEPTH) {
			bad_op(i, op, "blocks nest deeper than %d: flatten the plan",
			       KMLAB_MAX_DEPTH);
			return -EINVAL;
		}
		if (op->code == KMLAB_OP_REPEAT && op->count > KMLAB_MAX_REPEAT) {
			bad_op(i, op, "repeat count %u is above %d",
			       op->count, KMLAB_MAX_REPEAT);
			return -EINVAL;
		}
		if (op->code == KMLAB_OP_ATOMIC &&
		    op->arg != KMLAB_ATOMIC_SPINLOCK &&
		    op->arg != KMLAB_ATOMIC_IRQOFF) {
			bad_op(i, op, "atomic kind %u is unknown: use spinlock (1) or irqoff (2)",
			       op->arg);
			return -EINVAL;
		}
		if (op->code == KMLAB_OP_ATOMIC)
			c->atomic++;
		c->open[c->depth++] = i;
		return 0;
	case KMLAB_OP_REPEAT_END:
	case KMLAB_OP_ATOMIC_END:
		want = op->code == KMLAB_OP_REPEAT_END ? KMLAB_OP_REPEAT :
							 KMLAB_OP_ATOMIC;
		if (!c->depth || p->ops[c->open[c->depth - 1]].code != want) {
			bad_op(i, op, "end of a block that is not open: balance repeat/atomic blocks");
			return -EINVAL;
		}
		open = c->open[--c->depth];
		p->match[open] = i;
		p->match[i] = open;
		if (op->code == KMLAB_OP_ATOMIC_END)
			c->atomic--;
		return 0;
	case KMLAB_OP_PAUSE:
		if (op->count > KMLAB_MAX_PAUSE_MS || c->atomic) {
			bad_op(i, op, "pause of %u ms is above %d or inside an atomic section",
			       op->count, KMLAB_MAX_PAUSE_MS);
			return -EINVAL;
		}
		return 0;
	}
	return 0;
}

static int check_op(struct kmlab_plan *p, struct check_ctx *c, u32 i)
{
	const struct kmlab_ir_op *op = &p->ops[i];
	int err;

	if (!kmlab_op_known(op->code)) {
		bad_op(i, op, "opcode %u is unknown: rebuild the plan with this kmlab",
		       op->code);
		return -EINVAL;
	}
	if (op->phase >= KMLAB_PHASE_MAX) {
		bad_op(i, op, "phase %u is unknown", op->phase);
		return -EINVAL;
	}
	if (op->flags & ~KMLAB_OPF_HAZARD) {
		bad_op(i, op, "unknown flags 0x%x", op->flags);
		return -EINVAL;
	}
	if (op->slab & ~(op->code == KMLAB_OP_CACHE_CREATE ? KMLAB_SLAB_ALL : 0)) {
		bad_op(i, op, "slab flags 0x%x: only kmem_cache_create takes them, KMLAB_SLAB_* only",
		       op->slab);
		return -EINVAL;
	}
	err = check_objs(p, i, op);
	if (!err)
		err = check_gfp(i, op);
	if (!err)
		err = check_size(i, op);
	if (!err)
		err = check_access(i, op);
	if (!err)
		err = check_block(p, c, i, op);
	if (err)
		return err;

	/* the worst case, walked as `kmlab check` walks it (kmlab/ir.h) */
	switch (kmlab_ir_bound_op(&c->bound, op)) {
	case KMLAB_BOUND_OK:
		return 0;
	case KMLAB_BOUND_STEPS:
		bad_op(i, op, "the %s phase would run more than %llu ops, every repeat multiplied out: use fewer repeats",
		       kmlab_phase_name(op->phase), KMLAB_MAX_STEPS);
		break;
	case KMLAB_BOUND_ATOMIC:
		bad_op(i, op, "more than %llu ops would run inside atomic sections, so long that the lockup detector fires: use fewer repeats there",
		       KMLAB_MAX_ATOMIC_STEPS);
		break;
	case KMLAB_BOUND_BYTES:
		bad_op(i, op, "the %s phase may allocate %llu bytes, every repeat multiplied out, more than max_bytes=%lu: allocate less or raise the max_bytes parameter",
		       kmlab_phase_name(op->phase),
		       c->bound.bytes[op->phase], kmlab_max_bytes);
		break;
	default:
		bad_op(i, op, "blocks nest deeper than %d or do not balance: rebuild the plan with this kmlab",
		       KMLAB_MAX_DEPTH);
		break;
	}
	return -EINVAL;
}

static int check_header(const struct kmlab_ir_header *h, size_t len)
{
	size_t want;
	int i;

	if (len < sizeof(*h)) {
		kmlab_refuse("plan: blob of %zu bytes is shorter than its header: write the whole blob in one write()",
			     len);
		return -EINVAL;
	}
	if (h->magic != KMLAB_IR_MAGIC || h->version != KMLAB_IR_VERSION) {
		kmlab_refuse("plan: magic 0x%x version %u, want 0x%x version %d: rebuild the plan with this kmlab",
			     h->magic, h->version, KMLAB_IR_MAGIC, KMLAB_IR_VERSION);
		return -EINVAL;
	}
	if (h->nr_objs > KMLAB_MAX_OBJS || h->nr_ops > KMLAB_MAX_OPS ||
	    h->reserved) {
		kmlab_refuse("plan: %u objects, %u ops, reserved %u: at most %d objects and %d ops, reserved 0",
			     h->nr_objs, h->nr_ops, h->reserved, KMLAB_MAX_OBJS,
			     KMLAB_MAX_OPS);
		return -EINVAL;
	}
	want = sizeof(*h) + h->nr_objs * sizeof(struct kmlab_ir_obj) +
	       h->nr_ops * sizeof(struct kmlab_ir_op);
	if (h->size != len || want != len) {
		kmlab_refuse("plan: header says %u bytes, counts give %zu, %zu were written: write exactly one whole blob",
			     h->size, want, len);
		return -EINVAL;
	}
	for (i = 0; i < KMLAB_NAME_LEN && h->plan[i]; i++) {
		if (!isgraph(h->plan[i]))
			break;
	}
	if (i == KMLAB_NAME_LEN || h->plan[i] ||
	    memchr_inv(h->plan + i, 0, KMLAB_NAME_LEN - i)) {
		kmlab_refuse("plan: plan name is not a NUL-padded printable string of at most %d characters",
			     KMLAB_NAME_LEN - 1);
		return -EINVAL;
	}
	return 0;
}

static int check_objs_table(const struct kmlab_plan *p)
{
	u32 i, j;

	for (i = 0; i < p->hdr.nr_objs; i++) {
		const struct kmlab_ir_obj *o = &p->objs[i];

		if (!kmlab_valid_name(o->name, KMLAB_NAME_LEN)) {
			kmlab_refuse("plan: object %u (line %u): name is not a NUL-padded C identifier of at most %d characters",
				     i, o->line, KMLAB_NAME_LEN - 1);
			return -EINVAL;
		}
		if (o->family == KMLAB_FAM_NONE || o->family >= KMLAB_FAM_MAX) {
			kmlab_refuse("plan: object %s (line %u): family %u is unknown",
				     o->name, o->line, o->family);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(p->objs[j].name, o->name)) {
				kmlab_refuse("plan: object %s (line %u) is declared twice: rename one",
					     o->name, o->line);
				return -EINVAL;
			}
		}
	}
	return 0;
}

struct kmlab_plan *kmlab_plan_parse(const void *blob, size_t len)
{
	struct kmlab_plan *p;
	struct check_ctx *c;
	int err = -EINVAL;
	u32 i;

	if (check_header(blob, len))
		return ERR_PTR(-EINVAL);
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!p || !c)
		goto err_nomem;
	p->blob = kmemdup(blob, len, GFP_KERNEL);
	memcpy(&p->hdr, blob, sizeof(p->hdr));
	p->match = kcalloc(max(p->hdr.nr_ops, 1U), sizeof(u32), GFP_KERNEL);
	if (!p->blob || !p->match)
		goto err_nomem;
	p->objs = p->blob + sizeof(p->hdr);
	p->ops = (void *)(p->objs + p->hdr.nr_objs);

	err = check_objs_table(p);
	if (err)
		goto err_free;
	kmlab_ir_bound_init(&c->bound, p->ops, p->hdr.nr_ops,
			    num_possible_cpus(), kmlab_max_bytes);
	for (i = 0; i < p->hdr.nr_ops; i++) {
		err = check_op(p, c, i);
		if (err)
			goto err_free;
	}
	if (c->depth) {
		i = c->open[c->depth - 1];
		bad_op(i, &p->ops[i], "block is never closed: add its end");
		err = -EINVAL;
		goto err_free;
	}
	memcpy(p->cost, c->bound.bytes, sizeof(p->cost));
	if (kmlab_ir_bound_end(&c->bound)) {
		kmlab_refuse("plan: the phases together may allocate %llu bytes, every repeat multiplied out, above max_bytes=%lu: allocate less or raise max_bytes",
			     p->cost[0] + p->cost[1] + p->cost[2],
			     kmlab_max_bytes);
		err = -EINVAL;
		goto err_free;
	}
	kfree(c);
	return p;

err_nomem:
	err = -ENOMEM;
err_free:
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
