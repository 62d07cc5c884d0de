/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the observer saw, rebuilt from its events: one entry per object
 * the module allocated (with its accesses and its free), and the findings
 * drawn from them.  Pure: no libbpf, so unit tests feed it fake events.
 */
#ifndef KMLAB_TIMELINE_H
#define KMLAB_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "kmlab/events.h"
#include "findings.h"
#include "stacks.h"

struct plan;

/* one plan step that touched an object: access, refusal, note */
struct tl_step {
	__u64 ts;
	__u16 op;		/* enum kmlab_opcode */
	__u16 reason;		/* enum kmlab_reason */
	__s32 result;
	__u32 line;
	__u32 flags;		/* KMLAB_STEP_* */
	bool late;		/* observer: inside a freed object */
	__u64 off, len;
	__u8 data[KMLAB_EV_DATA_LEN];
};

/* the newest of the objects folded into one: when and where it was made */
struct tl_last {
	__u64 seq, ts, ptr;
};

struct tl_object {
	__u64 ptr;
	__u32 family;		/* enum kmlab_family of the allocation */
	__u32 free_src;		/* ... and of the free */
	__u64 via;		/* core helper that allocated it, 0 if none */
	/* shared with every object of the same stacks (stacks.h) */
	const struct tl_stack *alloc_stack, *free_stack;
	char name[KMLAB_EV_NAME_LEN];	/* plan name, "" if unknown */
	char cache[KMLAB_EV_NAME_LEN];	/* kmem_cache name, "" for kmalloc */
	int plan_obj;		/* index in the plan, -1 if unknown */
	__u32 line;		/* plan line of the allocation */
	bool seen_alloc;	/* the observer saw the allocation */
	bool freed, leaked;
	bool free_unseen;	/* freed, but its record was lost */
	__u64 missed_ts;	/* ... or no event showed its free: its
				 * address was handed out again then */
	bool slub_kept;		/* SLUB refused its free: still allocated */
	/* a free seen that SLUB may yet refuse, by the return address
	 * into its caller (see add_slub_kept) */
	bool kept_due;
	__u64 kept_ret;
	__u64 size_req, size_alloc;
	__u64 alloc_ts, alloc_site;
	__u32 alloc_pid;	/* the task that allocated it, 0 if unknown */
	char alloc_comm[KMLAB_COMM_LEN];
	__u64 free_ts, free_site;
	__u32 free_line;	/* plan line of the free, 0 if unknown */
	__u32 next_free_line;	/* a free step seen, its kmem event not yet */
	bool plan_freed;	/* a free step of the plan's ran on it */
	struct tl_step *steps;
	int nr_steps, cap_steps;
	int older;		/* the object before it at ptr, -1 if none */
	__u64 seq;		/* allocation order over the whole run */
	/* objects that lived as this one did, let go of as the run went on
	 * (see timeline.c), and the newest of them */
	__u32 folded;
	struct tl_last last;
	__u64 gone_at;		/* the oracle's drains count by which every
				 * event before its address was handed out
				 * again has been read; 0: not asked yet */
};

#define TL_DUMP_LEN	32	/* a leak's hex dump, as kmemleak's */

/* tl_finding.seen_by: the mechanisms that saw it */
#define TL_SEEN_PLAN	1	/* the data plane's own step record */
#define TL_SEEN_SLUB	2	/* SLUB debug's poison or red zone check */
#define TL_SEEN_WATCH	4	/* a hardware watchpoint, as it happened */
#define TL_SEEN_KFENCE	8	/* KFENCE, on one of its sampled objects */

struct tl_finding {
	enum finding_kind kind;
	unsigned int seen_by;	/* TL_SEEN_*, 0 for the kmem events */
	int object;		/* index in tl->objs, -1 if none */
	char name[KMLAB_EV_NAME_LEN];
	int plan_obj;		/* -1 if unknown */
	__u32 line;		/* plan line, 0 if unknown */
	__u64 size;
	__u64 site, site2;	/* e.g. 2nd and 1st free */
	__u64 via;		/* leak: the core helper that allocated */
	char cache_given[KMLAB_EV_NAME_LEN];	/* wrong cache: freed into */
	__u64 ts;
	__u64 age_ns;		/* leak: age at unload; late: since free */
	__u64 off, len;
	bool is_read;
	bool rw_unknown;	/* a watchpoint: read or write, x86 won't say */
	bool accessed;		/* stack is the access's, as it happened */
	bool has_data;
	__u8 data[KMLAB_EV_DATA_LEN];
	/* leak: its first bytes as they were at the end, as kmemleak shows */
	__u8 dump[TL_DUMP_LEN];
	__u8 dump_len;
	__u16 reason;		/* refused: enum kmlab_reason */
	int load;		/* leak: the module's load it came from (1-),
				 * when it was loaded more than once */
	bool line_from_step;	/* line is the op's, not the alloc's */
	bool predicted, observed;
	char pred_msg[160];
	__u32 src, src2;	/* wrong free: the free's and alloc's kinds */
	struct tl_stack stack;	/* where it happened (the 2nd free...) */
	struct tl_stack stack2;	/* double free: the first free; late
				 * access seen by a watchpoint: the free */
};

/*
 * One load of the module, to its unload.  A module is loaded more than
 * once in a watch when its init fails and busybox insmod retries with
 * init_module(): each attempt's leaks are its own.
 */
#define TL_LOADS_MAX	8

struct tl_load {
	__u64 ts, unload_ts;
	__u64 text_base, text_len;
	__u64 init_base, init_len;
	bool init_failed;	/* unloaded before its init returned 0 */
};

/*
 * What the observer knows now, ahead of the events read so far: has
 * anyone been handed @ptr again since the module freed it (its freed
 * map), and how many times the ring buffer was read to its end.  Unset
 * (kmlab report, the unit tests): only the module's own reuse of an
 * address tells.
 */
struct tl_oracle {
	bool (*freed_gone)(void *ctx, __u64 ptr);
	__u64 (*drains)(void *ctx);
	void *ctx;
};

struct timeline {
	char module[KMLAB_MOD_NAME_LEN];
	bool loaded, unloaded;
	bool init_failed;	/* the last unload: its init had failed */
	/* kmlab attached to it already loaded: its earlier allocations are
	 * unknown, and so are leaks among them */
	bool attached;
	__u64 plan_steps;	/* the data plane's step records */
	__u64 frees_unseen;	/* objects timeline_settle() found freed */
	__u64 frees_missed;	/* freed without an event: the address was
				 * handed out again (missed_ts) */
	__u64 unknown_frees;	/* frees of addresses it never got from
				 * the allocator while watched */
	struct tl_load loads[TL_LOADS_MAX];
	int nr_loads;		/* may exceed TL_LOADS_MAX: the first kept */
	__u64 t0;		/* first event or module load, ns */
	/* several modules watched at once: t0 is the first one's load (or
	 * attach), that module's name here, the same for all of them */
	char t0_module[KMLAB_MOD_NAME_LEN];
	__u64 unload_ts;
	__u64 text_base, text_len;	/* the module's core text */
	__u64 init_base, init_len;	/* and its init text */
	struct tl_object *objs;
	int nr_objs, cap_objs;
	struct tl_stacks stacks;	/* the objects' stacks, each once */
	__u64 next_seq;
	int fold_at;		/* nr_objs that starts the next fold */
	__u64 folded;		/* objects let go of, in all */
	int fold_pending;	/* kept by the last fold only until the
				 * ring buffer has been read (oracle) */
	struct tl_oracle oracle;
	int *index;		/* by address: see timeline.c */
	unsigned int index_cap;
	struct tl_finding *finds;
	int nr_finds, cap_finds;
	__u64 events;		/* received */
	__u64 lost[KMLAB_LOST_MAX];	/* from the observer's counters */
	/* the live and freed maps' room and the ring buffer's bytes,
	 * filled in by the loader */
	__u64 live_max, freed_max, ring_bytes;
	__u64 recursion_misses;
	struct kmlab_misses misses;	/* the same, by what they could hide */
	__u64 late_unconfirmed;	/* module said late, observer saw no free */
	/* SLUB debug reports (KMLAB_EV_SLUB), and of them those about no
	 * object of the module's */
	__u64 slub_reports, slub_foreign;
	/* KFENCE reports (KMLAB_EV_KFENCE), and of them those about no
	 * object of the module's; its sampling interval in ms (0: off,
	 * -1: no KFENCE in this kernel), filled in by the loader */
	__u64 kfence_reports, kfence_foreign;
	int kfence_interval;
	bool kfence_unheard;	/* it began sampling after kmlab started */
	/* watchpoint hits on the module's freed objects, and how many of
	 * its frees were watched; filled in by the loader at the end:
	 * the debug registers used per CPU (0: none, watch_why says why) */
	__u64 watch_hits, watch_frees, slab_frees;
	int watch_slots;
	char watch_why[128];
	/* the caches of the module's objects SLUB was asked to check at
	 * the end, and those it could not (no debug checks) */
	char slub_checked[256], slub_unguarded[256];
	/* the module's kmalloc objects smaller than their bucket, on a
	 * kernel whose SLUB does not check the bytes between (before 6.2),
	 * and one of them: its size and its bucket's */
	__u64 slub_rounding_blind, blind_size, blind_class;
	bool slub_asked;
};

void timeline_init(struct timeline *tl, const char *module);
void timeline_free(struct timeline *tl);
/* Fold one ring buffer event in; returns 0 or -ENOMEM. */
int timeline_add(struct timeline *tl, const union kmlab_ev *e);
/* Is the object a report by address (SLUB, KFENCE, a watchpoint) is
 * about one of @tl's?  Several modules watched at once: whose it is. */
bool timeline_owns(struct timeline *tl, const union kmlab_ev *e);
/* An object still in the live map after module_free: a leak. */
int timeline_leak(struct timeline *tl, __u64 ptr, const struct kmlab_live *v);
/* Mark findings the verifier predicted; add predicted-only ones. */
int timeline_match(struct timeline *tl, const struct plan *plan);
/*
 * @o and those folded into it, added to a group of objects that lived
 * alike: @last becomes the newest of them all.  Returns how many @o
 * stands for, for the group's count.  (The fold's and the report's.)
 */
static inline __u32 tl_last_add(struct tl_last *last,
				const struct tl_object *o)
{
	bool folded = o->folded && o->last.seq > o->seq;
	struct tl_last n = folded ? o->last : (struct tl_last){
		.seq = o->seq, .ts = o->alloc_ts, .ptr = o->ptr };

	if (n.seq > last->seq)
		*last = n;
	return 1 + o->folded;
}

/*
 * Objects grouped by the life they lived (name, line, sizes, sites,
 * steps, how they ended; not their addresses or times), the first of
 * each kept: timeline_fold's and the text report's.  @about[i]: a finding is about object i (such an
 * object never folds).
 */
struct tl_lives {
	int *table;
	unsigned int mask;
	bool *about;
};

int timeline_lives_init(struct tl_lives *lv, const struct timeline *tl);
/* The first object looked up that lived as object @i did; @i itself
 * (now the first of its life) when none did. */
int timeline_lives_first(struct tl_lives *lv, const struct timeline *tl,
			 int i);
void timeline_lives_free(struct tl_lives *lv);
/* Let go of the objects nothing can refer to any more; see timeline.c.
 * Run by timeline_add as objects pile up; 0 or -ENOMEM. */
int timeline_fold(struct timeline *tl, int keep);
/* The same step again: the same op on the same bytes, the same outcome
 * (the text folds a run of them). */
bool tl_same_step(const struct tl_step *a, const struct tl_step *b);
/* The same finding again, but for its time: the same hazard of the same
 * object at the same line, sites and stacks (the text folds a run). */
bool tl_same_finding(const struct tl_finding *a, const struct tl_finding *b);
/* Events the observer could not deliver or track. */
__u64 timeline_lost(const struct timeline *tl);
/* ... of them, those that could have changed the verdict: not clean if
 * > 0.  A recursion miss counts only where the module could have been
 * acting (see timeline.c). */
__u64 timeline_lost_relevant(const struct timeline *tl);
/*
 * Did an answer rest on the records of the module's allocations and
 * frees, so that one the ring buffer had no room for
 * (KMLAB_LOST_RING_ALLOC, _FREE) could have changed it: a plan's steps
 * matched to its objects, a SLUB or KFENCE report or a free placed
 * among them by address.  Otherwise the live map, which followed every
 * object, gives the leaks, and the other findings come in records of
 * their own.
 */
bool timeline_records_needed(const struct timeline *tl);
/*
 * Once the leaks are in (timeline_leak), a module gone: the objects
 * neither freed nor leaked left the live map by a free whose record the
 * ring buffer had no room for.  Marks them free_unseen; how many.
 */
int timeline_settle(struct timeline *tl);
/* Observed findings of @kind (FINDING_MAX: all kinds). */
/* an object whose allocation it saw and whose free it has not */
bool timeline_any_unfreed(const struct timeline *tl);
int timeline_count(const struct timeline *tl, int kind);
/* The load @ts falls in (1-), 0 if none is known. */
int timeline_load_of(const struct timeline *tl, __u64 ts);
/* SLUB's poison in a free object (POISON_FREE), as a read may see it */
#define KMLAB_POISON_FREE	0x6b
/* Do the @n > 0 bytes at @p all read as that poison? */
bool timeline_poison(const __u8 *p, size_t n);
/* "clean", "findings" or "inconclusive" */
const char *timeline_verdict(const struct timeline *tl);

#endif /* KMLAB_TIMELINE_H */
