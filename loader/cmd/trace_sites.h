/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * kmlab trace --top: allocations per call site (count, bytes, and what
 * is still allocated), the way perf kmem --caller and memleak sum them.
 */
#ifndef KMLAB_TRACE_SITES_H
#define KMLAB_TRACE_SITES_H

#include <stddef.h>
#include <linux/types.h>

struct site_stat {
	__u64 site;		/* the allocation's call site */
	__u64 allocs, bytes;	/* allocations made there, bytes they got */
	__u64 outstanding, outstanding_bytes;	/* not freed yet */
	int used;
};

struct trace_sites {
	struct site_stat *v;	/* open addressing, cap a power of two */
	size_t cap, n;
};

/* An allocation of @bytes at @site; -ENOMEM when it cannot be counted. */
int sites_alloc(struct trace_sites *ts, __u64 site, __u64 bytes);
/* The free of an object @site allocated (traced since its allocation). */
void sites_free(struct trace_sites *ts, __u64 site, __u64 bytes);
/* Sort by bytes, most first, into ts->v[0..n): the table is done. */
void sites_sort(struct trace_sites *ts);
void sites_release(struct trace_sites *ts);

#endif /* KMLAB_TRACE_SITES_H */
