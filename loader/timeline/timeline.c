// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plan.h"
#include "timeline.h"

#define ENOMEM_RET	(-ENOMEM)

static int grow(void **v, int *cap, int need, size_t size)
{
	int ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	/* not zeroed: each user clears its slot as it takes it, and the
	 * room not used yet costs no memory until then (a million held
	 * objects doubled to room for two, all of it touched, was 587 MiB) */
	p = realloc(*v, (size_t)ncap * size);
	if (!p)
		return ENOMEM_RET;
	*v = p;
	*cap = ncap;
	return 0;
}

void timeline_init(struct timeline *tl, const char *module)
{
	memset(tl, 0, sizeof(*tl));
	if (module)
		snprintf(tl->module, sizeof(tl->module), "%s", module);
}

void timeline_free(struct timeline *tl)
{
	int i;

	for (i = 0; i < tl->nr_objs; i++)
		free(tl->objs[i].steps);
	free(tl->objs);
	free(tl->index);
	free(tl->finds);
	tl_stacks_free(&tl->stacks);
	memset(tl, 0, sizeof(*tl));
}

/*
 * The index: open addressing from an address to the newest object made
 * at it (its slot holds the object's index + 1); each object links to
 * the one before it at the same address.  Kept at most half full.
 */
static unsigned int index_slot(const struct timeline *tl, __u64 ptr)
{
	return (unsigned int)((ptr >> 3) * 0x9e3779b97f4a7c15ULL >> 32) &
	       (tl->index_cap - 1);
}

static void index_put(struct timeline *tl, int i)
{
	unsigned int h = index_slot(tl, tl->objs[i].ptr);
	int *slot;

	for (;; h = (h + 1) & (tl->index_cap - 1)) {
		slot = &tl->index[h];
		if (!*slot || tl->objs[*slot - 1].ptr == tl->objs[i].ptr)
			break;
	}
	*slot = i + 1;
}

static int index_get(const struct timeline *tl, __u64 ptr)
{
	unsigned int h;

	if (!tl->index_cap)
		return -1;
	for (h = index_slot(tl, ptr); tl->index[h];
	     h = (h + 1) & (tl->index_cap - 1))
		if (tl->objs[tl->index[h] - 1].ptr == ptr)
			return tl->index[h] - 1;
	return -1;
}

/* room for @n objects; rebuilt in object order, so the newest wins */
static int index_grow(struct timeline *tl, int n)
{
	unsigned int cap = tl->index_cap ? tl->index_cap : 64;
	int *idx, i;

	if ((unsigned int)n * 2 <= tl->index_cap)
		return 0;
	while ((unsigned int)n * 2 > cap)
		cap *= 2;
	idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return ENOMEM_RET;
	free(tl->index);
	tl->index = idx;
	tl->index_cap = cap;
	for (i = 0; i < tl->nr_objs; i++)
		index_put(tl, i);
	return 0;
}

static struct tl_object *new_object(struct timeline *tl, __u64 ptr)
{
	struct tl_object *o;

	if (grow((void **)&tl->objs, &tl->cap_objs, tl->nr_objs + 1,
		 sizeof(*tl->objs)) ||
	    index_grow(tl, tl->nr_objs + 1))
		return NULL;
	o = &tl->objs[tl->nr_objs++];
	memset(o, 0, sizeof(*o));
	o->ptr = ptr;
	o->plan_obj = -1;
	o->older = index_get(tl, ptr);
	o->seq = ++tl->next_seq;
	o->alloc_stack = &tl_no_stack;
	o->free_stack = &tl_no_stack;
	index_put(tl, tl->nr_objs - 1);
	return o;
}

/*
 * An address reused again and again (a loop's kmalloc) has a long chain
 * of freed objects; one of them still live means its free was lost, so
 * only the newest few are worth asking.
 */
#define OLDER_LOOKS	8

/* The newest object at @ptr; with @live_only, only one not yet freed. */
static struct tl_object *find_object(struct timeline *tl, __u64 ptr,
				     bool live_only)
{
	int i = index_get(tl, ptr), looks = 0;

	for (; i >= 0 && looks < OLDER_LOOKS; i = tl->objs[i].older, looks++)
		if (!live_only || !tl->objs[i].freed)
			return &tl->objs[i];
	return NULL;
}

/*
 * The object a plan's step on plan object @obj at @ptr is about: that
 * object's, even where the address has been handed to another since
 * (a late access or second free through a stale pointer), else the
 * newest at @ptr.
 */
static struct tl_object *find_step_object(struct timeline *tl, __u64 ptr,
					  int obj)
{
	int i = index_get(tl, ptr), looks = 0;

	for (; i >= 0 && looks < OLDER_LOOKS; i = tl->objs[i].older, looks++)
		if (tl->objs[i].plan_obj == obj)
			return &tl->objs[i];
	return find_object(tl, ptr, false);
}

/* The live object whose [ptr, ptr + size) holds @addr. */
static struct tl_object *find_containing(struct timeline *tl, __u64 addr)
{
	int i;

	for (i = tl->nr_objs - 1; i >= 0; i--) {
		struct tl_object *o = &tl->objs[i];
		__u64 size = o->size_alloc ? o->size_alloc : o->size_req;

		if (!o->freed && addr > o->ptr && addr - o->ptr < size)
			return o;
	}
	return NULL;
}

bool tl_same_step(const struct tl_step *x, const struct tl_step *y)
{
	return x->op == y->op && x->reason == y->reason &&
	       x->result == y->result && x->line == y->line &&
	       x->flags == y->flags && x->late == y->late &&
	       x->off == y->off && x->len == y->len &&
	       !memcmp(x->data, y->data, sizeof(x->data));
}

static bool same_stack(const struct tl_stack *a, const struct tl_stack *b)
{
	return a->nr == b->nr && a->exact == b->exact &&
	       !memcmp(a->ip, b->ip, a->nr * sizeof(a->ip[0]));
}

bool tl_same_finding(const struct tl_finding *a, const struct tl_finding *b)
{
	/* a refusal is the plan's, whichever object the name held */
	return a->kind == b->kind &&
	       (a->object == b->object || a->kind == FINDING_REFUSED) &&
	       a->plan_obj == b->plan_obj && a->line == b->line &&
	       !strcmp(a->name, b->name) && a->size == b->size &&
	       a->seen_by == b->seen_by && a->site == b->site &&
	       a->site2 == b->site2 && a->via == b->via &&
	       a->off == b->off && a->len == b->len &&
	       a->is_read == b->is_read && a->rw_unknown == b->rw_unknown &&
	       a->accessed == b->accessed && a->has_data == b->has_data &&
	       !memcmp(a->data, b->data, sizeof(a->data)) &&
	       a->reason == b->reason && a->load == b->load &&
	       a->src == b->src && a->src2 == b->src2 &&
	       a->predicted == b->predicted && a->observed == b->observed &&
	       !strcmp(a->pred_msg, b->pred_msg) &&
	       !strcmp(a->cache_given, b->cache_given) &&
	       a->kind != FINDING_LEAK &&	/* a leak: one object each */
	       same_stack(&a->stack, &b->stack) &&
	       same_stack(&a->stack2, &b->stack2);
}

static bool same_steps(const struct tl_object *a, const struct tl_object *b)
{
	int i;

	if (a->nr_steps != b->nr_steps)
		return false;
	for (i = 0; i < a->nr_steps; i++)
		if (!tl_same_step(&a->steps[i], &b->steps[i]))
			return false;
	return true;
}

static bool same_life(const struct tl_object *a, const struct tl_object *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->cache, b->cache) &&
	       a->line == b->line && a->family == b->family &&
	       a->size_req == b->size_req && a->size_alloc == b->size_alloc &&
	       a->alloc_site == b->alloc_site && a->via == b->via &&
	       a->seen_alloc == b->seen_alloc && a->freed == b->freed &&
	       a->leaked == b->leaked && a->free_unseen == b->free_unseen &&
	       a->free_src == b->free_src &&
	       a->free_site == b->free_site && a->free_line == b->free_line &&
	       same_steps(a, b);
}

static __u64 life_hash(const struct tl_object *o)
{
	__u64 h = 1469598103934665603ULL, v[] = {
		o->line, o->family, o->size_req, o->alloc_site, o->free_site,
		o->freed | (__u64)o->leaked << 1 |
		(__u64)o->free_unseen << 2, (__u64)o->nr_steps,
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		h = (h ^ v[i]) * 1099511628211ULL;
	for (i = 0; o->name[i] && i < sizeof(o->name); i++)
		h = (h ^ (unsigned char)o->name[i]) * 1099511628211ULL;
	return h;
}

/*
 * Folding as the run goes, so that memory follows the objects alive, not
 * the events: a million kmalloc/kfree steps would otherwise keep a
 * million objects.  An object is let go of once nothing can name it any
 * more: freed, no finding about it, and its address handed out again,
 * to the module (a newer object at it) or to anyone (tl->oracle).
 * Every report by address - SLUB's, KFENCE's, a watchpoint's, a double
 * free - is then about the newer tenant: SLUB checks a slot's poison
 * before it hands it out, so its report came first.  What the text report
 * prints of it lives on in the first object that lived the same way: a
 * count and the newest one's time and address, as the report's own
 * folding would have printed them.  The newest @keep objects are left
 * alone: events from several CPUs arrive a little out of order.
 */
#define FOLD_KEEP	2048
#define FOLD_EVERY	8192

/*
 * The oracle tells what the kernel did up to now, and the events of that
 * (a SLUB report at the reuse) may still be in the ring buffer: an
 * object handed out again to someone else is let go of only once the
 * ring has been read to its end twice since (a record reserved before
 * may still be being written at the first).
 */
static bool settled(struct timeline *tl, int i)
{
	const struct tl_oracle *or = &tl->oracle;
	struct tl_object *o = &tl->objs[i];

	if (!o->freed || o->leaked || o->slub_kept)
		return false;
	if (index_get(tl, o->ptr) != i)
		return true;
	if (!or->freed_gone)
		return false;
	if (o->gone_at)
		return or->drains(or->ctx) >= o->gone_at;
	if (or->freed_gone(or->ctx, o->ptr))
		o->gone_at = or->drains(or->ctx) + 2;
	return false;
}

int timeline_lives_init(struct tl_lives *lv, const struct timeline *tl)
{
	unsigned int cap = 64;
	int i;

	while (cap < 2u * (unsigned int)tl->nr_objs)
		cap <<= 1;
	lv->mask = cap - 1;
	lv->table = malloc(cap * sizeof(*lv->table));
	lv->about = calloc(tl->nr_objs ? tl->nr_objs : 1, sizeof(*lv->about));
	if (!lv->table || !lv->about) {
		timeline_lives_free(lv);
		return ENOMEM_RET;
	}
	memset(lv->table, -1, cap * sizeof(*lv->table));
	for (i = 0; i < tl->nr_finds; i++)
		if (tl->finds[i].object >= 0 &&
		    tl->finds[i].object < tl->nr_objs)
			lv->about[tl->finds[i].object] = true;
	return 0;
}

int timeline_lives_first(struct tl_lives *lv, const struct timeline *tl,
			 int i)
{
	const struct tl_object *o = &tl->objs[i];
	unsigned int k;

	for (k = life_hash(o) & lv->mask; lv->table[k] >= 0;
	     k = (k + 1) & lv->mask)
		if (same_life(&tl->objs[lv->table[k]], o))
			return lv->table[k];
	lv->table[k] = i;
	return i;
}

void timeline_lives_free(struct tl_lives *lv)
{
	free(lv->table);
	free(lv->about);
	lv->table = NULL;
	lv->about = NULL;
}

/* map[i]: -1 for an object folded into an earlier one */
static int fold_mark(struct timeline *tl, int n, int *map)
{
	struct tl_lives lv;
	int i, first, dead = 0;

	if (timeline_lives_init(&lv, tl))
		return ENOMEM_RET;
	for (i = 0; i < tl->nr_objs; i++) {
		map[i] = i;
		if (i >= n || lv.about[i])
			continue;
		if (!settled(tl, i)) {
			tl->fold_pending += !!tl->objs[i].gone_at;
			continue;
		}
		first = timeline_lives_first(&lv, tl, i);
		if (first == i)
			continue;
		tl->objs[first].folded +=
			tl_last_add(&tl->objs[first].last, &tl->objs[i]);
		map[i] = -1;
		dead++;
	}
	timeline_lives_free(&lv);
	return dead;
}

int timeline_fold(struct timeline *tl, int keep)
{
	int n = tl->nr_objs - keep, *map, i, j, r, dead;

	tl->fold_pending = 0;
	if (n <= 0)
		return 0;
	map = malloc(tl->nr_objs * sizeof(*map));
	dead = map ? fold_mark(tl, n, map) : ENOMEM_RET;
	if (dead <= 0) {
		free(map);
		return dead;
	}
	/* the chain of objects at one address skips the folded ones:
	 * resolved in order, a folded object's link is already a kept one */
	for (i = 0; i < tl->nr_objs; i++) {
		r = tl->objs[i].older;
		if (r >= 0 && map[r] < 0)
			tl->objs[i].older = tl->objs[r].older;
	}
	for (i = 0, j = 0; i < tl->nr_objs; i++) {
		if (map[i] < 0) {
			free(tl->objs[i].steps);
			continue;
		}
		map[i] = j;
		r = tl->objs[i].older;
		if (j != i)
			tl->objs[j] = tl->objs[i];
		tl->objs[j++].older = r >= 0 ? map[r] : -1;
	}
	tl->nr_objs = j;
	tl->folded += dead;
	for (i = 0; i < tl->nr_finds; i++)
		if (tl->finds[i].object >= 0)
			tl->finds[i].object = map[tl->finds[i].object];
	memset(tl->index, 0, tl->index_cap * sizeof(*tl->index));
	for (i = 0; i < tl->nr_objs; i++)
		index_put(tl, i);
	free(map);
	return 0;
}

static struct tl_finding *new_finding(struct timeline *tl,
				      enum finding_kind kind,
				      const struct tl_object *o)
{
	struct tl_finding *f;

	if (grow((void **)&tl->finds, &tl->cap_finds, tl->nr_finds + 1,
		 sizeof(*tl->finds)))
		return NULL;
	f = &tl->finds[tl->nr_finds++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->object = -1;
	f->plan_obj = -1;
	f->observed = true;
	if (o) {
		f->object = (int)(o - tl->objs);
		memcpy(f->name, o->name, sizeof(f->name));
		f->plan_obj = o->plan_obj;
		f->line = o->line;
		f->size = o->size_req;
	}
	return f;
}

/*
 * The live object at @ptr, or a new one made from what the observer
 * kept of its allocation when its alloc event never reached us.
 */
static struct tl_object *known_object(struct timeline *tl, __u64 ptr,
				      __u64 req, __u64 real, __u64 ts,
				      __u64 site, __u32 family)
{
	struct tl_object *o = find_object(tl, ptr, true);

	if (o)
		return o;
	o = new_object(tl, ptr);
	if (!o)
		return NULL;
	o->seen_alloc = true;
	o->size_req = req;
	o->size_alloc = real;
	o->alloc_ts = ts;
	o->alloc_site = site;
	o->family = family;
	return o;
}

/* A finding about plan step @e (on object @o, or on one not seen). */
static struct tl_finding *step_finding(struct timeline *tl,
				       enum finding_kind kind,
				       const struct tl_object *o,
				       const struct kmlab_ev_step *e)
{
	struct tl_finding *f = new_finding(tl, kind, o);

	if (!f)
		return NULL;
	if (!o) {
		memcpy(f->name, e->step.name, sizeof(f->name));
		f->name[sizeof(f->name) - 1] = '\0';
		f->plan_obj = e->step.obj;
	}
	f->line = e->step.line;
	f->ts = e->h.ts;
	f->off = e->step.off;
	f->len = e->step.len;
	f->seen_by = TL_SEEN_PLAN;
	return f;
}

static struct tl_step *add_step(struct tl_object *o,
				const struct kmlab_ev_step *e)
{
	struct tl_step *s;

	if (grow((void **)&o->steps, &o->cap_steps, o->nr_steps + 1,
		 sizeof(*o->steps)))
		return NULL;
	s = &o->steps[o->nr_steps++];
	memset(s, 0, sizeof(*s));
	s->ts = e->h.ts;
	s->op = e->step.op;
	s->reason = e->step.reason;
	s->result = e->step.result;
	s->line = e->step.line;
	s->flags = e->step.flags;
	s->late = e->late;
	s->off = e->step.off;
	s->len = e->step.len;
	memcpy(s->data, e->step.data, sizeof(s->data));
	return s;
}

/* ops that make an object (a cache is one: it can leak) */
static bool is_alloc_op(__u16 op)
{
	return kmlab_op_class(op) == KMLAB_OPC_ALLOC;
}

static bool is_free_op(__u16 op)
{
	return kmlab_op_class(op) == KMLAB_OPC_FREE;
}

/* The newest finding of @kind on @o. */
static struct tl_finding *object_finding(struct timeline *tl,
					 enum finding_kind kind,
					 const struct tl_object *o)
{
	int i;

	for (i = tl->nr_finds - 1; i >= 0; i--)
		if (tl->finds[i].kind == kind &&
		    tl->finds[i].object == (int)(o - tl->objs))
			return &tl->finds[i];
	return NULL;
}

/*
 * The plan's second free of @o that no kernel record has joined yet (a
 * kmem event or SLUB's refusal): the newest, as each such record follows
 * its step in the ring.
 */
static struct tl_finding *plan_double_free(struct timeline *tl,
					   const struct tl_object *o)
{
	struct tl_finding *f = o ? object_finding(tl, FINDING_DOUBLE_FREE, o) :
				   NULL;

	return f && f->seen_by == TL_SEEN_PLAN && !f->site ? f : NULL;
}

/*
 * A free step that ran on an object a free step of the plan had freed:
 * a double free by the data plane's own record, as a late access is.  The
 * kernel's records of it (the free's kmem event, SLUB's refusal) join it
 * when they come; a program run the kernel skipped, or a record the ring
 * had no room for, no longer loses the finding, only a witness.
 */
static int add_plan_double_free(struct timeline *tl, struct tl_object *o,
				const struct kmlab_ev_step *e)
{
	struct tl_finding *f;
	int i;

	/* a kernel record came first: it is this free's */
	for (i = tl->nr_finds - 1; i >= 0; i--) {
		f = &tl->finds[i];
		if (f->kind == FINDING_DOUBLE_FREE &&
		    f->object == (int)(o - tl->objs) && !f->line_from_step) {
			f->line = e->step.line;
			f->line_from_step = true;
			f->seen_by |= TL_SEEN_PLAN;
			return 0;
		}
	}
	/* SLUB's refusal after the step is of this free, not an older */
	o->kept_due = false;
	f = new_finding(tl, FINDING_DOUBLE_FREE, o);
	if (!f)
		return ENOMEM_RET;
	f->seen_by = TL_SEEN_PLAN;
	f->line = e->step.line;
	f->line_from_step = true;
	f->ts = e->h.ts;
	if (o->freed) {
		f->site2 = o->free_site;
		f->age_ns = e->h.ts > o->free_ts ? e->h.ts - o->free_ts : 0;
		if (o->free_stack)
			f->stack2 = *o->free_stack;
	}
	return 0;
}

/* A kmlab_step: names objects, records accesses, refusals, late ones. */
static int add_plan_step(struct timeline *tl, const struct kmlab_ev_step *e)
{
	struct tl_object *o = NULL;
	struct tl_finding *f;

	tl->plan_steps++;
	if (e->step.ptr && is_alloc_op(e->step.op))
		o = find_object(tl, e->step.ptr, true);
	else if (e->step.ptr)
		o = find_step_object(tl, e->step.ptr, e->step.obj);

	if (is_alloc_op(e->step.op) && !e->step.result) {
		/* a family the kmem tracepoints do not show (vmalloc...) */
		if (!o) {
			o = new_object(tl, e->step.ptr);
			if (!o)
				return ENOMEM_RET;
			o->alloc_ts = e->h.ts;
			o->size_req = e->step.size;
		}
		memcpy(o->name, e->step.name, sizeof(o->name));
		o->name[sizeof(o->name) - 1] = '\0';
		o->plan_obj = e->step.obj;
		o->line = e->step.line;
		if (!o->family)	/* enum kmlab_family: same values */
			o->family = e->step.family;
		return 0;
	}

	if (e->step.reason == KMLAB_FAILED) {
		/* name the failure the kmem tracepoint reported, if any */
		int i;

		for (i = tl->nr_finds - 1; i >= 0; i--) {
			f = &tl->finds[i];
			if (f->kind == FINDING_FAILED_ALLOC && !f->name[0])
				break;
		}
		f = i >= 0 ? &tl->finds[i] : new_finding(tl,
					FINDING_FAILED_ALLOC, NULL);
		if (!f)
			return ENOMEM_RET;
		memcpy(f->name, e->step.name, sizeof(f->name));
		f->name[sizeof(f->name) - 1] = '\0';
		f->plan_obj = e->step.obj;
		f->line = e->step.line;
		f->size = e->step.size;
		return 0;
	}

	if (is_free_op(e->step.op) && !e->step.result) {
		/* the kmem event came first: give it and a double free
		 * the plan's line */
		int i;

		if (!o)	/* an interior free names an inner address */
			o = find_containing(tl, e->step.ptr);
		if (!o)
			return 0;
		if (o->plan_freed && !e->step.off)
			return add_plan_double_free(tl, o, e);
		o->plan_freed = true;
		o->next_free_line = e->step.line;
		if (o->freed && !o->free_line)
			o->free_line = e->step.line;
		for (i = tl->nr_finds - 1; i >= 0; i--) {
			f = &tl->finds[i];
			if (f->kind == FINDING_DOUBLE_FREE &&
			    f->object == (int)(o - tl->objs) &&
			    !f->line_from_step) {
				f->line = e->step.line;
				f->line_from_step = true;
				break;
			}
		}
		/* the data plane emits a free's step before freeing: a
		 * refusal by SLUB after it is of that free, not an older */
		if (i < 0)
			o->kept_due = false;
		return 0;
	}

	if (o && !add_step(o, e))
		return ENOMEM_RET;

	if (e->step.result && e->step.reason != KMLAB_OK) {
		f = step_finding(tl, FINDING_REFUSED, o, e);
		if (!f)
			return ENOMEM_RET;
		f->reason = e->step.reason;
		return 0;
	}

	if (e->step.op != KMLAB_OP_READ && e->step.op != KMLAB_OP_WRITE)
		return 0;

	/*
	 * Late: the observer's freed map had the address, or the timeline
	 * saw the object freed before this step.  The map forgets an
	 * address another task was given, which may have freed it again
	 * before this access: still the module's late access, at its line.
	 */
	if (e->late || (o && o->freed && o->free_ts <= e->h.ts &&
			!e->step.result)) {
		f = step_finding(tl, FINDING_LATE_ACCESS, o, e);
		if (!f)
			return ENOMEM_RET;
		if (!o)
			f->size = e->freed_size;
		f->site = e->late ? e->freed_site : o->free_site;
		if (o)
			f->stack = *o->free_stack;
		f->age_ns = e->h.ts - (e->late ? e->freed_ts : o->free_ts);
		f->is_read = e->step.op == KMLAB_OP_READ;
		f->has_data = f->is_read && !(e->step.flags & KMLAB_STEP_FAULT);
		memcpy(f->data, e->step.data, sizeof(f->data));
	} else if (e->step.flags & KMLAB_STEP_LATE) {
		tl->late_unconfirmed++;
	} else if (o && o->seen_alloc && !o->freed &&
		   e->step.off + e->step.len > o->size_req) {
		/* sizes from kmem:kmalloc, not from the module's word */
		f = new_finding(tl, FINDING_OVERFLOW, o);
		if (!f)
			return ENOMEM_RET;
		f->seen_by = TL_SEEN_PLAN;
		f->line = e->step.line;
		f->ts = e->h.ts;
		f->off = e->step.off;
		f->len = e->step.len;
		f->is_read = e->step.op == KMLAB_OP_READ;
		f->site = o->alloc_site;
		f->stack = *o->alloc_stack;
	}
	return 0;
}

/*
 * The module's slab object whose slot holds @addr: from its left red zone
 * (@left bytes before it) to the end of its right one (@inuse bytes from
 * its start).  Slots do not overlap, so at most one address matches; of
 * the objects made there, the newest made before @ts.
 */
static struct tl_object *slot_owner(struct timeline *tl, __u64 addr,
				    __u64 left, __u64 inuse, __u64 ts)
{
	int i;

	for (i = tl->nr_objs - 1; i >= 0; i--) {
		struct tl_object *o = &tl->objs[i];

		if (o->family != KMLAB_FAM_KMALLOC &&
		    o->family != KMLAB_FAM_CACHE)
			continue;
		if (addr + left >= o->ptr && addr < o->ptr + inuse &&
		    (!o->alloc_ts || o->alloc_ts <= ts))
			return o;
	}
	return NULL;
}

/* A finding of @kind on @o over [off, off + len) already made (of a
 * write only, with @writes)? */
static struct tl_finding *same_finding(struct timeline *tl,
				       enum finding_kind kind,
				       const struct tl_object *o,
				       __u64 off, __u64 len, bool writes)
{
	int i;

	for (i = 0; i < tl->nr_finds; i++) {
		struct tl_finding *f = &tl->finds[i];

		if (f->kind == kind && f->object == (int)(o - tl->objs) &&
		    (!writes || !f->is_read) &&
		    off < f->off + f->len && f->off < off + len)
			return f;
	}
	return NULL;
}

bool timeline_poison(const __u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != KMLAB_POISON_FREE)
			return false;
	return n > 0;
}

/*
 * A watchpoint saw the module touch an object it had freed: the access,
 * its instruction and stack, as it happened.  x86 does not say whether
 * it read or wrote; SLUB's poison still intact afterwards says read.  The
 * same bytes touched again (a loop) are one finding.
 */
static int add_watch_hit(struct timeline *tl, const struct kmlab_ev_watch_hit *e)
{
	struct tl_object *o = find_object(tl, e->obj, false);
	struct tl_finding *f;

	tl->watch_hits++;
	f = o ? same_finding(tl, FINDING_LATE_ACCESS, o, e->off, e->len,
			     false) : NULL;
	if (f) {
		f->seen_by |= TL_SEEN_WATCH;
		return 0;
	}
	f = new_finding(tl, FINDING_LATE_ACCESS, o);
	if (!f)
		return ENOMEM_RET;
	if (!o)
		f->size = e->freed_size;
	f->seen_by = TL_SEEN_WATCH;
	f->ts = e->h.ts;
	f->off = e->off;
	f->len = e->len;
	f->site = e->call_site;
	f->age_ns = e->h.ts - e->freed_ts;
	f->has_data = true;
	memcpy(f->data, e->data, sizeof(f->data));
	f->is_read = timeline_poison(e->data, KMLAB_WATCH_LEN);
	f->rw_unknown = !f->is_read;
	f->accessed = true;
	tl_stack_set(&f->stack, &e->stack);
	if (o) {
		f->stack2 = *o->free_stack;
		f->site2 = o->free_site;
	} else {
		f->site2 = e->freed_site;
	}
	return 0;
}

/*
 * SLUB restoring bytes of one slot: poison written in a free object is
 * a late write, a red zone or padding written an overflow.  It says where
 * and what, not when: the write happened between the free (or the
 * allocation) and this check.  A finding the data plane already reported
 * (a plan's own late write) is marked seen by SLUB too, not repeated.
 */
/*
 * A free of @o seen, called from @site (the return address into its
 * caller, or into the caller's caller for a tail call: on the stack
 * either way): SLUB may refuse it (add_slub_kept).
 */
static void kept_due(struct tl_object *o, __u64 site)
{
	o->kept_due = true;
	o->kept_ret = site;
}

/* Is @ip in the module's text, or its init text, of any of its loads? */
static bool module_ip(const struct timeline *tl, __u64 ip)
{
	int i, n = tl->nr_loads < TL_LOADS_MAX ? tl->nr_loads : TL_LOADS_MAX;

	for (i = 0; i < n; i++) {
		const struct tl_load *l = &tl->loads[i];

		if (ip - l->text_base < l->text_len ||
		    ip - l->init_base < l->init_len)
			return true;
	}
	return ip - tl->text_base < tl->text_len;
}

/*
 * SLUB refused a free of @o's address that the observer did not see: the
 * address was handed out and freed again since @o's free, so its free
 * record is gone (a free of it might have been the new tenant's), and the
 * module freed it once more.  SLUB saw the memory free, so it was a
 * double free, the module's when the module is on the stack.
 */
static int add_unseen_double_free(struct timeline *tl, struct tl_object *o,
				  const struct kmlab_ev_slub *e)
{
	struct tl_finding *f;
	__u32 i;

	for (i = 0; i < e->stack.nr && i < KMLAB_STACK_DEPTH; i++)
		if (module_ip(tl, e->stack.ip[i]))
			break;
	if (i >= e->stack.nr || i >= KMLAB_STACK_DEPTH) {
		tl->slub_foreign++;
		return 0;
	}
	f = plan_double_free(tl, o);
	if (f) {
		f->seen_by |= TL_SEEN_SLUB;
	} else {
		f = new_finding(tl, FINDING_DOUBLE_FREE, o);
		if (!f)
			return ENOMEM_RET;
		f->seen_by = TL_SEEN_SLUB;
	}
	f->site = e->stack.ip[i];
	f->site2 = o->free_site;
	f->ts = e->h.ts;
	f->age_ns = e->h.ts > o->free_ts ? e->h.ts - o->free_ts : 0;
	tl_stack_set(&f->stack, &e->stack);
	f->stack2 = *o->free_stack;
	if (o->next_free_line && !(f->seen_by & TL_SEEN_PLAN)) {
		f->line = o->next_free_line;
		f->line_from_step = true;
		o->next_free_line = 0;
	}
	return 0;
}

/*
 * SLUB refused a free: a second one (the double free is found already,
 * now seen by SLUB too), or the first one of an object it found
 * corrupted, which it keeps allocated rather than trust.  Either is the
 * last free seen of the object, by the same call (its caller is on
 * SLUB's stack); any other is a double free the observer could not see.
 */
static int add_slub_kept(struct timeline *tl, const struct kmlab_ev_slub *e)
{
	struct tl_object *o = find_object(tl, e->addr, false);
	struct tl_finding *f;
	bool seen = false;
	__u32 i;

	if (!o || !o->freed) {
		tl->slub_foreign++;
		return 0;
	}
	for (i = 0; o->kept_due && i < e->stack.nr && i < KMLAB_STACK_DEPTH; i++)
		seen |= e->stack.ip[i] == o->kept_ret;
	/* no stack to tell by (an older observer's record): the seen one */
	if (!e->stack.nr || !o->kept_ret)
		seen = o->kept_due;
	if (!seen)
		return add_unseen_double_free(tl, o, e);
	o->kept_due = false;
	f = object_finding(tl, FINDING_DOUBLE_FREE, o);
	if (f)
		f->seen_by |= TL_SEEN_SLUB;
	else
		o->slub_kept = true;
	return 0;
}

static int add_slub_report(struct timeline *tl, const struct kmlab_ev_slub *e)
{
	enum finding_kind kind = FINDING_OVERFLOW;
	struct tl_finding *f;
	struct tl_object *o;
	__u64 off;

	if (e->what == KMLAB_SLUB_KEPT)	/* the end of a report */
		return add_slub_kept(tl, e);
	tl->slub_reports++;
	o = slot_owner(tl, e->addr, e->red_left_pad, e->inuse > e->object_size ?
		       e->inuse : e->object_size, e->h.ts);
	if (!o || e->what == KMLAB_SLUB_OTHER) {
		tl->slub_foreign++;
		return 0;
	}
	if (e->what == KMLAB_SLUB_POISON) {
		if (!o->freed || o->free_ts > e->h.ts) {
			tl->slub_foreign++;
			return 0;
		}
		kind = FINDING_LATE_ACCESS;
	}
	off = e->addr - o->ptr;
	f = same_finding(tl, kind, o, off, e->len, true);
	if (f) {
		/* changed bytes: what a watchpoint saw was a write */
		f->seen_by |= TL_SEEN_SLUB;
		f->rw_unknown = false;
		return 0;
	}
	f = new_finding(tl, kind, o);
	if (!f)
		return ENOMEM_RET;
	f->seen_by = TL_SEEN_SLUB;
	f->ts = e->h.ts;
	f->off = off;
	f->len = e->len;
	f->has_data = true;
	memcpy(f->data, e->data, sizeof(f->data));
	if (kind == FINDING_LATE_ACCESS) {
		f->site = o->free_site;
		f->stack = *o->free_stack;
		f->age_ns = e->h.ts - o->free_ts;
		if (o->free_line)
			f->line = o->free_line;
	} else {
		f->site = o->alloc_site;
		f->stack = *o->alloc_stack;
	}
	return 0;
}

/* The bytes from @e->addr on, up to the last one no longer KFENCE's
 * canary (of those the event carries). */
static __u64 canary_changed(const struct kmlab_ev_kfence *e)
{
	__u64 n = 1, i, end = KMLAB_EV_DATA_LEN;

	/* before the object, the canary ends where the object begins */
	if (e->addr < e->obj && e->obj - e->addr < end)
		end = e->obj - e->addr;
	for (i = 1; i < end; i++)
		if (e->data[i] != KMLAB_KFENCE_CANARY(e->addr + i))
			n = i + 1;
	return n;
}

/* What KFENCE's report makes of the object: none for a free of a
 * free (the kmem events already tell the double free). */
static enum finding_kind kfence_kind(const struct kmlab_ev_kfence *e,
				     const struct tl_object *o)
{
	switch (e->what) {
	case KMLAB_KFENCE_UAF:
		return o->freed && o->free_ts <= e->h.ts ? FINDING_LATE_ACCESS :
							 FINDING_MAX;
	case KMLAB_KFENCE_OOB:
	case KMLAB_KFENCE_CORRUPT:
		return FINDING_OVERFLOW;
	case KMLAB_KFENCE_BAD_FREE:
		return FINDING_DOUBLE_FREE;
	}
	return FINDING_MAX;
}

/*
 * KFENCE saw one of its sampled objects touched after its free, or
 * outside its bounds (a guard page as it happened, a canary at free).
 * Its object's start is the address the module was given.  It names
 * the first byte, not the access's size.
 */
static int add_kfence_report(struct timeline *tl, const struct kmlab_ev_kfence *e)
{
	struct tl_object *o = find_object(tl, e->obj, false);
	bool write = e->flags & KMLAB_KFENCE_WRITE;
	enum finding_kind kind;
	struct tl_finding *f;
	__u64 off = e->addr - e->obj;

	tl->kfence_reports++;
	kind = o && o->alloc_ts <= e->h.ts ? kfence_kind(e, o) : FINDING_MAX;
	if (kind == FINDING_MAX) {
		tl->kfence_foreign++;
		return 0;
	}
	/* an overflow into the guard page also changed the canary before
	 * it, found again at free: one finding */
	f = kind == FINDING_LATE_ACCESS ? same_finding(tl, kind, o, off, 1,
						       false) :
	    object_finding(tl, kind, o);
	if (f) {
		f->seen_by |= TL_SEEN_KFENCE;
		if (f->rw_unknown && e->ip) {
			f->rw_unknown = false;
			f->is_read = !write;
		}
		return 0;
	}
	if (kind == FINDING_DOUBLE_FREE) {
		tl->kfence_foreign++;	/* the kmem events missed it */
		return 0;
	}
	f = new_finding(tl, kind, o);
	if (!f)
		return ENOMEM_RET;
	f->seen_by = TL_SEEN_KFENCE;
	f->ts = e->h.ts;
	f->off = off;
	f->len = 1;
	f->is_read = !write && e->what != KMLAB_KFENCE_CORRUPT;
	f->has_data = e->flags & KMLAB_KFENCE_DATA;
	memcpy(f->data, e->data, sizeof(f->data));
	if (e->what == KMLAB_KFENCE_CORRUPT && f->has_data)
		f->len = canary_changed(e);
	if (e->ip) {	/* as it happened: the access's stack */
		f->site = e->ip;
		f->accessed = true;
		tl_stack_set(&f->stack, &e->stack);
		f->stack.exact = true;	/* KFENCE's fault: the access itself */
		f->site2 = o->freed ? o->free_site : o->alloc_site;
		f->stack2 = o->freed ? *o->free_stack : *o->alloc_stack;
	} else {		/* a canary, found at free */
		f->site = o->alloc_site;
		f->stack = *o->alloc_stack;
	}
	if (kind == FINDING_LATE_ACCESS) {
		f->age_ns = e->h.ts - o->free_ts;
		if (o->free_line)
			f->line = o->free_line;
	}
	return 0;
}

static int add_mod_load(struct timeline *tl, const struct kmlab_ev_mod_load *e)
{
	if (!tl->loaded && !tl->t0_module[0])
		tl->t0 = e->h.ts;
	tl->loaded = true;
	tl->unloaded = false;
	tl->init_failed = false;
	if (e->flags & KMLAB_MOD_ATTACHED)
		tl->attached = true;
	tl->text_base = e->text;
	tl->text_len = e->text_size;
	tl->init_base = e->init_text;
	tl->init_len = e->init_text_size;
	if (tl->nr_loads < TL_LOADS_MAX) {
		struct tl_load *l = &tl->loads[tl->nr_loads];

		l->ts = e->h.ts;
		l->text_base = e->text;
		l->text_len = e->text_size;
		l->init_base = e->init_text;
		l->init_len = e->init_text_size;
	}
	tl->nr_loads++;
	return 0;
}

static int add_mod_free(struct timeline *tl, const struct kmlab_ev_mod_free *e)
{
	tl->unloaded = true;
	tl->unload_ts = e->h.ts;
	tl->init_failed = e->init_failed;
	if (tl->nr_loads && tl->nr_loads <= TL_LOADS_MAX) {
		tl->loads[tl->nr_loads - 1].unload_ts = e->h.ts;
		tl->loads[tl->nr_loads - 1].init_failed = e->init_failed;
	}
	return 0;
}

static int add_alloc(struct timeline *tl, const struct kmlab_ev_alloc *e)
{
	struct tl_object *o;
	struct tl_finding *f;

	if (e->h.type == KMLAB_EV_ALLOC_FAIL) {
		f = new_finding(tl, FINDING_FAILED_ALLOC, NULL);
		if (!f)
			return ENOMEM_RET;
		f->size = e->size_req;
		f->site = e->call_site;
		f->ts = e->h.ts;
		tl_stack_set(&f->stack, &e->stack);
		return 0;
	}
	/* the observer still had an object here: no event showed its free */
	if (e->replaced_site) {
		o = find_object(tl, e->ptr, true);
		if (o && !o->free_unseen) {
			o->free_unseen = true;
			o->missed_ts = e->h.ts;
			tl->frees_missed++;
		}
	}
	o = new_object(tl, e->ptr);
	if (!o)
		return ENOMEM_RET;
	o->seen_alloc = true;
	o->size_req = e->size_req;
	o->size_alloc = e->size_alloc;
	o->alloc_ts = e->h.ts;
	o->alloc_site = e->call_site;
	o->alloc_pid = e->h.pid;
	memcpy(o->alloc_comm, e->h.comm, sizeof(o->alloc_comm));
	o->alloc_comm[sizeof(o->alloc_comm) - 1] = '\0';
	o->family = e->src;
	o->via = e->via;
	o->alloc_stack = tl_stacks_get(&tl->stacks, &e->stack);
	if (!o->alloc_stack)
		return ENOMEM_RET;
	if (e->src == KMLAB_FAM_CACHE) {
		memcpy(o->cache, e->cache, sizeof(o->cache));
		o->cache[sizeof(o->cache) - 1] = '\0';
	}
	return 0;
}

static int add_free(struct timeline *tl, const struct kmlab_ev_free *e)
{
	struct tl_object *o;
	struct tl_finding *f;

	/* its allocation event may have been lost, or predate us */
	o = known_object(tl, e->ptr, e->size_req, e->size_alloc, e->alloc_ts,
			 e->alloc_site, e->alloc_src);
	if (!o)
		return ENOMEM_RET;
	o->freed = true;
	o->free_ts = e->h.ts;
	o->free_site = e->call_site;
	o->free_src = e->src;
	if (o->family == KMLAB_FAM_KMALLOC || o->family == KMLAB_FAM_CACHE)
		tl->slab_frees++;
	o->free_line = o->next_free_line;
	o->next_free_line = 0;
	o->free_stack = tl_stacks_get(&tl->stacks, &e->stack);
	if (!o->free_stack)
		return ENOMEM_RET;
	kept_due(o, e->call_site);
	if (!e->wrong_cache)
		return 0;
	f = new_finding(tl, FINDING_WRONG_FREE, o);
	if (!f)
		return ENOMEM_RET;
	f->site = e->call_site;
	f->site2 = o->alloc_site;
	f->ts = e->h.ts;
	f->src = e->src;
	f->src2 = e->alloc_src ? e->alloc_src : o->family;
	f->stack = *o->free_stack;
	memcpy(f->cache_given, e->cache, sizeof(f->cache_given));
	f->cache_given[sizeof(f->cache_given) - 1] = '\0';
	if (o->free_line)
		f->line = o->free_line;
	return 0;
}

/* an address inside one of the module's live objects, or one never seen */
static int add_free_unknown(struct timeline *tl,
			    const struct kmlab_ev_free_unknown *e)
{
	struct tl_object *o = find_containing(tl, e->ptr);
	struct tl_finding *f;

	if (!o) {
		tl->unknown_frees++;
		return 0;
	}
	f = new_finding(tl, FINDING_INTERIOR_FREE, o);
	if (!f)
		return ENOMEM_RET;
	f->site = e->call_site;
	tl_stack_set(&f->stack, &e->stack);
	f->ts = e->h.ts;
	f->off = e->ptr - o->ptr;
	if (o->next_free_line) {
		f->line = o->next_free_line;
		o->next_free_line = 0;
	}
	return 0;
}

static int add_double_free(struct timeline *tl,
			   const struct kmlab_ev_double_free *e)
{
	struct tl_object *o = find_object(tl, e->ptr, false);
	struct tl_finding *f = plan_double_free(tl, o);

	if (!f)
		f = new_finding(tl, FINDING_DOUBLE_FREE, o);
	if (!f)
		return ENOMEM_RET;
	if (!o)
		f->size = e->size_req;
	f->site = e->call_site;
	f->site2 = e->first_site;
	f->ts = e->h.ts;
	f->age_ns = e->h.ts - e->first_ts;
	tl_stack_set(&f->stack, &e->stack);
	if (o) {
		f->stack2 = *o->free_stack;
		kept_due(o, e->call_site);
	}
	if (o && o->next_free_line && !(f->seen_by & TL_SEEN_PLAN)) {
		f->line = o->next_free_line;
		f->line_from_step = true;
		o->next_free_line = 0;
	}
	return 0;
}

int timeline_add(struct timeline *tl, const union kmlab_ev *e)
{
	tl->events++;
	if (tl->nr_objs >= tl->fold_at) {
		int kept;

		/* without the memory to fold, the run goes on unfolded */
		timeline_fold(tl, FOLD_KEEP);
		/* those waiting for the ring to be read go at the next fold */
		kept = tl->nr_objs - tl->fold_pending;
		tl->fold_at = tl->nr_objs + (kept > FOLD_EVERY ? kept :
					     FOLD_EVERY);
	}
	if (!tl->t0)
		tl->t0 = e->h.ts;

	switch (e->h.type) {
	case KMLAB_EV_MOD_LOAD:
		return add_mod_load(tl, &e->mod_load);
	case KMLAB_EV_MOD_FREE:
		return add_mod_free(tl, &e->mod_free);
	case KMLAB_EV_ALLOC:
	case KMLAB_EV_ALLOC_FAIL:
		return add_alloc(tl, &e->alloc);
	case KMLAB_EV_FREE:
		return add_free(tl, &e->free);
	case KMLAB_EV_FREE_UNKNOWN:
		return add_free_unknown(tl, &e->free_unknown);
	case KMLAB_EV_DOUBLE_FREE:
		return add_double_free(tl, &e->double_free);
	case KMLAB_EV_STEP:
		return add_plan_step(tl, &e->step);
	case KMLAB_EV_SLUB:
		return add_slub_report(tl, &e->slub);
	case KMLAB_EV_WATCH_HIT:
		return add_watch_hit(tl, &e->watch_hit);
	case KMLAB_EV_KFENCE:
		return add_kfence_report(tl, &e->kfence);
	}
	return 0;
}

bool timeline_owns(struct timeline *tl, const union kmlab_ev *e)
{
	const struct kmlab_ev_slub *sl = &e->slub;

	switch (e->h.type) {
	case KMLAB_EV_WATCH_HIT:
		return find_object(tl, e->watch_hit.obj, false);
	case KMLAB_EV_KFENCE:
		return find_object(tl, e->kfence.obj, false);
	case KMLAB_EV_SLUB:
		if (sl->what == KMLAB_SLUB_KEPT)
			return find_object(tl, sl->addr, false);
		return slot_owner(tl, sl->addr, sl->red_left_pad,
				  sl->inuse > sl->object_size ? sl->inuse :
				  sl->object_size, sl->h.ts);
	}
	return false;
}

int timeline_load_of(const struct timeline *tl, __u64 ts)
{
	int i, n = tl->nr_loads < TL_LOADS_MAX ? tl->nr_loads : TL_LOADS_MAX;

	for (i = n - 1; i >= 0; i--)
		if (tl->loads[i].ts <= ts)
			return i + 1;
	return 0;
}

int timeline_leak(struct timeline *tl, __u64 ptr, const struct kmlab_live *v)
{
	struct tl_object *o;
	struct tl_finding *f;
	__u64 end;
	int load;

	o = known_object(tl, ptr, v->size_req, v->size_alloc, v->ts,
			 v->call_site, v->src);
	if (!o)
		return ENOMEM_RET;
	o->leaked = true;
	if (!o->alloc_pid)	/* its allocation event came before us */
		o->alloc_pid = v->pid;
	f = new_finding(tl, FINDING_LEAK, o);
	if (!f)
		return ENOMEM_RET;
	f->site = o->alloc_site;
	f->via = o->via;
	f->ts = o->alloc_ts;
	f->stack = *o->alloc_stack;
	end = tl->unload_ts ? tl->unload_ts : o->alloc_ts;
	/* an earlier attempt's leak: its age at that attempt's unload */
	load = tl->nr_loads > 1 ? timeline_load_of(tl, o->alloc_ts) : 0;
	if (load) {
		f->load = load;
		if (tl->loads[load - 1].unload_ts)
			end = tl->loads[load - 1].unload_ts;
	}
	f->age_ns = end > o->alloc_ts ? end - o->alloc_ts : 0;
	return 0;
}

/* Does prediction @p describe finding @f? */
static bool pred_matches(const struct prediction *p,
			 const struct tl_finding *f)
{
	if (f->kind == FINDING_REFUSED)
		/* the hazard refused was predicted on that line */
		return f->line && p->line == (int)f->line;
	if (p->kind != f->kind)
		return false;
	if (p->obj >= 0 && f->plan_obj >= 0)
		return p->obj == f->plan_obj;
	return p->line == (int)f->line || !f->line;
}

int timeline_match(struct timeline *tl, const struct plan *plan)
{
	int i, j, nr = tl->nr_finds;
	bool *used;

	if (!plan || !plan->nr_preds)
		return 0;
	used = calloc(plan->nr_preds, sizeof(*used));
	if (!used)
		return ENOMEM_RET;
	for (i = 0; i < nr; i++) {
		struct tl_finding *f = &tl->finds[i];
		int pick = -1;

		/* an unused prediction first: "x9" and the last of a loop
		 * are two predictions of the same kind and object */
		for (j = 0; j < plan->nr_preds; j++) {
			const struct prediction *p = &plan->preds[j];
			bool same = p->kind == f->kind;

			if (!pred_matches(p, f))
				continue;
			if (!used[j] && same) {
				pick = j;
				break;
			}
			if (pick < 0 || (same && plan->preds[pick].kind !=
					 f->kind))
				pick = j;
		}
		if (pick < 0)
			continue;
		f->predicted = true;
		snprintf(f->pred_msg, sizeof(f->pred_msg), "%s",
			 plan->preds[pick].msg);
		/* a refusal leaves the refused hazard's prediction to be
		 * shown as predicted-not-observed */
		if (f->kind != FINDING_REFUSED ||
		    plan->preds[pick].kind == FINDING_REFUSED)
			used[pick] = true;
	}
	for (j = 0; j < plan->nr_preds; j++) {
		const struct prediction *p = &plan->preds[j];
		struct tl_finding *f;

		if (used[j])
			continue;
		/* a refused hazard was predicted: show it as not observed */
		f = new_finding(tl, p->kind, NULL);
		if (!f) {
			free(used);
			return ENOMEM_RET;
		}
		f->observed = false;
		f->predicted = true;
		f->plan_obj = p->obj;
		f->line = p->line;
		f->size = p->size;
		if (p->obj >= 0 && p->obj < plan->nr_objs)
			snprintf(f->name, sizeof(f->name), "%.*s",
				 KMLAB_NAME_LEN, plan->objs[p->obj].name);
		snprintf(f->pred_msg, sizeof(f->pred_msg), "%s", p->msg);
	}
	free(used);
	return 0;
}

__u64 timeline_lost(const struct timeline *tl)
{
	__u64 n = tl->recursion_misses;
	int i;

	for (i = 0; i < KMLAB_LOST_MAX; i++)
		n += tl->lost[i];
	return n;
}

int timeline_settle(struct timeline *tl)
{
	struct tl_object *o;
	int i, n = 0;

	/* a full live map followed not all: gone from it says nothing */
	if (!tl->unloaded || tl->lost[KMLAB_LOST_LIVE_FULL] ||
	    !tl->lost[KMLAB_LOST_RING_FREE])
		return 0;
	for (i = 0; i < tl->nr_objs; i++) {
		o = &tl->objs[i];
		if (o->freed || o->leaked || o->slub_kept || o->free_unseen)
			continue;
		o->free_unseen = true;
		n++;
	}
	tl->frees_unseen = n;
	return n;
}

bool timeline_any_unfreed(const struct timeline *tl)
{
	int i;

	for (i = 0; i < tl->nr_objs; i++)
		if (!tl->objs[i].freed)
			return true;
	return false;
}

int timeline_count(const struct timeline *tl, int kind)
{
	int i, n = 0;

	for (i = 0; i < tl->nr_finds; i++)
		if (tl->finds[i].observed &&
		    (kind == FINDING_MAX || (int)tl->finds[i].kind == kind))
			n++;
	return n;
}

/*
 * A recursion miss is an event the kernel did not hand to a program
 * already running on that CPU: one in an interrupt that came while the
 * observer ran.  It can change the answer only if it was the module's:
 *  - a missed allocation could hide a leak, if the module allocates
 *    where it cannot sleep (as in interrupts) or was seen in one;
 *  - a missed free could make a freed object look leaked (so with any
 *    leak it counts), or hide a second free if the module frees in
 *    interrupts;
 *  - a missed module load/unload or plan step always counts.
 */
bool timeline_records_needed(const struct timeline *tl)
{
	return tl->plan_steps || tl->slub_reports || tl->kfence_reports ||
	       tl->unknown_frees;
}

__u64 timeline_lost_relevant(const struct timeline *tl)
{
	const struct kmlab_misses *m = &tl->misses;
	bool needed = timeline_records_needed(tl);
	__u64 n = m->other;
	int i;

	for (i = 0; i < KMLAB_LOST_MAX; i++)
		if (needed || (i != KMLAB_LOST_RING_ALLOC &&
			       i != KMLAB_LOST_RING_FREE))
			n += tl->lost[i];
	if (m->atomic_allocs || m->irq_events)
		n += m->alloc;
	if (m->irq_events || timeline_count(tl, FINDING_LEAK))
		n += m->free;
	return n;
}

const char *timeline_verdict(const struct timeline *tl)
{
	/* attached late: what it allocated before may have leaked */
	if (timeline_lost_relevant(tl) || !tl->loaded || !tl->unloaded ||
	    (tl->attached && !timeline_count(tl, FINDING_MAX)))
		return "inconclusive";
	return timeline_count(tl, FINDING_MAX) ? "findings" : "clean";
}
