/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The IR's ops, one row each: the loader, the data plane and the
 * observer take an op's name, class and family from here.  The values
 * are the IR's (ir.h): never renumber a row, add new ones.
 */
#ifndef KMLAB_OPS_H
#define KMLAB_OPS_H

#include "families.h"

/* what an op does, as far as anyone outside the executor cares */
enum kmlab_op_class {
	KMLAB_OPC_NONE = 0,	/* nop, pause */
	KMLAB_OPC_ALLOC,	/* makes an object (a cache is one) */
	KMLAB_OPC_FREE,		/* releases one */
	KMLAB_OPC_DESTROY,	/* destroys a cache (its objects must be gone) */
	KMLAB_OPC_ACCESS,	/* reads or writes one */
	KMLAB_OPC_FORGET,	/* drops the pointer: a leak */
	KMLAB_OPC_BLOCK,	/* opens or closes a repeat or atomic block */
};

/*
 * X(NAME, value, name, class, family).  An allocation's family is its
 * result's; a free's (or a destroy's) is the kind of free it is
 * (kmlab_frees() says what that releases).  Operands are described
 * in ir.h's struct kmlab_ir_op.
 */
#define KMLAB_OPS(X)							\
	X(NOP,		  0, "nop",		NONE,	NONE)		\
	X(KMALLOC,	  1, "kmalloc",		ALLOC,	KMALLOC)	\
	X(KZALLOC,	  2, "kzalloc",		ALLOC,	KMALLOC)	\
	X(KCALLOC,	  3, "kcalloc",		ALLOC,	KMALLOC)	\
	X(KREALLOC,	  4, "krealloc",	ALLOC,	KMALLOC)	\
	X(KVMALLOC,	  5, "kvmalloc",	ALLOC,	KVMALLOC)	\
	X(VMALLOC,	  6, "vmalloc",		ALLOC,	VMALLOC)	\
	X(VZALLOC,	  7, "vzalloc",		ALLOC,	VMALLOC)	\
	X(CACHE_CREATE,	  8, "kmem_cache_create", ALLOC, SLAB)		\
	X(CACHE_ALLOC,	  9, "kmem_cache_alloc", ALLOC,	CACHE)		\
	X(CACHE_DESTROY, 10, "kmem_cache_destroy", DESTROY, SLAB)		\
	X(ALLOC_PAGES,	 11, "alloc_pages",	ALLOC,	PAGES)		\
	X(GET_FREE_PAGES, 12, "__get_free_pages", ALLOC, GFP_PAGES)	\
	X(PAGES_EXACT,	 13, "alloc_pages_exact", ALLOC, PAGES_EXACT)	\
	X(ALLOC_PERCPU,	 14, "alloc_percpu",	ALLOC,	PERCPU)		\
	X(KFREE,	 32, "kfree",		FREE,	KMALLOC)	\
	X(KVFREE,	 33, "kvfree",		FREE,	KVMALLOC)	\
	X(VFREE,	 34, "vfree",		FREE,	VMALLOC)	\
	X(CACHE_FREE,	 35, "kmem_cache_free",	FREE,	CACHE)		\
	X(FREE_PAGES,	 36, "free_pages",	FREE,	PAGES)		\
	X(FREE_PAGES_EXACT, 37, "free_pages_exact", FREE, PAGES_EXACT)	\
	X(FREE_PERCPU,	 38, "free_percpu",	FREE,	PERCPU)		\
	X(WRITE,	 48, "write",		ACCESS,	NONE)		\
	X(READ,		 49, "read",		ACCESS,	NONE)		\
	X(FORGET,	 50, "forget",		FORGET,	NONE)		\
	X(REPEAT,	 64, "repeat",		BLOCK,	NONE)		\
	X(REPEAT_END,	 65, "end repeat",	BLOCK,	NONE)		\
	X(ATOMIC,	 66, "atomic",		BLOCK,	NONE)		\
	X(ATOMIC_END,	 67, "end atomic",	BLOCK,	NONE)		\
	X(PAUSE,	 68, "pause",		NONE,	NONE)

enum kmlab_opcode {
#define KMLAB_X(name, v, str, class, fam) KMLAB_OP_##name = v,
	KMLAB_OPS(KMLAB_X)
#undef KMLAB_X
	KMLAB_OP_MAX
};

static inline int kmlab_op_known(__u32 code)
{
	switch (code) {
#define KMLAB_X(name, v, str, class, fam) case v:
	KMLAB_OPS(KMLAB_X)
#undef KMLAB_X
		return 1;
	}
	return 0;
}

static inline const char *kmlab_op_name(__u32 code)
{
	switch (code) {
#define KMLAB_X(name, v, str, class, fam) case v: return str;
	KMLAB_OPS(KMLAB_X)
#undef KMLAB_X
	}
	return "op?";
}

static inline enum kmlab_op_class kmlab_op_class(__u32 code)
{
	switch (code) {
#define KMLAB_X(name, v, str, class, fam) case v: return KMLAB_OPC_##class;
	KMLAB_OPS(KMLAB_X)
#undef KMLAB_X
	}
	return KMLAB_OPC_NONE;
}

/* an allocation's result family, a free's kind, else KMLAB_FAM_NONE */
static inline enum kmlab_family kmlab_op_family(__u32 code)
{
	switch (code) {
#define KMLAB_X(name, v, str, class, fam) case v: return KMLAB_FAM_##fam;
	KMLAB_OPS(KMLAB_X)
#undef KMLAB_X
	}
	return KMLAB_FAM_NONE;
}

/* ops that name an object (obj is an index into the plan's objects) */
static inline int kmlab_op_has_obj(__u32 code)
{
	enum kmlab_op_class c = kmlab_op_class(code);

	return c == KMLAB_OPC_ALLOC || c == KMLAB_OPC_FREE ||
	       c == KMLAB_OPC_DESTROY || c == KMLAB_OPC_ACCESS ||
	       c == KMLAB_OPC_FORGET;
}

/*
 * Allocations that take GFP flags: not vmalloc()/vzalloc() nor
 * kmem_cache_create(), which always sleep (GFP_KERNEL implied).
 */
static inline int kmlab_op_takes_gfp(__u32 code)
{
	enum kmlab_family fam = kmlab_op_family(code);

	return kmlab_op_class(code) == KMLAB_OPC_ALLOC &&
	       fam != KMLAB_FAM_VMALLOC && fam != KMLAB_FAM_SLAB;
}

#endif /* KMLAB_OPS_H */
