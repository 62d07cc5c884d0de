// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * DWARF's line number program (DWARF 5 section 6.2), run over a .ko's
 * .debug_line: each row says which source line the instructions from an
 * address on come from.  Every read is bounds-checked: the .ko is the
 * user's file, and a malformed one must cost only its line numbers.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "modlines.h"

/* the DWARF constants read here (dwarf.h is not needed for so few) */
enum {
	LNS_COPY = 1, LNS_ADVANCE_PC, LNS_ADVANCE_LINE, LNS_SET_FILE,
	LNS_SET_COLUMN, LNS_NEGATE_STMT, LNS_SET_BASIC_BLOCK, LNS_CONST_ADD_PC,
	LNS_FIXED_ADVANCE_PC,
	LNE_END_SEQUENCE = 1, LNE_SET_ADDRESS, LNE_DEFINE_FILE,
	LNCT_PATH = 1,
	FORM_BLOCK2 = 0x03, FORM_BLOCK4 = 0x04, FORM_DATA2 = 0x05,
	FORM_DATA4 = 0x06, FORM_DATA8 = 0x07, FORM_STRING = 0x08,
	FORM_BLOCK = 0x09, FORM_BLOCK1 = 0x0a, FORM_DATA1 = 0x0b,
	FORM_STRP = 0x0e, FORM_UDATA = 0x0f, FORM_DATA16 = 0x1e,
	FORM_LINE_STRP = 0x1f,
};

/* a relocation of .debug_line: the value at @at is @value into @shndx */
struct reloc {
	size_t at;
	size_t shndx;
	uint64_t value;
};

struct row {
	size_t shndx;
	uint64_t addr;
	const char *file;
	const char *unit;	/* its unit's own source file */
	unsigned int line;
	bool end;		/* end of a sequence: no line from here */
	size_t nr;		/* its place in the table: at one address,
				 * the last row counts (DWARF 5 "views") */
};

struct modlines {
	struct row *rows;
	size_t n, cap;
	char **names;		/* the file names rows point to */
	size_t nr_names;
};

struct rd {
	const uint8_t *base, *p, *end;
	const struct reloc *rel;
	size_t nr_rel;
	bool bad;
};

static bool need(struct rd *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return false;
	}
	return true;
}

static uint64_t fixed(struct rd *r, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (!need(r, n))
		return 0;
	for (i = 0; i < n && i < 8; i++)	/* little endian (x86) */
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

/* An LEB128's value, *@bits of it; *@last its last byte. */
static uint64_t leb(struct rd *r, unsigned int *bits, uint8_t *last)
{
	uint64_t v = 0;
	uint8_t b;

	*bits = 0;
	do {
		if (!need(r, 1))
			return 0;
		b = *r->p++;
		if (*bits < 64)
			v |= (uint64_t)(b & 0x7f) << *bits;
		*bits += 7;
	} while (b & 0x80);
	*last = b;
	return v;
}

static uint64_t uleb(struct rd *r)
{
	unsigned int bits;
	uint8_t last;

	return leb(r, &bits, &last);
}

static int64_t sleb(struct rd *r)
{
	unsigned int bits;
	uint8_t last = 0;
	uint64_t v = leb(r, &bits, &last);

	if (bits < 64 && (last & 0x40))
		v |= ~0ULL << bits;
	return (int64_t)v;
}

static const char *cstr(struct rd *r)
{
	const uint8_t *s = r->p;

	while (r->p < r->end && *r->p)
		r->p++;
	if (!need(r, 1))
		return NULL;
	r->p++;
	return (const char *)s;
}

static const struct reloc *reloc_at(const struct rd *r, size_t at)
{
	size_t lo = 0, hi = r->nr_rel;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->rel[mid].at == at)
			return &r->rel[mid];
		if (r->rel[mid].at < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* @n bytes holding an address or offset the object relocates */
static uint64_t relocated(struct rd *r, size_t n, size_t *shndx)
{
	const struct reloc *rel = reloc_at(r, r->p - r->base);
	uint64_t v = fixed(r, n);

	*shndx = rel ? rel->shndx : 0;
	return rel ? rel->value : v;
}

/* a string section's string at @off, NULL if outside */
static const char *strsec(const Elf_Data *d, uint64_t off)
{
	if (!d || off >= d->d_size ||
	    !memchr((const char *)d->d_buf + off, 0, d->d_size - off))
		return NULL;
	return (const char *)d->d_buf + off;
}

struct strs {
	const Elf_Data *str, *line_str;
};

/* One entry's value of @form: a path for DW_LNCT_path, else skipped. */
static const char *form_value(struct rd *r, uint64_t form, size_t offsz,
			      const struct strs *ss)
{
	size_t shndx;

	switch (form) {
	case FORM_STRING:
		return cstr(r);
	case FORM_LINE_STRP:
		return strsec(ss->line_str, relocated(r, offsz, &shndx));
	case FORM_STRP:
		return strsec(ss->str, relocated(r, offsz, &shndx));
	case FORM_UDATA:
		uleb(r);
		return NULL;
	case FORM_DATA1: case FORM_DATA2: case FORM_DATA4: case FORM_DATA8:
	case FORM_DATA16:
		fixed(r, form == FORM_DATA1 ? 1 : form == FORM_DATA2 ? 2 :
			 form == FORM_DATA4 ? 4 : form == FORM_DATA8 ? 8 : 16);
		return NULL;
	case FORM_BLOCK: case FORM_BLOCK1: case FORM_BLOCK2: case FORM_BLOCK4: {
		uint64_t n = form == FORM_BLOCK ? uleb(r) :
			     fixed(r, form == FORM_BLOCK1 ? 1 :
				   form == FORM_BLOCK2 ? 2 : 4);

		if (need(r, n))
			r->p += n;
		return NULL;
	}
	}
	r->bad = true;		/* a form a line table does not use */
	return NULL;
}

static const char *keep_name(struct modlines *ml, const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;
	char **v, *s;

	if (!path)
		return NULL;
	base = base ? base + 1 : path;
	v = realloc(ml->names, (ml->nr_names + 1) * sizeof(*v));
	if (!v)
		return NULL;
	ml->names = v;
	s = strdup(base);
	if (s)
		ml->names[ml->nr_names++] = s;
	return s;
}

/* The file table of one unit: names[i] for file i (NULL if unknown). */
struct files {
	const char **names;
	size_t n;
};

static void add_file(struct files *f, const char *name)
{
	const char **v = realloc(f->names, (f->n + 1) * sizeof(*v));

	if (!v)
		return;
	f->names = v;
	f->names[f->n++] = name;
}

/* DWARF 5: entry formats, then the entries; only the path is kept */
static void read_entries(struct rd *r, struct modlines *ml, struct files *f,
			 size_t offsz, const struct strs *ss)
{
	uint64_t fmt[16][2], count, i;
	unsigned int nfmt = fixed(r, 1), k;

	if (nfmt > 16) {
		r->bad = true;
		return;
	}
	for (k = 0; k < nfmt; k++) {
		fmt[k][0] = uleb(r);
		fmt[k][1] = uleb(r);
	}
	count = uleb(r);
	for (i = 0; i < count && !r->bad; i++) {
		const char *path = NULL, *v;

		for (k = 0; k < nfmt; k++) {
			v = form_value(r, fmt[k][1], offsz, ss);
			if (fmt[k][0] == LNCT_PATH)
				path = v;
		}
		if (f)
			add_file(f, keep_name(ml, path));
	}
}

/* DWARF 2-4: include directories, then file entries, each list ends
 * with an empty string */
static void read_old_entries(struct rd *r, struct modlines *ml,
			     struct files *f)
{
	const char *s;

	while ((s = cstr(r)) && *s)
		;
	add_file(f, NULL);	/* file numbers start at 1 before v5 */
	while ((s = cstr(r)) && *s) {
		uleb(r);
		uleb(r);
		uleb(r);
		add_file(f, keep_name(ml, s));
	}
}

static void add_row(struct modlines *ml, size_t shndx, uint64_t addr,
		    const struct files *f, uint64_t file, unsigned int line,
		    bool end)
{
	/* the unit's own file: entry 0 in DWARF 5, 1 before */
	const char *unit = f->n > 1 && !f->names[0] ? f->names[1] :
			   f->n ? f->names[0] : NULL;
	struct row *row;

	if (!shndx)		/* an address no relocation placed */
		return;
	if (ml->n == ml->cap) {
		size_t cap = ml->cap ? 2 * ml->cap : 256;

		row = realloc(ml->rows, cap * sizeof(*row));
		if (!row)
			return;
		ml->rows = row;
		ml->cap = cap;
	}
	row = &ml->rows[ml->n++];
	row->shndx = shndx;
	row->addr = addr;
	row->file = file < f->n ? f->names[file] : NULL;
	row->unit = unit;
	row->line = line;
	row->end = end;
	row->nr = ml->n - 1;
}

struct header {
	unsigned int min_inst, opcode_base, line_range;
	int line_base;
	const uint8_t *opcode_lengths;
	size_t addr_size;
};

/* The line number program of one unit, up to @r->end. */
static void run_program(struct rd *r, struct modlines *ml,
			const struct header *h, const struct files *f)
{
	uint64_t addr = 0, file = 1, line = 1;
	size_t shndx = 0;

	while (r->p < r->end && !r->bad) {
		unsigned int op = fixed(r, 1);

		if (op >= h->opcode_base) {	/* special opcode */
			op -= h->opcode_base;
			addr += (op / h->line_range) * h->min_inst;
			line += h->line_base + (int)(op % h->line_range);
			add_row(ml, shndx, addr, f, file, line, false);
			continue;
		}
		switch (op) {
		case 0: {		/* extended opcode */
			uint64_t len = uleb(r);
			const uint8_t *next = r->p + len;

			if (!len || !need(r, len))
				return;
			op = fixed(r, 1);
			if (op == LNE_END_SEQUENCE) {
				add_row(ml, shndx, addr, f, file, line, true);
				addr = 0;
				file = 1;
				line = 1;
				shndx = 0;
			} else if (op == LNE_SET_ADDRESS) {
				addr = relocated(r, h->addr_size, &shndx);
			}
			r->p = next;
			break;
		}
		case LNS_COPY:
			add_row(ml, shndx, addr, f, file, line, false);
			break;
		case LNS_ADVANCE_PC:
			addr += uleb(r) * h->min_inst;
			break;
		case LNS_ADVANCE_LINE:
			line += sleb(r);
			break;
		case LNS_SET_FILE:
			file = uleb(r);
			break;
		case LNS_CONST_ADD_PC:
			addr += ((255 - h->opcode_base) / h->line_range) *
				h->min_inst;
			break;
		case LNS_FIXED_ADVANCE_PC:
			addr += fixed(r, 2);
			break;
		default: {		/* skip its operands */
			unsigned int k;

			for (k = 0; k < h->opcode_lengths[op - 1]; k++)
				uleb(r);
		}
		}
	}
}

/* One unit at @r->p: its header, its files, its program. */
static void read_unit(struct rd *r, struct modlines *ml,
		      const struct strs *ss)
{
	struct files f = { 0 };
	struct header h = { .addr_size = 8 };
	uint64_t len = fixed(r, 4), hlen;
	size_t offsz = 4;
	unsigned int version;
	struct rd u = *r;

	if (len == 0xffffffff) {
		len = fixed(r, 8);
		offsz = 8;
	}
	if (!need(r, len))
		return;
	u.p = r->p;
	u.end = r->p + len;
	r->p = u.end;		/* the next unit, whatever this one holds */
	version = fixed(&u, 2);
	if (version < 2 || version > 5) {
		return;
	}
	if (version == 5) {
		h.addr_size = fixed(&u, 1);
		fixed(&u, 1);	/* segment selector size */
	}
	hlen = fixed(&u, offsz);
	if (!need(&u, hlen))
		return;
	h.min_inst = fixed(&u, 1);
	if (version >= 4)
		fixed(&u, 1);	/* max ops per instruction (VLIW) */
	fixed(&u, 1);		/* default_is_stmt */
	h.line_base = (int8_t)fixed(&u, 1);
	h.line_range = fixed(&u, 1);
	h.opcode_base = fixed(&u, 1);
	h.opcode_lengths = u.p;
	if (!h.line_range || !h.opcode_base || !need(&u, h.opcode_base - 1) ||
	    (h.addr_size != 4 && h.addr_size != 8))
		return;
	u.p += h.opcode_base - 1;
	if (version == 5) {
		read_entries(&u, ml, NULL, offsz, ss);	/* directories */
		read_entries(&u, ml, &f, offsz, ss);
	} else {
		read_old_entries(&u, ml, &f);
	}
	if (!u.bad)
		run_program(&u, ml, &h, &f);
	free(f.names);
}

static int by_at(const void *a, const void *b)
{
	const struct reloc *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

static int by_addr(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->end != y->end)
		return x->end ? -1 : 1;	/* a sequence's end first */
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* .rela.debug_line: where each relocated value points */
static struct reloc *read_relocs(Elf *elf, Elf_Scn *rela, size_t *n)
{
	Elf_Data *d = elf_getdata(rela, NULL), *syms;
	Elf_Scn *symscn;
	struct reloc *v;
	GElf_Shdr sh;
	GElf_Rela ra;
	GElf_Sym sym;
	size_t i, cnt, k = 0;

	*n = 0;
	if (!d || !gelf_getshdr(rela, &sh) || !sh.sh_entsize)
		return NULL;
	symscn = elf_getscn(elf, sh.sh_link);
	syms = symscn ? elf_getdata(symscn, NULL) : NULL;
	cnt = sh.sh_size / sh.sh_entsize;
	v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v || !syms)
		return v;
	for (i = 0; i < cnt; i++) {
		if (!gelf_getrela(d, i, &ra) ||
		    !gelf_getsym(syms, GELF_R_SYM(ra.r_info), &sym))
			continue;
		v[k].at = ra.r_offset;
		v[k].shndx = sym.st_shndx;
		v[k].value = sym.st_value + ra.r_addend;
		k++;
	}
	qsort(v, k, sizeof(*v), by_at);
	*n = k;
	return v;
}

struct modlines *modlines_load(Elf *elf)
{
	Elf_Scn *scn = NULL, *line = NULL, *rela = NULL;
	struct strs ss = { 0 };
	struct modlines *ml;
	struct reloc *rel = NULL;
	struct rd r = { 0 };
	size_t shstrndx, nrel = 0;
	Elf_Data *d;
	GElf_Shdr sh;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, ".debug_line"))
			line = scn;
		else if (!strcmp(name, ".rela.debug_line"))
			rela = scn;
		else if (!strcmp(name, ".debug_line_str"))
			ss.line_str = elf_getdata(scn, NULL);
		else if (!strcmp(name, ".debug_str"))
			ss.str = elf_getdata(scn, NULL);
	}
	d = line ? elf_getdata(line, NULL) : NULL;
	if (!d || !d->d_buf || !d->d_size)
		return NULL;
	ml = calloc(1, sizeof(*ml));
	if (!ml)
		return NULL;
	if (rela)
		rel = read_relocs(elf, rela, &nrel);
	r.base = r.p = d->d_buf;
	r.end = r.base + d->d_size;
	r.rel = rel;
	r.nr_rel = nrel;
	while (r.p < r.end && !r.bad)
		read_unit(&r, ml, &ss);
	free(rel);
	if (!ml->n) {
		modlines_free(ml);
		return NULL;
	}
	qsort(ml->rows, ml->n, sizeof(*ml->rows), by_addr);
	return ml;
}

void modlines_free(struct modlines *ml)
{
	size_t i;

	if (!ml)
		return;
	for (i = 0; i < ml->nr_names; i++)
		free(ml->names[i]);
	free(ml->names);
	free(ml->rows);
	free(ml);
}

/*
 * Row @i is a header's code inlined into the unit (kmalloc()'s, say):
 * the user's line is the one that used it, the nearest row of the
 * unit's own file before it in the same function (from @fn_start).
 * The line table alone says no more (the exact call line is in
 * .debug_info's inlined subroutines); compilers emit the using
 * statement's row first.
 * True, with *@line set, when there is one.
 */
static bool inlined_use(const struct modlines *ml, size_t i,
			unsigned long fn_start, unsigned int *line)
{
	const struct row *row = &ml->rows[i];
	const struct row *r;

	if (!row->unit || !strcmp(row->file, row->unit))
		return false;
	while (i-- > 0) {
		r = &ml->rows[i];
		if (r->shndx != row->shndx || r->end || r->addr < fn_start)
			return false;
		if (r->file && r->line && !strcmp(r->file, row->unit)) {
			*line = r->line;
			return true;
		}
	}
	return false;
}

const char *modlines_find(const struct modlines *ml, size_t shndx,
			  unsigned long off, unsigned long fn_start,
			  unsigned int *line)
{
	size_t lo = 0, hi, mid;
	const struct row *row;

	if (!ml)
		return NULL;
	hi = ml->n;
	/* the last row at or before (shndx, off) */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		row = &ml->rows[mid];
		if (row->shndx < shndx ||
		    (row->shndx == shndx && row->addr <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	row = &ml->rows[lo - 1];
	if (row->shndx != shndx || row->end || !row->file || !row->line)
		return NULL;
	*line = row->line;
	return fn_start <= off && inlined_use(ml, lo - 1, fn_start, line) ?
	       row->unit : row->file;
}
