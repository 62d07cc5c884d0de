/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel addresses in reports.  The kernel shows them only to root
 * (kptr_restrict); --hide-pointers makes a report one can share: each
 * address becomes a pseudonym, the same for the same address within one
 * run (so an object's story still reads), keyed by a random number that
 * is never written, so the address cannot be recovered.
 */
#ifndef KMLAB_KPTR_H
#define KMLAB_KPTR_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define KPTR_LEN	24	/* "0xffff888001234560", "ptr-3fa9c2d1e0b4" */

/* From now on, hide addresses (@key 0: a random one). */
void kptr_hide(__u64 key);
bool kptr_hidden(void);
/* @v as "0x..." or, hidden, as "ptr-<48 bits of a keyed hash>".  Values
 * below 4096 are not addresses (NULL, ZERO_SIZE_PTR): shown as they are. */
const char *kptr(__u64 v, char *buf, size_t len);

#endif /* KMLAB_KPTR_H */
