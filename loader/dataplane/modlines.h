/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A module's source lines, from its .ko's DWARF line table (.debug_line,
 * versions 2 to 5).  A .ko is a relocatable object: the table's
 * addresses are offsets into its sections, known once the relocations of
 * .rela.debug_line are applied; where the kernel put each section is
 * modsyms' business.
 */
#ifndef KMLAB_MODLINES_H
#define KMLAB_MODLINES_H

#include <gelf.h>

struct modlines;

/* The line table of the open ELF @elf; NULL when it has none (built
 * without -g) or it cannot be read. */
struct modlines *modlines_load(Elf *elf);
void modlines_free(struct modlines *ml);
/*
 * The source file (its base name) and *@line of the instruction at @off
 * into the ELF section @shndx; NULL when the table does not cover it.
 * Code a header inlined into the function that starts at @fn_start
 * (ULONG_MAX: unknown) is given the line in the unit's own file that
 * used it.
 */
const char *modlines_find(const struct modlines *ml, size_t shndx,
			  unsigned long off, unsigned long fn_start,
			  unsigned int *line);

#endif /* KMLAB_MODLINES_H */
