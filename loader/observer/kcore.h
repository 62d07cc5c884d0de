/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading kernel memory as it is now, for the hex dump of a leaked
 * object (kmemleak shows its first bytes too): /proc/kcore, the kernel's
 * own ELF view of its memory.  The kernel copies through a bounce buffer
 * and with faults caught, so an address that is gone reads as an error
 * or zeros, never as a crash; only root may read it.
 */
#ifndef KMLAB_KCORE_H
#define KMLAB_KCORE_H

#include <stddef.h>
#include <linux/types.h>

struct kcore;

/* NULL (errno set) when there is no /proc/kcore or we may not read it. */
struct kcore *kcore_open(const char *path);
/* Up to @len bytes at kernel address @addr: the count read, or -errno
 * (-ENXIO: no segment holds it). */
long kcore_read(struct kcore *kc, __u64 addr, void *buf, size_t len);
void kcore_close(struct kcore *kc);

#endif /* KMLAB_KCORE_H */
