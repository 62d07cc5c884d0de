/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A module's functions by name, from its .ko's symbol table.  Once a
 * module's init returns, the kernel frees its init text and kallsyms
 * forgets those names; the .ko file still has them.
 */
#ifndef KMLAB_MODSYMS_H
#define KMLAB_MODSYMS_H

#include <stdbool.h>
#include <stddef.h>

struct modsyms;

/* The functions of @ko's .init.text; NULL when it has none or cannot be
 * read (then sites stay ".init.text+0x1c"). */
struct modsyms *modsyms_load(const char *ko);
void modsyms_free(struct modsyms *ms);
/* The function at @off into the module's init text: its name, *@fn_off
 * into it; NULL when none covers @off. */
const char *modsyms_init(const struct modsyms *ms, unsigned long off,
			 unsigned long *fn_off);
/*
 * Where the loaded @module's sections are (/sys/module/M/sections, root
 * only): from then on modsyms_lookup() names its functions by address,
 * with no kallsyms snapshot (slow: a second under TCG).  Returns the
 * sections found.
 */
int modsyms_bind(struct modsyms *ms, const char *module);
/* Whether the loaded @module was built from this .ko: the same GNU build
 * ID in its notes (/sys/module/M/notes, root only); false when either
 * has none. */
bool modsyms_same_build(const struct modsyms *ms, const char *module);
const char *modsyms_lookup(const struct modsyms *ms, unsigned long long addr,
			   unsigned long *fn_off);
/*
 * The source file (base name) and *@line of the instruction at @addr of
 * the bound module, or at @off into its init text, from the .ko's DWARF;
 * NULL when the .ko has none (built without -g) or it does not cover it.
 */
const char *modsyms_source(const struct modsyms *ms, unsigned long long addr,
			   unsigned int *line);
const char *modsyms_init_source(const struct modsyms *ms, unsigned long off,
				unsigned int *line);

#endif /* KMLAB_MODSYMS_H */
