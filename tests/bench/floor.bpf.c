// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's floor: empty programs on the raw tracepoints the
 * observer's hot programs use.  What they cost is the price of running
 * any BPF program on these events; the observer's cost above it is its
 * own fast path.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("raw_tp/kmalloc")
int floor_kmalloc(void *ctx)
{
	return 0;
}

SEC("raw_tp/kmem_cache_alloc")
int floor_cache_alloc(void *ctx)
{
	return 0;
}

SEC("raw_tp/kfree")
int floor_kfree(void *ctx)
{
	return 0;
}

SEC("raw_tp/kmem_cache_free")
int floor_cache_free(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
