// SPDX-License-Identifier: GPL-2.0
/*
 * The flags of a SLUB cache (are SLAB_CONSISTENCY_CHECKS and SLAB_POISON
 * on?).  There is no API for it; struct kmem_cache is in slub_def.h, but
 * that header's inline helpers use mm/slab.h's private struct slab.
 * Kernel 6.1 kept struct slab out of include/, so give that header just
 * enough to compile.  The stubs are never called: only s->flags is read,
 * with the real struct kmem_cache layout.
 */
#include <linux/slab.h>

struct slab {
	unsigned int objects;
};

static inline void *slab_address(const struct slab *slab)
{
	return NULL;
}

#include <linux/slub_def.h>
#include "kmlab_dp.h"

slab_flags_t kmlab_cache_flags(struct kmem_cache *s)
{
	return s->flags;
}
