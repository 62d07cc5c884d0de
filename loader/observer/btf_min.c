// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btf_min.h"

/*
 * The walk: (kernel type, observer type it stands for) pairs, each
 * visited once.  The observer's type says which members to keep; 0
 * for none (an array's index type, a root's typedef chain ends).
 */
struct walk {
	const struct btf *local, *kern;
	__u32 nr_kern;
	bool *keep;			/* kernel types kept */
	unsigned char **members;	/* a struct's or union's kept members */
	__u64 *seen;			/* (kern << 32 | local) + 1, hashed */
	__u32 seen_mask, seen_nr;
};

static __u32 hash64(__u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (__u32)k;
}

/* true the first time @t is walked for @l */
static int first_visit(struct walk *w, __u32 t, __u32 l)
{
	__u64 key = ((__u64)t << 32 | l) + 1, *grown;
	__u32 h, i, size;

	if (w->seen_nr * 2 >= w->seen_mask) {
		size = (w->seen_mask + 1) * 2;
		grown = calloc(size, sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		for (i = 0; i <= w->seen_mask; i++) {
			if (!w->seen[i])
				continue;
			for (h = hash64(w->seen[i]); grown[h & (size - 1)]; h++)
				;
			grown[h & (size - 1)] = w->seen[i];
		}
		free(w->seen);
		w->seen = grown;
		w->seen_mask = size - 1;
	}
	for (h = hash64(key); w->seen[h & w->seen_mask]; h++)
		if (w->seen[h & w->seen_mask] == key)
			return 0;
	w->seen[h & w->seen_mask] = key;
	w->seen_nr++;
	return 1;
}

static bool is_mod(const struct btf_type *t)
{
	return btf_is_typedef(t) || btf_is_mod(t) || btf_is_type_tag(t);
}

/* @id past typedefs and qualifiers (relocations look through them) */
static __u32 resolved(const struct btf *btf, __u32 id)
{
	const struct btf_type *t;
	int depth;

	for (depth = 0; id && depth < 32; depth++) {
		t = btf__type_by_id(btf, id);
		if (!t || !is_mod(t))
			break;
		id = t->type;
	}
	return id;
}

static const struct btf_type *composite(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;

	return t && btf_is_composite(t) ? t : NULL;
}

/*
 * The type of @lid's member @name, looking into its unnamed members as
 * a relocation does; 0 if it has none.  A member's type is never void.
 */
static __u32 member_type(const struct btf *btf, __u32 lid, const char *name,
			 int depth)
{
	const struct btf_type *t = composite(btf, resolved(btf, lid));
	const struct btf_member *m;
	const char *mn;
	__u32 found;
	int i;

	if (!t || depth > 32)
		return 0;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		mn = btf__name_by_offset(btf, m->name_off);
		if (mn && mn[0]) {
			if (!strcmp(mn, name))
				return m->type;
		} else if ((found = member_type(btf, m->type, name,
						depth + 1))) {
			return found;
		}
	}
	return 0;
}

/* whether the kernel's unnamed member of type @kid holds a member that
 * the observer's @lid names */
static bool holds_wanted(const struct walk *w, __u32 kid, __u32 lid,
			 int depth)
{
	const struct btf_type *t = composite(w->kern, resolved(w->kern, kid));
	const struct btf_member *m;
	const char *mn;
	int i;

	if (!t || depth > 32)
		return false;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		mn = btf__name_by_offset(w->kern, m->name_off);
		if (mn && mn[0] ? member_type(w->local, lid, mn, 0) != 0 :
		    holds_wanted(w, m->type, lid, depth + 1))
			return true;
	}
	return false;
}

static int visit(struct walk *w, __u32 t, __u32 l);

static int visit_composite(struct walk *w, __u32 t, __u32 l)
{
	const struct btf_type *kt = btf__type_by_id(w->kern, t);
	const struct btf_member *m = btf_members(kt);
	const char *mn;
	__u32 lm;
	int i, err;

	if (!composite(w->local, resolved(w->local, l)))
		return 0;
	if (!w->members[t]) {
		w->members[t] = calloc(btf_vlen(kt) + 1, 1);
		if (!w->members[t])
			return -ENOMEM;
	}
	for (i = 0; i < btf_vlen(kt); i++, m++) {
		mn = btf__name_by_offset(w->kern, m->name_off);
		if (mn && mn[0]) {
			lm = member_type(w->local, l, mn, 0);
			if (!lm)
				continue;
			w->members[t][i] = 1;
			err = visit(w, m->type, lm);
		} else {
			/* an unnamed struct or union: its members are
			 * looked for as the parent's */
			if (!holds_wanted(w, m->type, resolved(w->local, l), 0))
				continue;
			w->members[t][i] = 1;
			err = visit(w, m->type, l);
		}
		if (err)
			return err;
	}
	return 0;
}

static int visit_proto(struct walk *w, __u32 t, __u32 l)
{
	const struct btf_type *kt = btf__type_by_id(w->kern, t);
	const struct btf_type *lt = l ? btf__type_by_id(w->local, l) : NULL;
	const struct btf_param *kp = btf_params(kt), *lp = NULL;
	bool same = lt && btf_is_func_proto(lt) && btf_vlen(lt) == btf_vlen(kt);
	int i, err;

	if (same)
		lp = btf_params(lt);
	err = visit(w, kt->type, same ? lt->type : 0);
	for (i = 0; !err && i < btf_vlen(kt); i++)
		err = visit(w, kp[i].type, same ? lp[i].type : 0);
	return err;
}

static int visit(struct walk *w, __u32 t, __u32 l)
{
	const struct btf_type *kt, *lt;
	__u32 lr;
	int first;

	if (!t || t >= w->nr_kern)
		return 0;
	first = first_visit(w, t, l);
	if (first <= 0)
		return first;
	w->keep[t] = true;
	kt = btf__type_by_id(w->kern, t);
	lr = resolved(w->local, l);
	lt = lr ? btf__type_by_id(w->local, lr) : NULL;
	switch (btf_kind(kt)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return visit(w, kt->type, l);
	case BTF_KIND_ARRAY:
		first = visit(w, btf_array(kt)->index_type, 0);
		if (first)
			return first;
		return visit(w, btf_array(kt)->type,
			     lt && btf_is_array(lt) ? btf_array(lt)->type : 0);
	case BTF_KIND_PTR:
		/* a field's pointer is any pointer; a type's is compared
		 * down to what it points at */
		return lt && btf_is_ptr(lt) ? visit(w, kt->type, lt->type) : 0;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return visit_composite(w, t, l);
	case BTF_KIND_FUNC_PROTO:
		return visit_proto(w, t, l);
	default:	/* int, float, enum, forward: taken whole */
		return 0;
	}
}

/* A type's name less its "___flavor": what relocations match by */
static size_t essential_len(const char *name)
{
	const char *p = strstr(name, "___");

	return p ? (size_t)(p - name) : strlen(name);
}

static bool root_kind(const struct btf_type *t)
{
	return btf_is_composite(t) || btf_is_any_enum(t) ||
	       btf_is_typedef(t) || btf_is_fwd(t);
}

static __u32 name_hash(const char *s, size_t len)
{
	__u32 h = 2166136261u;	/* FNV-1a */

	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Every kernel type named as an observer type is walked for it. */
static int walk_roots(struct walk *w)
{
	__u32 nl = btf__type_cnt(w->local), mask = 1, id, h, k;
	const struct btf_type *t;
	const char *name;
	__u32 *slot;
	size_t len;
	int err = 0;

	while (mask < w->nr_kern * 2)
		mask <<= 1;
	slot = calloc(mask--, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (id = 1; id < w->nr_kern; id++) {
		t = btf__type_by_id(w->kern, id);
		name = btf__name_by_offset(w->kern, t->name_off);
		if (!root_kind(t) || !name || !name[0])
			continue;
		for (h = name_hash(name, strlen(name)); slot[h & mask]; h++)
			;
		slot[h & mask] = id;
	}
	for (id = 1; !err && id < nl; id++) {
		t = btf__type_by_id(w->local, id);
		name = btf__name_by_offset(w->local, t->name_off);
		if (!root_kind(t) || !name || !name[0])
			continue;
		len = essential_len(name);
		for (h = name_hash(name, len); !err && (k = slot[h & mask]);
		     h++) {
			const char *kn = btf__name_by_offset(w->kern,
				btf__type_by_id(w->kern, k)->name_off);

			if (strlen(kn) == len && !strncmp(kn, name, len))
				err = visit(w, k, id);
		}
	}
	free(slot);
	return err;
}

static int emit(const struct walk *w, struct btf *out, const __u32 *map)
{
	const struct btf_type *t;
	const struct btf_member *m;
	const struct btf_param *p;
	const char *name;
	__u32 id;
	int i, err = 0;

	for (id = 1; id < w->nr_kern && err >= 0; id++) {
		if (!w->keep[id])
			continue;
		t = btf__type_by_id(w->kern, id);
		name = btf__name_by_offset(w->kern, t->name_off);
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
			err = btf__add_typedef(out, name, map[t->type]);
			break;
		case BTF_KIND_VOLATILE:
			err = btf__add_volatile(out, map[t->type]);
			break;
		case BTF_KIND_CONST:
			err = btf__add_const(out, map[t->type]);
			break;
		case BTF_KIND_RESTRICT:
			err = btf__add_restrict(out, map[t->type]);
			break;
		case BTF_KIND_TYPE_TAG:
			err = btf__add_type_tag(out, name, map[t->type]);
			break;
		case BTF_KIND_PTR:
			/* what it points at, if walked; else nothing */
			err = btf__add_ptr(out, w->keep[t->type] ?
					   map[t->type] : 0);
			break;
		case BTF_KIND_ARRAY:
			err = btf__add_array(out, map[btf_array(t)->index_type],
					     map[btf_array(t)->type],
					     btf_array(t)->nelems);
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			err = btf_is_struct(t) ?
			      btf__add_struct(out, name, t->size) :
			      btf__add_union(out, name, t->size);
			m = btf_members(t);
			for (i = 0; err >= 0 && w->members[id] &&
				    i < btf_vlen(t); i++, m++)
				if (w->members[id][i])
					err = btf__add_field(out,
						btf__name_by_offset(w->kern,
								    m->name_off),
						map[m->type],
						btf_member_bit_offset(t, i),
						btf_member_bitfield_size(t, i));
			break;
		case BTF_KIND_FUNC_PROTO:
			err = btf__add_func_proto(out, map[t->type]);
			p = btf_params(t);
			for (i = 0; err >= 0 && i < btf_vlen(t); i++, p++)
				err = btf__add_func_param(out,
					btf__name_by_offset(w->kern, p->name_off),
					map[p->type]);
			break;
		case BTF_KIND_INT:
		case BTF_KIND_FLOAT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
			err = btf__add_type(out, w->kern, t);
			break;
		default:	/* never walked to */
			err = -EINVAL;
		}
	}
	return err < 0 ? err : 0;
}

struct btf *btf_min(const struct btf *local, const struct btf *kern)
{
	struct walk w = { .local = local, .kern = kern };
	struct btf *out = NULL;
	__u32 *map = NULL, id, next = 1;
	int err = -ENOMEM;

	w.nr_kern = btf__type_cnt(kern);
	w.keep = calloc(w.nr_kern, sizeof(*w.keep));
	w.members = calloc(w.nr_kern, sizeof(*w.members));
	w.seen_mask = 1023;
	w.seen = calloc(w.seen_mask + 1, sizeof(*w.seen));
	map = calloc(w.nr_kern, sizeof(*map));
	if (!w.keep || !w.members || !w.seen || !map)
		goto out;
	err = walk_roots(&w);
	if (err)
		goto out;
	/* kept types in the kernel's order, numbered anew */
	for (id = 1; id < w.nr_kern; id++)
		if (w.keep[id])
			map[id] = next++;
	out = btf__new_empty();
	if (!out) {
		err = -errno;
		goto out;
	}
	err = emit(&w, out, map);
	if (err) {
		btf__free(out);
		out = NULL;
	}
out:
	if (w.members)
		for (id = 0; id < w.nr_kern; id++)
			free(w.members[id]);
	free(w.members);
	free(w.keep);
	free(w.seen);
	free(map);
	if (!out)
		errno = -err;
	return out;
}
