/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocator families the kmalloc/kmem_cache tracepoints do not show:
 * pages (kmem:mm_page_alloc / mm_page_free, with a stack scan for the
 * module), vmalloc, kvmalloc and percpu, seen at the exported functions
 * modules call, the frees that emit no per-object kfree event (kfree_rcu,
 * kmem_cache_free_bulk), and SLUB's wrong-cache warning.  Included by
 * kmlab.bpf.c.
 *
 * No kprobe or trampoline on the page allocator's entry points: they run
 * on every CPU all the time, and a kprobe there crashed the 6.1 guest
 * while other probes attached (README, "The observer's guest crash").
 *
 * A kprobe at a function's entry reads the return address on the stack:
 * the module's call site, which the allocators do not pass down (6.1 has
 * no vmalloc tracepoints; percpu's call_site is __alloc_percpu_gfp).  Only
 * calls from the module leave a pending record; the fexit of the same
 * function turns it into an object.  Nested calls (kvmalloc's kmalloc,
 * __get_free_pages' alloc_pages, the pages behind a large kmalloc or a
 * slab refill) come from core code, not from the module, so they are
 * never counted twice.
 *
 * The loader attaches these only where kprobes exist (the guest; the
 * host's 6.18 has none) and picks each function's name in this kernel
 * (6.10 renamed several to *_noprof); a function it cannot find leaves
 * its pair of programs unloaded, never the observer.
 */
#ifndef KMLAB_FAMILIES_BPF_H
#define KMLAB_FAMILIES_BPF_H

#define KMLAB_PAGE_SHIFT	12
#define KMLAB_PAGE_ALIGN(x)	(((x) + 4095) & ~4095ULL)

/*
 * "rcu: Refactor kvfree_call_rcu() and high-level helpers" (v6.3): the
 * second argument went from "rcu_callback_t func" (the offset of the
 * rcu_head in the object, or the object itself when head is NULL) to
 * "void *ptr" (the object).  The loader sets this from the BTF.
 */
const volatile bool rcu_ptr_arg = false;

/*
 * "mm/slab: Introduce kmem_buckets_create() and family" (v6.11): with
 * CONFIG_SLAB_BUCKETS, __kvmalloc_node_noprof(size, b, flags, node)
 * takes a bucket before the flags.  The loader sets this from the BTF.
 */
const volatile bool kvmalloc_bucket_arg = false;

/* x86_64 direct map and struct page array, both moved by KASLR: the
 * variables' addresses, from the loader's kallsyms scan */
const volatile __u64 ksym_vmemmap_base = 0;
const volatile __u64 ksym_page_offset_base = 0;

/* page_address() of a struct page * (no highmem on x86_64) */
static __always_inline __u64 page_addr(__u64 page)
{
	__u64 vmemmap = 0, base = 0;

	if (!page || !ksym_vmemmap_base || !ksym_page_offset_base)
		return 0;
	bpf_probe_read_kernel(&vmemmap, sizeof(vmemmap),
			      (void *)ksym_vmemmap_base);
	bpf_probe_read_kernel(&base, sizeof(base),
			      (void *)ksym_page_offset_base);
	return base + ((page - vmemmap) / bpf_core_type_size(struct page) <<
		       KMLAB_PAGE_SHIFT);
}

/* at a function's first instruction the return address is on top */
static __always_inline __u64 caller(struct pt_regs *ctx)
{
	__u64 ra = 0;

	bpf_probe_read_kernel(&ra, sizeof(ra), (void *)PT_REGS_SP(ctx));
	return ra;
}

static __always_inline int pending_start(struct pt_regs *ctx, __u64 site,
					 __u64 req, __u64 real, __u32 gfp,
					 __u32 src)
{
	struct kmlab_pending p = {};
	__u64 tid;

	p.site = site;
	p.size_req = req;
	p.size_alloc = real;
	p.gfp = gfp;
	p.src = src;
	p.nr_stack = get_stack(ctx, p.stack);
	tid = bpf_get_current_pid_tgid();
	if (!bpf_map_update_elem(&pending, &tid, &p, BPF_NOEXIST))
		__sync_fetch_and_add(&pending_count, 1);
	else
		bpf_map_update_elem(&pending, &tid, &p, BPF_EXIST);
	return 0;
}

static __always_inline int alloc_enter(struct pt_regs *ctx, __u64 req,
				       __u64 real, __u32 gfp, __u32 src)
{
	__u64 site;

	if (trace_mode)
		return 0;
	site = caller(ctx);
	if (!in_module(site))
		return 0;
	return pending_start(ctx, site, req, real, gfp, src);
}

/*
 * 1 when no allocation of @src (or of @also, when not 0) is pending for
 * this task: someone else's object, which ends the story of an earlier
 * free at its address.  With @also, one on_alloc() takes either family:
 * one copy for the verifier to check, not two.
 */
static __always_inline int alloc_exit(__u64 ptr, __u32 src, __u32 also)
{
	struct kmlab_pending *q, p;
	__u64 tid;

	if (!pending_count) {
		forget_free(ptr);
		return 1;
	}
	tid = bpf_get_current_pid_tgid();
	q = bpf_map_lookup_elem(&pending, &tid);
	/* another family's call is pending (kvmalloc's alloc_pages) */
	if (!q || (q->src != src && (!also || q->src != also))) {
		forget_free(ptr);
		return 1;
	}
	p = *q;
	if (bpf_map_delete_elem(&pending, &tid))
		return 0;
	__sync_fetch_and_add(&pending_count, -1);
	on_alloc(p.site, ptr, p.size_req, p.size_alloc, p.gfp,
		 also ? p.src : src, NULL, p.stack, p.nr_stack, 0);
	return 0;
}

/*
 * vmalloc, vzalloc and kvmalloc's fallback all end in
 * __vmalloc_node_range(..., caller), which records its 9th argument,
 * the module's return address, in /proc/vmallocinfo.  Hooking it there
 * keeps that record right: an exit hook on vmalloc() itself would make
 * the record name the BPF trampoline.  Nine arguments are too many for
 * 6.1's fexit, so a kretprobe takes the result.
 */
SEC("kprobe/__vmalloc_node_range")
int BPF_KPROBE(vmalloc_enter, unsigned long size)
{
	struct kmlab_pending *q = NULL;
	__u64 caller = 0, tid;
	__u32 src = KMLAB_FAM_VMALLOC;

	if (trace_mode)
		return 0;
	tid = bpf_get_current_pid_tgid();
	if (pending_count) {
		q = bpf_map_lookup_elem(&pending, &tid);
		/* a nested call (a large area's pages array): only the
		 * outer one is the module's object */
		if (q && q->inside) {
			q->inside++;
			return 0;
		}
	}
	/* arguments 7-9 are on the stack, above the return address */
	bpf_probe_read_kernel(&caller, sizeof(caller),
			      (void *)(PT_REGS_SP(ctx) + 3 * 8));
	if (!in_module(caller))
		return 0;
	/* kvmalloc_node() falling back from kmalloc */
	if (q && q->src == KMLAB_FAM_KVMALLOC && q->site == caller)
		src = KMLAB_FAM_KVMALLOC;
	pending_start(ctx, caller, size, KMLAB_PAGE_ALIGN(size), 0, src);
	q = bpf_map_lookup_elem(&pending, &tid);
	if (q)
		q->inside = 1;
	return 0;
}

SEC("kretprobe/__vmalloc_node_range")
int BPF_KRETPROBE(vmalloc_exit, void *ret)
{
	struct kmlab_pending *q;
	__u64 tid;

	if (!pending_count) {
		forget_free((__u64)ret);
		return 0;
	}
	tid = bpf_get_current_pid_tgid();
	q = bpf_map_lookup_elem(&pending, &tid);
	if (!q || !q->inside) {
		forget_free((__u64)ret);
		return 0;
	}
	if (q->inside > 1) {
		q->inside--;
		return 0;
	}
	alloc_exit((__u64)ret, KMLAB_FAM_VMALLOC, KMLAB_FAM_KVMALLOC);
	return 0;
}

/*
 * kvmalloc_node(): only its entry, for the caller.  Its kmalloc shows on
 * kmem:kmalloc (call site in kvmalloc_node, see on_slab_alloc), its
 * fallback in __vmalloc_node_range above.  No exit hook: it would stand
 * in for the module as the caller kvmalloc_node passes to vmalloc.
 */
SEC("kprobe/kvmalloc_node")
int BPF_KPROBE(kvmalloc_enter, size_t size, __u64 arg2, __u64 arg3)
{
	gfp_t flags = kvmalloc_bucket_arg ? arg3 : arg2;
	__u64 tid;

	if (trace_mode)
		return 0;
	if (in_module(caller(ctx)))
		return alloc_enter(ctx, size, size, flags, KMLAB_FAM_KVMALLOC);
	/* another caller: a record a failed kvmalloc left is stale now */
	if (pending_count) {
		tid = bpf_get_current_pid_tgid();
		if (!bpf_map_delete_elem(&pending, &tid))
			__sync_fetch_and_add(&pending_count, -1);
	}
	return 0;
}

/*
 * The page allocator's own tracepoints.  mm_page_alloc has no call site:
 * the module is found on the stack, right behind one of the page API
 * functions it calls (alloc_pages, __get_free_pages, alloc_pages_exact
 * ..., resolved from kallsyms by the loader, with the family each one
 * stands for).  That keeps the pages a module's kmalloc or vmalloc takes
 * from core code (a large kmalloc, a slab refill, a vmalloc area's pages)
 * from counting as objects of their own.  The scan runs only while the
 * module is loaded.
 */
#define PAGE_FNS_MAX	16
const volatile __u32 nr_page_fns = 0;
const volatile __u64 page_fn_lo[PAGE_FNS_MAX] = {};
const volatile __u64 page_fn_len[PAGE_FNS_MAX] = {};
const volatile __u32 page_fn_src[PAGE_FNS_MAX] = {};

/* the family of the page API function @ip is in, 0 if none */
static __always_inline __u32 page_fn(__u64 ip)
{
	__u32 i;

	for (i = 0; i < PAGE_FNS_MAX; i++) {
		if (i >= nr_page_fns)
			break;
		if (ip - page_fn_lo[i] < page_fn_len[i])
			return page_fn_src[i];
	}
	return 0;
}

SEC("raw_tp/mm_page_alloc")
int BPF_PROG(on_page_alloc, struct page *page, unsigned int order,
	     gfp_t gfp)
{
	__u64 stack[KMLAB_STACK_DEPTH] = {}, addr, size, req, tid, site = 0;
	struct kmlab_pending *q;
	__u32 nr, i, src = 0;

	if (!freed_count && !targets_loaded)
		return 0;
	addr = page_addr((__u64)page);
	forget_free(addr);
	if (!targets_loaded)
		return 0;
	nr = get_stack(ctx, stack);
	/* what the rest needs is taken here: with the index dead after the
	 * loop, the verifier checks the rest once, not once per frame */
	for (i = 1; i < KMLAB_STACK_DEPTH; i++) {
		if (i >= nr)
			break;
		if (in_module(stack[i])) {
			src = page_fn(stack[i - 1]);
			site = stack[i];
			break;
		}
	}
	if (!src)
		return 0;
	size = 4096ULL << (order & 31);
	req = size;
	/* alloc_pages_exact(): its size, kept by exact_enter */
	if (src == KMLAB_FAM_PAGES_EXACT && pending_count) {
		tid = bpf_get_current_pid_tgid();
		q = bpf_map_lookup_elem(&pending, &tid);
		if (q && q->src == src) {
			req = q->size_req;
			if (!bpf_map_delete_elem(&pending, &tid))
				__sync_fetch_and_add(&pending_count, -1);
		}
	}
	return alloc_call(ctx, site, addr, req, size, gfp, src, NULL, 0, stack,
			  nr);
}

SEC("raw_tp/mm_page_free")
int BPF_PROG(on_page_free, struct page *page, unsigned int order)
{
	__u64 stack[KMLAB_STACK_DEPTH] = {}, addr;
	__u32 nr;

	if (!live_pages && !freed_count)
		return 0;
	addr = page_addr((__u64)page);
	if (!(live_pages && bpf_map_lookup_elem(&live, &addr)) &&
	    !freed_find(addr))
		return 0;
	nr = get_stack(ctx, stack);
	return free_call(ctx, module_frame(stack, nr), addr,
			 KMLAB_FAM_PAGE_FREE, NULL, NULL);
}

/* only its size: the pages come through mm_page_alloc */
SEC("kprobe/alloc_pages_exact")
int BPF_KPROBE(exact_enter, size_t size, gfp_t gfp)
{
	return alloc_enter(ctx, size, KMLAB_PAGE_ALIGN(size), gfp,
			   KMLAB_FAM_PAGES_EXACT);
}

SEC("kprobe/__alloc_percpu_gfp")
int BPF_KPROBE(percpu_gfp_enter, size_t size, size_t align, gfp_t gfp)
{
	return alloc_enter(ctx, size, size, gfp, KMLAB_FAM_PERCPU);
}

SEC("fexit/__alloc_percpu_gfp")
int BPF_PROG(percpu_gfp_exit, size_t size, size_t align, gfp_t gfp,
	     void *ret)
{
	alloc_exit((__u64)ret, KMLAB_FAM_PERCPU, 0);
	return 0;
}

SEC("kprobe/__alloc_percpu")
int BPF_KPROBE(percpu_enter, size_t size)
{
	return alloc_enter(ctx, size, size, 0, KMLAB_FAM_PERCPU);
}

/*
 * "mm: percpu: introduce pcpu_alloc_noprof()" (v6.10): __alloc_percpu()
 * and __alloc_percpu_gfp() became macros over pcpu_alloc_noprof().
 */
SEC("kprobe/pcpu_alloc_noprof")
int BPF_KPROBE(pcpu_noprof_enter, size_t size, size_t align, bool reserved,
	       gfp_t gfp)
{
	return alloc_enter(ctx, size, size, gfp, KMLAB_FAM_PERCPU);
}

SEC("fexit/pcpu_alloc_noprof")
int BPF_PROG(pcpu_noprof_exit, size_t size, size_t align, bool reserved,
	     gfp_t gfp, void *ret)
{
	alloc_exit((__u64)ret, KMLAB_FAM_PERCPU, 0);
	return 0;
}

SEC("fexit/__alloc_percpu")
int BPF_PROG(percpu_exit, size_t size, size_t align, void *ret)
{
	alloc_exit((__u64)ret, KMLAB_FAM_PERCPU, 0);
	return 0;
}

/*
 * kmem_cache_create: the cache itself is the module's object (core code
 * allocates it); a cache never destroyed leaks.  "slab: Introduce
 * kmem_cache_create() with kmem_cache_args" (v6.12) made it a macro over
 * __kmem_cache_create_args(name, size, args, flags), which modules then
 * call directly: each has its own pair of programs, the loader attaches
 * the pair this kernel has.
 */
static __always_inline int cache_create_start(struct pt_regs *ctx)
{
	__u64 size = bpf_core_type_size(struct kmem_cache);

	return alloc_enter(ctx, size, size, 0, KMLAB_FAM_SLAB);
}

static __always_inline int cache_create_done(void *ctx, struct kmem_cache *ret)
{
	__u64 cache = 0;

	bpf_probe_read_kernel(&cache, sizeof(cache), &ret);
	alloc_exit(cache, KMLAB_FAM_SLAB, 0);
	return 0;
}

SEC("kprobe/kmem_cache_create")
int BPF_KPROBE(cache_create_enter)
{
	return cache_create_start(ctx);
}

SEC("fexit/kmem_cache_create")
int BPF_PROG(cache_create_exit, const char *name, unsigned int size,
	     unsigned int align, slab_flags_t flags, void *ctor,
	     struct kmem_cache *ret)
{
	return cache_create_done(ctx, ret);
}

SEC("kprobe/__kmem_cache_create_args")
int BPF_KPROBE(cache_args_enter)
{
	return cache_create_start(ctx);
}

/* struct kmem_cache_args is not in 6.1's BTF: a pointer is a pointer */
SEC("fexit/__kmem_cache_create_args")
int BPF_PROG(cache_args_exit, const char *name, unsigned int size,
	     void *args, slab_flags_t flags, struct kmem_cache *ret)
{
	return cache_create_done(ctx, ret);
}

#define BULK_MAX	64

/*
 * One free a kprobe saw, for free_kprobe below.  A global function: the
 * verifier checks on_free() once for the program, not once per way to
 * it (the direct frees' and the bulk loop's).  @ctx: bpf_user_pt_regs_t,
 * which a global function's context argument must be before 6.8; @s:
 * the cache, as a number, 0 for none.
 */
__noinline int free_one(bpf_user_pt_regs_t *ctx, __u64 site, __u64 ptr,
			__u64 s, __u32 src)
{
	if (!ctx)
		return 0;
	return on_free(ctx, site, ptr, src, (const struct kmem_cache *)s,
		       NULL);
}

struct bulk {
	bpf_user_pt_regs_t *ctx;
	__u64 site, s;
	void **p;
	__u32 src;
};

/* bpf_loop()'s body: the verifier checks it once, where it walked a
 * loop's body once per turn (4.5 s of the observer's start under TCG) */
static int bulk_step(__u32 i, struct bulk *b)
{
	__u64 ptr;

	if (bpf_probe_read_kernel(&ptr, sizeof(ptr), &b->p[i]))
		return 1;
	/* only the module's objects: a bulk free takes anyone's */
	if (ptr && bpf_map_lookup_elem(&live, &ptr))
		free_one(b->ctx, b->site, ptr, b->s, b->src);
	return 0;
}

/*
 * The frees a kprobe sees: kmem_cache_destroy(s), vfree(p), kvfree(p),
 * free_percpu(p), kvfree_call_rcu(head, arg) and kmem_cache_free_bulk(s,
 * n, p).  One program for the six, each kprobe's family its attach
 * cookie (the loader's family table): the verifier checks on_free() once
 * for all of them, where a program each took it six times (9,100
 * instructions on 6.1, a third of the observer's load).  The entry is
 * enough: the object is gone once the free is called.
 */
SEC("kprobe")
int BPF_KPROBE(free_kprobe, __u64 arg0, __u64 arg1, __u64 arg2)
{
	__u64 site, ptr = arg0, tid;
	struct bulk b;
	__u32 src;

	if (trace_mode)
		return 0;
	site = caller(ctx);
	if (!live_count && !freed_count && !in_module(site))
		return 0;
	src = bpf_get_attach_cookie(ctx);
	if (src == KMLAB_FAM_BULK) {
		/* kfree_bulk(n, p) is kmem_cache_free_bulk(NULL, n, p) */
		if (!live_count)
			return 0;
		b.ctx = ctx;
		b.site = site;
		b.s = arg0;
		b.p = (void **)arg2;
		b.src = arg0 ? KMLAB_FAM_CACHE : KMLAB_FAM_BULK;
		bpf_loop(arg1 < BULK_MAX ? arg1 : BULK_MAX, bulk_step, &b, 0);
		return 0;
	}
	if (src == KMLAB_FAM_RCU) {
		/*
		 * kfree_rcu(obj, field) calls kvfree_call_rcu(&obj->field,
		 * offset) and the real kfree comes a grace period later, in
		 * bulk, with no per-object event: the object is dead to its
		 * owner from this call on, so this is its free.
		 */
		if (rcu_ptr_arg)
			ptr = arg1;
		else if (arg0)
			ptr = arg0 - arg1;	/* arg1: offset of the head */
		else
			ptr = arg1;		/* headless kvfree_rcu(p) */
	} else if (src != KMLAB_FAM_SLAB && src != KMLAB_FAM_VMALLOC &&
		   src != KMLAB_FAM_KVMALLOC && src != KMLAB_FAM_PERCPU) {
		return 0;	/* no cookie: not attached by the loader */
	}
	if (ptr <= ZERO_SIZE_PTR)
		return 0;
	/* kvfree's inner vfree or kfree would look like a second free:
	 * mark it */
	if (free_one(ctx, site, ptr, 0, src) && src == KMLAB_FAM_KVMALLOC) {
		tid = bpf_get_current_pid_tgid();
		if (!bpf_map_update_elem(&forwarding, &tid, &ptr,
					 BPF_NOEXIST))
			__sync_fetch_and_add(&forwarding_count, 1);
		else
			bpf_map_update_elem(&forwarding, &tid, &ptr, BPF_ANY);
	}
	return 0;
}

/*
 * kmem_cache_alloc_bulk(s, flags, n, p) fills p[] with up to n objects
 * of s and fires no kmem tracepoint: its entry (a kprobe, for the call
 * site) keeps the module's call, its exit (fexit, for p[] and the count)
 * makes each object an allocation of the module's.  Bulk frees are
 * free_kprobe's.
 */
struct bulk_call {
	__u64 site, s, p;
	__u32 gfp;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PENDING_MAX);
	__type(key, __u64);	/* pid_tgid */
	__type(value, struct bulk_call);
} bulk_calls SEC(".maps");

SEC("kprobe")
int BPF_KPROBE(bulk_alloc_enter, struct kmem_cache *s, gfp_t flags,
	       size_t size, void **p)
{
	struct bulk_call b;
	__u64 tid;

	if (trace_mode)
		return 0;
	b.site = caller(ctx);
	if (!in_module(b.site))
		return 0;
	b.s = (__u64)s;
	b.p = (__u64)p;
	b.gfp = flags;
	tid = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&bulk_calls, &tid, &b, BPF_ANY);
	return 0;
}

/* One object of a bulk allocation.  A global function: the verifier
 * checks on_alloc() once. */
__noinline int bulk_alloc_one(__u64 site, __u64 ptr, __u64 cache, __u32 gfp)
{
	struct kmem_cache *s = (struct kmem_cache *)cache;

	return on_alloc(site, ptr, BPF_CORE_READ(s, object_size),
			BPF_CORE_READ(s, size), gfp, KMLAB_FAM_CACHE, s,
			NULL, 0, 0);
}

static int bulk_alloc_step(__u32 i, struct bulk_call *b)
{
	__u64 ptr;

	if (bpf_probe_read_kernel(&ptr, sizeof(ptr), (void **)b->p + i))
		return 1;
	if (ptr)
		bulk_alloc_one(b->site, ptr, b->s, b->gfp);
	return 0;
}

SEC("fexit/kmem_cache_alloc_bulk")
int BPF_PROG(bulk_alloc_exit, struct kmem_cache *s, gfp_t flags, size_t size,
	     void **p, int ret)
{
	struct bulk_call *q, b;
	__u64 tid = bpf_get_current_pid_tgid();

	q = bpf_map_lookup_elem(&bulk_calls, &tid);
	if (!q)
		return 0;
	b = *q;
	bpf_map_delete_elem(&bulk_calls, &tid);
	if (ret > 0)
		bpf_loop(ret < BULK_MAX ? ret : BULK_MAX, bulk_alloc_step, &b,
			 0);
	return 0;
}

/*
 * percpu:percpu_free_percpu, inside free_percpu(): the free its kprobe
 * missed.  The kernel skips a kprobe hit while another kprobe's handler
 * runs on that CPU (an RCU callback's or a timer's free_percpu() in the
 * softirq an interrupt ran during one of these programs); the
 * tracepoint still fires, so an object of the module's still live here
 * is one whose kprobe hit was skipped.  The kprobe stays: it sees the
 * call site and second frees; this sees only what it missed (the miss
 * itself is still counted, kprobes.h).  Its site: the module's frame.
 */
SEC("raw_tp/percpu_free_percpu")
int BPF_PROG(on_percpu_free, void *base, int off, void *ptr)
{
	__u64 stack[KMLAB_STACK_DEPTH], p = (__u64)ptr;
	struct kmlab_live *obj;

	if (trace_mode || !live_count)
		return 0;
	obj = bpf_map_lookup_elem(&live, &p);
	if (!obj || obj->src != KMLAB_FAM_PERCPU)
		return 0;
	return free_call(ctx, module_frame(stack, get_stack(ctx, stack)), p,
			 KMLAB_FAM_PERCPU, NULL, NULL);
}

/* a wrong-cache warning seen, waiting for its print_tracking() */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);	/* pid_tgid */
	__type(value, struct wrong_cache);
} warned SEC(".maps");

/* cache_from_obj()'s warning, from 6.1 on */
static const char wrong_fmt[] = "%s: Wrong slab cache.";

SEC("kprobe/__warn_printk")
int BPF_KPROBE(warn_enter, const char *fmt)
{
	char buf[sizeof(wrong_fmt)];
	struct wrong_cache w = {};
	__u64 tid;
	__u32 i;

	if (bpf_probe_read_kernel_str(buf, sizeof(buf), fmt) < 0)
		return 0;
	for (i = 0; i < sizeof(wrong_fmt) - 1; i++)
		if (buf[i] != wrong_fmt[i])
			return 0;
	/* (fmt, __func__, the cache given, the object's own cache); never
	 * empty: on_cache_free() tells a record by its first byte */
	if (bpf_probe_read_kernel_str(w.given, sizeof(w.given),
				      (void *)PT_REGS_PARM3(ctx)) <= 1)
		__builtin_memcpy(w.given, "?", 2);
	tid = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&warned, &tid, &w, BPF_ANY);
	return 0;
}

/* print_tracking() runs in slab reports too: only after the warning */
SEC("kprobe/print_tracking")
int BPF_KPROBE(tracking_enter, struct kmem_cache *s, void *object)
{
	__u64 tid = bpf_get_current_pid_tgid(), ptr = (__u64)object;
	struct wrong_cache *w;

	w = bpf_map_lookup_elem(&warned, &tid);
	if (!w)
		return 0;
	if (!bpf_map_update_elem(&wrong_frees, &ptr, w, BPF_NOEXIST))
		__sync_fetch_and_add(&wrong_count, 1);
	bpf_map_delete_elem(&warned, &tid);
	return 0;
}

/*
 * SLUB's consistency checks, when they find bytes they did not expect,
 * restore them through restore_bytes(), which first logs
 * slab_fix(s, "Restoring %s 0x%p-0x%p=0x%x", what, from, to - 1, value):
 * the bytes are still as found, and the addresses are raw here (the log
 * has them hashed).  A free they refuse (the object already free, or
 * found corrupted) ends in slab_fix(s, "Object at 0x%p not freed", obj).
 * slab_fix() runs only in such reports: a cold path.
 */
static const char restoring_fmt[] = "Restoring ";
static const char not_freed_fmt[] = "Object at ";

static __always_inline bool fmt_is(const char *buf, const char *want)
{
	__u32 i;

	for (i = 0; i < sizeof(restoring_fmt) - 1; i++)
		if (buf[i] != want[i])
			return false;
	return true;
}

/* the cache's name and geometry: whose object it was is the loader's */
static __always_inline void slub_geometry(struct kmlab_ev_slub *e,
					  struct kmem_cache *s)
{
	bpf_probe_read_kernel_str(e->cache, sizeof(e->cache),
				  BPF_CORE_READ(s, name));
	e->object_size = BPF_CORE_READ(s, object_size);
	e->inuse = BPF_CORE_READ(s, inuse);
	e->red_left_pad = BPF_CORE_READ(s, red_left_pad);
}

/*
 * The free SLUB refused: the object stays allocated.  Its stack tells
 * the loader which free it was: one it saw, or a second free it could
 * not see (the address was handed out and freed again in between).
 */
static __always_inline int slub_kept(void *ctx, struct kmem_cache *s,
				     __u64 obj)
{
	struct kmlab_ev_slub *e = EVENT_NEW(kmlab_ev_slub, KMLAB_EV_SLUB);

	if (!e)
		return 0;
	e->addr = obj;
	e->what = KMLAB_SLUB_KEPT;
	slub_geometry(e, s);
	e->stack.nr = get_stack(ctx, e->stack.ip);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/slab_fix")
int BPF_KPROBE(slub_fix_enter, struct kmem_cache *s, const char *fmt)
{
	char buf[sizeof(restoring_fmt)], what[2];
	struct kmlab_ev_slub *e;
	__u64 from, last, n;

	_Static_assert(sizeof(restoring_fmt) == sizeof(not_freed_fmt),
		       "one read serves both formats");
	if (trace_mode)
		return 0;
	if (bpf_probe_read_kernel_str(buf, sizeof(buf), fmt) < 0)
		return 0;
	if (fmt_is(buf, not_freed_fmt))
		return slub_kept(ctx, s, PT_REGS_PARM3(ctx));
	if (!fmt_is(buf, restoring_fmt))
		return 0;
	from = PT_REGS_PARM4(ctx);
	last = PT_REGS_PARM5(ctx);
	if (last < from)
		return 0;
	e = EVENT_NEW(kmlab_ev_slub, KMLAB_EV_SLUB);
	if (!e)
		return 0;
	e->addr = from;
	e->len = last - from + 1;
	e->expected = ctx->r9 & 0xff;	/* 6th argument (x86-64) */
	/* "Poison", "End Poison", "Left/Right/kmalloc Redzone", "... padding" */
	if (bpf_probe_read_kernel(what, sizeof(what),
				  (void *)PT_REGS_PARM3(ctx)) == 0) {
		if (what[0] == 'P' || what[0] == 'E')
			e->what = KMLAB_SLUB_POISON;
		else if (what[0] == 'L' || what[0] == 'R' || what[0] == 'k')
			e->what = KMLAB_SLUB_REDZONE;
		else if (what[0] == 'A' || what[0] == 'O')
			e->what = KMLAB_SLUB_PADDING;
	}
	n = e->len < KMLAB_EV_DATA_LEN ? e->len : KMLAB_EV_DATA_LEN;
	if (n > 0 && n <= KMLAB_EV_DATA_LEN)
		bpf_probe_read_kernel(e->data, n, (void *)from);
	slub_geometry(e, s);
	e->stack.nr = get_stack(ctx, e->stack.ip);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#endif /* KMLAB_FAMILIES_BPF_H */
