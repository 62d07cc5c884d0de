/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel symbols from /proc/kallsyms.  A module's symbols vanish when it
 * is unloaded, so take the snapshot while the module is still loaded.
 */
#ifndef KMLAB_KSYMS_H
#define KMLAB_KSYMS_H

#include <stddef.h>

struct ksyms;

/*
 * One /proc/kallsyms line, "addr type name [module]", split in place:
 * *name and *module (NULL if none) point into @line.  0 on success.
 * Faster than sscanf, which costs seconds per pass in the TCG guest.
 */
int ksyms_parse_line(char *line, unsigned long *addr, char *type,
		     char **name, char **module);
/* Snapshot /proc/kallsyms (or @path if not NULL); NULL with errno set. */
struct ksyms *ksyms_load_file(const char *path);
/* Learn modules' core ranges from a /proc/modules-format file. */
int ksyms_add_modules_file(struct ksyms *ks, const char *path);
/* /proc/kallsyms and /proc/modules */
struct ksyms *ksyms_load(void);
void ksyms_free(struct ksyms *ks);
/* The symbol at or before @addr: returns its name, sets *off, *module
 * (NULL for the core kernel); NULL when none is close enough. */
const char *ksyms_lookup(const struct ksyms *ks, unsigned long addr,
			 unsigned long *off, const char **module);
/* "kfree+0x1a", "dp_exec+0x2c [kmlab_dp]" or "0xffffffffc0a01234". */
const char *ksyms_format(const struct ksyms *ks, unsigned long addr,
			 char *buf, size_t len);

#endif /* KMLAB_KSYMS_H */
