/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Hardware watchpoints on the watched module's most recent free: one
 * perf breakpoint event (read/write, 8 bytes) per CPU and debug register,
 * each running the observer's on_watch_hit program.  Policy: every free
 * of a module's slab object moves all of them to that object's first
 * KMLAB_WATCH_SLOTS * 8 bytes, so a late access to the object freed last
 * is caught as it happens, with its instruction and stack; older frees
 * lose their watch.  See bpf/watch.bpf.h for what counts as a hit.
 */
#ifndef KMLAB_WATCHPOINTS_H
#define KMLAB_WATCHPOINTS_H

#include <linux/types.h>

struct bpf_program;
struct watchpoints;

/* NULL when this kernel or machine has no breakpoints to give (@why
 * says what). */
struct watchpoints *watchpoints_open(struct bpf_program *prog, int map_fd,
				     char *why, size_t len);
/* Watch the first bytes of the object [obj, obj + size) freed just now;
 * @obj 0: none (all disabled). */
void watchpoints_move(struct watchpoints *wp, __u64 obj, __u64 size);
/* The debug registers it uses on each CPU. */
int watchpoints_slots(const struct watchpoints *wp);
/* Objects watched so far, and the debug registers used per CPU. */
void watchpoints_stats(const struct watchpoints *wp, __u64 *watched,
		       int *slots);
void watchpoints_close(struct watchpoints *wp);

#endif /* KMLAB_WATCHPOINTS_H */
