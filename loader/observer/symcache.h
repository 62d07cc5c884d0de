/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a scan of /proc/kallsyms found, kept for the rest of this boot:
 * the core kernel's addresses do not move until the next boot, and
 * generating kallsyms' 160,000 lines is a good part of the time kmlab
 * takes to be ready (0.4 s of 2 in the TCG guest).  So is reading the
 * kernel's BTF (0.15-0.4 s) for the few facts the loader takes from it,
 * kept the same way.  The file is root's
 * own, in a directory only root may enter (it holds kernel addresses),
 * and is used only by the boot (boot_id), kernel release and scan (@tag)
 * that wrote it.
 */
#ifndef KMLAB_SYMCACHE_H
#define KMLAB_SYMCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define SYMCACHE_DIR	"/run/kmlab"

struct symcache_ent {
	__u32 role, src;
	__u64 addr, len;
};

/* what is kept: the kallsyms scan, and what the BTF told */
#define SYMCACHE_SYMS	"core-syms"
#define SYMCACHE_BTF	"btf-facts"
/* the kernel's types the programs' relocations read (btf_min.h): raw
 * BTF, for libbpf; the facts hold its size and hash */
#define SYMCACHE_CORE	"btf-core"

/* The entries kept under @tag in @dir/@file: how many (up to @max), or
 * -1. */
int symcache_load(const char *dir, const char *file, __u64 tag,
		  struct symcache_ent *v, int max);
/* Keep @n entries under @tag; quietly nothing where @dir cannot be made. */
void symcache_store(const char *dir, const char *file, __u64 tag,
		    const struct symcache_ent *v, int n);

/* Keep @size bytes as @dir/@file, whole or not at all: their hash
 * (never 0), or 0 when not kept. */
__u64 symcache_blob_store(const char *dir, const char *file, const void *data,
			  size_t size);
/* Whether @dir/@file is ours, @size bytes, and hashes to @hash. */
bool symcache_blob_check(const char *dir, const char *file, __u64 size,
			 __u64 hash);

#endif /* KMLAB_SYMCACHE_H */
