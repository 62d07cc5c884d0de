// SPDX-License-Identifier: GPL-2.0
/*
 * What SLUB keeps to itself, read for the hazard policy (6.1 and 6.12).
 *
 * There is no API for a cache's flags or for "is this pointer an object
 * of that cache".  struct kmem_cache is in slub_def.h, but that header's
 * helpers need mm/slab.h's private struct slab, which the kernel keeps
 * out of include/ (6.8 moved struct kmem_cache there too).  So compat.h
 * restates both with the SLUB layout of the kernel built against
 * (struct slab overlays struct page), and kmlab_slub_selftest() checks it
 * against a real kmalloc object at load: if it does not match, the
 * module never runs a real second free or late access (kmlab_slub_ok
 * stays false).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poison.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define KMLAB_COMPAT_KMEM_CACHE
#include "compat.h"
#include "kmlab_dp.h"

bool kmlab_slub_ok;

slab_flags_t kmlab_cache_flags(struct kmem_cache *s)
{
	return s->flags;
}

/* Where the object's right red zone ends (from the object's start). */
unsigned int kmlab_cache_inuse(struct kmem_cache *s)
{
	return s->inuse;
}

/* Is p, right now, the start of an object slot of cache s? */
bool kmlab_slab_owns(struct kmem_cache *s, const void *p)
{
	const struct slab *slab;
	struct folio *folio;
	unsigned long off;

	if (!s || !virt_addr_valid(p))
		return false;
	folio = virt_to_folio(p);
	if (!folio_test_slab(folio))
		return false;
	slab = (const struct slab *)folio;
	if (READ_ONCE(slab->slab_cache) != s)
		return false;
	off = p - folio_address(folio);
	if (off < s->red_left_pad)
		return false;
	off -= s->red_left_pad;
	return off % s->size == 0 && off / s->size < slab->objects;
}

/*
 * Does the right red zone of slot @p of cache @s (SLAB_RED_ZONE) read
 * @val all through?  SLUB writes it SLUB_RED_INACTIVE when it frees the
 * object and SLUB_RED_ACTIVE when it hands the object out, before the
 * new owner has it: the object's own bytes still read as the free poison
 * until the owner writes them (a buffer a device fills later, say), so
 * only the red zone tells a free slot from one just handed out.
 */
bool kmlab_slub_red_zone_is(struct kmem_cache *s, const void *p, u8 val)
{
	u8 buf[32];
	unsigned int at, n, k;

	if (!(s->flags & SLAB_RED_ZONE) || s->inuse <= s->object_size)
		return false;
	for (at = s->object_size; at < s->inuse; at += n) {
		n = min_t(unsigned int, sizeof(buf), s->inuse - at);
		if (copy_from_kernel_nofault(buf, p + at, n))
			return false;
		for (k = 0; k < n; k++)
			if (buf[k] != val)
				return false;
	}
	return true;
}

/* Check the restated layout against a live kmalloc object. */
void kmlab_slub_selftest(void)
{
	struct kmem_cache *s;
	void *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return;
	s = kmalloc_caches[KMALLOC_NORMAL][__kmalloc_index(ksize(p), false)];
	kmlab_slub_ok = kmlab_slab_owns(s, p) && !kmlab_slab_owns(s, p + 8) &&
			s->object_size == ksize(p);
	/* under slub_debug=Z: where the red zone is, and what it reads */
	if (kmlab_slub_ok && (s->flags & SLAB_RED_ZONE))
		kmlab_slub_ok = kmlab_slub_red_zone_is(s, p, SLUB_RED_ACTIVE);
	kfree(p);
	if (!kmlab_slub_ok)
		pr_warn("this kernel's SLUB layout is not the one restated here: second frees and late accesses will be refused\n");
}

/*
 * A real second free, made survivable.  6.1's slab_free_freelist_hook()
 * rewrites the object's free pointer (to NULL) before SLUB's checks
 * reject the free: that cuts the slab's freelist short while its in-use
 * count still promises free objects, and the next allocation from that
 * slab follows a NULL freelist and oopses (seen here, both on kmalloc
 * caches and plan caches).  So keep the free pointer word and put it
 * back once SLUB has refused the free; interrupts stay off meanwhile so
 * nothing on this CPU allocates from the slab in between.
 */
void kmlab_slub_second_free(struct kmem_cache *s, void *obj,
			    void (*free_it)(void *arg), void *arg)
{
	unsigned long *fp = obj + s->offset;
	unsigned long saved, flags;

	local_irq_save(flags);
	saved = READ_ONCE(*fp);
	free_it(arg);
	WRITE_ONCE(*fp, saved);
	local_irq_restore(flags);
}
