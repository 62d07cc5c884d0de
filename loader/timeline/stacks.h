/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Each distinct kernel stack kept once: the objects a loop allocates
 * share their allocation's stack and their free's, so an object costs a
 * pointer for each, not KMLAB_STACK_DEPTH frames.
 */
#ifndef KMLAB_TL_STACKS_H
#define KMLAB_TL_STACKS_H

#include <stdbool.h>
#include <linux/types.h>
#include "kmlab/events.h"

/* kernel frames, innermost first */
struct tl_stack {
	__u64 ip[KMLAB_STACK_DEPTH];
	__u32 nr;
	bool exact;		/* ip[0] is the instruction itself (a fault),
				 * not a return address */
};

/* the stacks seen, by content (open addressing, at most half full) */
struct tl_stacks {
	struct tl_stack **slot;
	unsigned int cap, nr;
};

/* no stack (nr 0): an object's until its event brings one */
extern const struct tl_stack tl_no_stack;

/* An event's stack as a tl_stack. */
void tl_stack_set(struct tl_stack *st, const struct kmlab_ev_stack *es);
/* The one copy of @es's stack; NULL if out of memory. */
const struct tl_stack *tl_stacks_get(struct tl_stacks *s,
				     const struct kmlab_ev_stack *es);
void tl_stacks_free(struct tl_stacks *s);

#endif /* KMLAB_TL_STACKS_H */
