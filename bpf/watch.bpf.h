/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Late accesses as they happen: a perf breakpoint event per CPU and
 * watched address (the loader's, loader/observer/watchpoints.c) runs
 * on_watch_hit() after each access to it, by anyone.  Only the watched
 * module's accesses to memory still free count, made by its own code or
 * through memcpy-like accessors it called itself: the allocator reads and
 * writes free objects too (free pointers, poison), even when the module
 * called it, and once the memory is allocated again its new owner may use
 * it as it likes.
 */
#ifndef KMLAB_WATCH_BPF_H
#define KMLAB_WATCH_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KMLAB_WATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct kmlab_watch);
} watches SEC(".maps");

/* hits on memory allocated again since: the loader moves those slots */
__u64 watch_stale = 0;

/* memcpy, memset, strlen...: [lo, lo + len), resolved from kallsyms */
#define ACCESSORS_MAX	16
const volatile __u32 nr_accessors = 0;
const volatile __u64 accessor_lo[ACCESSORS_MAX] = {};
const volatile __u64 accessor_len[ACCESSORS_MAX] = {};

/*
 * A global function, checked once: inlined in accessor_caller()'s loop,
 * the verifier walked each frame through each accessor (18,600
 * instructions on 6.1, a quarter of a second of the TCG guest's start).
 * Hits are rare: the call costs nothing that matters.
 */
__noinline bool in_accessor(__u64 ip)
{
	__u32 i;

	for (i = 0; i < ACCESSORS_MAX; i++) {
		if (i >= nr_accessors)
			break;
		if (ip - accessor_lo[i] < accessor_len[i])
			return true;
	}
	return false;
}

/*
 * The module's frame that called the accessor at the top of @stack, 0 if
 * the accessor's caller is someone else.  A module frame deeper down is
 * not enough: SLUB's debug checks memset() an object it hands out again
 * while the module's kmalloc() is still on the stack.
 */
static __always_inline __u64 accessor_caller(const __u64 *stack, __u32 nr)
{
	__u32 i;

	for (i = 0; i < KMLAB_STACK_DEPTH; i++) {
		if (i >= nr)
			return 0;
		if (!in_accessor(stack[i]))
			return in_module(stack[i]) ? stack[i] : 0;
	}
	return 0;
}

SEC("perf_event")
int on_watch_hit(struct bpf_perf_event_data *ctx)
{
	__u64 addr = ctx->addr, ip = PT_REGS_IP(&ctx->regs), site;
	struct kmlab_watch *w = NULL;
	struct kmlab_ev_watch_hit *e;
	struct kmlab_freed *f;
	__u32 i;

	for (i = 0; i < KMLAB_WATCH_SLOTS; i++) {
		__u32 k = i;

		w = bpf_map_lookup_elem(&watches, &k);
		if (w && w->addr == addr)
			break;
		w = NULL;
	}
	if (!w || !w->obj)
		return 0;
	f = bpf_map_lookup_elem(&freed, &w->obj);
	if (!f) {
		__sync_fetch_and_add(&watch_stale, 1);
		return 0;
	}
	/* the module's own instruction, or a memcpy-like accessor the
	 * module called; anything else (the allocator) is no finding */
	site = in_module(ip) ? ip : 0;
	if (!site && !in_accessor(ip))
		return 0;
	e = EVENT_NEW(kmlab_ev_watch_hit, KMLAB_EV_WATCH_HIT);
	if (!e)
		return 0;
	e->stack.nr = get_stack(ctx, e->stack.ip);
	if (!site)
		site = accessor_caller(e->stack.ip, e->stack.nr);
	if (!site) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	e->h.mod = f->mod;
	e->obj = w->obj;
	e->off = addr - w->obj;
	e->len = KMLAB_WATCH_LEN;
	e->call_site = site;
	e->ip = ip;
	e->freed_ts = f->ts;
	e->freed_site = f->free_site;
	e->freed_size = f->size_req;
	bpf_probe_read_kernel(e->data, KMLAB_WATCH_LEN, (void *)addr);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#endif /* KMLAB_WATCH_BPF_H */
