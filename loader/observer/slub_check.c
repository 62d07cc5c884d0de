// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "slub_check.h"
#include "kmlab/families.h"

#define SLAB_DIR	"/sys/kernel/slab"

/* kmalloc_info[] in mm/slab_common.c names sizes from 1024 up in k */
const char *slub_kmalloc_tag(__u64 size_req, char *buf, size_t len)
{
	__u64 size = kmlab_kmalloc_class(size_req);

	if (!size)
		snprintf(buf, len, "%s", "");
	else if (size >= 1024)
		snprintf(buf, len, "%lluk", (unsigned long long)size / 1024);
	else
		snprintf(buf, len, "%llu", (unsigned long long)size);
	return buf;
}

static bool attr_on(const char *cache, const char *attr)
{
	char path[320], v[8] = "";
	FILE *f;

	snprintf(path, sizeof(path), SLAB_DIR "/%s/%s", cache, attr);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(v, sizeof(v), f))
		v[0] = '\0';
	fclose(f);
	return v[0] == '1';
}

static void list_add(char *list, size_t len, int *nr, const char *name)
{
	size_t n = strlen(list);

	(*nr)++;
	if (n + strlen(name) + 2 < len)
		snprintf(list + n, len - n, "%s%s", n ? " " : "", name);
}

static bool listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p += len)
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || !p[len]))
			return true;
	return false;
}

static void validate(struct slub_check *sc, const char *cache)
{
	char path[320];
	int fd;

	if (listed(sc->checked, cache) || listed(sc->unguarded, cache))
		return;
	/* without either, validate checks nothing a module could break */
	if (!attr_on(cache, "poison") && !attr_on(cache, "red_zone")) {
		snprintf(path, sizeof(path), SLAB_DIR "/%s", cache);
		if (!access(path, F_OK))
			list_add(sc->unguarded, sizeof(sc->unguarded),
				 &sc->nr_unguarded, cache);
		return;
	}
	snprintf(path, sizeof(path), SLAB_DIR "/%s/validate", cache);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* returns once every slab of the cache was walked */
	if (write(fd, "1", 1) == 1)
		list_add(sc->checked, sizeof(sc->checked), &sc->nr_checked,
			 cache);
	close(fd);
}

/* "kmalloc-128", "kmalloc-cg-128", "dma-kmalloc-128", "kmalloc-rnd-03-128" */
static bool kmalloc_of(const char *name, const char *tag)
{
	size_t n = strlen(name), t = strlen(tag);

	return strstr(name, "kmalloc-") && n > t + 1 &&
	       name[n - t - 1] == '-' && !strcmp(name + n - t, tag);
}

void slub_check_cache(struct slub_check *sc, const char *name,
		      bool kmalloc_tag)
{
	struct dirent *d;
	DIR *dir;

	if (!name[0] || strchr(name, '/') || name[0] == '.')
		return;
	if (!kmalloc_tag) {
		validate(sc, name);
		return;
	}
	dir = opendir(SLAB_DIR);
	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (kmalloc_of(d->d_name, name))
			validate(sc, d->d_name);
	closedir(dir);
}
