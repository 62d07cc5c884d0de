// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel types the observer's relocations read (btf_min.h), on a
 * made-up kernel BTF: a type is kept by its name less the flavor, with
 * the members the observer's type of that name uses, found through
 * unnamed structs and unions as a relocation finds them, at their own
 * offsets and bit sizes, in a type of the kernel's size; what no
 * observer type names is gone.  (tests/guest/core_types.sh checks the
 * same against the real kernels' BTF: libbpf relocates every program to
 * the same instructions.)
 */
#include <string.h>
#include <bpf/btf.h>
#include "btf_min.h"
#include "tap.h"

/* the bit offset of @type's member @name, -1 if it has none */
static int member_off(const struct btf *btf, const struct btf_type *t,
		      const char *name, int *bits)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name)) {
			*bits = btf_member_bitfield_size(t, i);
			return btf_member_bit_offset(t, i);
		}
	return -1;
}

static const struct btf_type *named(const struct btf *btf, const char *name,
				    int kind)
{
	int id = btf__find_by_name_kind(btf, name, kind);

	return id > 0 ? btf__type_by_id(btf, id) : NULL;
}

int main(void)
{
	struct btf *k = btf__new_empty(), *l = btf__new_empty(), *min;
	const struct btf_type *t, *u, *s;
	int kint, klong, kinner, kanon, kunion, kptr, karr, kl_int, lin, larr, lptr;
	int bits;

	/* the kernel's */
	kint = btf__add_int(k, "int", 4, BTF_INT_SIGNED);		/* 1 */
	klong = btf__add_int(k, "long", 8, BTF_INT_SIGNED);		/* 2 */
	kinner = btf__add_struct(k, "inner", 8);			/* 3 */
	btf__add_field(k, "a", kint, 0, 0);
	btf__add_field(k, "b", kint, 32, 0);
	kanon = btf__add_struct(k, NULL, 8);				/* 4 */
	btf__add_field(k, "y", kint, 0, 0);
	btf__add_field(k, "z", kint, 32, 0);
	kunion = btf__add_union(k, NULL, 8);				/* 5 */
	btf__add_field(k, NULL, kanon, 0, 0);
	btf__add_field(k, "w", klong, 0, 0);
	kptr = btf__add_ptr(k, kinner);					/* 6 */
	karr = btf__add_array(k, kint, kinner, 4);			/* 7 */
	btf__add_struct(k, "outer", 80);				/* 8 */
	btf__add_field(k, "x", kint, 0, 0);
	btf__add_field(k, NULL, kunion, 64, 0);
	btf__add_field(k, "in", kinner, 128, 0);
	btf__add_field(k, "arr", karr, 192, 0);
	btf__add_field(k, "p", kptr, 448, 0);
	btf__add_field(k, "bf", kint, 512, 3);
	btf__add_field(k, "unused", kint, 544, 0);
	btf__add_struct(k, "other", 4);
	btf__add_field(k, "q", kint, 0, 0);
	btf__add_enum(k, "e", 4);
	btf__add_enum_value(k, "E1", 1);
	btf__add_enum_value(k, "E2", 2);

	/* the observer's: a flavor, fewer members, other layouts */
	kl_int = btf__add_int(l, "int", 4, BTF_INT_SIGNED);
	lin = btf__add_struct(l, "inner___l", 4);
	btf__add_field(l, "b", kl_int, 0, 0);
	larr = btf__add_array(l, kl_int, lin, 4);
	lptr = btf__add_ptr(l, 0);
	btf__add_struct(l, "outer___v2", 40);
	btf__add_field(l, "z", kl_int, 0, 0);
	btf__add_field(l, "in", lin, 32, 0);
	btf__add_field(l, "arr", larr, 64, 0);
	btf__add_field(l, "p", lptr, 192, 0);
	btf__add_field(l, "bf", kl_int, 256, 3);
	btf__add_enum(l, "e___x", 4);
	btf__add_enum_value(l, "E2", 2);

	min = btf_min(l, k);
	TAP_OK(min != NULL, "the kept types made");
	if (!min)
		return tap_done();
	t = named(min, "outer", BTF_KIND_STRUCT);
	TAP_OK(t && t->size == 80, "a type kept by its name less the flavor, in the kernel's size");
	TAP_OK(t && member_off(min, t, "in", &bits) == 128 &&
	       member_off(min, t, "arr", &bits) == 192 &&
	       member_off(min, t, "p", &bits) == 448,
	       "the members the observer names, at the kernel's offsets");
	TAP_OK(t && member_off(min, t, "bf", &bits) == 512 && bits == 3,
	       "a bitfield at its bit offset and of its width");
	TAP_OK(t && member_off(min, t, "x", &bits) < 0 &&
	       member_off(min, t, "unused", &bits) < 0,
	       "the members it does not name are gone");
	/* z: outer's unnamed union, in its unnamed struct */
	u = t && btf_vlen(t) > 0 ?
	    btf__type_by_id(min, btf_members(t)[0].type) : NULL;
	s = u && btf_is_union(u) && btf_vlen(u) == 1 ?
	    btf__type_by_id(min, btf_members(u)[0].type) : NULL;
	TAP_OK(u && btf_members(t)[0].offset == 64 && s && btf_is_struct(s) &&
	       btf_vlen(s) == 1 && member_off(min, s, "z", &bits) == 32,
	       "a member inside unnamed structs and unions kept through them (the union's other member gone)");
	t = named(min, "inner", BTF_KIND_STRUCT);
	TAP_OK(t && t->size == 8 && btf_vlen(t) == 1 &&
	       member_off(min, t, "b", &bits) == 32,
	       "a member's struct kept with what the observer's member type names");
	t = named(min, "e", BTF_KIND_ENUM);
	TAP_OK(t && btf_vlen(t) == 2, "an enum kept whole");
	TAP_OK(!named(min, "other", BTF_KIND_STRUCT),
	       "a type the observer has none of is not kept");
	TAP_OK(btf__type_cnt(min) < btf__type_cnt(k), "fewer types than the kernel's");
	btf__free(min);
	btf__free(l);
	btf__free(k);
	return tap_done();
}
