/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API changes between the lab's kernels (Debian's 6.1 and 6.12),
 * each under the upstream commit that made it, so the same sources build
 * for both.  Only compile-time differences belong here.
 */
#ifndef KMLAB_COMPAT_H
#define KMLAB_COMPAT_H

#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/version.h>

/*
 * 3c6152940584 ("Randomized slab caches for kmalloc()"), v6.6:
 * kmalloc_type() takes the caller, whose address picks one of the random
 * copies under CONFIG_RANDOM_KMALLOC_CACHES.  The allocation's caller is
 * not known where the cache is looked up: 0 gives the right cache with
 * that option off (Debian's 6.12), and with it on a possibly wrong copy,
 * which kmlab_slab_owns() then rejects (the hazard is refused).
 */
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
#define kmlab_kmalloc_type(gfp)	kmalloc_type(gfp, 0)
#else
#define kmlab_kmalloc_type(gfp)	kmalloc_type(gfp)
#endif

/*
 * 946fa0dbf2d8 ("mm/slub: extend redzone check to extra allocated kmalloc
 * space than requested"), v6.2: SLUB checks the bytes between the size a
 * kmalloc() asked for and its bucket's, unless someone calls ksize() on
 * the object: its caller may use the whole bucket, so the check is
 * switched off for it.  The usable size comes from the size asked for
 * instead (kmalloc_size_roundup(), v6.1): the same bucket, the check kept.
 * KFENCE gives exactly the size asked for.
 */
static inline size_t kmlab_usable_size(const void *p, size_t req)
{
	if (is_vmalloc_addr(p))
		return PAGE_ALIGN(req);
	if (is_kfence_address(p))
		return req;
	return kmalloc_size_roundup(req);
}

/*
 * cb787f4ac0c2 ("[tree-wide] finally take no_llseek out"), v6.12:
 * no_llseek was NULL since v6.0, where a NULL .llseek already means the
 * file cannot seek.
 */
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define no_llseek NULL
#endif

/*
 * 19975f83412f ("mm/slab: move the rest of slub_def.h to mm/slab.h"),
 * v6.8: struct kmem_cache left include/.  Its head is restated with the
 * v6.12 layout, up to the last field slub_peek.c reads (red_left_pad);
 * kmlab_slub_selftest() checks the fields against a live object at load.
 * Only slub_peek.c asks for it (KMLAB_COMPAT_KMEM_CACHE): 6.1's
 * slub_def.h needs the struct slab that file restates first.
 */
#ifdef KMLAB_COMPAT_KMEM_CACHE
#include <linux/mm.h>

/*
 * mm/slab.h's struct slab, CONFIG_SLUB, 64-bit: only slab_cache and the
 * counters are read.  130d4df57390 ("mm/sl[au]b: rearrange struct slab
 * fields to allow larger rcu_head"), v6.2, moved slab_cache right after
 * the page flags and the list, freelist and counters into a union with
 * the rcu_head.
 */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
struct slab {
	unsigned long __page_flags;
	struct kmem_cache *slab_cache;
	union {
		struct {
			union {
				struct list_head slab_list;
				struct {
					struct slab *next;
					int slabs;
				};
			};
			void *freelist;
			union {
				unsigned long counters;
				struct {
					unsigned inuse:16;
					unsigned objects:15;
					unsigned frozen:1;
				};
			};
		};
		struct rcu_head rcu_head;
	};
	unsigned int __page_type;
	atomic_t __page_refcount;
};
#else
struct slab {
	unsigned long __page_flags;
	union {
		struct list_head slab_list;
		struct rcu_head rcu_head;
		struct {
			struct slab *next;
			int slabs;
		};
	};
	struct kmem_cache *slab_cache;
	void *freelist;
	union {
		unsigned long counters;
		struct {
			unsigned inuse:16;
			unsigned objects:15;
			unsigned frozen:1;
		};
	};
	unsigned int __unused;
	atomic_t __page_refcount;
};
#endif

static inline void *slab_address(const struct slab *slab)
{
	return folio_address((struct folio *)slab);
}

#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
#include <linux/gfp_types.h>
#include <linux/lockdep_types.h>
#include <linux/reciprocal_div.h>
#include <linux/slab.h>

struct kmem_cache_order_objects {
	unsigned int x;
};

struct kmem_cache {
#ifndef CONFIG_SLUB_TINY
	struct kmem_cache_cpu __percpu *cpu_slab;
	struct lock_class_key lock_key;
#endif
	slab_flags_t flags;
	unsigned long min_partial;
	unsigned int size;
	unsigned int object_size;
	struct reciprocal_value reciprocal_size;
	unsigned int offset;
#ifdef CONFIG_SLUB_CPU_PARTIAL
	unsigned int cpu_partial;
	unsigned int cpu_partial_slabs;
#endif
	struct kmem_cache_order_objects oo;
	struct kmem_cache_order_objects min;
	gfp_t allocflags;
	int refcount;
	void (*ctor)(void *object);
	unsigned int inuse;
	unsigned int align;
	unsigned int red_left_pad;
	/* more fields follow in the kernel's: never read here */
};
#else
#include <linux/slub_def.h>
#endif
#endif /* KMLAB_COMPAT_KMEM_CACHE */

#endif /* KMLAB_COMPAT_H */
