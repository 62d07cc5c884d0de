/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The IR checker: every rule of ir.h, and the plan's worst case bounded,
 * in one C file (module/ir_check.c).  The data plane runs it on every
 * blob it is given, `kmlab check` on every plan it compiles and the
 * fuzzers on every plan they make: a plan that compiles is a plan the
 * kernel accepts.
 */
#ifndef KMLAB_IR_CHECK_H
#define KMLAB_IR_CHECK_H

#ifdef __KERNEL__
#include <linux/ctype.h>
#include <linux/types.h>
#else
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#endif
#include "ir.h"

struct kmlab_ir_check {
	/* in: the data plane's machine and its max_bytes parameter */
	__u32 ncpus;			/* possible CPUs (percpu memory) */
	__u64 max_bytes;
	/* out */
	__u32 match[KMLAB_MAX_OPS];	/* each block op: its other end */
	__u64 cost[KMLAB_PHASE_MAX];	/* bytes a phase may allocate */
	int op;				/* the op refused, -1: the blob */
	__u32 line;			/* its plan line, 0 if none */
	char why[320];			/* what is wrong, what to do */
	/* the walk */
	const struct kmlab_ir_header *hdr;
	const struct kmlab_ir_obj *objs;
	const struct kmlab_ir_op *ops;
	__u32 open[KMLAB_MAX_DEPTH];	/* indices of the open blocks */
	int depth;
	int atomic;			/* open atomic blocks */
	struct kmlab_ir_bound bound;
};

/* 0, or -EINVAL with c->why saying which rule @blob breaks */
int kmlab_ir_check(const void *blob, size_t len, struct kmlab_ir_check *c);

/*
 * A NUL-terminated C identifier within @max bytes, NUL padded after the
 * terminator (so two equal names are equal blobs).
 */
static inline bool kmlab_valid_name(const char *s, size_t max)
{
	size_t i = 0;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	while (i < max && s[i] && (isalnum((unsigned char)s[i]) || s[i] == '_'))
		i++;
	if (i == max || s[i])
		return false;
	for (; i < max; i++)
		if (s[i])
			return false;
	return true;
}

#endif /* KMLAB_IR_CHECK_H */
