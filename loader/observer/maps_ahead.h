/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The observer's big maps, made in a thread while libbpf reads the
 * kernel's BTF, and handed to libbpf before it loads the programs.
 * Preallocating them is the kernel's own work, and the longest step of
 * getting ready that needs no BTF: 0.22 s for the million live objects
 * a 24 GiB host gets.  libbpf alone would start it only once the BTF is
 * read.  (The lab's TCG runs its vCPUs on one host thread, so there the
 * threads take turns and gain nothing.)
 */
#ifndef KMLAB_MAPS_AHEAD_H
#define KMLAB_MAPS_AHEAD_H

#include <pthread.h>
#include <stdbool.h>
#include <bpf/libbpf.h>

#define MAPS_AHEAD_MAX	4

struct maps_ahead {
	int n;
	struct map_ahead {
		pthread_t thread;
		bool started;
		struct bpf_map *map;
		enum bpf_map_type type;
		char name[16];
		__u32 key, value, max, flags;
		int fd;		/* or -errno */
	} m[MAPS_AHEAD_MAX];
};

/*
 * Make @maps (their type, sizes and flags final), each in a thread of
 * its own; the object's other maps and programs are libbpf's as usual.
 */
void maps_ahead_start(struct maps_ahead *a, struct bpf_map **maps, int n);
/*
 * Before load: wait for them, and give each one made to libbpf
 * (bpf_map__reuse_fd).  One that failed is left to libbpf, which makes
 * it at load and says why it could not.  Again after: nothing to do.
 */
void maps_ahead_finish(struct maps_ahead *a);

#endif /* KMLAB_MAPS_AHEAD_H */
