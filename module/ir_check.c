// SPDX-License-Identifier: GPL-2.0
/*
 * The IR checker (include/kmlab/ir_check.h): the loader already checked
 * the plan, but the module trusts nothing written to it.  Every rule of
 * kmlab/ir.h is checked here, and the worst case (bytes allocated, ops
 * executed, with every repeat multiplied out) is bounded before
 * anything runs.  The same file is compiled into `kmlab check` and the
 * fuzzers, so what the loader compiles the kernel accepts: kernel C
 * with nothing the host lacks (the few kernel helpers are below).
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#else
#include "kernel_host.h"	/* the loader's: these helpers in user space */
#endif
#include "kmlab/ir_check.h"

static __printf(2, 3) void refuse(struct kmlab_ir_check *c,
				  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* why, the op and its line: "plan: op 3 (line 7): ..." */
#define bad_op(c, i, o, fmt, ...) do {					\
	(c)->op = (i);							\
	(c)->line = (o)->line;						\
	refuse(c, "plan: op %u (line %u): " fmt, (i), (o)->line,	\
	       ##__VA_ARGS__);						\
} while (0)

static bool all_zero(const char *s, size_t n)
{
	while (n--)
		if (*s++)
			return false;
	return true;
}

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

static int check_gfp(struct kmlab_ir_check *c, u32 i,
		     const struct kmlab_ir_op *op)
{
	u32 fam = alloc_family(op->code);

	if (!kmlab_op_takes_gfp(op->code)) {
		/* vmalloc and cache creation sleep: GFP_KERNEL is implied */
		if (op->gfp && !((fam == KMLAB_FAM_VMALLOC ||
				  fam == KMLAB_FAM_SLAB) &&
				 op->gfp == KMLAB_GFP_KERNEL)) {
			bad_op(c, i, op, "gfp 0x%x on an op that takes no gfp: set it to 0",
			       op->gfp);
			return -EINVAL;
		}
		return 0;
	}
	if (op->gfp & ~KMLAB_GFP_ALL) {
		bad_op(c, i, op, "unknown gfp bits 0x%x: use KMLAB_GFP_* only",
		       op->gfp & ~KMLAB_GFP_ALL);
		return -EINVAL;
	}
	if (hweight32(op->gfp & KMLAB_GFP_BASE) != 1) {
		bad_op(c, i, op, "gfp 0x%x needs exactly one of KERNEL, ATOMIC, NOWAIT",
		       op->gfp);
		return -EINVAL;
	}
	if ((op->gfp & KMLAB_GFP_DMA32) && fam != KMLAB_FAM_PAGES &&
	    fam != KMLAB_FAM_GFP_PAGES && fam != KMLAB_FAM_PAGES_EXACT) {
		bad_op(c, i, op, "GFP_DMA32 is for page allocations only (slab would warn): drop it");
		return -EINVAL;
	}
	return 0;
}

static int check_size(struct kmlab_ir_check *c, u32 i,
		      const struct kmlab_ir_op *op)
{
	u64 max, size = op->size;

	switch (op->code) {
	case KMLAB_OP_KCALLOC:
		if (!op->count || !size) {
			bad_op(c, i, op, "kcalloc(%u, %llu) is empty: use count and size >= 1",
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
			bad_op(c, i, op, "order %llu is above %d: ask for a smaller order",
			       size, KMLAB_MAX_ORDER);
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}
	if (size < 1 || size > max) {
		bad_op(c, i, op, "size %llu is out of range for this allocator: use 1..%llu bytes",
		       size, max);
		return -EINVAL;
	}
	if (op->code != KMLAB_OP_CACHE_CREATE)
		return 0;
	if (op->off > KMLAB_PAGE_SIZE || (op->off & (op->off - 1))) {
		bad_op(c, i, op, "cache align %llu is not 0 or a power of two <= %llu",
		       op->off, KMLAB_PAGE_SIZE);
		return -EINVAL;
	}
	/*
	 * kmem_cache_create() fails, with a stack dump, when the object and
	 * SLUB's debug metadata (which slub_debug= may add to any cache)
	 * outgrow the biggest slab.
	 */
	if (kmlab_slab_debug_size(size, op->off, op->slab) > KMLAB_MAX_SLAB) {
		bad_op(c, i, op, "a cache of %llu-byte objects takes %llu bytes per object with SLUB's debug metadata, more than the biggest slab (%llu bytes, order %d): use smaller objects, or pages",
		       size, kmlab_slab_debug_size(size, op->off, op->slab),
		       KMLAB_MAX_SLAB, KMLAB_MAX_ORDER);
		return -EINVAL;
	}
	return 0;
}

/* Object and argument indices exist and have the family the op needs. */
static int check_objs(struct kmlab_ir_check *c, u32 i,
		      const struct kmlab_ir_op *op)
{
	u32 fam = alloc_family(op->code), ofam;

	if (!kmlab_op_has_obj(op->code))
		return 0;
	if (op->obj >= c->hdr->nr_objs) {
		bad_op(c, i, op, "object index %u is past the %u objects",
		       op->obj, c->hdr->nr_objs);
		return -EINVAL;
	}
	ofam = c->objs[op->obj].family;
	if (fam != KMLAB_FAM_NONE && ofam != fam) {
		bad_op(c, i, op, "object %s is %s but this op makes %s objects",
		       c->objs[op->obj].name, kmlab_family_name(ofam),
		       kmlab_family_name(fam));
		return -EINVAL;
	}
	if ((is_free(op->code) || op->code == KMLAB_OP_READ ||
	     op->code == KMLAB_OP_WRITE) && ofam == KMLAB_FAM_SLAB) {
		bad_op(c, i, op, "object %s is a cache: use CACHE_DESTROY for it",
		       c->objs[op->obj].name);
		return -EINVAL;
	}
	if (op->code == KMLAB_OP_CACHE_DESTROY && ofam != KMLAB_FAM_SLAB) {
		bad_op(c, i, op, "object %s is not a cache: only caches are destroyed",
		       c->objs[op->obj].name);
		return -EINVAL;
	}
	if (op->code == KMLAB_OP_CACHE_ALLOC ||
	    op->code == KMLAB_OP_CACHE_FREE) {
		if (op->arg >= c->hdr->nr_objs ||
		    c->objs[op->arg].family != KMLAB_FAM_SLAB) {
			bad_op(c, i, op, "cache argument %u is not a cache object",
			       op->arg);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_access(struct kmlab_ir_check *c, u32 i,
			const struct kmlab_ir_op *op)
{
	u64 end;

	if (op->code != KMLAB_OP_WRITE && op->code != KMLAB_OP_READ) {
		if (is_free(op->code) && op->off >= KMLAB_MAX_VMALLOC) {
			bad_op(c, i, op, "free offset %llu is beyond any object",
			       op->off);
			return -EINVAL;
		}
		return 0;
	}
	if (!op->len || check_add_overflow(op->off, op->len, &end) ||
	    end > KMLAB_MAX_VMALLOC) {
		bad_op(c, i, op, "access [%llu, +%llu) is empty, overflows or is beyond any object",
		       op->off, op->len);
		return -EINVAL;
	}
	return 0;
}

/* Blocks nest, stay in one phase, and the worst case stays bounded. */
static int check_block(struct kmlab_ir_check *c, u32 i,
		       const struct kmlab_ir_op *op)
{
	u32 open;
	u16 want;

	if (c->depth && c->ops[c->open[c->depth - 1]].phase != op->phase) {
		bad_op(c, i, op, "phase %u inside a block opened in phase %u: close blocks within their phase",
		       op->phase, c->ops[c->open[c->depth - 1]].phase);
		return -EINVAL;
	}
	switch (op->code) {
	case KMLAB_OP_REPEAT:
	case KMLAB_OP_ATOMIC:
		if (c->depth == KMLAB_MAX_DEPTH) {
			bad_op(c, i, op, "blocks nest deeper than %d: flatten the plan",
			       KMLAB_MAX_DEPTH);
			return -EINVAL;
		}
		if (op->code == KMLAB_OP_REPEAT && op->count > KMLAB_MAX_REPEAT) {
			bad_op(c, i, op, "repeat count %u is above %d",
			       op->count, KMLAB_MAX_REPEAT);
			return -EINVAL;
		}
		if (op->code == KMLAB_OP_ATOMIC &&
		    op->arg != KMLAB_ATOMIC_SPINLOCK &&
		    op->arg != KMLAB_ATOMIC_IRQOFF) {
			bad_op(c, i, op, "atomic kind %u is unknown: use spinlock (1) or irqoff (2)",
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
		if (!c->depth || c->ops[c->open[c->depth - 1]].code != want) {
			bad_op(c, i, op, "end of a block that is not open: balance repeat/atomic blocks");
			return -EINVAL;
		}
		open = c->open[--c->depth];
		c->match[open] = i;
		c->match[i] = open;
		if (op->code == KMLAB_OP_ATOMIC_END)
			c->atomic--;
		return 0;
	case KMLAB_OP_PAUSE:
		if (op->count > KMLAB_MAX_PAUSE_MS || c->atomic) {
			bad_op(c, i, op, "pause of %u ms is above %d or inside an atomic section",
			       op->count, KMLAB_MAX_PAUSE_MS);
			return -EINVAL;
		}
		return 0;
	}
	return 0;
}

static int check_op(struct kmlab_ir_check *c, u32 i)
{
	const struct kmlab_ir_op *op = &c->ops[i];
	int err;

	if (!kmlab_op_known(op->code)) {
		bad_op(c, i, op, "opcode %u is unknown: rebuild the plan with this kmlab",
		       op->code);
		return -EINVAL;
	}
	if (op->phase >= KMLAB_PHASE_MAX) {
		bad_op(c, i, op, "phase %u is unknown", op->phase);
		return -EINVAL;
	}
	if (op->flags & ~KMLAB_OPF_HAZARD) {
		bad_op(c, i, op, "unknown flags 0x%x", op->flags);
		return -EINVAL;
	}
	if (op->slab & ~(op->code == KMLAB_OP_CACHE_CREATE ? KMLAB_SLAB_ALL : 0)) {
		bad_op(c, i, op, "slab flags 0x%x: only kmem_cache_create takes them, KMLAB_SLAB_* only",
		       op->slab);
		return -EINVAL;
	}
	err = check_objs(c, i, op);
	if (!err)
		err = check_gfp(c, i, op);
	if (!err)
		err = check_size(c, i, op);
	if (!err)
		err = check_access(c, i, op);
	if (!err)
		err = check_block(c, i, op);
	if (err)
		return err;

	/* the worst case, walked as `kmlab check` walks it (kmlab/ir.h) */
	switch (kmlab_ir_bound_op(&c->bound, op)) {
	case KMLAB_BOUND_OK:
		return 0;
	case KMLAB_BOUND_STEPS:
		bad_op(c, i, op, "the %s phase would run more than %llu ops, every repeat multiplied out: use fewer repeats",
		       kmlab_phase_name(op->phase), KMLAB_MAX_STEPS);
		break;
	case KMLAB_BOUND_ATOMIC:
		bad_op(c, i, op, "more than %llu ops would run inside atomic sections, so long that the lockup detector fires: use fewer repeats there",
		       KMLAB_MAX_ATOMIC_STEPS);
		break;
	case KMLAB_BOUND_ATOMIC_BYTES:
		bad_op(c, i, op, "more than %llu bytes would be allocated, written or read inside atomic sections, every repeat multiplied out: the CPU would be held too long; do that work outside the atomic section",
		       KMLAB_MAX_ATOMIC_BYTES);
		break;
	case KMLAB_BOUND_BYTES:
		bad_op(c, i, op, "the %s phase may allocate %llu bytes, every repeat multiplied out, more than max_bytes=%llu: allocate less or raise the max_bytes parameter",
		       kmlab_phase_name(op->phase),
		       c->bound.bytes[op->phase], c->max_bytes);
		break;
	default:
		bad_op(c, i, op, "blocks nest deeper than %d or do not balance: rebuild the plan with this kmlab",
		       KMLAB_MAX_DEPTH);
		break;
	}
	return -EINVAL;
}

static int check_header(struct kmlab_ir_check *c,
			const struct kmlab_ir_header *h, size_t len)
{
	size_t want;
	int i;

	if (len < sizeof(*h)) {
		refuse(c, "plan: blob of %zu bytes is shorter than its header: write the whole blob in one write()",
			     len);
		return -EINVAL;
	}
	if (h->magic != KMLAB_IR_MAGIC || h->version != KMLAB_IR_VERSION) {
		refuse(c, "plan: magic 0x%x version %u, want 0x%x version %d: rebuild the plan with this kmlab",
			     h->magic, h->version, KMLAB_IR_MAGIC, KMLAB_IR_VERSION);
		return -EINVAL;
	}
	if (h->nr_objs > KMLAB_MAX_OBJS || h->nr_ops > KMLAB_MAX_OPS ||
	    h->reserved) {
		refuse(c, "plan: %u objects, %u ops, reserved %u: at most %d objects and %d ops, reserved 0",
			     h->nr_objs, h->nr_ops, h->reserved, KMLAB_MAX_OBJS,
			     KMLAB_MAX_OPS);
		return -EINVAL;
	}
	want = sizeof(*h) + h->nr_objs * sizeof(struct kmlab_ir_obj) +
	       h->nr_ops * sizeof(struct kmlab_ir_op);
	if (h->size != len || want != len) {
		refuse(c, "plan: header says %u bytes, counts give %zu, %zu were written: write exactly one whole blob",
			     h->size, want, len);
		return -EINVAL;
	}
	for (i = 0; i < KMLAB_NAME_LEN && h->plan[i]; i++) {
		if (!isgraph(h->plan[i]))
			break;
	}
	if (i == KMLAB_NAME_LEN || h->plan[i] ||
	    !all_zero(h->plan + i, KMLAB_NAME_LEN - i)) {
		refuse(c, "plan: plan name is not a NUL-padded printable string of at most %d characters",
			     KMLAB_NAME_LEN - 1);
		return -EINVAL;
	}
	return 0;
}

static int check_objs_table(struct kmlab_ir_check *c)
{
	u32 i, j;

	for (i = 0; i < c->hdr->nr_objs; i++) {
		const struct kmlab_ir_obj *o = &c->objs[i];

		if (!kmlab_valid_name(o->name, KMLAB_NAME_LEN)) {
			refuse(c, "plan: object %u (line %u): name is not a NUL-padded C identifier of at most %d characters",
				     i, o->line, KMLAB_NAME_LEN - 1);
			return -EINVAL;
		}
		if (o->family == KMLAB_FAM_NONE || o->family >= KMLAB_FAM_MAX) {
			refuse(c, "plan: object %s (line %u): family %u is unknown",
				     o->name, o->line, o->family);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(c->objs[j].name, o->name)) {
				refuse(c, "plan: object %s (line %u) is declared twice: rename one",
					     o->name, o->line);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int kmlab_ir_check(const void *blob, size_t len, struct kmlab_ir_check *c)
{
	u32 i;

	c->op = -1;
	c->line = 0;
	c->why[0] = '\0';
	c->depth = 0;
	c->atomic = 0;
	if (check_header(c, blob, len))
		return -EINVAL;
	c->hdr = blob;
	c->objs = (const void *)(c->hdr + 1);
	c->ops = (const void *)(c->objs + c->hdr->nr_objs);
	if (check_objs_table(c))
		return -EINVAL;
	kmlab_ir_bound_init(&c->bound, c->ops, c->hdr->nr_ops, c->ncpus,
			    c->max_bytes);
	for (i = 0; i < c->hdr->nr_ops; i++)
		if (check_op(c, i))
			return -EINVAL;
	if (c->depth) {
		i = c->open[c->depth - 1];
		bad_op(c, i, &c->ops[i], "block is never closed: add its end");
		return -EINVAL;
	}
	memcpy(c->cost, c->bound.bytes, sizeof(c->cost));
	if (kmlab_ir_bound_end(&c->bound)) {
		refuse(c, "plan: the phases together may allocate %llu bytes, every repeat multiplied out, above max_bytes=%llu: allocate less or raise max_bytes",
		       c->cost[0] + c->cost[1] + c->cost[2], c->max_bytes);
		return -EINVAL;
	}
	return 0;
}
