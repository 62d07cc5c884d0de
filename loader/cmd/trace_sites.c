// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include "trace_sites.h"

static size_t slot(const struct trace_sites *ts, __u64 site)
{
	/* call sites are code addresses: the low bits vary, the high do not */
	size_t i = (site * 0x9e3779b97f4a7c15ULL) >> 20;

	for (i &= ts->cap - 1; ts->v[i].used && ts->v[i].site != site;
	     i = (i + 1) & (ts->cap - 1))
		;
	return i;
}

static int grow(struct trace_sites *ts)
{
	struct trace_sites big = { .cap = ts->cap ? ts->cap * 2 : 256 };
	size_t i;

	big.v = calloc(big.cap, sizeof(*big.v));
	if (!big.v)
		return -ENOMEM;
	for (i = 0; i < ts->cap; i++)
		if (ts->v[i].used)
			big.v[slot(&big, ts->v[i].site)] = ts->v[i];
	big.n = ts->n;
	free(ts->v);
	*ts = big;
	return 0;
}

int sites_alloc(struct trace_sites *ts, __u64 site, __u64 bytes)
{
	struct site_stat *s;

	/* at most half full, so probes stay short */
	if (2 * (ts->n + 1) > ts->cap && grow(ts))
		return -ENOMEM;
	s = &ts->v[slot(ts, site)];
	if (!s->used) {
		s->used = 1;
		s->site = site;
		ts->n++;
	}
	s->allocs++;
	s->bytes += bytes;
	s->outstanding++;
	s->outstanding_bytes += bytes;
	return 0;
}

void sites_free(struct trace_sites *ts, __u64 site, __u64 bytes)
{
	struct site_stat *s;

	if (!ts->cap)
		return;
	s = &ts->v[slot(ts, site)];
	if (!s->used || !s->outstanding)
		return;
	s->outstanding--;
	s->outstanding_bytes -= bytes < s->outstanding_bytes ?
				bytes : s->outstanding_bytes;
}

static int by_bytes(const void *a, const void *b)
{
	const struct site_stat *x = a, *y = b;

	if (x->used != y->used)
		return y->used - x->used;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return x->allocs < y->allocs ? 1 : x->allocs > y->allocs ? -1 : 0;
}

void sites_sort(struct trace_sites *ts)
{
	if (ts->cap)
		qsort(ts->v, ts->cap, sizeof(*ts->v), by_bytes);
}

void sites_release(struct trace_sites *ts)
{
	free(ts->v);
	ts->v = NULL;
	ts->cap = ts->n = 0;
}
