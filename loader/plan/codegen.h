/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* kmlab gen: a checked plan as the C of a kernel module (codegen.c). */
#ifndef KMLAB_CODEGEN_H
#define KMLAB_CODEGEN_H

#include <stddef.h>
#include <stdio.h>
#include "plan.h"

/*
 * Write @plan as module @name's one C file; @cost: the bytes each phase
 * may allocate (kmlab_ir_check()).  0, or -1 on a write error.
 */
int codegen_module(const struct plan *plan, const char *name,
		   const __u64 *cost, FILE *f);
/* The plan's IR digest, hex, which the module carries as kmlab_plan=. */
void codegen_digest(const struct plan *plan, char *buf, size_t len);

#endif /* KMLAB_CODEGEN_H */
