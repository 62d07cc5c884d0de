/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The BPF observer seen from the loader: open, load and attach
 * kmlab.bpf.c, stream its events, read its lost counters and live map.
 */
#ifndef KMLAB_OBSERVER_H
#define KMLAB_OBSERVER_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "kmlab/events.h"

struct observer;

struct observer_opts {
	/* the modules to watch (none in trace mode): a record's head.mod
	 * and a live object's mod are indices in this list */
	const char *targets[KMLAB_MODS_MAX];
	int nr_targets;
	bool step;		/* load kmlab_step (attach it later) */
	bool trace;		/* every allocation matching the filters */
	/* the families to watch beyond kmalloc and kmem_cache_alloc, as
	 * bits 1u << KMLAB_FAM_* (bpf/kmlab.h); 0: all of them */
	unsigned int families;
	bool watchpoints;	/* hardware watchpoints on the module's
				 * last free (watchpoints.h) */
	__u32 pid;		/* trace filters: 0 / NULL = any */
	bool follow;		/* ... pid and the processes it starts */
	const char *comm;
	__u64 min_size, max_size;
	__u32 live_max;		/* the live map's room, 0: from memory */
	__u32 ring_mib;		/* the ring buffer's MiB, 0: from memory */
};

/* the ring buffer the events come through, at least: ~70k of the
 * largest records (bigger on machines with more memory, observer.c) */
#define OBSERVER_RING_BYTES	(16U << 20)

/* Called for each event; a negative return stops observer_poll(). */
typedef int (*observer_event_fn)(void *ctx, const union kmlab_ev *e);

/* Checks root, BTF and tracefs, then opens, loads and attaches.  Prints
 * what went wrong and what to do; returns 0 or -errno. */
int observer_open(struct observer **out, const struct observer_opts *opts,
		  observer_event_fn fn, void *ctx);
/* Attach tp/kmlab/kmlab_step: only possible once the module is in. */
int observer_attach_step(struct observer *ob);
/* Detach it again: the attachment holds a reference on the module, so
 * rmmod fails (EAGAIN) while it is attached. */
void observer_detach_step(struct observer *ob);
/*
 * The watched module @name is already loaded: watch it from now on, as
 * if its load had just been seen (a MOD_LOAD event with
 * KMLAB_MOD_ATTACHED).  Prints why not; returns 0 or -errno.
 */
int observer_attach_loaded(struct observer *ob, const char *name);
/* Does it see the families beyond kmalloc and kmem_cache (kprobes)? */
/* Does SLUB check the bytes past a kmalloc's size, up to its bucket's? */
bool observer_kmalloc_redzone(const struct observer *ob);
bool observer_has_families(const struct observer *ob);
/* Can this kernel load modules at all (module_load tracepoint)? */
bool observer_has_modules(const struct observer *ob);
/* Deliver pending events, waiting up to @timeout_ms. */
int observer_poll(struct observer *ob, int timeout_ms);
/* The BPF side's lost counters and the programs' recursion misses. */
void observer_lost(struct observer *ob, __u64 lost[KMLAB_LOST_MAX],
		   __u64 *recursion_misses);
/* The recursion misses by kind, and where the module acts (kmlab.h). */
void observer_misses(struct observer *ob, struct kmlab_misses *m);
/* The module freed the slab object [ptr, ptr + size): watch it. */
void observer_watch_free(struct observer *ob, __u64 ptr, __u64 size);
/* Rest the watchpoints if their object was allocated again. */
void observer_watch_check(struct observer *ob);
/* Frees watched, debug registers used per CPU, hits on memory already
 * allocated again; returns why there are none (NULL: there are). */
const char *observer_watch_stats(const struct observer *ob, __u64 *watched,
				 int *slots, __u64 *stale);
/* How many objects the live map holds at most, frees the freed map
 * remembers before the oldest age out, and the ring buffer's bytes. */
void observer_map_sizes(const struct observer *ob, __u64 *live,
			__u64 *freed, __u64 *ring);
/* Call @fn for each object still in the live map. */
/* Has the module's free of @ptr stopped being current, its address handed
 * out again (to anyone)?  false when the freed map may have aged records
 * out: then the observer cannot tell. */
/* KFENCE's sampling interval in ms: 0 off, -1 not in this kernel */
int observer_kfence_interval(void);
/* Is the observer listening to KFENCE's reports?  Only when it sampled
 * as the observer started: 86 ms of the verifier's time in the guest
 * spent otherwise on a program that would never run. */
bool observer_kfence_heard(const struct observer *ob);
bool observer_freed_gone(struct observer *ob, __u64 ptr);
/* How many times observer_poll has read the ring buffer to its end: the
 * kernel's state seen at one count is in the events read by two more. */
__u64 observer_drains(const struct observer *ob);
int observer_for_each_live(struct observer *ob,
			   int (*fn)(void *ctx, __u64 ptr,
				     const struct kmlab_live *v),
			   void *ctx);
/* One "stats: PROG run_cnt=N avg=X ns" line per attached program, from
 * bpf_stats (kernel.bpf_stats_enabled=1); says so when it is off. */
void observer_print_stats(struct observer *ob, FILE *f);
void observer_close(struct observer *ob);
/* libbpf's debug output on stderr (-v) */
void observer_verbose(bool on);

#endif /* KMLAB_OBSERVER_H */
