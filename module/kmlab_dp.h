/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmlab data plane: state shared by the module's files.
 *
 * One plan at a time.  kmlab_mutex serialises every entry point (device
 * writes, reads, init, exit); kmlab_lock is the spinlock that plan
 * "atomic" sections take.  The pacing and abort commands are the
 * exception: they must reach a phase that runs under kmlab_mutex, so
 * they only touch struct kmlab_pace, without the mutex.
 */
#ifndef KMLAB_DP_H
#define KMLAB_DP_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/ctype.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include "kmlab/ir.h"
#include "kmlab/ir_check.h"

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
struct file;

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
	bool overrun;		/* its red zone write is counted in reports */
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
	u32 reports;		/* hazards run that the kernel reports */
	bool in_init;		/* LOAD phase runs inside module init */
	u32 aborted_line;	/* "abort" stopped it before this line */
	void *blob;
};

/*
 * Pacing against a loader that reads the kmlab_step events (see
 * kmlab/ir.h): between ops, outside atomic sections, a phase waits while
 * it is more than @window steps ahead of what the loader acknowledged.
 * When the loader acknowledges nothing for KMLAB_PACE_WAIT_MS, the phase
 * goes on, counts a stall and stops waiting for the steps it was behind
 * (the loader may have lost them), so a stuck loader costs at most one
 * such wait per window.
 */
#define KMLAB_PACE_MAX_WINDOW	KMLAB_MAX_STEPS

struct kmlab_pace {
	wait_queue_head_t wq;	/* phases waiting for an ack or an abort */
	u64 window;		/* 0: no pacing (insmod, plain writes) */
	const struct file *owner;	/* the file that asked for it */
	u64 emitted;		/* steps since "pace" (under kmlab_mutex) */
	atomic64_t acked;	/* steps the loader said it consumed */
	u64 given_up;		/* steps up to this one: not waited for */
	u64 waits, stalls;	/* waits, and those that timed out */
	u64 max_ahead;		/* most steps ever unacknowledged */
	bool abort;		/* "abort": stop at the next op */
};

extern struct kmlab_pace kmlab_pace;

/*
 * One phase being carried out, by the interpreter (exec.c) or by a
 * module `kmlab gen` wrote: the plan and the atomic sections open.
 */
struct kmlab_exec {
	struct kmlab_plan *p;
	enum kmlab_phase phase;
	bool paced;			/* the interpreter: pacing counts steps */
	int atomic;			/* open atomic sections */
	u32 kind[KMLAB_MAX_DEPTH];
	unsigned long irq[KMLAB_MAX_DEPTH];
	/* the interpreter's open repeat blocks */
	int loops;
	u32 start[KMLAB_MAX_DEPTH];	/* REPEAT index of each open loop */
	u32 left[KMLAB_MAX_DEPTH];
};

/* The pointer krealloc() is given: the object's, while it is live. */
static inline void *kmlab_live_ptr(const struct kmlab_obj *o)
{
	return o->state == KMLAB_LIVE ? o->ptr : NULL;
}

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

/* dev.c: log why a write is refused and keep it for the status read;
 * call with kmlab_mutex held
 */
__printf(1, 2) void kmlab_refuse(const char *fmt, ...);

/* seed.c */
int kmlab_seed_init(void);
void kmlab_seed_exit(void);

/* plan.c */
struct kmlab_plan *kmlab_plan_parse(const void *blob, size_t len);
void kmlab_plan_free(struct kmlab_plan *p);

/* exec.c */
int kmlab_run_phase(struct kmlab_plan *p, enum kmlab_phase phase);
void kmlab_plan_reset(struct kmlab_plan *p);

/*
 * exec.c, exported: one op, shared by the interpreter and the modules
 * `kmlab gen` writes, which make the real kernel call themselves:
 *
 *	if (kmlab_op_begin(x, op, s))
 *		kmlab_alloc_done(x, op, s, kmalloc(size, GFP_KERNEL));
 *
 * kmlab_op_begin() refuses what must not run (the guard, a sleeping
 * call in an atomic section, a missing state), with its event and a
 * sentence in dmesg; after a true, the op's call, then its _done():
 * kmlab_alloc_done(), kmlab_free_done(), kmlab_destroy_done(),
 * kmlab_access() (which is the access), or kmlab_step_done() for the
 * ops that call no allocator.
 */
bool kmlab_op_begin(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		    struct kmlab_step *s);
void kmlab_alloc_done(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		      struct kmlab_step *s, void *ret);
void kmlab_free_done(struct kmlab_exec *x, const struct kmlab_ir_op *op);
void kmlab_destroy_done(struct kmlab_exec *x, const struct kmlab_ir_op *op);
void kmlab_access(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		  struct kmlab_step *s);
void kmlab_step_done(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		     struct kmlab_step *s);
const char *kmlab_cache_name(struct kmlab_exec *x, const struct kmlab_ir_op *op,
			     char *buf, size_t len);
void kmlab_plan_cleanup(struct kmlab_plan *p, bool paced);

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
unsigned int kmlab_cache_inuse(struct kmem_cache *s);
bool kmlab_slab_owns(struct kmem_cache *s, const void *p);
bool kmlab_slub_red_zone_is(struct kmem_cache *s, const void *p, u8 val);
void kmlab_slub_selftest(void);
void kmlab_slub_second_free(struct kmem_cache *s, void *obj,
			    void (*free_it)(void *arg), void *arg);

/* dev.c */
int kmlab_dev_init(void);
void kmlab_dev_exit(void);
int kmlab_load_blob(const void *blob, size_t len, bool in_init);
void kmlab_drop_plan(void);

#endif /* KMLAB_DP_H */
