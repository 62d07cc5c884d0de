// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "maps_ahead.h"

static void *make(void *arg)
{
	struct map_ahead *m = arg;
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = m->flags);
	int fd;

	fd = bpf_map_create(m->type, m->name, m->key, m->value, m->max, &o);
	m->fd = fd < 0 ? -errno : fd;
	return NULL;
}

void maps_ahead_start(struct maps_ahead *a, struct bpf_map **maps, int n)
{
	int i;

	for (i = 0; i < n && i < MAPS_AHEAD_MAX; i++) {
		a->m[i].map = maps[i];
		a->m[i].type = bpf_map__type(maps[i]);
		snprintf(a->m[i].name, sizeof(a->m[i].name), "%s",
			 bpf_map__name(maps[i]));
		a->m[i].key = bpf_map__key_size(maps[i]);
		a->m[i].value = bpf_map__value_size(maps[i]);
		a->m[i].max = bpf_map__max_entries(maps[i]);
		a->m[i].flags = bpf_map__map_flags(maps[i]);
		a->m[i].fd = -EAGAIN;
		/* no thread: libbpf makes it at load, as it would anyway */
		a->m[i].started = !pthread_create(&a->m[i].thread, NULL, make,
						  &a->m[i]);
	}
	a->n = i;
}

void maps_ahead_finish(struct maps_ahead *a)
{
	int i;

	for (i = 0; i < a->n; i++) {
		if (!a->m[i].started)
			continue;
		pthread_join(a->m[i].thread, NULL);
		if (a->m[i].fd < 0)
			continue;
		/* libbpf takes a dup; on failure it makes its own */
		bpf_map__reuse_fd(a->m[i].map, a->m[i].fd);
		close(a->m[i].fd);
	}
	a->n = 0;
}
