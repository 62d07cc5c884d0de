/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Allocator families, and which free releases which: the one place the
 * plan checker (loader/verify.c), the data plane's guard (module/guard.c)
 * and the observer (bpf/kmlab.bpf.c) learn it from.
 *
 * A family is how an object was allocated.  A free is named by the
 * family whose own free it is (kfree: KMALLOC, kvfree: KVMALLOC), plus
 * three kinds only the observer sees: kfree_rcu/kvfree_rcu, the bulk
 * frees, and the kmem:mm_page_free tracepoint, which cannot tell
 * __free_pages() from free_pages() or free_pages_exact().
 */
#ifndef KMLAB_FAMILIES_H
#define KMLAB_FAMILIES_H

/* X(NAME, value, allocator as reports name it, its own free) */
#define KMLAB_FAMILIES(X)						\
	X(NONE,		0, "none",		"none")			\
	X(KMALLOC,	1, "kmalloc",		"kfree")		\
	X(VMALLOC,	2, "vmalloc",		"vfree")		\
	X(KVMALLOC,	3, "kvmalloc",		"kvfree")		\
	X(CACHE,	4, "kmem_cache",	"kmem_cache_free")	\
	X(PAGES,	5, "alloc_pages",	"__free_pages")		\
	X(GFP_PAGES,	6, "__get_free_pages",	"free_pages")		\
	X(PAGES_EXACT,	7, "alloc_pages_exact",	"free_pages_exact")	\
	X(PERCPU,	8, "percpu",		"free_percpu")		\
	X(SLAB,		9, "kmem_cache_create",	"kmem_cache_destroy")

/* X(NAME, value, the free): frees only the observer tells apart */
#define KMLAB_FREE_KINDS(X)						\
	X(RCU,		16, "kfree_rcu")	/* kvfree_call_rcu() */		\
	X(BULK,		17, "kfree_bulk")	/* kmem_cache_free_bulk() */	\
	X(PAGE_FREE,	18, "__free_pages")	/* kmem:mm_page_free */

enum kmlab_family {
#define KMLAB_X(name, v, alloc, free) KMLAB_FAM_##name = v,
	KMLAB_FAMILIES(KMLAB_X)
#undef KMLAB_X
	KMLAB_FAM_MAX,		/* families a plan's object may have */
#define KMLAB_X(name, v, free) KMLAB_FAM_##name = v,
	KMLAB_FREE_KINDS(KMLAB_X)
#undef KMLAB_X
};

#define KMLAB_FAM_BIT(name)	(1U << KMLAB_FAM_##name)

/*
 * The families a free of kind @free releases correctly: the pairing a
 * driver must write.  kfree() takes any slab object, its cache found
 * from the slab (SLUB since 2.6.22, so kmem_cache objects too) and large
 * kmallocs (pages); kvfree() takes whatever kvmalloc may return (slab or
 * vmalloc memory), so kfree's families as well, and kfree_rcu() is
 * kvfree() a grace period later.  vfree() of a kvmalloc object is wrong
 * even when that one happened to be vmalloc-backed.  free_pages() and
 * __free_pages() differ only in taking an address or a struct page.
 */
static inline __u32 kmlab_frees(__u32 free)
{
	switch (free) {
	case KMLAB_FAM_KMALLOC:
	case KMLAB_FAM_BULK:
		return KMLAB_FAM_BIT(KMALLOC) | KMLAB_FAM_BIT(CACHE);
	case KMLAB_FAM_KVMALLOC:
	case KMLAB_FAM_RCU:
		return KMLAB_FAM_BIT(KMALLOC) | KMLAB_FAM_BIT(CACHE) |
		       KMLAB_FAM_BIT(VMALLOC) | KMLAB_FAM_BIT(KVMALLOC);
	case KMLAB_FAM_VMALLOC:
		return KMLAB_FAM_BIT(VMALLOC);
	case KMLAB_FAM_CACHE:
		return KMLAB_FAM_BIT(CACHE);
	case KMLAB_FAM_PAGES:
	case KMLAB_FAM_GFP_PAGES:
		return KMLAB_FAM_BIT(PAGES) | KMLAB_FAM_BIT(GFP_PAGES);
	case KMLAB_FAM_PAGES_EXACT:
		return KMLAB_FAM_BIT(PAGES_EXACT);
	case KMLAB_FAM_PAGE_FREE:
		return KMLAB_FAM_BIT(PAGES) | KMLAB_FAM_BIT(GFP_PAGES) |
		       KMLAB_FAM_BIT(PAGES_EXACT);
	case KMLAB_FAM_PERCPU:
		return KMLAB_FAM_BIT(PERCPU);
	case KMLAB_FAM_SLAB:
		return KMLAB_FAM_BIT(SLAB);
	}
	return 0;
}

/* Does a free of kind @free release an object of family @fam? */
static inline int kmlab_free_fits(__u32 free, __u32 fam)
{
	return fam < KMLAB_FAM_MAX && (kmlab_frees(free) >> fam) & 1;
}

/* "kmalloc", "kmem_cache"...: the family's allocator, as reports say */
static inline const char *kmlab_family_name(__u32 fam)
{
	switch (fam) {
#define KMLAB_X(name, v, alloc, free) case v: return alloc;
	KMLAB_FAMILIES(KMLAB_X)
#undef KMLAB_X
	}
	return "unknown";
}

/* "kfree", "kfree_rcu"...: the function a free of kind @free stands for */
static inline const char *kmlab_free_name(__u32 free)
{
	switch (free) {
#define KMLAB_X(name, v, alloc, free) case v: return free;
	KMLAB_FAMILIES(KMLAB_X)
#undef KMLAB_X
#define KMLAB_X(name, v, free) case v: return free;
	KMLAB_FREE_KINDS(KMLAB_X)
#undef KMLAB_X
	}
	return "unknown";
}

/*
 * Is an object's address, as the observer records it, where its bytes
 * are (a hex dump can read them there)?  Slab, vmalloc and page objects
 * are (pages by their direct-map address); a percpu pointer is an offset
 * into every CPU's area, and a kmem_cache_create()'s is the cache.
 */
static inline int kmlab_family_has_bytes(__u32 fam)
{
	return fam != KMLAB_FAM_NONE && fam != KMLAB_FAM_PERCPU &&
	       fam != KMLAB_FAM_SLAB && fam < KMLAB_FAM_MAX;
}

/*
 * The kmalloc cache a request of @size bytes comes from on x86-64 SLUB
 * (kmalloc_index(): KMALLOC_MIN_SIZE 8, the 96 and 192 classes), which is
 * also what ksize() gives; 0 above KMALLOC_MAX_CACHE_SIZE (two pages),
 * where kmalloc takes whole pages.
 */
static inline __u64 kmlab_kmalloc_class(__u64 size)
{
	static const __u64 classes[] = {
		8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
	};
	unsigned int i;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (size <= classes[i])
			return classes[i];
	return 0;
}

#endif /* KMLAB_FAMILIES_H */
