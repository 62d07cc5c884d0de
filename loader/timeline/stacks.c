// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "stacks.h"

const struct tl_stack tl_no_stack;

void tl_stack_set(struct tl_stack *st, const struct kmlab_ev_stack *es)
{
	memset(st, 0, sizeof(*st));
	st->nr = es->nr < KMLAB_STACK_DEPTH ? es->nr : KMLAB_STACK_DEPTH;
	memcpy(st->ip, es->ip, st->nr * sizeof(st->ip[0]));
}

static unsigned int stack_hash(const struct tl_stack *st)
{
	__u64 h = st->nr;
	__u32 i;

	for (i = 0; i < st->nr; i++)
		h = (h ^ st->ip[i]) * 0x9e3779b97f4a7c15ULL;
	return (unsigned int)(h >> 32);
}

static bool stack_eq(const struct tl_stack *a, const struct tl_stack *b)
{
	return a->nr == b->nr && a->exact == b->exact &&
	       !memcmp(a->ip, b->ip, a->nr * sizeof(a->ip[0]));
}

static struct tl_stack **stacks_find(struct tl_stack **slot, unsigned int cap,
				     const struct tl_stack *st)
{
	unsigned int i = stack_hash(st) & (cap - 1);

	while (slot[i] && !stack_eq(slot[i], st))
		i = (i + 1) & (cap - 1);
	return &slot[i];
}

static int stacks_grow(struct tl_stacks *s)
{
	unsigned int cap = s->cap ? s->cap * 2 : 256, i;
	struct tl_stack **slot;

	if ((s->nr + 1) * 2 <= s->cap)
		return 0;
	slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++)
		if (s->slot[i])
			*stacks_find(slot, cap, s->slot[i]) = s->slot[i];
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
	return 0;
}

const struct tl_stack *tl_stacks_get(struct tl_stacks *s,
				     const struct kmlab_ev_stack *es)
{
	struct tl_stack st, **p;

	tl_stack_set(&st, es);
	if (!st.nr)
		return &tl_no_stack;
	if (stacks_grow(s))
		return NULL;
	p = stacks_find(s->slot, s->cap, &st);
	if (!*p) {
		*p = malloc(sizeof(st));
		if (!*p)
			return NULL;
		**p = st;
		s->nr++;
	}
	return *p;
}

void tl_stacks_free(struct tl_stacks *s)
{
	unsigned int i;

	for (i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}
