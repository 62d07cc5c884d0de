// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "modlines.h"
#include "modsyms.h"

struct modsym {
	unsigned long off, size;
	char *name;
	size_t sec;		/* index in modsyms.secs */
};

/* an executable section of the .ko, and where this load put it */
struct modsec {
	char *name;
	size_t index;		/* ELF section index */
	bool init;		/* .init.text: freed after init */
	unsigned long long size;
	unsigned long long addr;	/* 0 until modsyms_bind() */
};

struct modsyms {
	struct modsym *v;
	size_t n;
	/* the .ko's GNU build ID, which the loaded module's notes repeat */
	unsigned char build_id[64];
	size_t build_id_len;
	struct modsec *secs;
	size_t nr_secs;
	struct modlines *lines;	/* NULL: built without -g */
};

static int add_secs(struct modsyms *ms, Elf *elf, size_t shstrndx)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		struct modsec *v;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR) ||
		    !(sh.sh_flags & SHF_ALLOC))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		v = realloc(ms->secs, (ms->nr_secs + 1) * sizeof(*v));
		if (!v)
			return -1;
		ms->secs = v;
		v = &ms->secs[ms->nr_secs];
		memset(v, 0, sizeof(*v));
		v->name = strdup(name);
		if (!v->name)
			return -1;
		v->index = elf_ndxscn(scn);
		v->init = !strncmp(name, ".init", 5);
		v->size = sh.sh_size;
		ms->nr_secs++;
	}
	return ms->nr_secs ? 0 : -1;
}

static bool sec_of(const struct modsyms *ms, size_t index, size_t *sec)
{
	size_t i;

	for (i = 0; i < ms->nr_secs; i++)
		if (ms->secs[i].index == index) {
			*sec = i;
			return true;
		}
	return false;
}

static int add_syms(struct modsyms *ms, Elf *elf, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	GElf_Shdr sh;
	GElf_Sym sym;
	size_t i, n, sec;

	if (!data || !gelf_getshdr(scn, &sh) || !sh.sh_entsize)
		return -1;
	n = sh.sh_size / sh.sh_entsize;
	ms->v = calloc(n, sizeof(*ms->v));
	if (!ms->v)
		return -1;
	for (i = 0; i < n; i++) {
		const char *name;

		if (!gelf_getsym(data, i, &sym) ||
		    !sec_of(ms, sym.st_shndx, &sec) ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		ms->v[ms->n].off = sym.st_value;
		ms->v[ms->n].size = sym.st_size;
		ms->v[ms->n].sec = sec;
		ms->v[ms->n].name = strdup(name);
		if (!ms->v[ms->n].name)
			return -1;
		ms->n++;
	}
	return ms->n ? 0 : -1;
}

#define NT_GNU_BUILD_ID_TYPE	3

/* The GNU build ID among the ELF notes @p (@len bytes): its length, 0 if
 * none, into @id (@max bytes) */
static size_t note_build_id(const unsigned char *p, size_t len,
			    unsigned char *id, size_t max)
{
	GElf_Nhdr nh;
	size_t name, desc;

	while (len >= sizeof(nh)) {
		memcpy(&nh, p, sizeof(nh));
		name = (nh.n_namesz + 3) & ~3UL;
		desc = (nh.n_descsz + 3) & ~3UL;
		if (name > len - sizeof(nh) || desc > len - sizeof(nh) - name)
			return 0;
		if (nh.n_type == NT_GNU_BUILD_ID_TYPE && nh.n_namesz == 4 &&
		    !memcmp(p + sizeof(nh), "GNU", 4) && nh.n_descsz &&
		    nh.n_descsz <= max) {
			memcpy(id, p + sizeof(nh) + name, nh.n_descsz);
			return nh.n_descsz;
		}
		p += sizeof(nh) + name + desc;
		len -= sizeof(nh) + name + desc;
	}
	return 0;
}

static void add_build_id(struct modsyms *ms, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);

	if (data && data->d_buf && !ms->build_id_len)
		ms->build_id_len = note_build_id(data->d_buf, data->d_size,
						 ms->build_id,
						 sizeof(ms->build_id));
}

bool modsyms_same_build(const struct modsyms *ms, const char *module)
{
	unsigned char buf[256], id[64];
	char path[512];
	ssize_t n;
	int fd;

	if (!ms || !ms->build_id_len)
		return false;
	snprintf(path, sizeof(path),
		 "/sys/module/%s/notes/.note.gnu.build-id", module);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 &&
	       note_build_id(buf, n, id, sizeof(id)) == ms->build_id_len &&
	       !memcmp(id, ms->build_id, ms->build_id_len);
}

struct modsyms *modsyms_load(const char *ko)
{
	struct modsyms *ms = calloc(1, sizeof(*ms));
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;
	Elf *elf = NULL;
	int fd, err = -1;

	fd = ko ? open(ko, O_RDONLY | O_CLOEXEC) : -1;
	if (!ms || fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
		goto out;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) ||
	    add_secs(ms, elf, shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_NOTE)
			add_build_id(ms, scn);
		else if (sh.sh_type == SHT_SYMTAB && err)
			err = add_syms(ms, elf, scn);
	}
	if (!err)
		ms->lines = modlines_load(elf);
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
	for (i = 0; i < ms->nr_secs; i++)
		free(ms->secs[i].name);
	free(ms->v);
	free(ms->secs);
	modlines_free(ms->lines);
	free(ms);
}

/* The function of section @sec (index in ms->secs) holding @off. */
static const struct modsym *sym_at(const struct modsyms *ms, size_t sec,
				   unsigned long off)
{
	size_t i;

	for (i = 0; i < ms->n; i++) {
		const struct modsym *m = &ms->v[i];

		if (m->sec == sec && off - m->off < (m->size ? m->size : 1))
			return m;
	}
	return NULL;
}

/* init functions: the .ko's only init text section ("init" then names it) */
const char *modsyms_init(const struct modsyms *ms, unsigned long off,
			 unsigned long *fn_off)
{
	const struct modsym *m;
	size_t i;

	for (i = 0; ms && i < ms->nr_secs; i++) {
		m = ms->secs[i].init ? sym_at(ms, i, off) : NULL;
		if (m) {
			*fn_off = off - m->off;
			return m->name;
		}
	}
	return NULL;
}

int modsyms_bind(struct modsyms *ms, const char *module)
{
	char path[512], buf[32];
	int bound = 0;
	size_t i;
	FILE *f;

	for (i = 0; ms && i < ms->nr_secs; i++) {
		ms->secs[i].addr = 0;
		snprintf(path, sizeof(path), "/sys/module/%s/sections/%s",
			 module, ms->secs[i].name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f))
			ms->secs[i].addr = strtoull(buf, NULL, 16);
		fclose(f);
		bound += ms->secs[i].addr != 0;
	}
	return bound;
}

const char *modsyms_lookup(const struct modsyms *ms, unsigned long long addr,
			   unsigned long *fn_off)
{
	const struct modsym *m;
	size_t i;

	for (i = 0; ms && i < ms->nr_secs; i++) {
		if (!ms->secs[i].addr)
			continue;
		m = sym_at(ms, i, addr - ms->secs[i].addr);
		if (m) {
			*fn_off = addr - ms->secs[i].addr - m->off;
			return m->name;
		}
	}
	return NULL;
}

/* Where the function holding @off in section @sec starts; ULONG_MAX if
 * no symbol says. */
static unsigned long fn_start(const struct modsyms *ms, size_t sec,
			      unsigned long off)
{
	const struct modsym *m = sym_at(ms, sec, off);

	return m ? m->off : ULONG_MAX;
}

const char *modsyms_source(const struct modsyms *ms, unsigned long long addr,
			   unsigned int *line)
{
	size_t i;

	for (i = 0; ms && i < ms->nr_secs; i++) {
		const struct modsec *sec = &ms->secs[i];
		unsigned long off = addr - sec->addr;

		if (sec->addr && off < sec->size)
			return modlines_find(ms->lines, sec->index, off,
					     fn_start(ms, i, off), line);
	}
	return NULL;
}

const char *modsyms_init_source(const struct modsyms *ms, unsigned long off,
				unsigned int *line)
{
	size_t i;

	for (i = 0; ms && i < ms->nr_secs; i++)
		if (ms->secs[i].init)
			return modlines_find(ms->lines, ms->secs[i].index,
					     off, fn_start(ms, i, off), line);
	return NULL;
}
