// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab observer: follows the objects one kernel module allocates, from
 * its load to its unload, and reports what it saw through one ring
 * buffer:
 *  - allocations whose call site lies in the module's text, and failures;
 *    kmalloc and kmem_cache through the kmem tracepoints, the other
 *    families (vmalloc, kvmalloc, pages, percpu) through their exported
 *    entry points (families.bpf.h); allocations core helpers (kstrdup...)
 *    make on the module's behalf through a bounded stack scan;
 *  - frees of those objects, by the module or by anyone else, including
 *    deferred ones (kfree_rcu) and bulk ones; frees by the wrong allocator;
 *  - a second free of an object the module already freed, and frees of
 *    addresses it never got (the loader finds interior pointers);
 *  - the module's own kmlab:kmlab_step events (one per plan op), with
 *    reads and writes that land in a freed object marked late.
 * Objects still in the live map when the module goes away are its leaks;
 * the loader walks the map after the module_free event.  In trace mode
 * (kmlab trace) the same programs follow a process's allocations instead.
 *
 * The kmem programs run on every allocation in the kernel: they compare
 * call_site with two ranges held in .bss before touching any map.  Kernel
 * stacks are taken only for the watched module's own objects.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
/* vmlinux.h already has the __u* types <linux/types.h> would bring */
#define _LINUX_TYPES_H
#include "kmlab/events.h"
#include "kmlab/ir.h"
#include "compat.bpf.h"

/* the loader sizes both from the machine's memory (observer.c) */
#define LIVE_MAX	32768
#define ZERO_SIZE_PTR	16
#define PENDING_MAX	1024

/* filled by the loader before load: the modules to watch, by name; a
 * record names one by its index here */
const volatile __u32 nr_targets = 0;
const volatile char target_names[KMLAB_MODS_MAX][KMLAB_MOD_NAME_LEN] = {};
/* kmlab trace: every allocation matching these, not one module's */
const volatile bool trace_mode = false;
const volatile __u32 trace_pid = 0;
const volatile char trace_comm[KMLAB_COMM_LEN] = {};
const volatile __u64 trace_min_size = 0;
const volatile __u64 trace_max_size = ~0ULL;
/* trace -- CMD: the processes in traced (its own, then each one a traced
 * process forks), not trace_pid alone */
const volatile bool trace_follow = false;
/* core functions that allocate for their caller (kstrdup, idr_alloc...)
 * and the calls that lead there (enum kmlab_helper_kind):
 * [helper_lo, helper_lo + helper_len), resolved from kallsyms, sorted
 * by address, each one's kinds as a site and as an entry; helper_pages
 * has a bit for each page of text from helper_base's that holds a site,
 * so that the allocations of the rest of the kernel (nearly all) are
 * told apart by one bit */
const volatile __u32 nr_helpers = 0;
const volatile __u64 helper_lo[KMLAB_HELPERS_MAX] = {};
const volatile __u64 helper_len[KMLAB_HELPERS_MAX] = {};
const volatile __u32 helper_kinds[KMLAB_HELPERS_MAX] = {};
const volatile __u64 helper_base = 0;
const volatile __u64 helper_pages[KMLAB_HELPER_PAGES / 64] = {};

/*
 * Addresses in the freed map, hashed into byte counters.  An allocation
 * by anyone (kasprintf() on the module's behalf, say) at such an address
 * makes the old free stale; a free by anyone of such an address may be a
 * double free.  Checking this counter keeps the freed map off the path
 * every allocation and free takes; a hash collision costs one useless
 * lookup, never a wrong answer.  A counter counts records, so it drops
 * back to 0 when they go; one whose record the LRU evicted stays up,
 * which only costs lookups.
 */
#define REUSE_BITS	15
__u32 maybe_freed[1 << REUSE_BITS] = {};

/* each watched module's text while loaded (events.h) */
struct kmlab_target targets[KMLAB_MODS_MAX] = {};
/* watched modules loaded now: the stack scans run only then */
__u32 targets_loaded = 0;
/* objects in the live map: frees from outside the module look only then */
__u64 live_count = 0;
/* ... of them from the page allocator: the page frees look only then */
__u64 live_pages = 0;
/*
 * Could the events the kernel skipped (a program already running on
 * that CPU: recursion misses, all in interrupts) have been the module's?
 * Its allocations that could not sleep, and its allocations and frees in
 * interrupt context, say whether it acts there at all.
 */
__u64 module_atomic_allocs = 0;
__u64 module_irq_events = 0;
__u64 lost[KMLAB_LOST_MAX] = {};
/*
 * Records in the freed map.  The LRU drops the oldest when it needs room,
 * and may start a little before it is full (per-CPU free lists): past
 * freed_safe (set by the loader with the map's size) every new record
 * counts as a possible loss.
 */
const volatile __u64 freed_safe = KMLAB_FREED_SAFE(KMLAB_FREED_MIN);
__u64 freed_count = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* a module's load and unload records, when the ring buffer was full:
 * life_new() */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KMLAB_KEPT_MAX);
	__type(key, __u32);
	__type(value, union kmlab_ev);
} kept_events SEC(".maps");
__u32 kept_seq[KMLAB_KEPT_MAX] = {};

/* trace -- CMD: the thread groups (tgid) whose allocations are traced */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KMLAB_TRACED_MAX);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/*
 * Preallocated, sized by the loader: a map that allocates as it is used
 * refills from an irq_work that kmallocs while these programs run, and
 * every such kmalloc would be a recursion miss.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LIVE_MAX);
	__type(key, __u64);
	__type(value, struct kmlab_live);
} live SEC(".maps");

/* LRU: old frees age out instead of making updates fail */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KMLAB_FREED_MIN);
	__type(key, __u64);
	__type(value, struct kmlab_freed);
} freed SEC(".maps");

/*
 * A free that forwards the same address to another free (kvfree to kfree
 * or vfree, free_pages to __free_pages) tail-calls it on 6.1, so the
 * inner free's call site is the module's too, at one or two levels
 * (kvfree -> kfree -> __free_pages for a large kmalloc): the outer one
 * marks the address for its task, and the inner ones, finding the mark,
 * are not taken for second frees.  The mark lasts until the task's next
 * allocation, plan step or forwarding free (no exit hook clears it: an
 * fexit would make the tail-called kfree's call_site the BPF
 * trampoline), so kvfree(p) directly followed by kfree(p) goes unseen.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);	/* pid_tgid */
	__type(value, __u64);	/* address being freed */
} forwarding SEC(".maps");

__u64 forwarding_count = 0;

static __always_inline bool inner_free(__u64 ptr)
{
	__u64 tid, *p;

	if (!forwarding_count)
		return false;
	tid = bpf_get_current_pid_tgid();
	p = bpf_map_lookup_elem(&forwarding, &tid);
	return p && *p == ptr;
}

/* The task did something else since: its last forwarding free is over. */
static __always_inline void forwarding_done(void)
{
	__u64 tid;

	if (!forwarding_count)
		return;
	tid = bpf_get_current_pid_tgid();
	if (!bpf_map_delete_elem(&forwarding, &tid))
		__sync_fetch_and_add(&forwarding_count, -1);
}

/* an allocation the module started, waiting for its exit hook */
struct kmlab_pending {
	__u64 site;
	__u64 size_req;
	__u64 size_alloc;
	__u32 gfp;
	__u32 src;
	__u32 nr_stack;
	__u32 inside;		/* __vmalloc_node_range frames running: it
				 * nests (its pages array) */
	__u64 stack[KMLAB_STACK_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PENDING_MAX);
	__type(key, __u64);	/* pid_tgid */
	__type(value, struct kmlab_pending);
} pending SEC(".maps");

/* records in pending: the fexit programs look only then */
__u64 pending_count = 0;

/* kvmalloc_node's text: its kmalloc is the module's when one is pending */
const volatile __u64 kvmalloc_lo = 0;
const volatile __u64 kvmalloc_len = 0;
/* delayed_vfree_work(), which vfree()s again what a vfree() in an
 * interrupt queued (6.3+; the loader's SYM_VFREE_WORK) */
const volatile __u64 vfree_work_lo = 0;
const volatile __u64 vfree_work_len = 0;

/*
 * Which watched module's text @site is in: its index + 1, 0 for none.
 * nr_targets is read-only: the verifier keeps only the entries in use,
 * so one module costs what it did before there could be several.
 */
static __always_inline __u32 in_module(__u64 site)
{
	__u32 i;

	/* one module, the usual case: no loop (the verifier drops what
	 * follows, nr_targets being read-only) */
	if (nr_targets == 1)
		return site - targets[0].base[0] < targets[0].size[0] ||
		       site - targets[0].base[1] < targets[0].size[1];
	/* inlined in many places: a loop, not eight copies of its body */
#pragma clang loop unroll(disable)
	for (i = 0; i < KMLAB_MODS_MAX; i++) {
		if (i >= nr_targets)
			break;
		if (site - targets[i].base[0] < targets[i].size[0] ||
		    site - targets[i].base[1] < targets[i].size[1])
			return i + 1;
	}
	return 0;
}

/* the index of the watched module whose text @site is in (0 if none) */
static __always_inline __u16 module_index(__u64 site)
{
	__u32 m = in_module(site);

	return m ? m - 1 : 0;
}

static __always_inline __u32 reuse_slot(__u64 ptr)
{
	return ((__u32)(ptr >> 4) * 2654435761U) >> (32 - REUSE_BITS);
}

/* an object made of pages: whatever frees it is an mm_page_free */
static __always_inline bool page_src(__u32 src)
{
	return kmlab_free_fits(KMLAB_FAM_PAGE_FREE, src);
}

/* a record for @ptr went into the freed map */
static __always_inline void freed_added(__u64 ptr)
{
	__sync_fetch_and_add(&maybe_freed[reuse_slot(ptr)], 1);
	if (__sync_fetch_and_add(&freed_count, 1) >= freed_safe)
		__sync_fetch_and_add(&lost[KMLAB_LOST_FREED_AGED], 1);
}

/* the freed map's record for @ptr, if it may have one */
static __always_inline struct kmlab_freed *freed_find(__u64 ptr)
{
	if (!freed_count || !maybe_freed[reuse_slot(ptr)])
		return NULL;
	return bpf_map_lookup_elem(&freed, &ptr);
}

/* drop @ptr's record, if any */
static __always_inline void freed_drop(__u64 ptr)
{
	__u32 *c = &maybe_freed[reuse_slot(ptr)];

	if (!*c || bpf_map_delete_elem(&freed, &ptr))
		return;
	__sync_fetch_and_add(&freed_count, -1);
	__sync_fetch_and_add(c, -1);
}

/* any allocation at @ptr ends the story of an earlier free there */
static __always_inline void forget_free(__u64 ptr)
{
	if (!trace_mode && ptr && freed_count)
		freed_drop(ptr);
}

static __always_inline bool trace_wants(__u64 size)
{
	char comm[KMLAB_COMM_LEN];
	__u32 tgid;
	int i;

	if (size < trace_min_size || size > trace_max_size)
		return false;
	/* the task only when a filter asks: this runs on every allocation */
	tgid = trace_follow || trace_pid ? bpf_get_current_pid_tgid() >> 32 : 0;
	if (trace_follow) {
		if (!bpf_map_lookup_elem(&traced, &tgid))
			return false;
	} else if (trace_pid && tgid != trace_pid) {
		return false;
	}
	if (!trace_comm[0])
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	for (i = 0; i < KMLAB_COMM_LEN; i++) {
		if (comm[i] != trace_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* @h zeroed, a record of @type: its head filled in */
static __always_inline void *event_head(struct kmlab_ev_head *h, __u32 type,
					__u32 size)
{
	__builtin_memset(h, 0, size);
	h->type = type;
	h->ts = bpf_ktime_get_ns();
	h->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	return h;
}

/*
 * A zeroed record of @type (its struct in events.h: @size is its sizeof,
 * a constant the verifier needs), its head filled in.  None when the ring
 * buffer is full: counted in lost[@why].
 */
static __always_inline void *event_new(__u32 type, __u32 size, __u32 why)
{
	struct kmlab_ev_head *h;

	h = bpf_ringbuf_reserve(&events, size, 0);
	if (!h) {
		if (why < KMLAB_LOST_MAX)
			__sync_fetch_and_add(&lost[why], 1);
		return NULL;
	}
	return event_head(h, type, size);
}

#define EVENT_NEW_OR(T, type, why) \
	((struct T *)event_new(type, sizeof(struct T), why))
#define EVENT_NEW(T, type)	EVENT_NEW_OR(T, type, KMLAB_LOST_RINGBUF)

/*
 * Module @mod's load or unload (@type): without them nothing of it can be
 * told.  The record is made in its slot of kept_events, *@slot, and
 * copied into the ring buffer by life_submit(); when the ring buffer is
 * full it stays there, and the loader reads it once it has read what
 * came before it (observer.c).  A copy, not a reservation: one pointer
 * that is a map value on some paths and ring buffer memory on others
 * would not pass the verifier.
 */
static __always_inline void *life_new(__u32 mod, __u32 type, __u32 size,
				      __u32 *slot)
{
	__u32 i = KMLAB_KEPT_SLOT(mod, type);
	struct kmlab_ev_head *h;

	*slot = i;
	h = i < KMLAB_KEPT_MAX ? bpf_map_lookup_elem(&kept_events, &i) : NULL;
	if (!h) {
		__sync_fetch_and_add(&lost[KMLAB_LOST_RINGBUF], 1);
		return NULL;
	}
	return event_head(h, type, size);
}

static __always_inline void life_submit(void *e, __u32 size, __u32 slot)
{
	if (!bpf_ringbuf_output(&events, e, size, 0))
		return;
	/* after the record: the loader reads it once the count moves */
	if (slot < KMLAB_KEPT_MAX)
		__sync_fetch_and_add(&kept_seq[slot], 1);
}

/*
 * The kinds (helper_kinds[]) of the helper whose text holds @addr.  A
 * search by halves without branches, so that the verifier walks one
 * path, not one per outcome: the loader pads helper_lo[] past the last
 * helper with ~0, never at or below a kernel address, and a step is
 * taken when (addr - lo) keeps its sign bit clear (both are kernel
 * addresses, less than 2^63 apart).  A global function: the verifier
 * checks it once, not at each of its four calls.
 */
__noinline __u32 helper_of(__u64 addr)
{
	__u32 pos = 0, step;

#pragma unroll
	for (step = KMLAB_HELPERS_MAX / 2; step; step /= 2)
		pos += (__u32)(1 - ((addr - helper_lo[(pos + step) &
				    (KMLAB_HELPERS_MAX - 1)]) >> 63)) * step;
	pos &= KMLAB_HELPERS_MAX - 1;
	if (addr - helper_lo[pos] >= helper_len[pos])
		return 0;
	return helper_kinds[pos];
}

/* the kinds of objects an allocation at @site may be made for a caller */
static __always_inline __u32 helper_site(__u64 site)
{
	__u64 pg = (site - helper_base) >> 12;

	if (pg >= KMLAB_HELPER_PAGES ||
	    !(helper_pages[pg / 64] & (1ULL << (pg % 64))))
		return 0;
	return helper_of(site) & ((1 << KMLAB_HK_ENTRY_SHIFT) - 1);
}

/* The first frame of @stack in the module's text, 0 if none. */
static __always_inline __u64 module_frame(const __u64 *stack, __u32 nr)
{
	__u32 i;

	for (i = 0; i < KMLAB_STACK_DEPTH; i++) {
		if (i >= nr)
			break;
		if (in_module(stack[i]))
			return stack[i];
	}
	return 0;
}

/*
 * The module's frame on @stack, when the function it called (the frame
 * below) makes objects of the @kinds an allocation's site makes for its
 * caller; 0 if not: then core code allocated for itself while the
 * module was on the stack.
 */
static __always_inline __u64 module_caller(const __u64 *stack, __u32 nr,
					   __u32 kinds)
{
	__u64 frame = 0, below = 0;
	__u32 i;

	for (i = 1; i < KMLAB_STACK_DEPTH; i++) {
		if (i >= nr)
			break;
		if (in_module(stack[i])) {
			frame = stack[i];
			below = stack[i - 1];
			break;
		}
	}
	if (!frame || !(helper_of(below) >> KMLAB_HK_ENTRY_SHIFT & kinds))
		return 0;
	return frame;
}

static __always_inline __u32 get_stack(void *ctx, __u64 *stack)
{
	long n = bpf_get_stack(ctx, stack, KMLAB_STACK_DEPTH * 8, 0);

	return n > 0 ? (__u64)n / 8 : 0;
}

/* an event's frames: a struct, so that a global function's pointer
 * argument carries their size */
struct frames {
	__u64 ip[KMLAB_STACK_DEPTH];
};

/* an allocation as alloc_event() reports it */
struct alloc_rec {
	struct kmlab_live obj;	/* as the live map keeps it */
	__u64 ptr;
	__u64 via;
	__u64 replaced_site, replaced_size;	/* kmlab_ev_alloc's */
	__u32 nr;		/* frames */
};

/*
 * The allocation's record.  A global function, checked once: on_alloc()
 * is inlined in each allocation program, and the verifier walked the
 * record it filled once per way there (11 times in 6.1's on_kmalloc).
 * @st: the frames, NULL for none (trace: a process's allocations are
 * many).
 */
__noinline int alloc_event(const struct alloc_rec *r, const struct frames *st)
{
	struct kmlab_ev_alloc *e;
	struct kmem_cache *s;

	if (!r)
		return 0;
	/* a failed allocation is a finding: its record is not the
	 * timeline's alone */
	e = EVENT_NEW_OR(kmlab_ev_alloc,
			 r->ptr ? KMLAB_EV_ALLOC : KMLAB_EV_ALLOC_FAIL,
			 r->ptr ? KMLAB_LOST_RING_ALLOC : KMLAB_LOST_RINGBUF);
	if (!e)
		return 0;
	e->h.ts = r->obj.ts;
	e->h.mod = r->obj.mod;
	e->ptr = r->ptr;
	e->call_site = r->obj.call_site;
	e->size_req = r->obj.size_req;
	e->size_alloc = r->obj.size_alloc;
	e->gfp = r->obj.gfp;
	e->src = r->obj.src;
	e->via = r->via;
	e->replaced_site = r->replaced_site;
	e->replaced_size = r->replaced_size;
	/* out of the record first: CO-RE relocates all an access path */
	s = (struct kmem_cache *)r->obj.cache;
	if (s)
		bpf_probe_read_kernel_str(e->cache, sizeof(e->cache),
					  BPF_CORE_READ(s, name));
	if (st) {
		/* whole arrays: callers zero what bpf_get_stack left */
		__builtin_memcpy(e->stack.ip, st->ip, sizeof(e->stack.ip));
		e->stack.nr = r->nr < KMLAB_STACK_DEPTH ? r->nr :
							   KMLAB_STACK_DEPTH;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * @stack/@nr: the frames, taken by the caller (at a family's entry
 * point, by a stack scan); NULL in trace mode, which takes none.
 */
static __always_inline int on_alloc(__u64 site, __u64 ptr, __u64 req,
				    __u64 alloc, __u32 gfp, __u32 src,
				    struct kmem_cache *s,
				    const __u64 *stack, __u32 nr, __u64 via)
{
	struct alloc_rec r = {};
	struct kmlab_live *old;
	int err;

	if (trace_mode) {
		if (!trace_wants(req))
			return 0;
	}

	if (!trace_mode) {
		forwarding_done();
		/* 0: a family whose calls take no gfp (they sleep) */
		if (gfp && !(gfp & KMLAB_GFP_DIRECT_RECLAIM))
			__sync_fetch_and_add(&module_atomic_allocs, 1);
		if (in_irq_context())
			__sync_fetch_and_add(&module_irq_events, 1);
	}
	r.obj.ts = bpf_ktime_get_ns();
	/* whose object: the module whose code asked (trace: nobody's) */
	r.obj.mod = trace_mode ? 0 : module_index(site);
	r.obj.call_site = site;
	r.obj.size_req = req;
	r.obj.size_alloc = alloc;
	r.obj.gfp = gfp;
	r.obj.src = src;
	r.obj.cache = (__u64)s;
	r.ptr = ptr;
	r.via = via;
	r.nr = nr;
	/* kmalloc(0) returns ZERO_SIZE_PTR (16): no object to follow */
	if (ptr > ZERO_SIZE_PTR) {
		r.obj.pid = bpf_get_current_pid_tgid() >> 32;
		err = bpf_map_update_elem(&live, &ptr, &r.obj, BPF_NOEXIST);
		if (!err) {
			__sync_fetch_and_add(&live_count, 1);
			if (page_src(src))
				__sync_fetch_and_add(&live_pages, 1);
		} else if (err == -17 /* EEXIST: we missed its free */) {
			old = bpf_map_lookup_elem(&live, &ptr);
			if (old) {
				r.replaced_site = old->call_site;
				r.replaced_size = old->size_alloc;
			}
			bpf_map_update_elem(&live, &ptr, &r.obj, BPF_EXIST);
		}
		else
			__sync_fetch_and_add(&lost[KMLAB_LOST_LIVE_FULL], 1);
		/* the address is ours again: a later access is not late */
		forget_free(ptr);
	}
	return alloc_event(&r, trace_mode ? NULL :
			   (const struct frames *)stack);
}

/*
 * kvmalloc_node's kmalloc, for the module if it called kvmalloc_node:
 * 1 with its pending record taken into @p; 0 when none is pending; -1
 * when one is, but this is no allocation of its to report (a failed
 * try: vmalloc comes next; or another CPU took the record).  @site: the
 * kmalloc's call site when it is the module's (kvmalloc_node tail-calls
 * __kmalloc_node for small sizes).
 */
static __always_inline int kvmalloc_take(__u64 ptr, __u64 site,
					 struct kmlab_pending *p)
{
	struct kmlab_pending *q;
	__u64 tid;

	tid = bpf_get_current_pid_tgid();
	q = bpf_map_lookup_elem(&pending, &tid);
	if (!q || q->src != KMLAB_FAM_KVMALLOC || (site && q->site != site))
		return 0;
	if (!ptr && !site)
		return -1;
	*p = *q;
	if (bpf_map_delete_elem(&pending, &tid))
		return -1;
	__sync_fetch_and_add(&pending_count, -1);
	return 1;
}

/*
 * on_alloc() once for the three raw_tp allocation programs (kmalloc,
 * kmem_cache_alloc, mm_page_alloc), as free_slow is for the frees: each
 * tells the module's allocations from anyone else's (the hot path) and
 * hands one of the module's to alloc_slow by tail call, its arguments on
 * a per-CPU stack (interrupts nest, as for free_nest).  on_alloc() and
 * the stack scan inlined in each were a fifth of the instructions 6.1's
 * verifier walked at start.
 */
#define ALLOC_NEST_MAX	8

struct alloc_args {
	__u64 site, ptr, req, alloc, s, via;
	__u32 gfp, src;
	__u32 kinds;		/* a helper's: find the module's frame */
	__u32 nr;		/* frames in stack */
	__u32 take_stack, pad;	/* alloc_slow takes them */
	__u64 stack[KMLAB_STACK_DEPTH];
};

struct alloc_nest {
	__u32 depth, pad;
	struct alloc_args a[ALLOC_NEST_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct alloc_nest);
} alloc_nest SEC(".maps");

/* the module's allocations no tail call took: counted with the
 * allocation programs' misses */
__u64 alloc_tail_missed = 0;

SEC("raw_tp")
int alloc_slow(void *ctx)
{
	struct alloc_nest *n;
	struct alloc_args *a;
	__u32 zero = 0, d;
	int ret = 0;

	n = bpf_map_lookup_elem(&alloc_nest, &zero);
	if (!n)
		return 0;
	d = n->depth - 1;
	if (d >= ALLOC_NEST_MAX)
		return 0;
	a = &n->a[d];
	if (a->take_stack) {
		a->nr = get_stack(ctx, a->stack);
		if (a->kinds) {
			/* a helper's allocation: for the module, or for
			 * core code while the module was on the stack */
			a->site = module_caller(a->stack, a->nr, a->kinds);
			if (!a->site) {
				forget_free(a->ptr);
				goto out;
			}
		}
	}
	ret = on_alloc(a->site, a->ptr, a->req, a->alloc, a->gfp, a->src,
		       (struct kmem_cache *)a->s, a->stack, a->nr, a->via);
out:
	n->depth = d;
	return ret;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));	/* no BTF for a program array */
	__array(values, int (void *));
} alloc_tail SEC(".maps") = {
	.values = { [0] = (void *)&alloc_slow },
};

/*
 * on_alloc() by way of alloc_slow.  @stack/@nr: the frames, if taken
 * already; NULL: alloc_slow takes them, and with @kinds (a helper's
 * allocation at @site) finds the module's frame among them.
 */
static __always_inline int alloc_call(void *ctx, __u64 site, __u64 ptr,
				      __u64 req, __u64 alloc, __u32 gfp,
				      __u32 src, struct kmem_cache *s,
				      __u32 kinds, const __u64 *stack,
				      __u32 nr)
{
	struct alloc_nest *n;
	struct alloc_args *a;
	__u32 zero = 0, d;

	n = bpf_map_lookup_elem(&alloc_nest, &zero);
	if (!n)
		return 0;
	d = n->depth;
	if (d >= ALLOC_NEST_MAX) {
		__sync_fetch_and_add(&alloc_tail_missed, 1);
		return 0;
	}
	a = &n->a[d];
	a->site = site;
	a->ptr = ptr;
	a->req = req;
	a->alloc = alloc;
	a->s = (__u64)s;
	a->via = kinds ? site : 0;
	a->gfp = gfp;
	a->src = src;
	a->kinds = kinds;
	a->take_stack = !stack;
	a->nr = nr;
	if (stack)
		__builtin_memcpy(a->stack, stack, sizeof(a->stack));
	n->depth = d + 1;
	bpf_tail_call(ctx, &alloc_tail, 0);
	n->depth = d;
	__sync_fetch_and_add(&alloc_tail_missed, 1);
	return 0;
}

/*
 * An allocation by the kmem tracepoints: the module's own, one a core
 * helper made for it (found by a stack scan, only when the call site is
 * one of the few helpers), or someone else's.  Each of the module's ways
 * ends in the one alloc_call() below.
 */
static __always_inline int on_slab_alloc(void *ctx, __u64 site, __u64 ptr,
					 __u64 req, __u64 alloc, __u32 gfp,
					 __u32 src, struct kmem_cache *s)
{
	struct kmlab_pending p;	/* a kvmalloc's record, and its frames */
	__u32 kinds = 0;
	int kv = 0;

	if (trace_mode)
		return on_alloc(site, ptr, req, alloc, gfp, src, s, NULL, 0,
				0);
	/* kvmalloc_node's kmalloc is a kmem:kmalloc: the constant @src
	 * drops the kvmalloc ways from on_cache_alloc's checks */
	if (in_module(site)) {
		if (src == KMLAB_FAM_KMALLOC && pending_count)
			kv = kvmalloc_take(ptr, site, &p);
	} else if (src == KMLAB_FAM_KMALLOC && pending_count &&
		   site - kvmalloc_lo < kvmalloc_len) {
		kv = kvmalloc_take(ptr, 0, &p);
		if (!kv)
			return 0;
	} else {
		kinds = targets_loaded ? helper_site(site) : 0;
		if (!kinds) {
			forget_free(ptr);
			return 0;
		}
	}
	if (kv < 0)
		return 0;
	if (kv)
		return alloc_call(ctx, p.site, ptr, p.size_req, alloc, p.gfp,
				  KMLAB_FAM_KVMALLOC, s, 0, p.stack,
				  p.nr_stack);
	return alloc_call(ctx, site, ptr, req, alloc, gfp, src, s, kinds,
			  NULL, 0);
}

/*
 * kmem_cache_free(s, x) with x from another cache: SLUB (freelist
 * hardening or debugging on) frees x into its own cache, after
 * WARN("%s: Wrong slab cache. %s but object is from %s") and
 * print_tracking(x's cache, x), so the tracepoint shows x's own cache.
 * Kprobes on those two rare calls (families.bpf.h) leave the name of
 * the cache given here for the free event: no probe on
 * kmem_cache_free itself, which every slab free in the kernel runs.
 */
struct wrong_cache {
	char given[KMLAB_EV_NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);	/* object address */
	__type(value, struct wrong_cache);
} wrong_frees SEC(".maps");

/* records in wrong_frees: the slab events look only then */
__u64 wrong_count = 0;

/* the wrong free's event, or an allocation at @ptr: the record is used */
static __always_inline bool wrong_take(__u64 ptr, struct wrong_cache *out)
{
	struct wrong_cache *w;

	if (!wrong_count)
		return false;
	w = bpf_map_lookup_elem(&wrong_frees, &ptr);
	if (!w)
		return false;
	if (out)
		__builtin_memcpy(out, w, sizeof(*out));
	if (!bpf_map_delete_elem(&wrong_frees, &ptr))
		__sync_fetch_and_add(&wrong_count, -1);
	return true;
}

/*
 * The module freed @ptr, which it got unseen: before kmlab attached, or
 * from a path the observer does not follow.  A slab object is remembered
 * like its own frees (sizes unknown), so that a second free of it is
 * caught too: anyone's next allocation there ends the record, as the
 * kmem tracepoints show every one.
 */
static __always_inline void unknown_freed(__u64 site, __u64 ptr, __u32 src)
{
	struct kmlab_freed gone = {
		.ts = bpf_ktime_get_ns(),
		.free_site = site,
		.src = src == KMLAB_FAM_RCU ? KMLAB_FAM_KMALLOC : src,
		.flags = src == KMLAB_FAM_RCU ? KMLAB_FREED_RCU : 0,
		.mod = module_index(site),
	};

	if (src != KMLAB_FAM_KMALLOC && src != KMLAB_FAM_CACHE &&
	    src != KMLAB_FAM_RCU)
		return;
	if (bpf_map_update_elem(&freed, &ptr, &gone, BPF_ANY))
		__sync_fetch_and_add(&lost[KMLAB_LOST_FREED_FULL], 1);
	else
		freed_added(ptr);
}

/* The module freed @ptr, which it never got while watched.  1. */
static __always_inline int free_unknown(void *ctx, __u64 site, __u64 ptr,
					__u32 src)
{
	struct kmlab_ev_free_unknown *e;

	e = EVENT_NEW(kmlab_ev_free_unknown, KMLAB_EV_FREE_UNKNOWN);
	if (!e)
		return 1;
	e->h.mod = module_index(site);
	e->ptr = ptr;
	e->call_site = site;
	e->src = src;
	if (ctx)
		e->stack.nr = get_stack(ctx, e->stack.ip);
	bpf_ringbuf_submit(e, 0);
	return 1;
}

/* A second free of @ptr, first freed as @f says.  1. */
static __always_inline int double_free(void *ctx, __u64 site, __u64 ptr,
				       __u32 src, const struct kmlab_freed *f)
{
	struct kmlab_ev_double_free *e;

	e = EVENT_NEW(kmlab_ev_double_free, KMLAB_EV_DOUBLE_FREE);
	if (!e)
		return 1;
	e->h.mod = f->mod;
	e->ptr = ptr;
	e->call_site = site;
	e->src = src;
	e->first_site = f->free_site;
	e->first_ts = f->ts;
	e->size_req = f->size_req;
	e->size_alloc = f->size_alloc;
	e->alloc_src = f->src;
	if (ctx)
		e->stack.nr = get_stack(ctx, e->stack.ip);
	bpf_ringbuf_submit(e, 0);
	return 1;
}

/*
 * @s: the cache the free event names; @given: the cache the caller
 * passed when SLUB warned that it was the wrong one (NULL or "" if
 * not).
 * Returns 1 when @ptr was one of the watched module's objects (live,
 * or freed before: a finding).
 *
 * A free of an object already freed is a double free whoever frees it:
 * the module's second kfree() may come through a tail call (its
 * call_site is then the module's caller), a timer or an RCU callback.
 * The freed map (with its byte filter) is asked for every free, and an
 * allocation by anyone at the address (forget_free) ends the record, so
 * a reused address is not taken for the old object.  A free from outside
 * the module must fit the object's family: kfree() of a large kmalloc
 * frees its pages too (kmem:mm_page_free), which is the same free.
 */
static __always_inline int on_free(void *ctx, __u64 site, __u64 ptr,
				   __u32 src, const struct kmem_cache *s,
				   const struct wrong_cache *given)
{
	struct kmlab_freed gone = {};
	struct kmlab_ev_free *e;
	struct kmlab_live *obj;
	struct kmlab_freed *f;
	bool ours, given_name = given && given->given[0];
	__u32 wrong, alloc_src;

	/* kfree(NULL) fires the tracepoint too; it is legal, and so is
	 * kfree(ZERO_SIZE_PTR) */
	if (ptr <= ZERO_SIZE_PTR)
		return 0;
	/* a page free has no call site: never "the module's" by site */
	ours = !trace_mode && src != KMLAB_FAM_PAGE_FREE && in_module(site);
	if (!ours && !live_count && !freed_count)
		return 0;

	obj = live_count ? bpf_map_lookup_elem(&live, &ptr) : NULL;
	/* the pages behind a slab object are not the object */
	if (obj && src == KMLAB_FAM_PAGE_FREE && !page_src(obj->src))
		return 0;
	if (obj) {
		gone.ts = bpf_ktime_get_ns();
		gone.free_site = site;
		gone.alloc_ts = obj->ts;
		gone.alloc_site = obj->call_site;
		gone.size_req = obj->size_req;
		gone.size_alloc = obj->size_alloc;
		gone.src = obj->src;
		gone.mod = obj->mod;
		if (src == KMLAB_FAM_RCU)
			gone.flags = KMLAB_FREED_RCU;
		alloc_src = obj->src;
		/* kfree() takes any slab object; kmem_cache_free() only
		 * its own cache's; the other families their own free */
		wrong = !kmlab_free_fits(src, alloc_src) ||
			(src == KMLAB_FAM_CACHE &&
			 (given_name || obj->cache != (__u64)s));
		/* another CPU may race us to the same free: one wins */
		if (bpf_map_delete_elem(&live, &ptr))
			return 0;
		__sync_fetch_and_add(&live_count, -1);
		if (!trace_mode && in_irq_context())
			__sync_fetch_and_add(&module_irq_events, 1);
		if (page_src(alloc_src))
			__sync_fetch_and_add(&live_pages, -1);
		if (!trace_mode) {
			if (bpf_map_update_elem(&freed, &ptr, &gone, BPF_ANY))
				__sync_fetch_and_add(
					&lost[KMLAB_LOST_FREED_FULL], 1);
			else
				freed_added(ptr);
		}
		e = EVENT_NEW_OR(kmlab_ev_free, KMLAB_EV_FREE,
				 wrong ? KMLAB_LOST_RINGBUF :
					 KMLAB_LOST_RING_FREE);
		if (!e)
			return 1;
		e->h.ts = gone.ts;
		e->h.mod = gone.mod;
		e->ptr = ptr;
		e->call_site = site;
		e->alloc_site = gone.alloc_site;
		e->alloc_ts = gone.alloc_ts;
		e->size_req = gone.size_req;
		e->size_alloc = gone.size_alloc;
		e->src = src;
		e->alloc_src = alloc_src;
		e->rcu_readers = s && cache_typesafe_rcu(s);
		if (wrong) {
			e->wrong_cache = 1;
			if (given_name)
				__builtin_memcpy(e->cache, given->given,
						 sizeof(e->cache));
			else if (s)
				bpf_probe_read_kernel_str(e->cache,
					sizeof(e->cache), BPF_CORE_READ(s,
									name));
		}
		/* one of the module's objects: worth a stack */
		if (ctx && !trace_mode)
			e->stack.nr = get_stack(ctx, e->stack.ip);
		bpf_ringbuf_submit(e, 0);
		return 1;
	}
	/*
	 * A second mm_page_free of one address is never a double free: a
	 * page freed twice has no references left to drop, so the kernel
	 * does not free it again.  It was handed out in between, maybe by a
	 * bulk allocation no event shows (vmalloc's pages).
	 */
	if (trace_mode || src == KMLAB_FAM_PAGE_FREE || inner_free(ptr))
		return 0;

	f = freed_find(ptr);
	if (f && !ours) {
		/* kfree_rcu()'s own kfree, a grace period later */
		if (f->flags & KMLAB_FREED_RCU) {
			f->flags &= ~KMLAB_FREED_RCU;
			return 0;
		}
		/* the second half of a vfree() in an interrupt */
		if (src == KMLAB_FAM_VMALLOC &&
		    site - vfree_work_lo < vfree_work_len)
			return 0;
		if (!kmlab_free_fits(src, f->src))
			return 0;
	}
	/* the module frees something it already freed, or never got */
	if (!f && !ours)
		return 0;
	if (!f) {
		unknown_freed(site, ptr, src);
		return free_unknown(ctx, site, ptr, src);
	}
	return double_free(ctx, site, ptr, src, f);
}

/*
 * on_free() once for the four raw_tp frees (kfree, kmem_cache_free,
 * mm_page_free, percpu_free_percpu): each tells its own frees from
 * anyone else's (the hot path: every free in the kernel) and hands one
 * of the module's, or of an object it holds or freed, to free_slow by
 * tail call, with its arguments on a per-CPU stack.  The verifier walks
 * a program once per way through it: on_free() in each of the four
 * was 7,500 instructions processed on 6.1, a sixth of all, and a good
 * part of the time kmlab takes to start in the TCG guest.
 *
 * A stack, not a slot: a raw_tp program runs with preemption off but
 * interrupts on, so an interrupt's free may run another of the four on
 * this CPU between a push and its tail call, and even inside free_slow;
 * it pushes above and pops back before the interrupted one goes on.
 * None of the four nests with itself (the kernel skips, and counts, a
 * program's run on a CPU where it already runs).
 */
#define FREE_NEST_MAX	8

struct free_args {
	__u64 site, ptr, s;
	__u32 src, pad;
	struct wrong_cache given;
};

struct free_nest {
	__u32 depth, pad;
	struct free_args a[FREE_NEST_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct free_nest);
} free_nest SEC(".maps");

/* frees of the module's that no tail call took: never, while the
 * program array holds free_slow; counted with the free programs'
 * misses if it ever does not */
__u64 free_tail_missed = 0;

SEC("raw_tp")
int free_slow(void *ctx)
{
	struct free_nest *n;
	struct free_args a;
	__u32 zero = 0, d;
	int ret;

	n = bpf_map_lookup_elem(&free_nest, &zero);
	if (!n)
		return 0;
	/* the top: one check after the subtraction, which 6.1's verifier
	 * can bound (none pushed: 0 - 1 is past the end) */
	d = n->depth - 1;
	if (d >= FREE_NEST_MAX)
		return 0;
	a = n->a[d];
	ret = on_free(ctx, a.site, a.ptr, a.src,
		      (const struct kmem_cache *)a.s, &a.given);
	n->depth = d;
	return ret;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));	/* no BTF for a program array */
	__array(values, int (void *));
} free_tail SEC(".maps") = {
	.values = { [0] = (void *)&free_slow },
};

/*
 * Whether on_free() has anything to do with @ptr's free: the module's
 * own, or an object it holds or has freed.  The rest it returns at once
 * for, and so does this, at the same cost.
 */
static __always_inline bool free_wanted(__u64 site, __u64 ptr, __u32 src)
{
	if (ptr <= ZERO_SIZE_PTR)
		return false;
	if (!trace_mode && src != KMLAB_FAM_PAGE_FREE && in_module(site))
		return true;
	if (live_count && bpf_map_lookup_elem(&live, &ptr))
		return true;
	return !trace_mode && freed_find(ptr);
}

/* on_free() by way of free_slow; @given: NULL or the cache SLUB was told */
static __always_inline int free_call(void *ctx, __u64 site, __u64 ptr,
				     __u32 src, const struct kmem_cache *s,
				     const struct wrong_cache *given)
{
	struct free_nest *n;
	__u32 zero = 0, d;

	n = bpf_map_lookup_elem(&free_nest, &zero);
	if (!n)
		return 0;
	d = n->depth;
	if (d >= FREE_NEST_MAX) {
		__sync_fetch_and_add(&free_tail_missed, 1);
		return 0;
	}
	n->a[d].site = site;
	n->a[d].ptr = ptr;
	n->a[d].s = (__u64)s;
	n->a[d].src = src;
	if (given)
		n->a[d].given = *given;
	else
		n->a[d].given.given[0] = '\0';
	n->depth = d + 1;
	bpf_tail_call(ctx, &free_tail, 0);
	n->depth = d;
	__sync_fetch_and_add(&free_tail_missed, 1);
	return 0;
}

/*
 * raw_tp, not tp_btf: 6.1's verifier refuses a tp_btf program that reads
 * a "const void *" argument ("arg1 type UNKNOWN is not a struct"); raw_tp
 * runs the same way (no trace record is built) and sees plain u64 args.
 */
SEC("raw_tp/kmalloc")
int BPF_PROG(on_kmalloc, unsigned long call_site, const void *ptr,
	     size_t bytes_req, size_t bytes_alloc, gfp_t gfp_flags, int node)
{
	return on_slab_alloc(ctx, call_site, (__u64)ptr, bytes_req,
			     bytes_alloc, gfp_flags, KMLAB_FAM_KMALLOC, NULL);
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(on_cache_alloc, unsigned long call_site, const void *ptr,
	     struct kmem_cache *s, gfp_t gfp_flags, int node)
{
	wrong_take((__u64)ptr, NULL);	/* a bulk free's, never taken */
	/* test the site first: the cache reads are not free */
	if (!trace_mode && !in_module(call_site) && !helper_site(call_site)) {
		forget_free((__u64)ptr);
		return 0;
	}
	return on_slab_alloc(ctx, call_site, (__u64)ptr,
			     BPF_CORE_READ(s, object_size),
			     BPF_CORE_READ(s, size), gfp_flags,
			     KMLAB_FAM_CACHE, s);
}

SEC("raw_tp/kfree")
int BPF_PROG(on_kfree, unsigned long call_site, const void *ptr)
{
	if (!free_wanted(call_site, (__u64)ptr, KMLAB_FAM_KMALLOC))
		return 0;
	return free_call(ctx, call_site, (__u64)ptr, KMLAB_FAM_KMALLOC, NULL,
			 NULL);
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(on_cache_free, unsigned long call_site, const void *ptr,
	     const struct kmem_cache *s)
{
	struct wrong_cache given = {};

	/* taken for anyone's object: a record must not outlive its free */
	wrong_take((__u64)ptr, &given);
	if (!free_wanted(call_site, (__u64)ptr, KMLAB_FAM_CACHE))
		return 0;
	return free_call(ctx, call_site, (__u64)ptr, KMLAB_FAM_CACHE, s,
			 &given);
}

#include "families.bpf.h"
#include "watch.bpf.h"
#include "kfence.bpf.h"

/* the watched module @mod is: its index + 1, 0 if none */
static __always_inline __u32 target_of(struct module *mod)
{
	char name[KMLAB_MOD_NAME_LEN];
	__u32 i, j;

	if (bpf_probe_read_kernel_str(name, sizeof(name), mod->name) < 0)
		return 0;
	for (i = 0; i < KMLAB_MODS_MAX; i++) {
		if (i >= nr_targets)
			break;
		for (j = 0; j < KMLAB_MOD_NAME_LEN; j++) {
			if (name[j] != target_names[i][j])
				break;
			if (!name[j])
				return i + 1;
		}
	}
	return 0;
}

/*
 * Once a watched module's init has returned, the kernel sets its init
 * base to NULL and frees the init text: the next module may be loaded
 * there, and its allocations are its own (another watched module's
 * too).  Asked whenever a module loads, which is the only way that
 * range can get new code.
 */
static __always_inline void init_text_check(void)
{
	__u64 core, core_size, init, init_size;
	__u32 i;

	for (i = 0; i < KMLAB_MODS_MAX; i++) {
		if (i >= nr_targets)
			break;
		if (!targets[i].mod || !targets[i].size[1])
			continue;
		module_text((struct module *)targets[i].mod, &core, &core_size,
			    &init, &init_size);
		if (!init)
			targets[i].size[1] = 0;
	}
}

/* @mod is watched module @i: its text is the module's from now on */
static __always_inline void take_module(struct module *mod, __u32 i,
					__u32 flags)
{
	__u64 core, core_size, init, init_size;
	struct kmlab_ev_mod_load *e;
	__u32 slot;

	if (i >= KMLAB_MODS_MAX)
		return;
	module_text(mod, &core, &core_size, &init, &init_size);
	if (!targets[i].mod)
		__sync_fetch_and_add(&targets_loaded, 1);
	targets[i].mod = (__u64)mod;
	targets[i].base[1] = init;
	targets[i].size[1] = init_size;
	targets[i].base[0] = core;
	targets[i].size[0] = core_size;

	e = life_new(i, KMLAB_EV_MOD_LOAD, sizeof(*e), &slot);
	if (!e)
		return;
	e->h.mod = i;
	e->text = core;
	e->text_size = core_size;
	e->init_text = init;
	e->init_text_size = init_size;
	e->flags = flags;
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), mod->name);
	life_submit(e, sizeof(*e), slot);
}

/* module_load fires after layout, before the module's init runs */
SEC("tp_btf/module_load")
int BPF_PROG(on_module_load, struct module *mod)
{
	__u32 t;

	/* first: it may be loaded into a watched one's freed init text */
	init_text_check();
	t = target_of(mod);
	if (t)
		take_module(mod, t - 1, 0);
	return 0;
}

/*
 * kmlab watch NAME of a module already loaded: the loader runs this once
 * (BPF_PROG_TEST_RUN) with its struct module (its __this_module, from
 * sysfs), as module_load would have run.  Its index + 1 when it is a
 * watched module not yet taken, else 0.  A module unloaded meanwhile
 * reads as no name (probe reads fault), not as garbage.
 */
SEC("raw_tp")
int attach_loaded(struct bpf_raw_tracepoint_args *ctx)
{
	struct module *mod = (struct module *)ctx->args[0];
	__u32 t = target_of(mod);

	if (!t || t > KMLAB_MODS_MAX || targets[t - 1].mod)
		return 0;
	take_module(mod, t - 1, KMLAB_MOD_ATTACHED);
	return t;
}

SEC("tp_btf/module_free")
int BPF_PROG(on_module_free, struct module *mod)
{
	__u64 core, core_size, init, init_size;
	struct kmlab_ev_mod_free *e;
	__u32 t = target_of(mod), i, slot;

	if (!t || t > KMLAB_MODS_MAX)
		return 0;
	i = t - 1;
	/* the text is about to be reused by others: stop matching it */
	targets[i].size[0] = 0;
	targets[i].size[1] = 0;
	if (targets[i].mod)
		__sync_fetch_and_add(&targets_loaded, -1);
	targets[i].mod = 0;
	/* init text still there: the init failed (or never ran) */
	module_text(mod, &core, &core_size, &init, &init_size);
	e = life_new(i, KMLAB_EV_MOD_FREE, sizeof(*e), &slot);
	if (!e)
		return 0;
	e->h.mod = i;
	e->init_failed = init != 0;
	e->live = live_count;
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), mod->name);
	life_submit(e, sizeof(*e), slot);
	return 0;
}

/*
 * trace -- CMD: a traced process's new process is traced too (a thread
 * shares its tgid, already in).  Loaded only then.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (ptgid == ctgid || !bpf_map_lookup_elem(&traced, &ptgid))
		return 0;
	if (bpf_map_update_elem(&traced, &ctgid, &one, BPF_ANY))
		__sync_fetch_and_add(&lost[KMLAB_LOST_UNFOLLOWED], 1);
	return 0;
}

/* ... and leaves the set when its last thread exits: tgids are reused */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;

	if (BPF_CORE_READ(p, signal, live.counter))
		return 0;
	bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

/* where kmlab_step's fields start in its record: from the tracefs
 * format, set by the loader before it attaches on_step (kmlab/step.h) */
__u32 step_base = 8;

/* the data plane's own tracepoint: no module BTF, so a classic one */
SEC("tp/kmlab/kmlab_step")
int on_step(void *ctx)
{
	struct { struct kmlab_step_fields step; } r;
	struct kmlab_ev_step *e;
	struct kmlab_freed *f;

	if (step_base > KMLAB_STEP_BASE_MAX ||
	    bpf_probe_read_kernel(&r, sizeof(r), ctx + step_base))
		return 0;
	forwarding_done();
	e = EVENT_NEW(kmlab_ev_step, KMLAB_EV_STEP);
	if (!e)
		return 0;
	__builtin_memcpy(&e->step, &r.step, sizeof(e->step));

	/* observed, not trusted: is the accessed object one we saw freed? */
	if ((r.step.op == KMLAB_OP_READ || r.step.op == KMLAB_OP_WRITE) &&
	    !r.step.result) {
		f = bpf_map_lookup_elem(&freed, &r.step.ptr);
		if (f && r.step.off < f->size_alloc) {
			e->late = 1;
			e->freed_ts = f->ts;
			e->freed_site = f->free_site;
			e->freed_size = f->size_req;
		}
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
