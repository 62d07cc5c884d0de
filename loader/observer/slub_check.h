/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Have SLUB check caches now (/sys/kernel/slab/<cache>/validate): every
 * object's red zones, and every free object's poison.  What it finds
 * reaches the observer as KMLAB_EV_SLUB events (slab_fix), so a late
 * write is found before the report, not at the object's next use.
 */
#ifndef KMLAB_SLUB_CHECK_H
#define KMLAB_SLUB_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct slub_check {
	char checked[256];	/* "kmalloc-128 kmalloc-1k" */
	char unguarded[256];	/* caches without poison or red zones */
	int nr_checked, nr_unguarded;
};

/* The size tag ("128", "1k") of the kmalloc caches a request of
 * @size_req bytes comes from, "" when it takes pages instead. */
const char *slub_kmalloc_tag(__u64 size_req, char *buf, size_t len);
/*
 * Validate the cache @name, or with @kmalloc_tag set every kmalloc cache
 * of that size (kmalloc-, kmalloc-cg-, kmalloc-rcl-, dma-kmalloc-...),
 * once each per @sc.  Caches without debug checks are listed as
 * unguarded, ones that are gone (destroyed) skipped.
 */
void slub_check_cache(struct slub_check *sc, const char *name,
		      bool kmalloc_tag);

#endif /* KMLAB_SLUB_CHECK_H */
