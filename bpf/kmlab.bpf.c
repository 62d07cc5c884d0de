// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab observer: follows the objects one kernel module allocates with
 * kmalloc and kmem_cache_alloc from its load to its unload, and reports
 * what it saw through one ring buffer:
 *  - allocations whose call_site lies in the module's text, and failures;
 *  - frees of those objects, by the module or by anyone else;
 *  - a second free of an object the module already freed, and frees of
 *    addresses it never got (the loader finds interior pointers);
 *  - the module's own kmlab:kmlab_step events (one per plan op), with
 *    reads and writes that land in a freed object marked late.
 * Objects still in the live map when the module goes away are its leaks;
 * the loader walks the map after the module_free event.  In trace mode
 * (kmlab trace) the same programs follow a process's allocations instead.
 *
 * The kmem programs run on every allocation in the kernel: they compare
 * call_site with two ranges held in .bss before touching any map.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kmlab.h"
#include "compat.bpf.h"
/* vmlinux.h already has the __u* types <linux/types.h> would bring */
#define _LINUX_TYPES_H
#include "../module/kmlab_ir.h"

#define LIVE_MAX	32768
#define FREED_MAX	8192

/* filled by the loader before load */
const volatile char target_name[KMLAB_MOD_NAME_LEN] = {};
/* kmlab trace: every allocation matching these, not one module's */
const volatile bool trace_mode = false;
const volatile __u32 trace_pid = 0;
const volatile char trace_comm[KMLAB_COMM_LEN] = {};
const volatile __u64 trace_min_size = 0;
const volatile __u64 trace_max_size = ~0ULL;

/*
 * Addresses in the freed map, hashed into bytes.  An allocation by anyone
 * (kasprintf() on the module's behalf, say) at such an address makes the
 * old free stale: a later free of it by the module is no double free.
 * Checking this byte keeps the freed map off the path every allocation
 * takes; a hash collision costs one useless delete, never a wrong answer.
 */
#define REUSE_BITS	15
__u8 maybe_freed[1 << REUSE_BITS] = {};

/* the watched module's core and init text, set at module_load */
__u64 text_base[2] = {};
__u64 text_size[2] = {};
/* objects in the live map: frees from outside the module look only then */
__u64 live_count = 0;
__u64 lost[KMLAB_LOST_MAX] = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LIVE_MAX);
	__type(key, __u64);
	__type(value, struct kmlab_live);
} live SEC(".maps");

/* LRU: old frees age out instead of making updates fail */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FREED_MAX);
	__type(key, __u64);
	__type(value, struct kmlab_freed);
} freed SEC(".maps");

static __always_inline bool in_module(__u64 site)
{
	return site - text_base[0] < text_size[0] ||
	       site - text_base[1] < text_size[1];
}

static __always_inline __u32 reuse_slot(__u64 ptr)
{
	return ((__u32)(ptr >> 4) * 2654435761U) >> (32 - REUSE_BITS);
}

/* any allocation at @ptr ends the story of an earlier free there */
static __always_inline void forget_free(__u64 ptr)
{
	if (!trace_mode && ptr && maybe_freed[reuse_slot(ptr)])
		bpf_map_delete_elem(&freed, &ptr);
}

static __always_inline bool trace_wants(__u64 size)
{
	char comm[KMLAB_COMM_LEN];
	int i;

	if (size < trace_min_size || size > trace_max_size)
		return false;
	if (trace_pid && (bpf_get_current_pid_tgid() >> 32) != trace_pid)
		return false;
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

static __always_inline struct kmlab_event *event_new(__u32 type)
{
	struct kmlab_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost[KMLAB_LOST_RINGBUF], 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->ts = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static __always_inline int on_alloc(__u64 site, __u64 ptr, __u64 req,
				    __u64 alloc, __u32 gfp, __u32 src,
				    struct kmem_cache *s)
{
	struct kmlab_live obj = {};
	struct kmlab_event *e;
	int err;

	if (trace_mode) {
		if (!trace_wants(req))
			return 0;
	} else if (!in_module(site)) {
		forget_free(ptr);
		return 0;
	}

	obj.ts = bpf_ktime_get_ns();
	if (ptr) {
		obj.call_site = site;
		obj.size_req = req;
		obj.size_alloc = alloc;
		obj.gfp = gfp;
		obj.src = src;
		obj.cache = (__u64)s;
		obj.pid = bpf_get_current_pid_tgid() >> 32;
		err = bpf_map_update_elem(&live, &ptr, &obj, BPF_NOEXIST);
		if (!err)
			__sync_fetch_and_add(&live_count, 1);
		else if (err == -17 /* EEXIST: we missed its free */)
			bpf_map_update_elem(&live, &ptr, &obj, BPF_EXIST);
		else
			__sync_fetch_and_add(&lost[KMLAB_LOST_LIVE_FULL], 1);
		/* the address is ours again: a later access is not late */
		bpf_map_delete_elem(&freed, &ptr);
	}

	/* reserve last: 6.1's verifier loses a reservation kept across
	 * the map calls above */
	e = event_new(ptr ? KMLAB_EV_ALLOC : KMLAB_EV_ALLOC_FAIL);
	if (!e)
		return 0;
	e->ts = obj.ts;
	e->ptr = ptr;
	e->call_site = site;
	e->size_req = req;
	e->size_alloc = alloc;
	e->gfp = gfp;
	e->src = src;
	if (s)
		bpf_probe_read_kernel_str(e->name, sizeof(e->name),
					  BPF_CORE_READ(s, name));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_free(__u64 site, __u64 ptr, __u32 src,
				   const struct kmem_cache *s)
{
	struct kmlab_freed gone = {};
	struct kmlab_event *e;
	struct kmlab_live *obj;
	struct kmlab_freed *f;
	bool ours, wrong;

	/* kfree(NULL) fires the tracepoint too; it is legal */
	if (!ptr)
		return 0;
	ours = !trace_mode && in_module(site);
	if (!ours && !live_count)
		return 0;

	obj = bpf_map_lookup_elem(&live, &ptr);
	if (obj) {
		gone.ts = bpf_ktime_get_ns();
		gone.free_site = site;
		gone.alloc_ts = obj->ts;
		gone.alloc_site = obj->call_site;
		gone.size_req = obj->size_req;
		gone.size_alloc = obj->size_alloc;
		/* kfree() takes any slab object; kmem_cache_free() only
		 * its own cache's */
		wrong = src == KMLAB_SRC_CACHE && obj->cache != (__u64)s;
		/* another CPU may race us to the same free: one wins */
		if (bpf_map_delete_elem(&live, &ptr))
			return 0;
		__sync_fetch_and_add(&live_count, -1);
		if (!trace_mode) {
			if (bpf_map_update_elem(&freed, &ptr, &gone, BPF_ANY))
				__sync_fetch_and_add(
					&lost[KMLAB_LOST_FREED_FULL], 1);
			maybe_freed[reuse_slot(ptr)] = 1;
		}
		e = event_new(KMLAB_EV_FREE);
		if (!e)
			return 0;
		e->ts = gone.ts;
		e->ptr = ptr;
		e->call_site = site;
		e->site2 = gone.alloc_site;
		e->ts2 = gone.alloc_ts;
		e->size_req = gone.size_req;
		e->size_alloc = gone.size_alloc;
		e->src = src;
		if (wrong) {
			e->wrong_cache = 1;
			bpf_probe_read_kernel_str(e->name, sizeof(e->name),
						  BPF_CORE_READ(s, name));
		}
		bpf_ringbuf_submit(e, 0);
		return 0;
	}
	if (!ours)
		return 0;

	/* the module frees something it already freed, or never got */
	f = bpf_map_lookup_elem(&freed, &ptr);
	e = event_new(f ? KMLAB_EV_DOUBLE_FREE : KMLAB_EV_FREE_UNKNOWN);
	if (!e)
		return 0;
	e->ptr = ptr;
	e->call_site = site;
	e->src = src;
	if (f) {
		e->site2 = f->free_site;
		e->ts2 = f->ts;
		e->size_req = f->size_req;
		e->size_alloc = f->size_alloc;
	}
	bpf_ringbuf_submit(e, 0);
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
	return on_alloc(call_site, (__u64)ptr, bytes_req, bytes_alloc,
			gfp_flags, KMLAB_SRC_KMALLOC, NULL);
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(on_cache_alloc, unsigned long call_site, const void *ptr,
	     struct kmem_cache *s, gfp_t gfp_flags, int node)
{
	/* test the site first: the cache reads are not free */
	if (!trace_mode && !in_module(call_site)) {
		forget_free((__u64)ptr);
		return 0;
	}
	return on_alloc(call_site, (__u64)ptr, BPF_CORE_READ(s, object_size),
			BPF_CORE_READ(s, size), gfp_flags, KMLAB_SRC_CACHE, s);
}

SEC("raw_tp/kfree")
int BPF_PROG(on_kfree, unsigned long call_site, const void *ptr)
{
	return on_free(call_site, (__u64)ptr, KMLAB_SRC_KMALLOC, NULL);
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(on_cache_free, unsigned long call_site, const void *ptr,
	     const struct kmem_cache *s)
{
	return on_free(call_site, (__u64)ptr, KMLAB_SRC_CACHE, s);
}

static __always_inline bool is_target(struct module *mod)
{
	char name[KMLAB_MOD_NAME_LEN];
	int i;

	if (bpf_probe_read_kernel_str(name, sizeof(name), mod->name) < 0)
		return false;
	for (i = 0; i < KMLAB_MOD_NAME_LEN; i++) {
		if (name[i] != target_name[i])
			return false;
		if (!name[i])
			return true;
	}
	return true;
}

/* module_load fires after layout, before the module's init runs */
SEC("tp_btf/module_load")
int BPF_PROG(on_module_load, struct module *mod)
{
	__u64 core, core_size, init, init_size;
	struct kmlab_event *e;

	if (!is_target(mod))
		return 0;
	module_text(mod, &core, &core_size, &init, &init_size);
	text_base[1] = init;
	text_size[1] = init_size;
	text_base[0] = core;
	text_size[0] = core_size;

	e = event_new(KMLAB_EV_MOD_LOAD);
	if (!e)
		return 0;
	e->base = core;
	e->len = core_size;
	e->ptr = init;
	e->size_req = init_size;
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), mod->name);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/module_free")
int BPF_PROG(on_module_free, struct module *mod)
{
	struct kmlab_event *e;

	if (!is_target(mod))
		return 0;
	/* the text is about to be reused by others: stop matching it */
	text_size[0] = 0;
	text_size[1] = 0;
	e = event_new(KMLAB_EV_MOD_FREE);
	if (!e)
		return 0;
	e->size_req = live_count;
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), mod->name);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* the data plane's own tracepoint: no module BTF, so a classic one */
SEC("tp/kmlab/kmlab_step")
int on_step(void *ctx)
{
	struct kmlab_step_record r;
	struct kmlab_event *e;
	struct kmlab_freed *f;

	if (bpf_probe_read_kernel(&r, sizeof(r), ctx))
		return 0;
	e = event_new(KMLAB_EV_STEP);
	if (!e)
		return 0;
	e->ptr = r.ptr;
	e->size_req = r.size;
	e->off = r.off;
	e->alen = r.len;
	e->result = r.result;
	e->line = r.line;
	e->obj = r.obj;
	e->flags = r.flags;
	e->op = r.op;
	e->family = r.family;
	e->phase = r.phase;
	e->reason = r.reason;
	__builtin_memcpy(e->name, r.name, sizeof(e->name));
	__builtin_memcpy(e->data, r.data, sizeof(e->data));

	/* observed, not trusted: is the accessed object one we saw freed? */
	if ((r.op == KMLAB_OP_READ || r.op == KMLAB_OP_WRITE) && !r.result) {
		f = bpf_map_lookup_elem(&freed, &r.ptr);
		if (f && r.off < f->size_alloc) {
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
