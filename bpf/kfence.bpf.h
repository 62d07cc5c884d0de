/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * KFENCE's reports (CONFIG_KFENCE, on when the kernel is booted with
 * kfence.sample_interval=MS): a late access or an overflow in one of its
 * sampled objects.  KFENCE calls kfence_report_error() only when it has
 * found one, from its page fault handler or from the free of a canary
 * that changed: a cold path, as slab_fix() is for SLUB.  Included by
 * kmlab.bpf.c; the program loads only where the kernel has the function.
 */
#ifndef KMLAB_KFENCE_BPF_H
#define KMLAB_KFENCE_BPF_H

/*
 * mm/kfence/kfence.h, not in every kernel's BTF (6.1's Debian build has
 * no KFENCE): local flavours, relocated where the program loads.
 */
struct kfence_metadata___kmlab {
	unsigned long addr;
	size_t size;
	struct kmem_cache *cache;
} __attribute__((preserve_access_index));

enum kfence_error_type___kmlab {
	KFENCE_ERROR_OOB___kmlab,
	KFENCE_ERROR_UAF___kmlab,
	KFENCE_ERROR_CORRUPTION___kmlab,
	KFENCE_ERROR_INVALID___kmlab,
	KFENCE_ERROR_INVALID_FREE___kmlab,
};

/* the fault path's own frames come first: room to skip them */
#define KFENCE_RAW_DEPTH	32

struct kfence_frames {
	__u64 ip[KFENCE_RAW_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kfence_frames);
} kfence_scratch SEC(".maps");

static __always_inline __u32 kfence_what(int type)
{
	if (type == bpf_core_enum_value(enum kfence_error_type___kmlab,
					KFENCE_ERROR_UAF___kmlab))
		return KMLAB_KFENCE_UAF;
	if (type == bpf_core_enum_value(enum kfence_error_type___kmlab,
					KFENCE_ERROR_OOB___kmlab))
		return KMLAB_KFENCE_OOB;
	if (type == bpf_core_enum_value(enum kfence_error_type___kmlab,
					KFENCE_ERROR_CORRUPTION___kmlab))
		return KMLAB_KFENCE_CORRUPT;
	if (type == bpf_core_enum_value(enum kfence_error_type___kmlab,
					KFENCE_ERROR_INVALID_FREE___kmlab))
		return KMLAB_KFENCE_BAD_FREE;
	return KMLAB_KFENCE_OTHER;
}

/*
 * The access's stack starts at the faulting instruction: the unwinder
 * crosses the exception frame, so @ip is one of the frames, below the
 * page fault handler's.  Found at free (no @ip), the stack is the free's.
 */
static __always_inline __u32 kfence_stack(void *ctx, __u64 ip, __u64 *out)
{
	struct kfence_frames *raw;
	__u32 zero = 0, from = 0, i, n;
	long got;

	raw = bpf_map_lookup_elem(&kfence_scratch, &zero);
	if (!raw)
		return 0;
	got = bpf_get_stack(ctx, raw->ip, sizeof(raw->ip), 0);
	if (got <= 0)
		return 0;
	n = got / 8;
	for (i = 0; ip && i < KFENCE_RAW_DEPTH && i < n; i++) {
		if (raw->ip[i] == ip) {
			from = i;
			break;
		}
	}
	for (i = 0; i < KMLAB_STACK_DEPTH; i++) {
		if (from + i >= n || from + i >= KFENCE_RAW_DEPTH)
			break;
		out[i] = raw->ip[(from + i) & (KFENCE_RAW_DEPTH - 1)];
	}
	return i;
}

SEC("kprobe/kfence_report_error")
int BPF_KPROBE(kfence_report_enter, unsigned long address, bool is_write,
	       struct pt_regs *regs,
	       const struct kfence_metadata___kmlab *meta, int type)
{
	struct kmlab_ev_kfence *e;
	__u64 ip = 0;

	if (trace_mode)
		return 0;
	e = EVENT_NEW(kmlab_ev_kfence, KMLAB_EV_KFENCE);
	if (!e)
		return 0;
	if (regs)
		ip = BPF_CORE_READ(regs, ip);
	e->addr = address;
	e->ip = ip;
	e->flags = is_write ? KMLAB_KFENCE_WRITE : 0;
	e->what = kfence_what(type);
	if (meta) {
		struct kmem_cache *s = BPF_CORE_READ(meta, cache);

		e->obj = BPF_CORE_READ(meta, addr);
		e->obj_size = BPF_CORE_READ(meta, size);
		if (s)
			bpf_probe_read_kernel_str(e->cache, sizeof(e->cache),
						  BPF_CORE_READ(s, name));
	}
	/* a protected page faults here too, safely: the bytes stay unknown */
	if (!bpf_probe_read_kernel(e->data, sizeof(e->data), (void *)address))
		e->flags |= KMLAB_KFENCE_DATA;
	e->stack.nr = kfence_stack(ctx, ip, e->stack.ip);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#endif /* KMLAB_KFENCE_BPF_H */
