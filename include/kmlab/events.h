/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Events the observer (kmlab.bpf.c) sends to the loader through its ring
 * buffer, and the values of its maps.  Fixed-width types: both the BPF
 * side and the loader include this file.  An object's src is the
 * family it came from, a free's the kind of free (families.h).
 */
#ifndef KMLAB_EVENTS_H
#define KMLAB_EVENTS_H

#include "families.h"

#define KMLAB_MOD_NAME_LEN	56	/* MODULE_NAME_LEN on x86_64 */
#define KMLAB_COMM_LEN		16
#define KMLAB_EV_NAME_LEN	32	/* cache or object name */
#define KMLAB_EV_DATA_LEN	16	/* = KMLAB_DATA_LEN of ir.h */
#define KMLAB_STACK_DEPTH	12	/* kernel frames kept per event */
#define KMLAB_HELPERS_MAX	16	/* core helpers allocating for callers */

enum kmlab_ev_type {
	KMLAB_EV_ALLOC = 1,	/* an allocation from the watched module */
	KMLAB_EV_ALLOC_FAIL,	/* ... that returned NULL */
	KMLAB_EV_FREE,		/* a watched object was freed (by anyone) */
	KMLAB_EV_DOUBLE_FREE,	/* the module freed an already freed object */
	KMLAB_EV_MOD_LOAD,	/* the watched module was loaded (or found
				 * loaded: KMLAB_MOD_ATTACHED) */
	KMLAB_EV_MOD_FREE,	/* ... and its memory is going away */
	KMLAB_EV_STEP,		/* kmlab:kmlab_step, one op of the plan */
	KMLAB_EV_FREE_UNKNOWN,	/* the module freed an address it never got
				 * (e.g. one inside an object) */
	KMLAB_EV_SLUB,		/* SLUB debug found bytes it did not expect
				 * in some object (anyone's): see below */
	KMLAB_EV_WATCH_HIT,	/* the module touched a freed object under a
				 * hardware watchpoint: see below */
	KMLAB_EV_KFENCE,	/* KFENCE reported one of its sampled objects
				 * (anyone's): see below */
};

/*
 * Hardware watchpoints on the module's most recent free: the loader
 * points them (8 bytes each, read or write) at the first bytes of the
 * object the module freed last, and fills the watches map with what each
 * covers.  KMLAB_EV_WATCH_HIT: ptr the object, off/alen the bytes
 * watched, call_site the module's instruction after the access (x86
 * reports a data breakpoint once the access is done), data the bytes
 * there afterwards, freed_* from the object's free, stack the access's.
 */
#define KMLAB_WATCH_SLOTS	4	/* x86's debug registers DR0-DR3 */
#define KMLAB_WATCH_LEN		8	/* the most one register covers */

struct kmlab_watch {
	__u64 addr;		/* the watched bytes, 0 when unused */
	__u64 obj;		/* the freed object they are in */
};

/*
 * KMLAB_EV_SLUB: SLUB's consistency checks (slub_debug, or a cache's own
 * debug flags) found the bytes [ptr, ptr + alen) of a slab not as they
 * should be, and are about to restore them: poison in a free object
 * written after its free, a red zone beside an object written past its
 * end.  The event carries what SLUB found and the cache's geometry, so
 * that the loader can tell whose object it was:
 *   reason     enum kmlab_slub_what
 *   off        the byte SLUB expected there (0x6b poison, 0xbb/0xcc...)
 *   data       the first bytes found instead
 *   name       the cache's name
 *   size_req   its object_size; size_alloc its inuse (object and the red
 *              zone after it); base its red_left_pad (red zone before)
 * SLUB names the region in a message (check_object()); the observer
 * keeps its kind only.
 */
enum kmlab_slub_what {
	KMLAB_SLUB_OTHER = 0,
	KMLAB_SLUB_POISON,	/* "Poison", "End Poison": a free object */
	KMLAB_SLUB_REDZONE,	/* "Left/Right Redzone", "kmalloc Redzone" */
	KMLAB_SLUB_PADDING,	/* "Alignment padding", "Object padding" */
	KMLAB_SLUB_KEPT,	/* "Object at 0x%p not freed": its checks
				 * refused a free (already free, or found
				 * corrupted); ptr the object */
};

/*
 * KMLAB_EV_KFENCE: KFENCE (CONFIG_KFENCE, booted with
 * kfence.sample_interval=MS) hands one allocation per interval an object
 * of its own, on a page between two unmapped guard pages, and reports a
 * fault on those pages, or canary bytes beside the object changed when it
 * is freed.  Only sampled objects are seen.  The event:
 *   ptr        the address accessed (or the first changed byte)
 *   base       the KFENCE object's start; size_req its size
 *   reason     enum kmlab_kfence_what
 *   flags      KMLAB_KFENCE_WRITE when the fault was a write,
 *              KMLAB_KFENCE_DATA when data holds the bytes
 *   call_site  the faulting instruction, 0 when found at free
 *   data       the bytes at ptr, when readable (a canary overwritten)
 *   name       the object's cache; stack the access's (from the
 *              faulting instruction on) or the free's
 */
enum kmlab_kfence_what {
	KMLAB_KFENCE_OTHER = 0,	/* an invalid access KFENCE cannot place */
	KMLAB_KFENCE_UAF,	/* use-after-free read or write */
	KMLAB_KFENCE_OOB,	/* out-of-bounds: into a guard page */
	KMLAB_KFENCE_CORRUPT,	/* canary beside the object changed */
	KMLAB_KFENCE_BAD_FREE,	/* a free of a free or inner address */
};

#define KMLAB_KFENCE_WRITE	1
#define KMLAB_KFENCE_DATA	2

/* the byte KFENCE keeps beside an object (KFENCE_CANARY_PATTERN_U8) */
#define KMLAB_KFENCE_CANARY(addr)	((__u8)(0xaa ^ ((addr) & 0x7)))

/* kmlab trace -- CMD: its processes and theirs, followed at once */
#define KMLAB_TRACED_MAX	16384

/* frees remembered for double-free and late-access checks */
#define KMLAB_FREED_MAX	8192

/* Indices of the .bss lost-event counters. */
enum kmlab_lost {
	KMLAB_LOST_RINGBUF = 0,	/* ring buffer was full */
	KMLAB_LOST_LIVE_FULL,	/* live map was full: object untracked */
	KMLAB_LOST_FREED_FULL,	/* freed map update failed */
	KMLAB_LOST_FREED_AGED,	/* a free's record may have aged out of the
				 * freed map: a second free of it would go
				 * unseen */
	KMLAB_LOST_UNFOLLOWED,	/* trace -- CMD: a process it started that
				 * could not be followed (map full) */
	KMLAB_LOST_MAX
};

/*
 * Events the kernel did not hand to a program because it was already
 * running on that CPU (recursion misses: always in an interrupt), by the
 * kind of program, and whether the module acts where they happen.  The
 * loader fills it from the programs' info and the observer's .bss.
 */
struct kmlab_misses {
	__u64 alloc;		/* allocation programs: a leak may hide */
	__u64 free;		/* free programs: a free or double free */
	__u64 other;		/* module load/unload, plan steps */
	__u64 atomic_allocs;	/* module allocations that could not sleep */
	__u64 irq_events;	/* module allocations and frees seen in
				 * interrupt context */
};

/* live map value: an object the module allocated and still holds */
struct kmlab_live {
	__u64 ts;		/* bpf_ktime_get_ns() of the allocation */
	__u64 call_site;
	__u64 size_req;
	__u64 size_alloc;
	__u64 cache;		/* struct kmem_cache *, 0 for kmalloc */
	__u32 gfp;		/* the kernel's gfp_t bits */
	__u32 src;		/* enum kmlab_family */
	__u32 pid;
	__u32 pad;
};

/* kmlab_freed.flags */
#define KMLAB_FREED_RCU	1	/* kfree_rcu'd: core code frees it once more,
				 * a grace period later */

/*
 * kmlab_event.flags of a MOD_LOAD: kmlab attached to a module that was
 * already loaded (kmlab watch NAME): what it allocated before is unknown
 */
#define KMLAB_MOD_ATTACHED	1

/* freed map value: an object the module allocated, now freed */
struct kmlab_freed {
	__u64 ts;		/* of the free */
	__u64 free_site;
	__u64 alloc_ts;
	__u64 alloc_site;
	__u64 size_req;
	__u64 size_alloc;
	__u32 src;		/* enum kmlab_family of the allocation */
	__u32 flags;		/* KMLAB_FREED_* */
};

struct kmlab_event {
	__u32 type;		/* enum kmlab_ev_type */
	__u32 pid;
	__u64 ts;
	__u64 ptr;
	__u64 call_site;	/* allocation or free site */
	__u64 size_req;
	__u64 size_alloc;
	__u64 site2;		/* FREE: alloc site; DOUBLE_FREE: 1st free */
	__u64 ts2;		/* FREE: alloc time; DOUBLE_FREE: 1st free */
	__u64 base;		/* MOD_LOAD: core text start */
	__u64 len;		/* MOD_LOAD: core text size */
	__u32 gfp;
	__u32 src;		/* enum kmlab_family */
	char comm[KMLAB_COMM_LEN];
	char name[KMLAB_EV_NAME_LEN];	/* module or object name */
	/* KMLAB_EV_STEP: the kmlab_step record's fields */
	__u64 off;
	__u64 alen;
	__s32 result;
	__u32 line;
	__u32 obj;
	__u32 flags;		/* STEP: KMLAB_STEP_*; MOD_LOAD: KMLAB_MOD_* */
	__u16 op;
	__u16 family;
	__u16 phase;
	__u16 reason;
	__u32 late;		/* observer: access inside a freed object */
	__u32 wrong_cache;	/* FREE: freed by the wrong allocator: another
				 * cache than the object's (name: the freeing
				 * one), or another family (alloc_src) */
	__u64 freed_ts;		/* late: when the object was freed */
	__u64 freed_site;	/* late: who freed it */
	__u64 freed_size;	/* late: its requested size */
	__u8 data[KMLAB_EV_DATA_LEN];
	__u32 alloc_src;	/* FREE: enum kmlab_family of the allocation */
	__u32 nr_stack;		/* frames in stack[]: only for the watched
				 * module's own allocations and frees */
	__u64 via;		/* ALLOC: the core helper (kstrdup...) that
				 * allocated on the module's behalf */
	__u32 init_failed;	/* MOD_FREE: its init never returned 0 */
	__u32 rcu_readers;	/* FREE: from a SLAB_TYPESAFE_BY_RCU cache,
				 * whose freed objects readers may still
				 * read: no watchpoint there */
	__u64 stack[KMLAB_STACK_DEPTH];
};

#endif /* KMLAB_EVENTS_H */
