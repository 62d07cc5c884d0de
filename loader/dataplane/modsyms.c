// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "modsyms.h"

struct modsym {
	unsigned long off, size;
	char *name;
};

struct modsyms {
	struct modsym *v;
	size_t n;
};

/*
 * The kernel lays a module's executable init sections out first in its
 * init region, in section order.  With one of them (.init.text, as
 * kbuild makes it) an offset into the region is an offset into it;
 * with more the offsets are not known, and nothing is named.
 */
static int init_text_index(Elf *elf, size_t shstrndx, size_t *index)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int found = 0;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strncmp(name, ".init", 5)) {
			*index = elf_ndxscn(scn);
			found++;
		}
	}
	return found == 1 ? 0 : -1;
}

static int add_syms(struct modsyms *ms, Elf *elf, Elf_Scn *scn, size_t init)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	GElf_Shdr sh;
	GElf_Sym sym;
	size_t i, n;

	if (!data || !gelf_getshdr(scn, &sh) || !sh.sh_entsize)
		return -1;
	n = sh.sh_size / sh.sh_entsize;
	ms->v = calloc(n, sizeof(*ms->v));
	if (!ms->v)
		return -1;
	for (i = 0; i < n; i++) {
		const char *name;

		if (!gelf_getsym(data, i, &sym) || sym.st_shndx != init ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		ms->v[ms->n].off = sym.st_value;
		ms->v[ms->n].size = sym.st_size;
		ms->v[ms->n].name = strdup(name);
		if (!ms->v[ms->n].name)
			return -1;
		ms->n++;
	}
	return ms->n ? 0 : -1;
}

struct modsyms *modsyms_load(const char *ko)
{
	struct modsyms *ms = calloc(1, sizeof(*ms));
	Elf_Scn *scn = NULL;
	size_t shstrndx, init = 0;
	GElf_Shdr sh;
	Elf *elf = NULL;
	int fd, err = -1;

	fd = ko ? open(ko, O_RDONLY | O_CLOEXEC) : -1;
	if (!ms || fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
		goto out;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) || init_text_index(elf, shstrndx, &init))
		goto out;
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			err = add_syms(ms, elf, scn, init);
			break;
		}
out:
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	if (err) {
		modsyms_free(ms);
		return NULL;
	}
	return ms;
}

void modsyms_free(struct modsyms *ms)
{
	size_t i;

	if (!ms)
		return;
	for (i = 0; i < ms->n; i++)
		free(ms->v[i].name);
	free(ms->v);
	free(ms);
}

const char *modsyms_init(const struct modsyms *ms, unsigned long off,
			 unsigned long *fn_off)
{
	size_t i;

	for (i = 0; ms && i < ms->n; i++)
		if (off - ms->v[i].off < (ms->v[i].size ? ms->v[i].size : 1)) {
			*fn_off = off - ms->v[i].off;
			return ms->v[i].name;
		}
	return NULL;
}
