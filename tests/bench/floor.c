// SPDX-License-Identifier: GPL-2.0
/*
 * benchfloor: attach the empty floor programs, say "attached" on stderr,
 * hold them until SIGINT or SIGTERM.  scripts/bench-run measures the
 * allocation loop under them as it does under `kmlab watch`.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(void)
{
	struct floor_bpf *skel;
	int err;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "benchfloor: cannot load the floor programs: %s\n",
			strerror(errno));
		return 1;
	}
	err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "benchfloor: cannot attach: %s\n", strerror(-err));
		floor_bpf__destroy(skel);
		return 1;
	}
	fprintf(stderr, "attached\n");
	while (!stop)
		pause();
	floor_bpf__destroy(skel);
	return 0;
}
