// SPDX-License-Identifier: GPL-2.0
/*
 * Hazard policy: which defects the module runs for real.
 *
 * A second free or an access after free runs only where the kernel is
 * known to survive it: on slab objects whose cache has
 * SLAB_CONSISTENCY_CHECKS, SLAB_POISON and SLAB_RED_ZONE (slub_debug=FZPU,
 * or a plan cache created guarded), while the address is still an object
 * slot of that cache, its bytes still read as SLUB's free poison and its
 * red zone as a free object's (otherwise it was handed out again and the
 * "hazard" would hit someone else's object).
 * A read after vfree() runs too: it faults, and copy_from_kernel_nofault()
 * catches that.  So do hazards on an object KFENCE sampled (booted with
 * kfence.sample_interval=MS), while its page is still unmapped.
 * Accesses past the requested size run within ksize().
 * Interior frees, wrong-family frees that would corrupt, and everything
 * else are refused with a kmlab_step event (-EPERM and the reason) and a
 * sentence in dmesg.
 *
 * The check and the real call run with interrupts off (exec.c), so
 * nothing on this CPU takes the object in between; another CPU still
 * can, in the few instructions from the red zone's check to SLUB's lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/poison.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "compat.h"
#include "kmlab_dp.h"

#define GUARD_FLAGS	(SLAB_CONSISTENCY_CHECKS | SLAB_POISON | SLAB_RED_ZONE)

/* What really backs an object, which decides the frees that fit it. */
enum backing {
	BK_NONE,
	BK_SLAB,	/* a slab object: kmalloc <= 8 KiB, kvmalloc, cache */
	BK_LARGE,	/* kmalloc from the page allocator */
	BK_VMAP,	/* vmalloc area */
	BK_PAGES,
	BK_GFP_PAGES,
	BK_PAGES_EXACT,
	BK_PERCPU,
};

static enum backing backing_of(const struct kmlab_obj *o, u32 fam)
{
	switch (fam) {
	case KMLAB_FAM_KMALLOC:
	case KMLAB_FAM_KVMALLOC:
		if (is_vmalloc_addr(o->ptr))
			return BK_VMAP;
		return o->cache ? BK_SLAB : BK_LARGE;
	case KMLAB_FAM_CACHE:
		return BK_SLAB;
	case KMLAB_FAM_VMALLOC:
		return BK_VMAP;
	case KMLAB_FAM_PAGES:
		return BK_PAGES;
	case KMLAB_FAM_GFP_PAGES:
		return BK_GFP_PAGES;
	case KMLAB_FAM_PAGES_EXACT:
		return BK_PAGES_EXACT;
	case KMLAB_FAM_PERCPU:
		return BK_PERCPU;
	}
	return BK_NONE;
}

/*
 * The family @o's memory really is: kvmalloc() hands out slab or
 * vmalloc memory, and a free that fits that memory is safe to run even
 * when it is not the API's pairing (the observer reports it then).
 */
static u32 memory_family(const struct kmlab_obj *o, u32 fam)
{
	if (fam != KMLAB_FAM_KVMALLOC)
		return fam;
	return is_vmalloc_addr(o->ptr) ? KMLAB_FAM_VMALLOC : KMLAB_FAM_KMALLOC;
}

static bool cache_guarded(struct kmem_cache *s)
{
	return s && (kmlab_cache_flags(s) & GUARD_FLAGS) == GUARD_FLAGS;
}

/* A plan cache that was destroyed no longer owns its old objects. */
static bool cache_alive(const struct kmlab_plan *p, const struct kmlab_obj *o,
			u32 fam)
{
	u32 i;

	if (fam != KMLAB_FAM_CACHE)
		return true;
	for (i = 0; i < p->hdr.nr_objs; i++) {
		if (p->objs[i].family == KMLAB_FAM_SLAB &&
		    p->st[i].ptr == o->cache &&
		    (p->st[i].state == KMLAB_LIVE ||
		     p->st[i].state == KMLAB_FORGOTTEN))
			return true;
	}
	return false;
}

/*
 * Remember the slab cache behind a kmalloc-family object, so hazards can
 * ask whether it is guarded.  kmalloc_caches[] is exported in 6.1 and
 * ksize() of a slab object is its cache's object size.
 */
void kmlab_guard_note_alloc(struct kmlab_obj *o, u32 fam, gfp_t gfp)
{
	if (fam == KMLAB_FAM_CACHE) {
		o->guarded = cache_guarded(o->cache);
		return;
	}
	o->cache = NULL;
	o->guarded = false;
	if (fam != KMLAB_FAM_KMALLOC && fam != KMLAB_FAM_KVMALLOC)
		return;
	if (is_vmalloc_addr(o->ptr) || o->real > KMALLOC_MAX_CACHE_SIZE ||
	    !folio_test_slab(virt_to_folio(o->ptr)))
		return;
	o->cache = kmalloc_caches[kmlab_kmalloc_type(gfp)]
				 [__kmalloc_index(o->real, false)];
	o->guarded = cache_guarded(o->cache);
}

/*
 * An empty slab goes back to the page allocator, and on to anyone: the
 * old address must still be an object slot of the same cache.
 */
static bool still_slab(const struct kmlab_obj *o)
{
	return kmlab_slub_ok && kmlab_slab_owns(o->cache, o->ptr);
}

/*
 * Is the freed object still free?  Its bytes read 0x6b ... 0x6b 0xa5, and
 * its red zone SLUB_RED_INACTIVE.  The poison alone does not tell: an
 * object SLUB has just handed out reads as poison until its new owner
 * writes it, while the red zone turns SLUB_RED_ACTIVE at the handing
 * out: a second free that trusted the poison alone would free the new
 * owner's buffer before it was ever written.  The red zone is read last,
 * nearest the real call.
 */
static bool still_free(const struct kmlab_obj *o)
{
	u8 buf[64];
	u64 done, n, k;

	for (done = 0; done < o->real; done += n) {
		n = min_t(u64, sizeof(buf), o->real - done);
		if (copy_from_kernel_nofault(buf, o->ptr + done, n))
			return false;
		for (k = 0; k < n; k++) {
			u8 want = done + k == o->real - 1 ? POISON_END :
							    POISON_FREE;
			if (buf[k] != want)
				return false;
		}
	}
	return kmlab_slub_red_zone_is(o->cache, o->ptr, SLUB_RED_INACTIVE);
}

/*
 * Does [start, @end) of live kmalloc'd object @o (kmalloc, or kvmalloc
 * from a slab) end inside its right red zone, which SLUB checks and
 * repairs at the free (a cache with SLAB_RED_ZONE and consistency
 * checks)?  The red zone runs from the object's size to its inuse (the
 * free pointer and tracking follow).  SLUB then keeps the object rather
 * than free it: in a kmalloc cache that costs one object for good, in a
 * plan's cache it would leave the cache impossible to destroy, so only
 * kmalloc's.  Not on KFENCE's objects: their bytes past the end are its
 * canary.
 */
static bool in_red_zone(const struct kmlab_obj *o, u32 fam, u64 end)
{
	struct kmem_cache *s = o->cache;

	if (o->state != KMLAB_LIVE ||
	    (fam != KMLAB_FAM_KMALLOC && fam != KMLAB_FAM_KVMALLOC) ||
	    backing_of(o, fam) != BK_SLAB || !s ||
	    is_kfence_address(o->ptr) || !kmlab_slub_ok ||
	    !kmlab_slab_owns(s, o->ptr))
		return false;
	return (kmlab_cache_flags(s) & (GUARD_FLAGS | SLAB_RED_ZONE)) ==
	       (GUARD_FLAGS | SLAB_RED_ZONE) && end <= kmlab_cache_inuse(s);
}

/*
 * KFENCE unmaps a sampled object's page at its free and maps it again
 * when it hands the object out: a late write faults into KFENCE's report
 * and goes on, a late read faults into copy_from_kernel_nofault(), a
 * second free is reported and ignored.  All safe while the page is still
 * unmapped, that is while the object is still free.
 */
static bool kfence_still_free(const struct kmlab_obj *o)
{
	u8 b;

	return is_kfence_address(o->ptr) &&
	       copy_from_kernel_nofault(&b, o->ptr, 1) != 0;
}

static const char *const fix[KMLAB_REASON_MAX] = {
	[KMLAB_REFUSE_UNGUARDED] = "boot the guest with slub_debug=FZPU, or use a plan cache created with poison red_zone consistency store_user",
	[KMLAB_REFUSE_REUSED] = "the freed object no longer reads as a free SLUB object (its poison or red zone changed: it was handed out again or overwritten); put the hazard right after the free",
	[KMLAB_REFUSE_FAMILY] = "free it with the function of the allocator it came from",
	[KMLAB_REFUSE_STATE] = "allocate it before using or freeing it",
	[KMLAB_REFUSE_INTERIOR] = "free the start of the object: SLUB writes at the pointer it is given before checking it, which would corrupt a neighbour",
	[KMLAB_REFUSE_BEYOND] = "stay within what the allocator gave (ksize()), or, on a kmalloc, within the right red zone SLUB checks under slub_debug=FZPU",
	[KMLAB_REFUSE_REPORTS] = "the kernel already reported " __stringify(KMLAB_MAX_REPORTS) " of this plan's hazards, each a console report that holds the CPU while it prints; repeat the hazard fewer times",
};

static enum kmlab_reason refuse(struct kmlab_plan *p,
				const struct kmlab_ir_op *op,
				enum kmlab_reason why, const char *what)
{
	pr_warn_ratelimited("plan %s line %u: refused %s on %s: %s\n",
			    p->hdr.plan, op->line, what,
			    p->objs[op->obj].name, fix[why]);
	return why;
}

/*
 * A hazard that SLUB or KFENCE will report, run or refused by how many
 * this plan has made already: the kernel prints each report to the
 * console before it goes on, so a hazard in a repeat block would have it
 * print for minutes (KMLAB_MAX_REPORTS).
 */
static enum kmlab_reason reported(struct kmlab_plan *p,
				  const struct kmlab_ir_op *op,
				  const char *what)
{
	if (p->reports >= KMLAB_MAX_REPORTS)
		return refuse(p, op, KMLAB_REFUSE_REPORTS, what);
	p->reports++;
	return KMLAB_OK;
}

/*
 * A write past the request into a guarded slab object's red zone (SLUB's
 * kmalloc red zone starts at the request since 6.2) is found and
 * reported once, at the free, however often it is written.
 */
static enum kmlab_reason overrun(struct kmlab_plan *p,
				 const struct kmlab_ir_op *op,
				 struct kmlab_obj *o)
{
	enum kmlab_reason why;

	if (o->overrun || !o->guarded)
		return KMLAB_OK;
	why = reported(p, op, "a write past the object's end");
	o->overrun = !why;
	return why;
}

enum kmlab_reason kmlab_guard_free(struct kmlab_plan *p,
				   const struct kmlab_ir_op *op,
				   struct kmlab_step *s)
{
	struct kmlab_obj *o = &p->st[op->obj];
	u32 fam = p->objs[op->obj].family;
	enum backing bk;

	if (o->state == KMLAB_EMPTY || o->state == KMLAB_FORGOTTEN)
		return refuse(p, op, KMLAB_REFUSE_STATE,
			      o->state == KMLAB_EMPTY ?
			      "a free of a pointer never allocated" :
			      "a free of a forgotten pointer");
	bk = backing_of(o, fam);
	if (!kmlab_free_fits(kmlab_op_family(op->code), memory_family(o, fam)))
		return refuse(p, op, KMLAB_REFUSE_FAMILY,
			      "a free with the wrong allocator's function");
	if (op->code == KMLAB_OP_CACHE_FREE) {
		struct kmlab_obj *c = &p->st[op->arg];

		if (c->state != KMLAB_LIVE)
			return refuse(p, op, KMLAB_REFUSE_STATE,
				      "kmem_cache_free into a cache that does not exist");
		/*
		 * 6.1's cache_from_obj() would redirect it to the right cache
		 * with a WARN splat; not tried here yet, so not run.
		 */
		if (c->ptr != o->cache)
			return refuse(p, op, KMLAB_REFUSE_FAMILY,
				      "kmem_cache_free into a cache the object is not from");
	}
	if (o->state == KMLAB_FREED)
		s->flags |= KMLAB_STEP_LATE;
	/*
	 * 6.1 SLUB writes the free pointer of what it is given
	 * (slab_free_freelist_hook) before its checks run: for an interior
	 * pointer that write lands in the metadata or a neighbour, so an
	 * interior free is never run, guarded or not.
	 */
	if (op->off)
		return refuse(p, op, KMLAB_REFUSE_INTERIOR, "an interior free");
	if (o->state == KMLAB_LIVE)
		return KMLAB_OK;
	/* a second free: KFENCE's or SLUB's checks must catch it */
	if (bk == BK_SLAB && is_kfence_address(o->ptr) &&
	    cache_alive(p, o, fam))
		return kfence_still_free(o) ? reported(p, op, "a second free") :
		       refuse(p, op, KMLAB_REFUSE_REUSED, "a second free");
	if (bk != BK_SLAB || !o->guarded || !cache_alive(p, o, fam))
		return refuse(p, op, KMLAB_REFUSE_UNGUARDED, "a second free");
	if (!still_slab(o) || !still_free(o))
		return refuse(p, op, KMLAB_REFUSE_REUSED, "a second free");
	return reported(p, op, "a second free");
}

enum kmlab_reason kmlab_guard_access(struct kmlab_plan *p,
				     const struct kmlab_ir_op *op,
				     struct kmlab_step *s)
{
	struct kmlab_obj *o = &p->st[op->obj];
	u32 fam = p->objs[op->obj].family;
	const char *what = op->code == KMLAB_OP_READ ? "a read" : "a write";
	enum backing bk;
	u64 end = op->off + op->len;

	if (o->state == KMLAB_EMPTY || o->state == KMLAB_FORGOTTEN)
		return refuse(p, op, KMLAB_REFUSE_STATE, what);
	bk = backing_of(o, fam);
	if (end > o->req)
		s->flags |= KMLAB_STEP_PAST_END;
	if (end > o->real) {
		/*
		 * past what the allocator gave: a neighbour's memory, or
		 * the red zone SLUB keeps there to catch just this
		 */
		s->flags |= KMLAB_STEP_PAST_REAL;
		if (!in_red_zone(o, fam, end))
			return refuse(p, op, KMLAB_REFUSE_BEYOND,
				      "an access past the object's end");
	}
	if (o->state == KMLAB_LIVE)
		return op->code == KMLAB_OP_WRITE && end > o->req ?
		       overrun(p, op, o) : KMLAB_OK;
	s->flags |= KMLAB_STEP_LATE;
	/* a freed vmalloc area is unmapped: the read faults, safely */
	if (bk == BK_VMAP && op->code == KMLAB_OP_READ)
		return KMLAB_OK;
	if (bk == BK_SLAB && is_kfence_address(o->ptr) &&
	    cache_alive(p, o, fam))
		return !kfence_still_free(o) ?
		       refuse(p, op, KMLAB_REFUSE_REUSED, what) :
		       op->code == KMLAB_OP_READ ? KMLAB_OK :
		       reported(p, op, "a write after free");
	if (bk != BK_SLAB || !o->guarded || !cache_alive(p, o, fam))
		return refuse(p, op, KMLAB_REFUSE_UNGUARDED,
			      op->code == KMLAB_OP_READ ? "a read after free" :
							  "a write after free");
	if (!still_slab(o) || !still_free(o))
		return refuse(p, op, KMLAB_REFUSE_REUSED, what);
	/* SLUB finds a late write in its poison; nothing sees a late read */
	return op->code == KMLAB_OP_READ ? KMLAB_OK :
	       reported(p, op, "a write after free");
}
