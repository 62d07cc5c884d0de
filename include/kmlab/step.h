/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The data plane's step record: what kmlab:kmlab_step carries for each
 * op it runs or refuses (module/kmlab_trace.h defines the tracepoint
 * from KMLAB_STEP_FIELDS, the observer reads it raw, the loader checks
 * the tracefs format against it).
 */
#ifndef KMLAB_STEP_H
#define KMLAB_STEP_H

/*
 * The module's own tracepoint, kmlab:kmlab_step, fires once per executed
 * (or refused) op.  Classic "tp/kmlab/kmlab_step" BPF programs read the
 * raw record; there is no module BTF, so its layout is fixed here and
 * checked against the tracefs format file by the loader.
 */
enum kmlab_reason {
	KMLAB_OK = 0,
	KMLAB_REFUSE_UNGUARDED,	/* hazard on a cache without SLUB checks */
	KMLAB_REFUSE_REUSED,	/* freed memory was handed out again */
	KMLAB_REFUSE_FAMILY,	/* this wrong-family free would corrupt */
	KMLAB_REFUSE_ATOMIC,	/* sleeping call inside an atomic section */
	KMLAB_REFUSE_STATE,	/* no such pointer (never allocated, NULL) */
	KMLAB_REFUSE_BUSY,	/* cache still has objects */
	KMLAB_FAILED,		/* the allocator returned NULL / error */
	KMLAB_REFUSE_INTERIOR,	/* a free of an address inside an object */
	KMLAB_REFUSE_BEYOND,	/* an access past what the allocator gave
				 * and past any red zone that would catch it */
	KMLAB_REFUSE_REPORTS,	/* the kernel reported KMLAB_MAX_REPORTS
				 * of this plan's hazards already */
	KMLAB_REASON_MAX
};

/* kmlab_step.flags */
#define KMLAB_STEP_LATE		(1U << 0)	/* access/free after free */
#define KMLAB_STEP_PAST_END	(1U << 1)	/* past the requested size */
#define KMLAB_STEP_PAST_REAL	(1U << 2)	/* past what ksize() gives */
#define KMLAB_STEP_FAULT	(1U << 3)	/* the read faulted */
#define KMLAB_STEP_INIT		(1U << 4)	/* ran inside module init */

/*
 * The record's fields after struct trace_entry, in order: X(type, name)
 * a scalar, A(type, name, count) an array.  The tracepoint's entry is
 * made of exactly these (module/kmlab_trace.h).
 */
#define KMLAB_STEP_FIELDS(X, A)						\
	X(__u64, ptr)		/* object address (after alloc, before free) */ \
	X(__u64, size)		/* requested size (or order) */		\
	X(__u64, off)							\
	X(__u64, len)							\
	X(__s32, result)	/* 0, or -errno when refused/failed */	\
	X(__u32, line)							\
	X(__u32, obj)							\
	X(__u32, flags)		/* KMLAB_STEP_* */			\
	X(__u16, op)		/* enum kmlab_opcode */			\
	X(__u16, family)	/* enum kmlab_family */			\
	X(__u16, phase)							\
	X(__u16, reason)	/* enum kmlab_reason */			\
	A(char, name, KMLAB_NAME_LEN)					\
	A(__u8, data, KMLAB_DATA_LEN)	/* READ: the bytes seen */

#define KMLAB_STEP_SCALAR(type, name)		type name;
#define KMLAB_STEP_ARRAY(type, name, count)	type name[count];

/* the fields, as the observer forwards them (struct kmlab_ev_step) */
struct kmlab_step_fields {
	KMLAB_STEP_FIELDS(KMLAB_STEP_SCALAR, KMLAB_STEP_ARRAY)
};

/*
 * In the raw record the fields follow struct trace_entry, 8-aligned: at
 * 8 on most kernels, at 16 on PREEMPT_RT ones, whose entry also keeps
 * the preempt-lazy and migrate-disable counts.  The loader reads where
 * from the tracefs format, and checks each field at its place from
 * there (kmlab_step_fields' layout).
 */
#define KMLAB_STEP_BASE_MAX	64	/* more: not a trace_entry we know */

#endif /* KMLAB_STEP_H */
