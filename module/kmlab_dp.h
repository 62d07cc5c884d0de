/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmlab data plane: state shared by the module's files.
 *
 * One plan at a time.  kmlab_mutex serialises every entry point (device
 * writes, reads, init, exit); kmlab_lock is the spinlock that plan
 * "atomic" sections take.
 */
#ifndef KMLAB_DP_H
#define KMLAB_DP_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/ctype.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include "kmlab_ir.h"

/* bound on the ops one phase may execute (repeats included) */
#define KMLAB_MAX_STEPS		1000000ULL
/* bound on the ops run inside atomic sections, so no lockup splats */
#define KMLAB_MAX_ATOMIC_STEPS	65536ULL
/* the biggest blob: header + every object + every op */
#define KMLAB_MAX_BLOB	(sizeof(struct kmlab_ir_header) + \
			 KMLAB_MAX_OBJS * sizeof(struct kmlab_ir_obj) + \
			 KMLAB_MAX_OPS * sizeof(struct kmlab_ir_op))

enum kmlab_state {
	KMLAB_EMPTY = 0,	/* never allocated (or allocation failed) */
	KMLAB_LIVE,
	KMLAB_FREED,		/* ptr and size kept: hazards need them */
	KMLAB_FORGOTTEN,	/* a meant leak: never freed by the module */
};

struct kmem_cache;

/* What one object slot holds right now. */
struct kmlab_obj {
	enum kmlab_state state;
	/* address (page_address for page families, the __percpu cookie for percpu) */
	void *ptr;
	struct page *page;	/* FAM_PAGES */
	u64 size;		/* requested bytes, or order */
	u64 req;		/* requested bytes */
	gfp_t gfp;
	u64 real;		/* bytes really usable: ksize() and friends */
	/* FAM_CACHE: its cache; slab-backed kmalloc: its kmalloc cache */
	struct kmem_cache *cache;
	bool guarded;		/* its cache poisons and checks frees */
	bool null;		/* its allocation failed: the pointer is NULL */
	u64 lost;		/* FAM_SLAB: objects leaked by overwriting */
};

struct kmlab_plan {
	struct kmlab_ir_header hdr;
	struct kmlab_ir_obj *objs;
	struct kmlab_ir_op *ops;
	u32 *match;		/* REPEAT/ATOMIC <-> their END */
	u64 cost[KMLAB_PHASE_MAX];	/* worst-case bytes per phase run */
	struct kmlab_obj st[KMLAB_MAX_OBJS];
	u64 bytes;		/* bytes allocated and not freed (leaks too) */
	bool in_init;		/* LOAD phase runs inside module init */
	void *blob;
};

/* A kmlab_step event before it is recorded. */
struct kmlab_step {
	u64 ptr, size, off, len;
	s32 result;
	u32 line, obj, flags;
	u16 op, family, phase, reason;
	const char *name;
	u8 data[KMLAB_DATA_LEN];
};

extern struct mutex kmlab_mutex;
extern unsigned long kmlab_max_bytes;

/* trace.c */
void kmlab_emit(const struct kmlab_step *s);

/* seed.c */
int kmlab_seed_init(void);
void kmlab_seed_exit(void);

/* plan.c */
struct kmlab_plan *kmlab_plan_parse(const void *blob, size_t len);
void kmlab_plan_free(struct kmlab_plan *p);

/*
 * A NUL-terminated C identifier within max bytes, NUL padded after the
 * terminator (so two equal names are equal blobs).
 */
static inline bool kmlab_valid_name(const char *s, size_t max)
{
	size_t i = 0;

	if (!(isalpha(s[0]) || s[0] == '_'))
		return false;
	while (i < max && s[i] && (isalnum(s[i]) || s[i] == '_'))
		i++;
	if (i == max || s[i])
		return false;
	for (; i < max; i++)
		if (s[i])
			return false;
	return true;
}

/* exec.c */
int kmlab_run_phase(struct kmlab_plan *p, enum kmlab_phase phase);
void kmlab_plan_reset(struct kmlab_plan *p);
u64 kmlab_fam_bytes(const struct kmlab_ir_op *op, u64 cache_size);
const char *kmlab_fam_name(u32 fam);

/* guard.c */
enum kmlab_reason kmlab_guard_free(struct kmlab_plan *p,
				   const struct kmlab_ir_op *op,
				   struct kmlab_step *s);
enum kmlab_reason kmlab_guard_access(struct kmlab_plan *p,
				     const struct kmlab_ir_op *op,
				     struct kmlab_step *s);
void kmlab_guard_note_alloc(struct kmlab_obj *o, u32 fam, gfp_t gfp);

/* slub_peek.c */
extern bool kmlab_slub_ok;
slab_flags_t kmlab_cache_flags(struct kmem_cache *s);
bool kmlab_slab_owns(struct kmem_cache *s, const void *p);
void kmlab_slub_selftest(void);
void kmlab_slub_second_free(struct kmem_cache *s, void *obj,
			    void (*free_it)(void *arg), void *arg);

/* dev.c */
int kmlab_dev_init(void);
void kmlab_dev_exit(void);
int kmlab_load_blob(const void *blob, size_t len, bool in_init);
void kmlab_drop_plan(void);

#endif /* KMLAB_DP_H */
