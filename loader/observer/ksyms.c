// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kptr.h"
#include "ksyms.h"

/* A symbol further than this from its start is a wrong guess. */
#define KSYM_MAX_OFF	(1UL << 20)

struct ksym {
	unsigned long addr;
	const char *name;
	const char *module;	/* interned, NULL for vmlinux */
};

struct ksyms {
	struct ksym *syms;
	size_t nr, cap;
	char **mods;		/* interned module names */
	unsigned long *mod_lo, *mod_hi;	/* core text range, 0 if unknown */
	size_t nr_mods;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static const char *intern_mod(struct ksyms *ks, const char *m)
{
	unsigned long *lo, *hi;
	char **n;
	size_t i;

	for (i = 0; i < ks->nr_mods; i++)
		if (!strcmp(ks->mods[i], m))
			return ks->mods[i];
	n = realloc(ks->mods, (ks->nr_mods + 1) * sizeof(*n));
	if (n)
		ks->mods = n;
	lo = realloc(ks->mod_lo, (ks->nr_mods + 1) * sizeof(*lo));
	if (lo)
		ks->mod_lo = lo;
	hi = realloc(ks->mod_hi, (ks->nr_mods + 1) * sizeof(*hi));
	if (hi)
		ks->mod_hi = hi;
	if (!n || !lo || !hi)
		return NULL;
	lo[ks->nr_mods] = hi[ks->nr_mods] = 0;
	n[ks->nr_mods] = strdup(m);
	return n[ks->nr_mods] ? n[ks->nr_mods++] : NULL;
}

int ksyms_parse_line(char *line, unsigned long *addr, char *type,
		     char **name, char **module)
{
	char *p, *end;

	*addr = strtoul(line, &p, 16);
	if (p == line || *p != ' ' || !p[1] || p[2] != ' ')
		return -1;
	*type = p[1];
	*name = p + 3;
	p = *name + strcspn(*name, " \t\n");
	*module = NULL;
	if (*p == '\t' || *p == ' ') {
		*p++ = '\0';
		p += strspn(p, " \t");
		if (*p == '[' && (end = strchr(p, ']'))) {
			*end = '\0';
			*module = p + 1;
		}
	} else {
		*p = '\0';
	}
	return **name ? 0 : -1;
}

struct ksyms *ksyms_load_file(const char *path)
{
	char line[512], *name, *mod, type;
	unsigned long addr;
	struct ksyms *ks;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return NULL;
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		goto err;
	while (fgets(line, sizeof(line), f)) {
		if (ksyms_parse_line(line, &addr, &type, &name, &mod) ||
		    !addr)
			continue;
		/* only code: data symbols are never call sites */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (ks->nr == ks->cap) {
			size_t cap = ks->cap ? ks->cap * 2 : 65536;
			struct ksym *s = realloc(ks->syms, cap * sizeof(*s));

			if (!s)
				goto err;
			ks->syms = s;
			ks->cap = cap;
		}
		ks->syms[ks->nr].addr = addr;
		ks->syms[ks->nr].name = strdup(name);
		ks->syms[ks->nr].module = mod ? intern_mod(ks, mod) : NULL;
		if (!ks->syms[ks->nr].name)
			goto err;
		ks->nr++;
	}
	fclose(f);
	qsort(ks->syms, ks->nr, sizeof(*ks->syms), cmp_addr);
	return ks;
err:
	fclose(f);
	ksyms_free(ks);
	errno = ENOMEM;
	return NULL;
}

int ksyms_add_modules_file(struct ksyms *ks, const char *path)
{
	char line[512], name[128];
	unsigned long size, base;
	size_t i;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	/* "name size refcnt deps state 0xbase": the core layout */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lu %*d %*s %*s %lx", name, &size,
			   &base) != 3 || !base)
			continue;
		for (i = 0; i < ks->nr_mods; i++) {
			if (strcmp(ks->mods[i], name))
				continue;
			ks->mod_lo[i] = base;
			ks->mod_hi[i] = base + size;
		}
	}
	fclose(f);
	return 0;
}

struct ksyms *ksyms_load(void)
{
	struct ksyms *ks = ksyms_load_file("/proc/kallsyms");

	if (ks)
		ksyms_add_modules_file(ks, "/proc/modules");
	return ks;
}

void ksyms_free(struct ksyms *ks)
{
	size_t i;

	if (!ks)
		return;
	for (i = 0; i < ks->nr; i++)
		free((char *)ks->syms[i].name);
	for (i = 0; i < ks->nr_mods; i++)
		free(ks->mods[i]);
	free(ks->syms);
	free(ks->mods);
	free(ks->mod_lo);
	free(ks->mod_hi);
	free(ks);
}

const char *ksyms_lookup(const struct ksyms *ks, unsigned long addr,
			 unsigned long *off, const char **module)
{
	size_t lo = 0, hi;
	const struct ksym *s;

	if (!ks || !ks->nr || addr < ks->syms[0].addr)
		return NULL;
	hi = ks->nr;
	while (hi - lo > 1) {	/* last symbol with s->addr <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	s = &ks->syms[lo];
	if (addr - s->addr > KSYM_MAX_OFF)
		return NULL;
	/*
	 * Past a module's last symbol may lie another module, loaded after
	 * the snapshot: a module symbol only covers its module's range.
	 */
	if (s->module) {
		size_t m = 0;

		while (ks->mods[m] != s->module)
			m++;
		if (ks->mod_hi[m] &&
		    (addr < ks->mod_lo[m] || addr >= ks->mod_hi[m]) &&
		    addr - s->addr > 0x10000)
			return NULL;
	}
	*off = addr - s->addr;
	*module = s->module;
	return s->name;
}

const char *ksyms_format(const struct ksyms *ks, unsigned long addr,
			 char *buf, size_t len)
{
	const char *name, *mod;
	unsigned long off;

	name = ksyms_lookup(ks, addr, &off, &mod);
	if (!name)
		kptr(addr, buf, len);
	else if (mod)
		snprintf(buf, len, "%s+0x%lx [%s]", name, off, mod);
	else
		snprintf(buf, len, "%s+0x%lx", name, off);
	return buf;
}
