/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * kmlab IR: what the data plane executes.
 *
 * Shared by the loader (which lowers a .kml plan into it), the module
 * (which checks it again and runs it with the real kernel API) and the
 * observer.  Its ops are listed in ops.h, its families in families.h.  It is a
 * flat little-endian blob:
 *
 *	struct kmlab_ir_header
 *	struct kmlab_ir_obj    objs[nr_objs]
 *	struct kmlab_ir_op     ops[nr_ops]
 *
 * Objects are the plan's named pointers (buffers, caches).  Ops refer to
 * them by index.  Every op carries the plan line it came from so that the
 * observer can name what it sees after the plan.
 *
 * The module accepts a blob either as the hex-encoded module parameter
 * "plan=" (its LOAD phase then runs inside module init) or written to
 * /dev/kmlab (LOAD phase runs in the write).  Text commands written to
 * /dev/kmlab: "demand" runs the DEMAND phase, "reset" runs the UNLOAD
 * phase and drops the plan.  Module exit does what "reset" does.
 *
 * A loader that reads the kmlab_step events can pace the data plane:
 * "pace N" (before the plan) lets the phases run at most N steps ahead
 * of what it acknowledged with "ack M" (M steps received since "pace"),
 * until that file is closed.  "abort" stops the running phase at the
 * next op (and every later phase of the plan, until "reset" drops it);
 * a write whose phase was cut short fails with EINTR.  Both take effect
 * while a phase runs in another thread's write.  Reading /dev/kmlab
 * gives the plan's status, the pacing counters and, after a refused
 * write, the reason ("refused: ...").
 */
#ifndef KMLAB_IR_H
#define KMLAB_IR_H

#include <linux/types.h>

#define KMLAB_IR_MAGIC		0x314c4d4bU	/* "KML1" little endian */
#define KMLAB_IR_VERSION	2	/* 2: slab flags out of op.flags */
#define KMLAB_MAX_OBJS		64
#define KMLAB_MAX_OPS		1024
#define KMLAB_NAME_LEN		32
#define KMLAB_DATA_LEN		16	/* bytes of a read shown in events */
#define KMLAB_MAX_REPEAT	100000	/* iterations of one repeat block */
#define KMLAB_MAX_DEPTH		4	/* nesting of repeat/atomic blocks */
#define KMLAB_MAX_PAUSE_MS	10000
#define KMLAB_MAX_ORDER		10	/* MAX_ORDER - 1 on x86 6.1 */
#define KMLAB_MAX_KMALLOC	(4UL << 20)	/* KMALLOC_MAX_SIZE, x86 SLUB */
#define KMLAB_MAX_VMALLOC	(64UL << 20)	/* lab bound, not the kernel's */
#define KMLAB_MAX_PERCPU	(32UL << 10)	/* PCPU_MIN_UNIT_SIZE */
#define KMLAB_PAGE_SIZE		4096ULL	/* the IR's pages: x86-64 */
/* the biggest slab SLUB builds: one order-KMLAB_MAX_ORDER block (4 MiB) */
#define KMLAB_MAX_SLAB		(KMLAB_PAGE_SIZE << KMLAB_MAX_ORDER)
/* ops one phase may run, every repeat multiplied out */
#define KMLAB_MAX_STEPS		1000000ULL
/* ops run inside atomic sections: so that no lockup detector fires */
#define KMLAB_MAX_ATOMIC_STEPS	65536ULL
/*
 * ... and bytes they allocate, write or read there: the work, not the op
 * count, is what holds the CPU (20000 writes of 4 MiB with interrupts
 * off stall even a fast machine for seconds, and the lab's TCG guest
 * for minutes)
 */
#define KMLAB_MAX_ATOMIC_BYTES	(16ULL << 20)
/* default of the module's max_bytes: what a plan may allocate at worst */
#define KMLAB_MAX_BYTES		(64ULL << 20)
/*
 * hazards one plan run (load to unload) may make the kernel report: each
 * SLUB or KFENCE report is 50 to 300 console lines, printed before the
 * call returns, so a repeated second free has the kernel do little else
 * (a fuzzed plan's 18,596 of them kept a TCG guest printing past 300 s)
 */
#define KMLAB_MAX_REPORTS	32
/* a paced phase goes on when the loader acknowledged nothing this long */
#define KMLAB_PACE_WAIT_MS	2000

#include "families.h"
#include "ops.h"
#include "step.h"

enum kmlab_phase {
	KMLAB_PHASE_LOAD = 0,	/* module init, or the write of the plan */
	KMLAB_PHASE_DEMAND,	/* each "demand" command */
	KMLAB_PHASE_UNLOAD,	/* "reset" or module exit */
	KMLAB_PHASE_MAX
};

static inline const char *kmlab_phase_name(__u32 phase)
{
	switch (phase) {
	case KMLAB_PHASE_LOAD:
		return "load";
	case KMLAB_PHASE_DEMAND:
		return "demand";
	case KMLAB_PHASE_UNLOAD:
		return "unload";
	}
	return "unknown";
}

/*
 * Abstract GFP bits: X(NAME, bit, the kernel's flag), bits in order from
 * 0 (the module indexes by them).  The module maps
 * them to its gfp_t, the plan compiler reads the kernel's names, and
 * `kmlab gen` writes them.
 */
#define KMLAB_GFP_FLAGS(X)				\
	X(KERNEL,	0, GFP_KERNEL)			\
	X(ATOMIC,	1, GFP_ATOMIC)			\
	X(NOWAIT,	2, GFP_NOWAIT)			\
	X(ZERO,		3, __GFP_ZERO)			\
	X(NOWARN,	4, __GFP_NOWARN)		\
	X(ACCOUNT,	5, __GFP_ACCOUNT)		\
	X(NORETRY,	6, __GFP_NORETRY)		\
	X(DMA32,	7, __GFP_DMA32)

enum {
#define KMLAB_X(name, bit, kflag) KMLAB_GFP_##name = 1U << (bit),
	KMLAB_GFP_FLAGS(KMLAB_X)
#undef KMLAB_X
};
#define KMLAB_GFP_ALL		0xffU
/* exactly one of these base flags must be set on an allocation */
#define KMLAB_GFP_BASE		(KMLAB_GFP_KERNEL | KMLAB_GFP_ATOMIC | \
				 KMLAB_GFP_NOWAIT)

/* Slab cache creation flags (KMLAB_OP_CACHE_CREATE, op.slab), as above. */
#define KMLAB_SLAB_FLAGS(X)				\
	X(POISON,	0, SLAB_POISON)			\
	X(RED_ZONE,	1, SLAB_RED_ZONE)		\
	X(CONSISTENCY,	2, SLAB_CONSISTENCY_CHECKS)	\
	X(STORE_USER,	3, SLAB_STORE_USER)		\
	X(HWCACHE,	4, SLAB_HWCACHE_ALIGN)

enum {
#define KMLAB_X(name, bit, kflag) KMLAB_SLAB_##name = 1U << (bit),
	KMLAB_SLAB_FLAGS(KMLAB_X)
#undef KMLAB_X
};
#define KMLAB_SLAB_ALL		0x1fU
/* what "guarded" means for a plan cache: hazards may run on it */
#define KMLAB_SLAB_GUARDED	(KMLAB_SLAB_POISON | KMLAB_SLAB_RED_ZONE | \
				 KMLAB_SLAB_CONSISTENCY | \
				 KMLAB_SLAB_STORE_USER)

/* Atomic section kinds (KMLAB_OP_ATOMIC, op.arg). */
#define KMLAB_ATOMIC_SPINLOCK	1	/* spin_lock() */
#define KMLAB_ATOMIC_IRQOFF	2	/* spin_lock_irqsave() */

/* Op flags (op.flags) the verifier sets to say what it expects. */
#define KMLAB_OPF_HAZARD	(1U << 0)	/* the plan means this defect */

struct kmlab_ir_header {
	__u32 magic;		/* KMLAB_IR_MAGIC */
	__u32 version;		/* KMLAB_IR_VERSION */
	__u32 nr_objs;
	__u32 nr_ops;
	__u32 size;		/* bytes of the whole blob */
	__u32 reserved;		/* must be 0 */
	char plan[KMLAB_NAME_LEN];	/* plan name (file stem), NUL padded */
};

struct kmlab_ir_obj {
	char name[KMLAB_NAME_LEN];	/* [a-zA-Z_][a-zA-Z0-9_]*, NUL padded */
	__u32 family;		/* enum kmlab_family */
	__u32 line;		/* line of the declaration */
};

struct kmlab_ir_op {
	__u16 code;		/* enum kmlab_opcode */
	__u8 phase;		/* enum kmlab_phase */
	__u8 fill;		/* WRITE: the byte written */
	__u32 line;		/* plan source line */
	__u32 obj;		/* object index */
	__u32 arg;		/* cache index, atomic kind */
	__u32 gfp;		/* KMLAB_GFP_* */
	__u32 flags;		/* KMLAB_OPF_* */
	__u64 size;		/* bytes, or order for page ops */
	__u64 off;		/* access/free offset; CACHE_CREATE: align */
	__u64 len;		/* access length */
	__u32 count;		/* KCALLOC: n; REPEAT: iterations; PAUSE: ms */
	__u32 slab;		/* CACHE_CREATE: KMLAB_SLAB_*; else 0 */
};

/*
 * Limits both planes apply the same way, so that `kmlab check` refuses
 * exactly the plans the data plane would refuse.
 */

static inline __u64 kmlab_sat_add(__u64 a, __u64 b)
{
	return a + b < a ? ~0ULL : a + b;
}

static inline __u64 kmlab_sat_mul(__u64 a, __u64 b)
{
	__u64 r;

	return __builtin_mul_overflow(a, b, &r) ? ~0ULL : r;
}

/*
 * The bytes SLUB (6.1, x86-64, calculate_sizes() in mm/slub.c) lays out
 * for each object of a cache of @size-byte objects with alignment @align
 * (0: none) and the plan's KMLAB_SLAB_* @flags, assuming every debug
 * option is on: slub_debug=FZPU on the kernel command line (as in the
 * lab) turns them on for every cache, whatever flags the plan gives.
 * The object is rounded up to a word, plus a word of red zone when that
 * left no slack, the free pointer (moved out of the poisoned object), two
 * struct track of 32 bytes (SLAB_STORE_USER), a word of red zone after
 * and one before the object (the one before padded to the alignment).
 * A cache whose objects come out bigger than KMLAB_MAX_SLAB cannot be
 * built: kmem_cache_create() fails, and prints a stack dump.  Measured
 * in the lab (6.1, slub_debug=FZPU): 4194215-byte objects build, 4194216
 * fail; struct track is 32 bytes on 6.12 as well.
 */
static inline __u64 kmlab_slab_debug_size(__u64 size, __u64 align,
					  __u32 flags)
{
	__u64 a = align > 8 ? align : 8, s = (size + 7) & ~7ULL;

	if (flags & KMLAB_SLAB_HWCACHE) {
		/* cache_line_size(), halved while the object fits a half */
		__u64 line = 64;

		while (size <= line / 2)
			line /= 2;
		if (line > a)
			a = line;
	}
	if (s == size)
		s += 8;
	s += 8 + 2 * 32 + 8 + ((8 + a - 1) & ~(a - 1));
	return (s + a - 1) & ~(a - 1);
}

/* Bytes one run of an allocating op takes (0 for other ops); a cache
 * object takes @cache_size, percpu memory takes its size on @ncpus CPUs.
 */
static inline __u64 kmlab_op_bytes(const struct kmlab_ir_op *op,
				   __u64 cache_size, __u32 ncpus)
{
	switch (op->code) {
	case KMLAB_OP_KMALLOC:
	case KMLAB_OP_KZALLOC:
	case KMLAB_OP_KREALLOC:
	case KMLAB_OP_KVMALLOC:
	case KMLAB_OP_VMALLOC:
	case KMLAB_OP_VZALLOC:
		return op->size;
	case KMLAB_OP_KCALLOC: {
		__u64 n;

		/* n * size overflowing: kcalloc() allocates nothing */
		return __builtin_mul_overflow(op->size, (__u64)op->count, &n) ?
		       0 : n;
	}
	case KMLAB_OP_CACHE_ALLOC:
		return cache_size;
	case KMLAB_OP_ALLOC_PAGES:
	case KMLAB_OP_GET_FREE_PAGES:
		return op->size > KMLAB_MAX_ORDER ? ~0ULL :
		       KMLAB_PAGE_SIZE << op->size;
	case KMLAB_OP_PAGES_EXACT:
		return kmlab_sat_add(op->size, KMLAB_PAGE_SIZE - 1) &
		       ~(KMLAB_PAGE_SIZE - 1);
	case KMLAB_OP_ALLOC_PERCPU:
		return kmlab_sat_mul(op->size, ncpus);
	}
	return 0;
}

/*
 * A plan's worst case, one op at a time in IR order: the ops each phase
 * runs, the ops run inside atomic sections and the bytes they allocate,
 * write or read, and the bytes each phase may allocate, with every
 * repeat multiplied out and nothing freed in between.  A repeat op counts as often as its body.  Blocks must be
 * balanced (the caller checks that first).
 */
struct kmlab_ir_bound {
	__u64 mult[KMLAB_MAX_DEPTH + 1];	/* iterations at each depth */
	int depth;
	int atomic;				/* open atomic blocks */
	__u64 steps[KMLAB_PHASE_MAX];
	__u64 atomic_steps;
	__u64 atomic_bytes;			/* touched inside them */
	__u64 bytes[KMLAB_PHASE_MAX];
	__u64 cache_size[KMLAB_MAX_OBJS];	/* biggest create per slot */
	__u32 ncpus;				/* possible CPUs (percpu) */
	__u64 max_bytes;
};

enum kmlab_bound_err {
	KMLAB_BOUND_OK = 0,
	KMLAB_BOUND_STEPS,	/* a phase runs more than KMLAB_MAX_STEPS */
	KMLAB_BOUND_ATOMIC,	/* more than KMLAB_MAX_ATOMIC_STEPS atomic */
	KMLAB_BOUND_ATOMIC_BYTES, /* more than KMLAB_MAX_ATOMIC_BYTES there */
	KMLAB_BOUND_BYTES,	/* a phase may allocate more than max_bytes */
	KMLAB_BOUND_TOTAL,	/* all phases together may */
	KMLAB_BOUND_BLOCKS,	/* unbalanced or too deep: not a plan */
};

static inline void kmlab_ir_bound_init(struct kmlab_ir_bound *b,
				       const struct kmlab_ir_op *ops,
				       __u32 nr_ops, __u32 ncpus,
				       __u64 max_bytes)
{
	__u32 i;

	__builtin_memset(b, 0, sizeof(*b));
	b->mult[0] = 1;
	b->ncpus = ncpus ? ncpus : 1;
	b->max_bytes = max_bytes;
	for (i = 0; i < nr_ops; i++) {
		const struct kmlab_ir_op *op = &ops[i];

		if (op->code == KMLAB_OP_CACHE_CREATE &&
		    op->obj < KMLAB_MAX_OBJS &&
		    op->size > b->cache_size[op->obj])
			b->cache_size[op->obj] = op->size;
	}
}

/* Fold in the next op; KMLAB_BOUND_OK or the bound it broke. */
static inline int kmlab_ir_bound_op(struct kmlab_ir_bound *b,
				    const struct kmlab_ir_op *op)
{
	__u32 phase = op->phase < KMLAB_PHASE_MAX ? op->phase : 0;
	__u64 mult, bytes;

	switch (op->code) {
	case KMLAB_OP_REPEAT:
	case KMLAB_OP_ATOMIC:
		if (b->depth >= KMLAB_MAX_DEPTH)
			return KMLAB_BOUND_BLOCKS;
		b->mult[b->depth + 1] = op->code == KMLAB_OP_REPEAT ?
			kmlab_sat_mul(b->mult[b->depth], op->count) :
			b->mult[b->depth];
		b->depth++;
		if (op->code == KMLAB_OP_ATOMIC)
			b->atomic++;
		break;
	case KMLAB_OP_REPEAT_END:
	case KMLAB_OP_ATOMIC_END:
		if (!b->depth)
			return KMLAB_BOUND_BLOCKS;
		b->depth--;
		if (op->code == KMLAB_OP_ATOMIC_END)
			b->atomic--;
		break;
	}
	/* the end of a repeat runs as often as its body */
	mult = b->mult[b->depth];
	if (op->code == KMLAB_OP_REPEAT_END)
		mult = b->mult[b->depth + 1];
	b->steps[phase] = kmlab_sat_add(b->steps[phase], mult);
	if (b->atomic || op->code == KMLAB_OP_ATOMIC_END)
		b->atomic_steps = kmlab_sat_add(b->atomic_steps, mult);
	if (b->steps[phase] > KMLAB_MAX_STEPS)
		return KMLAB_BOUND_STEPS;
	if (b->atomic_steps > KMLAB_MAX_ATOMIC_STEPS)
		return KMLAB_BOUND_ATOMIC;
	bytes = kmlab_sat_mul(kmlab_op_bytes(op,
			b->cache_size[op->arg % KMLAB_MAX_OBJS], b->ncpus),
			mult);
	b->bytes[phase] = kmlab_sat_add(b->bytes[phase], bytes);
	if (b->atomic) {
		if (op->code == KMLAB_OP_WRITE || op->code == KMLAB_OP_READ)
			bytes = kmlab_sat_mul(op->len, mult);
		b->atomic_bytes = kmlab_sat_add(b->atomic_bytes, bytes);
		if (b->atomic_bytes > KMLAB_MAX_ATOMIC_BYTES)
			return KMLAB_BOUND_ATOMIC_BYTES;
	}
	if (b->bytes[phase] > b->max_bytes)
		return KMLAB_BOUND_BYTES;
	return KMLAB_BOUND_OK;
}

/* After the last op: all phases together. */
static inline int kmlab_ir_bound_end(const struct kmlab_ir_bound *b)
{
	__u64 total = 0;
	int i;

	if (b->depth)
		return KMLAB_BOUND_BLOCKS;
	for (i = 0; i < KMLAB_PHASE_MAX; i++)
		total = kmlab_sat_add(total, b->bytes[i]);
	return total > b->max_bytes ? KMLAB_BOUND_TOTAL : KMLAB_BOUND_OK;
}

#endif /* KMLAB_IR_H */
