/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Events the observer (kmlab.bpf.c) sends to the loader through its ring
 * buffer, one record struct per event type, and the values of its maps.
 * Fixed-width types: both the BPF side and the loader include this file.
 * An object's src is the family it came from, a free's the kind of free
 * (families.h).
 */
#ifndef KMLAB_EVENTS_H
#define KMLAB_EVENTS_H

#include "families.h"

#define KMLAB_MOD_NAME_LEN	56	/* MODULE_NAME_LEN on x86_64 */
/* modules one observer watches at once (kmlab watch A B ...); records
 * name theirs by its index in the loader's list */
#define KMLAB_MODS_MAX		8
#define KMLAB_COMM_LEN		16
#define KMLAB_EV_NAME_LEN	32	/* cache or object name */
#define KMLAB_EV_DATA_LEN	16	/* = KMLAB_DATA_LEN of ir.h */
#include "ir.h"
#define KMLAB_STACK_DEPTH	12	/* kernel frames kept per event */
#define KMLAB_HELPERS_MAX	128	/* core functions allocating for their
					 * callers, and the calls that lead
					 * there (a power of two: searched by
					 * halves) */
#define KMLAB_HELPERS_LOG	7	/* log2(KMLAB_HELPERS_MAX) */
#define KMLAB_HELPER_PAGES	16384	/* 4 KiB pages of core text from the
					 * first helper's that may hold one */

/*
 * What core code allocates for a module, by kind.  A core function is
 * a site of kinds (its allocations' call site is in it) and an entry of
 * kinds (a module calling it gets objects of those kinds).  An
 * allocation at a site is the module's when the function the module
 * called, the frame below the module's on the stack, is an entry of
 * one of the site's kinds: idr_alloc() for a radix tree node, not
 * sysfs_create_file(), whose kernfs inode number takes one too.
 */
enum kmlab_helper_kind {
	KMLAB_HK_COPY	= 1 << 0,	/* kstrdup(), kasprintf(), memdup_user() */
	KMLAB_HK_DEVM	= 1 << 1,	/* devm_kasprintf(), devm_kstrdup() */
	KMLAB_HK_TREE	= 1 << 2,	/* IDR, IDA, radix tree, XArray nodes */
	KMLAB_HK_POOL	= 1 << 3,	/* a mempool and its reserve */
	KMLAB_HK_SKB	= 1 << 4,	/* an sk_buff and its data */
	KMLAB_HK_DEV	= 1 << 5,	/* devices, classes, char regions */
	KMLAB_HK_NAME	= 1 << 6,	/* kobject names */
};
/* helper_kinds[]: the site's kinds, and the entry's, shifted */
#define KMLAB_HK_ENTRY_SHIFT	8

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
 * covers.  A hit is a struct kmlab_ev_watch_hit.
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
 * end.  struct kmlab_ev_slub carries what SLUB found and the cache's
 * geometry, so that the loader can tell whose object it was.  SLUB names
 * the region in a message (check_object()); the observer keeps its kind
 * only.
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
 * is freed.  Only sampled objects are seen: struct kmlab_ev_kfence.
 */
enum kmlab_kfence_what {
	KMLAB_KFENCE_OTHER = 0,	/* an invalid access KFENCE cannot place */
	KMLAB_KFENCE_UAF,	/* use-after-free read or write */
	KMLAB_KFENCE_OOB,	/* out-of-bounds: into a guard page */
	KMLAB_KFENCE_CORRUPT,	/* canary beside the object changed */
	KMLAB_KFENCE_BAD_FREE,	/* a free of a free or inner address */
};

/* kmlab_ev_kfence.flags */
#define KMLAB_KFENCE_WRITE	1	/* the fault was a write */
#define KMLAB_KFENCE_DATA	2	/* data holds the bytes at addr */

/* the byte KFENCE keeps beside an object (KFENCE_CANARY_PATTERN_U8) */
#define KMLAB_KFENCE_CANARY(addr)	((__u8)(0xaa ^ ((addr) & 0x7)))

/* kmlab trace -- CMD: its processes and theirs, followed at once */
#define KMLAB_TRACED_MAX	16384

/* frees remembered for double-free and late-access checks, at least
 * (the loader sizes the map from the machine's memory) */
#define KMLAB_FREED_MIN	8192

/*
 * A module's load and unload records the ring buffer had no room for
 * wait in the observer's kept_events map instead, in slot KMLAB_KEPT_SLOT
 * (the newest of each): without them no leak can be told, and a module
 * that frees tens of thousands of objects at exit fills the ring just
 * before its unload.
 */
#define KMLAB_KEPT_MAX		(2 * KMLAB_MODS_MAX)
#define KMLAB_KEPT_SLOT(mod, type)	\
	((mod) * 2 + ((type) == KMLAB_EV_MOD_FREE))

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
	/*
	 * The ring buffer was full for the record of an allocation, or of a
	 * free that fitted its object: what only the timeline needs.  The
	 * live map still followed the object (leaks are read from it), and
	 * a second free or a wrong one travels in a record of its own
	 * (KMLAB_LOST_RINGBUF when lost): see timeline_lost_relevant().
	 */
	KMLAB_LOST_RING_ALLOC,
	KMLAB_LOST_RING_FREE,
	KMLAB_LOST_MAX
};

/* Records the ring buffer had no room for, of any kind. */
static inline __u64 kmlab_ring_lost(const __u64 *lost)
{
	return lost[KMLAB_LOST_RINGBUF] + lost[KMLAB_LOST_RING_ALLOC] +
	       lost[KMLAB_LOST_RING_FREE];
}

/*
 * The freed map is an LRU, which may evict a little before it is full
 * (per-CPU free lists): of a map of @room, the records past this many
 * count as possibly aged out (KMLAB_LOST_FREED_AGED).
 */
#define KMLAB_FREED_SAFE(room)	((room) - (room) / 8)

/*
 * The room (kmlab --live) that would have kept everything, rounded up to
 * a multiple of 1024.  Live map: after a map of @room turned @lost
 * allocations away, its room and all of them (as if none of those was
 * freed before the next came).  Freed map: after @lost records past the
 * safe count of a map of @room, a map whose safe count holds them too.
 */
static inline unsigned long long kmlab_live_enough(unsigned long long room,
						   unsigned long long lost)
{
	return (room + lost + 1023) / 1024 * 1024;
}

static inline unsigned long long kmlab_freed_enough(unsigned long long room,
						    unsigned long long lost)
{
	unsigned long long want = KMLAB_FREED_SAFE(room) + lost;
	unsigned long long r = (want + want / 7 + 1023) / 1024 * 1024;

	while (KMLAB_FREED_SAFE(r) < want)
		r += 1024;
	return r;
}

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

/*
 * A watched module while it is loaded, in the observer's .bss (the
 * loader's skeleton shows it too): its core [0] and init [1] text, set at
 * module_load, and its struct module, to ask whether its init is over
 * (its init text freed).
 */
struct kmlab_target {
	__u64 base[2];
	__u64 size[2];
	__u64 mod;
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
	__u32 mod;		/* the watched module's index */
};

/* kmlab_freed.flags */
#define KMLAB_FREED_RCU	1	/* kfree_rcu'd: core code frees it once more,
				 * a grace period later */

/*
 * kmlab_ev_mod_load.flags: kmlab attached to a module that was already
 * loaded (kmlab watch NAME): what it allocated before is unknown
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
	__u16 flags;		/* KMLAB_FREED_* */
	__u16 mod;		/* the watched module's index */
};

/*
 * The ring buffer's records: each starts with the head, whose type says
 * which struct follows.  Sizes differ: the loader checks each record's
 * length against kmlab_ev_size() of its type.
 */
struct kmlab_ev_head {
	__u16 type;		/* enum kmlab_ev_type */
	__u16 mod;		/* whose: the watched module's index (the
				 * object's owner, not always the caller);
				 * 0 for SLUB and KFENCE reports, which the
				 * loader places by address */
	__u32 pid;		/* tgid of the task it happened in */
	__u64 ts;		/* bpf_ktime_get_ns() */
	char comm[KMLAB_COMM_LEN];
};

/* kernel frames, innermost first: only for the watched module's own
 * objects (a trace has none) */
struct kmlab_ev_stack {
	__u32 nr;
	__u32 pad;
	__u64 ip[KMLAB_STACK_DEPTH];
};

/* KMLAB_EV_ALLOC, KMLAB_EV_ALLOC_FAIL (ptr 0) */
struct kmlab_ev_alloc {
	struct kmlab_ev_head h;
	__u64 ptr;
	__u64 call_site;	/* the module's call (or the helper's caller) */
	__u64 size_req;
	__u64 size_alloc;
	__u64 via;		/* the core helper (kstrdup...) that allocated
				 * on the module's behalf, 0 if none */
	/*
	 * The object the live map still held at this address, whose free
	 * no event showed (a batch kmem_cache_free_bulk() or kfree_rcu()
	 * frees, a free whose program the kernel skipped as another ran on
	 * its CPU): its call site and size; 0 when there was none.
	 */
	__u64 replaced_site;
	__u64 replaced_size;
	__u32 gfp;		/* the kernel's gfp_t bits */
	__u32 src;		/* enum kmlab_family */
	char cache[KMLAB_EV_NAME_LEN];	/* kmem_cache's name, "" if none */
	struct kmlab_ev_stack stack;
};

/* KMLAB_EV_FREE: one of the watched objects was freed (by anyone) */
struct kmlab_ev_free {
	struct kmlab_ev_head h;
	__u64 ptr;
	__u64 call_site;	/* the free's */
	__u64 alloc_site;
	__u64 alloc_ts;
	__u64 size_req;
	__u64 size_alloc;
	__u32 src;		/* enum kmlab_family: the kind of free */
	__u32 alloc_src;	/* ... and the allocation's family */
	__u32 wrong_cache;	/* freed by the wrong allocator: another
				 * cache than the object's (cache: the
				 * freeing one), or another family */
	__u32 rcu_readers;	/* from a SLAB_TYPESAFE_BY_RCU cache, whose
				 * freed objects readers may still read: no
				 * watchpoint there */
	char cache[KMLAB_EV_NAME_LEN];
	struct kmlab_ev_stack stack;
};

/* KMLAB_EV_DOUBLE_FREE: a free of an object already freed */
struct kmlab_ev_double_free {
	struct kmlab_ev_head h;
	__u64 ptr;
	__u64 call_site;	/* the second free's */
	__u64 first_site;	/* the first free's */
	__u64 first_ts;
	__u64 size_req;		/* 0 when the object was never seen */
	__u64 size_alloc;
	__u32 src;		/* enum kmlab_family: this free's kind */
	__u32 alloc_src;	/* the allocation's family, if seen */
	struct kmlab_ev_stack stack;
};

/* KMLAB_EV_FREE_UNKNOWN: the module freed an address it never got from
 * the allocator while watched (one inside an object, or from before) */
struct kmlab_ev_free_unknown {
	struct kmlab_ev_head h;
	__u64 ptr;
	__u64 call_site;
	__u32 src;		/* enum kmlab_family: the kind of free */
	__u32 pad;
	struct kmlab_ev_stack stack;
};

/* KMLAB_EV_MOD_LOAD: the watched module was loaded (or found loaded) */
struct kmlab_ev_mod_load {
	struct kmlab_ev_head h;
	__u64 text;		/* its core text: [text, text + text_size) */
	__u64 text_size;
	__u64 init_text;	/* its init text, freed once init returns */
	__u64 init_text_size;
	__u32 flags;		/* KMLAB_MOD_* */
	__u32 pad;
	char name[KMLAB_MOD_NAME_LEN];
};

/* KMLAB_EV_MOD_FREE: ... and its memory is going away */
struct kmlab_ev_mod_free {
	struct kmlab_ev_head h;
	__u64 live;		/* objects still in the live map (all the
				 * watched modules') */
	__u32 init_failed;	/* its init never returned 0 */
	__u32 pad;
	char name[KMLAB_MOD_NAME_LEN];
};

/* KMLAB_EV_STEP: the data plane's kmlab_step record, as it came, and
 * what the observer knows of the object it touched */
struct kmlab_ev_step {
	struct kmlab_ev_head h;
	struct kmlab_step_fields step;
	__u32 late;		/* the access is inside a freed object */
	__u32 pad;
	__u64 freed_ts;		/* late: when the object was freed */
	__u64 freed_site;	/* late: who freed it */
	__u64 freed_size;	/* late: its requested size */
};

/* KMLAB_EV_SLUB: the bytes [addr, addr + len) of a slab, as SLUB found
 * them, or (KMLAB_SLUB_KEPT) the object whose free it refused */
struct kmlab_ev_slub {
	struct kmlab_ev_head h;
	__u64 addr;
	__u64 len;
	__u64 object_size;	/* the cache's geometry: object, */
	__u64 inuse;		/* object and the red zone after it, */
	__u64 red_left_pad;	/* and the red zone before it */
	__u32 what;		/* enum kmlab_slub_what */
	__u32 expected;		/* the byte SLUB expected there (0x6b
				 * poison, 0xbb/0xcc red zones...) */
	__u8 data[KMLAB_EV_DATA_LEN];	/* the first bytes found instead */
	char cache[KMLAB_EV_NAME_LEN];
	struct kmlab_ev_stack stack;
};

/* KMLAB_EV_WATCH_HIT: the module touched a freed object's watched bytes
 * [obj + off, obj + off + len) */
struct kmlab_ev_watch_hit {
	struct kmlab_ev_head h;
	__u64 obj;
	__u64 off;
	__u64 len;
	__u64 call_site;	/* the module's instruction after the access
				 * (x86 reports a data breakpoint once the
				 * access is done) */
	__u64 ip;		/* the instruction trapped, maybe an
				 * accessor's (memcpy...) */
	__u64 freed_ts;		/* the object's free */
	__u64 freed_site;
	__u64 freed_size;
	__u8 data[KMLAB_EV_DATA_LEN];	/* the bytes there afterwards */
	struct kmlab_ev_stack stack;	/* the access's */
};

/* KMLAB_EV_KFENCE: KFENCE's report about one of its objects */
struct kmlab_ev_kfence {
	struct kmlab_ev_head h;
	__u64 addr;		/* accessed, or the first changed byte */
	__u64 ip;		/* the faulting instruction, 0 when found at
				 * free */
	__u64 obj;		/* the KFENCE object's start, */
	__u64 obj_size;		/* and its size */
	__u32 what;		/* enum kmlab_kfence_what */
	__u32 flags;		/* KMLAB_KFENCE_* */
	__u8 data[KMLAB_EV_DATA_LEN];	/* the bytes at addr, if readable */
	char cache[KMLAB_EV_NAME_LEN];
	struct kmlab_ev_stack stack;	/* the access's (from the faulting
					 * instruction on) or the free's */
};

/* Any record: the loader reads each through this */
union kmlab_ev {
	struct kmlab_ev_head h;
	struct kmlab_ev_alloc alloc;
	struct kmlab_ev_free free;
	struct kmlab_ev_double_free double_free;
	struct kmlab_ev_free_unknown free_unknown;
	struct kmlab_ev_mod_load mod_load;
	struct kmlab_ev_mod_free mod_free;
	struct kmlab_ev_step step;
	struct kmlab_ev_slub slub;
	struct kmlab_ev_watch_hit watch_hit;
	struct kmlab_ev_kfence kfence;
};

/* The size of a @type record, 0 for no such type. */
static inline __attribute__((always_inline)) __u32 kmlab_ev_size(__u32 type)
{
	switch (type) {
	case KMLAB_EV_ALLOC:
	case KMLAB_EV_ALLOC_FAIL:
		return sizeof(struct kmlab_ev_alloc);
	case KMLAB_EV_FREE:
		return sizeof(struct kmlab_ev_free);
	case KMLAB_EV_DOUBLE_FREE:
		return sizeof(struct kmlab_ev_double_free);
	case KMLAB_EV_FREE_UNKNOWN:
		return sizeof(struct kmlab_ev_free_unknown);
	case KMLAB_EV_MOD_LOAD:
		return sizeof(struct kmlab_ev_mod_load);
	case KMLAB_EV_MOD_FREE:
		return sizeof(struct kmlab_ev_mod_free);
	case KMLAB_EV_STEP:
		return sizeof(struct kmlab_ev_step);
	case KMLAB_EV_SLUB:
		return sizeof(struct kmlab_ev_slub);
	case KMLAB_EV_WATCH_HIT:
		return sizeof(struct kmlab_ev_watch_hit);
	case KMLAB_EV_KFENCE:
		return sizeof(struct kmlab_ev_kfence);
	}
	return 0;
}

/* kmlab --ring: the kernel takes a ring buffer of up to 2 GiB */
#define KMLAB_RING_MIB_MAX	2048ULL

/*
 * The ring buffer (kmlab --ring, in MiB) that would also have held @lost
 * records it had no room for besides its @bytes, had kmlab read none
 * meanwhile: a power of two, as the kernel wants it.  Each record is
 * sized as the largest of the module's, an allocation's, with the ring's
 * 8-byte header.
 */
static inline unsigned long long kmlab_ring_enough(unsigned long long bytes,
						   unsigned long long lost)
{
	unsigned long long want, mib = 1;

	want = bytes + lost * (sizeof(struct kmlab_ev_alloc) + 8);
	while ((mib << 20) < want && mib < KMLAB_RING_MIB_MAX)
		mib <<= 1;
	return mib;
}

#endif /* KMLAB_EVENTS_H */
