// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Semantic analysis: names become objects, calls become opcodes with
 * checked sizes and flags.  Statements are checked in the order they
 * will run (LOAD, then DEMAND, then UNLOAD), so "used before it is
 * allocated" means what a student expects.  Defects the plan means to
 * show (wrong frees, double frees ...) are not errors here: verify.c
 * predicts them.  Errors are what could not run at all, or would hang
 * or crash the kernel for reasons no lesson wants.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ast.h"
#include "diag.h"

enum fn_kind { FN_ALLOC, FN_FREE };

struct func {
	const char *name;
	enum fn_kind kind;
	__u16 code;
	__u8 family;		/* ALLOC: the result's; FREE: what it frees */
	__u8 min_nums, max_nums;
	__u8 ptrs;		/* pointer (name) arguments */
	__u8 slab;		/* takes SLAB_* flags */
	__u32 add_gfp;		/* implied GFP bits (kvzalloc) */
	const char *usage;
};

static const struct func funcs[] = {
	{ "kmalloc", FN_ALLOC, KMLAB_OP_KMALLOC, KMLAB_FAM_KMALLOC, 1, 1, 0, 0, 0, "kmalloc(size[, gfp])" },
	{ "kzalloc", FN_ALLOC, KMLAB_OP_KZALLOC, KMLAB_FAM_KMALLOC, 1, 1, 0, 0, 0, "kzalloc(size[, gfp])" },
	{ "kcalloc", FN_ALLOC, KMLAB_OP_KCALLOC, KMLAB_FAM_KMALLOC, 2, 2, 0, 0, 0, "kcalloc(n, size[, gfp])" },
	{ "krealloc", FN_ALLOC, KMLAB_OP_KREALLOC, KMLAB_FAM_KMALLOC, 1, 1, 1, 0, 0, "name = krealloc(name, size[, gfp])" },
	{ "kvmalloc", FN_ALLOC, KMLAB_OP_KVMALLOC, KMLAB_FAM_KVMALLOC, 1, 1, 0, 0, 0, "kvmalloc(size[, gfp])" },
	{ "kvzalloc", FN_ALLOC, KMLAB_OP_KVMALLOC, KMLAB_FAM_KVMALLOC, 1, 1, 0, 0, KMLAB_GFP_ZERO, "kvzalloc(size[, gfp])" },
	{ "vmalloc", FN_ALLOC, KMLAB_OP_VMALLOC, KMLAB_FAM_VMALLOC, 1, 1, 0, 0, 0, "vmalloc(size)" },
	{ "vzalloc", FN_ALLOC, KMLAB_OP_VZALLOC, KMLAB_FAM_VMALLOC, 1, 1, 0, 0, 0, "vzalloc(size)" },
	{ "kmem_cache_create", FN_ALLOC, KMLAB_OP_CACHE_CREATE, KMLAB_FAM_SLAB, 1, 2, 0, 1, 0, "kmem_cache_create(size[, align][, SLAB_POISON | ...])" },
	{ "kmem_cache_alloc", FN_ALLOC, KMLAB_OP_CACHE_ALLOC, KMLAB_FAM_CACHE, 0, 0, 1, 0, 0, "kmem_cache_alloc(cache[, gfp])" },
	{ "kmem_cache_zalloc", FN_ALLOC, KMLAB_OP_CACHE_ALLOC, KMLAB_FAM_CACHE, 0, 0, 1, 0, KMLAB_GFP_ZERO, "kmem_cache_zalloc(cache[, gfp])" },
	{ "alloc_pages", FN_ALLOC, KMLAB_OP_ALLOC_PAGES, KMLAB_FAM_PAGES, 1, 1, 0, 0, 0, "alloc_pages(gfp, order)" },
	{ "alloc_page", FN_ALLOC, KMLAB_OP_ALLOC_PAGES, KMLAB_FAM_PAGES, 0, 0, 0, 0, 0, "alloc_page(gfp)" },
	{ "__get_free_pages", FN_ALLOC, KMLAB_OP_GET_FREE_PAGES, KMLAB_FAM_GFP_PAGES, 1, 1, 0, 0, 0, "__get_free_pages(gfp, order)" },
	{ "__get_free_page", FN_ALLOC, KMLAB_OP_GET_FREE_PAGES, KMLAB_FAM_GFP_PAGES, 0, 0, 0, 0, 0, "__get_free_page(gfp)" },
	{ "get_zeroed_page", FN_ALLOC, KMLAB_OP_GET_FREE_PAGES, KMLAB_FAM_GFP_PAGES, 0, 0, 0, 0, KMLAB_GFP_ZERO, "get_zeroed_page(gfp)" },
	{ "alloc_pages_exact", FN_ALLOC, KMLAB_OP_PAGES_EXACT, KMLAB_FAM_PAGES_EXACT, 1, 1, 0, 0, 0, "alloc_pages_exact(size[, gfp])" },
	{ "alloc_percpu", FN_ALLOC, KMLAB_OP_ALLOC_PERCPU, KMLAB_FAM_PERCPU, 1, 1, 0, 0, 0, "alloc_percpu(size[, gfp])" },
	{ "kfree", FN_FREE, KMLAB_OP_KFREE, KMLAB_FAM_KMALLOC, 0, 0, 1, 0, 0, "kfree(name)" },
	{ "kvfree", FN_FREE, KMLAB_OP_KVFREE, KMLAB_FAM_KVMALLOC, 0, 0, 1, 0, 0, "kvfree(name)" },
	{ "vfree", FN_FREE, KMLAB_OP_VFREE, KMLAB_FAM_VMALLOC, 0, 0, 1, 0, 0, "vfree(name)" },
	{ "kmem_cache_free", FN_FREE, KMLAB_OP_CACHE_FREE, KMLAB_FAM_CACHE, 0, 0, 2, 0, 0, "kmem_cache_free(cache, name)" },
	{ "kmem_cache_destroy", FN_FREE, KMLAB_OP_CACHE_DESTROY, KMLAB_FAM_SLAB, 0, 0, 1, 0, 0, "kmem_cache_destroy(cache)" },
	{ "__free_pages", FN_FREE, KMLAB_OP_FREE_PAGES, KMLAB_FAM_PAGES, 1, 1, 1, 0, 0, "__free_pages(page, order)" },
	{ "__free_page", FN_FREE, KMLAB_OP_FREE_PAGES, KMLAB_FAM_PAGES, 0, 0, 1, 0, 0, "__free_page(page)" },
	{ "free_pages", FN_FREE, KMLAB_OP_FREE_PAGES, KMLAB_FAM_GFP_PAGES, 1, 1, 1, 0, 0, "free_pages(addr, order)" },
	{ "free_page", FN_FREE, KMLAB_OP_FREE_PAGES, KMLAB_FAM_GFP_PAGES, 0, 0, 1, 0, 0, "free_page(addr)" },
	{ "free_pages_exact", FN_FREE, KMLAB_OP_FREE_PAGES_EXACT, KMLAB_FAM_PAGES_EXACT, 1, 1, 1, 0, 0, "free_pages_exact(name, size)" },
	{ "free_percpu", FN_FREE, KMLAB_OP_FREE_PERCPU, KMLAB_FAM_PERCPU, 0, 0, 1, 0, 0, "free_percpu(name)" },
	{ NULL },
};

struct flag {
	const char *name;
	__u32 bits;
};

/* the kernel's names (kmlab/ir.h), then the plan language's aliases */
#define KMLAB_X(name, bit, kflag) { #kflag, 1U << (bit) },
static const struct flag gfp_flags[] = {
	KMLAB_GFP_FLAGS(KMLAB_X)
	{ "GFP_KERNEL_ACCOUNT", KMLAB_GFP_KERNEL | KMLAB_GFP_ACCOUNT },
	{ "GFP_DMA32", KMLAB_GFP_DMA32 },
	{ NULL, 0 },
};

static const struct flag slab_flags[] = {
	KMLAB_SLAB_FLAGS(KMLAB_X)
	{ "poison", KMLAB_SLAB_POISON },
	{ "red_zone", KMLAB_SLAB_RED_ZONE },
	{ "consistency", KMLAB_SLAB_CONSISTENCY },
	{ "store_user", KMLAB_SLAB_STORE_USER },
	{ "hwcache_align", KMLAB_SLAB_HWCACHE },
	{ NULL, 0 },
};
#undef KMLAB_X

static const char *const keywords[] = {
	"plan", "at", "on", "load", "unload", "demand", "atomic", "spinlock",
	"irq", "repeat", "times", "pause", "free", "forget", "write", "read",
	NULL,
};


#define ATOMIC_HINT "inside atomic sections allocate with GFP_ATOMIC (or GFP_NOWAIT), or move the call before the section"

struct ctx {
	struct sema *sm;
	struct diag_list *dl;
	int atomic_line;	/* line of the enclosing atomic block, or 0 */
	int depth;		/* repeat/atomic nesting */
};

static const struct func *find_func(const struct ast_name *n)
{
	const struct func *f;

	for (f = funcs; f->name; f++)
		if (ast_name_is(n, f->name))
			return f;
	return NULL;
}

static const struct flag *find_flag(const struct flag *t,
				    const struct ast_name *n)
{
	for (; t->name; t++)
		if (ast_name_is(n, t->name))
			return t;
	return NULL;
}

static int find_sym(const struct sema *sm, const struct ast_name *n)
{
	int i;

	for (i = 0; i < sm->nr_syms; i++)
		if (ast_name_is(n, sm->syms[i].name))
			return i;
	return -1;
}

static const char *reserved(const struct ast_name *n)
{
	int i;

	for (i = 0; keywords[i]; i++)
		if (ast_name_is(n, keywords[i]))
			return "a statement word";
	if (find_func(n))
		return "a function";
	if (find_flag(gfp_flags, n) || find_flag(slab_flags, n))
		return "a flag";
	return NULL;
}

static int err(struct ctx *c, int line, int col, int len, const char *hint,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int err(struct ctx *c, int line, int col, int len, const char *hint,
	       const char *fmt, ...)
{
	char msg[DIAG_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(c->dl, DIAG_ERROR, line, col, len, hint, "%s", msg);
	return -1;
}

#define NAME_ARGS(n) ((n)->len > 40 ? 40 : (n)->len), (n)->p

/* A name that must already be an object. */
static int use_name(struct ctx *c, const struct ast_name *n)
{
	int i = find_sym(c->sm, n);
	char hint[DIAG_MSG_LEN];

	if (i >= 0)
		return i;
	snprintf(hint, sizeof(hint),
		 "allocate it first, e.g. `%.*s = kmalloc(64)`; names are case-sensitive",
		 NAME_ARGS(n));
	return err(c, n->line, n->col, n->len, hint,
		   "'%.*s' is not allocated before this line", NAME_ARGS(n));
}

/* The target of an assignment: a new object, or one of @family. */
static int def_name(struct ctx *c, const struct ast_name *n, int family)
{
	struct sema *sm = c->sm;
	struct symbol *sym;
	const char *what = reserved(n);
	char hint[DIAG_MSG_LEN];
	int i;

	if (what)
		return err(c, n->line, n->col, n->len,
			   "choose another name for the object",
			   "'%.*s' is %s, not a name for an object",
			   NAME_ARGS(n), what);
	if (n->len >= KMLAB_NAME_LEN)
		return err(c, n->line, n->col, n->len,
			   "names have at most 31 characters",
			   "name too long (%d characters)", n->len);
	i = find_sym(sm, n);
	if (i >= 0) {
		sym = &sm->syms[i];
		if (sym->family == family)
			return i;
		snprintf(hint, sizeof(hint),
			 "a name keeps one allocator: give the %s object a new name",
			 kmlab_family_name(family));
		return err(c, n->line, n->col, n->len, hint,
			   "'%.*s' holds %s memory (line %d), not %s",
			   NAME_ARGS(n), kmlab_family_name(sym->family), sym->line,
			   kmlab_family_name(family));
	}
	if (sm->nr_syms == KMLAB_MAX_OBJS)
		return err(c, n->line, n->col, n->len,
			   "reuse names: a plan has at most 64 objects",
			   "too many objects");
	sym = &sm->syms[sm->nr_syms];
	memset(sym, 0, sizeof(*sym));
	memcpy(sym->name, n->p, n->len);
	sym->family = family;
	sym->line = n->line;
	sym->col = n->col;
	sym->cache = -1;
	return sm->nr_syms++;
}

struct args {
	unsigned long long nums[AST_MAX_ARGS];
	const struct ast_arg *num_arg[AST_MAX_ARGS];
	int nr_nums;
	int ptr[AST_MAX_ARGS];
	unsigned long long ptr_off[AST_MAX_ARGS];
	const struct ast_arg *ptr_arg[AST_MAX_ARGS];
	int nr_ptrs;
	const struct ast_arg *gfp_arg, *slab_arg;
	__u32 gfp, slab;
};

static int has_prefix(const struct ast_name *n, const char *prefix)
{
	size_t len = strlen(prefix);

	return (size_t)n->len > len && !memcmp(n->p, prefix, len);
}

static int flag_list(struct ctx *c, const struct ast_arg *a, struct args *r)
{
	const struct flag *f, *table = NULL;
	const struct ast_name *n;
	__u32 bits = 0;
	int i;

	for (i = 0; i < a->nr_names; i++) {
		n = &a->names[i];
		f = NULL;
		if (table != slab_flags)
			f = find_flag(gfp_flags, n);
		if (f) {
			table = gfp_flags;
		} else if (table != gfp_flags &&
			   (f = find_flag(slab_flags, n))) {
			table = slab_flags;
		} else {
			return err(c, n->line, n->col, n->len,
				   table == slab_flags || (!table && has_prefix(n, "SLAB_")) ?
				   "cache flags: SLAB_POISON, SLAB_RED_ZONE, SLAB_CONSISTENCY_CHECKS, SLAB_STORE_USER, SLAB_HWCACHE_ALIGN" :
				   "GFP flags: GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, __GFP_ZERO, __GFP_NOWARN, __GFP_ACCOUNT, __GFP_NORETRY, GFP_DMA32",
				   "unknown flag '%.*s'", NAME_ARGS(n));
		}
		bits |= f->bits;
	}
	if (table == gfp_flags) {
		if (r->gfp_arg)
			return err(c, a->line, a->col, a->len,
				   "combine GFP flags with '|' in one argument",
				   "GFP flags given twice");
		r->gfp_arg = a;
		r->gfp = bits;
	} else {
		if (r->slab_arg)
			return err(c, a->line, a->col, a->len,
				   "combine cache flags with '|' in one argument",
				   "cache flags given twice");
		r->slab_arg = a;
		r->slab = bits;
	}
	return 0;
}

/* A lone name is a flag unless it is an object's name. */
static int looks_like_flag(struct ctx *c, const struct ast_name *n)
{
	if (find_flag(gfp_flags, n) || find_flag(slab_flags, n))
		return 1;
	return find_sym(c->sm, n) < 0 &&
	       (has_prefix(n, "GFP_") || has_prefix(n, "__GFP_") ||
		has_prefix(n, "SLAB_"));
}

static int sort_args(struct ctx *c, const struct stmt *s, struct args *r)
{
	const struct ast_arg *a;
	int i, obj, bad = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < s->nr_args; i++) {
		a = &s->args[i];
		if (a->kind == ARG_NUMBER) {
			r->num_arg[r->nr_nums] = a;
			r->nums[r->nr_nums++] = a->num;
			continue;
		}
		if (a->kind == ARG_FLAGS && (a->nr_names > 1 ||
					     looks_like_flag(c, &a->names[0]))) {
			if (flag_list(c, a, r))
				bad = -1;
			continue;
		}
		obj = use_name(c, &a->names[0]);
		if (obj < 0) {
			bad = -1;
			continue;
		}
		r->ptr_arg[r->nr_ptrs] = a;
		r->ptr_off[r->nr_ptrs] = a->kind == ARG_POINTER ? a->num : 0;
		r->ptr[r->nr_ptrs++] = obj;
	}
	return bad;
}

static int usage(struct ctx *c, const struct stmt *s, const struct func *f,
		 const struct ast_arg *at, const char *what)
{
	char hint[DIAG_MSG_LEN];

	snprintf(hint, sizeof(hint), "write %s", f->usage);
	if (at)
		return err(c, at->line, at->col, at->len, hint,
			   "%s: %s", f->name, what);
	return err(c, s->fn.line, s->fn.col, s->fn.len, hint, "%s: %s",
		   f->name, what);
}

static int check_arity(struct ctx *c, const struct stmt *s,
		       const struct func *f, const struct args *r)
{
	if (r->nr_nums < f->min_nums)
		return usage(c, s, f, NULL, f->min_nums == 2 ?
			     "missing a number (count and size)" :
			     f->code == KMLAB_OP_ALLOC_PAGES ||
			     f->code == KMLAB_OP_GET_FREE_PAGES ||
			     f->code == KMLAB_OP_FREE_PAGES ?
			     "missing the order" : "missing the size");
	if (r->nr_nums > f->max_nums)
		return usage(c, s, f, r->num_arg[f->max_nums],
			     "one number too many");
	if (r->nr_ptrs < f->ptrs)
		return usage(c, s, f, NULL, f->ptrs == 2 ?
			     "missing the cache or the object" :
			     "missing the object's name");
	if (r->nr_ptrs > f->ptrs)
		return usage(c, s, f, r->ptr_arg[f->ptrs],
			     "takes no such argument");
	if (r->gfp_arg && !kmlab_op_takes_gfp(f->code))
		return usage(c, s, f, r->gfp_arg,
			     f->kind == FN_FREE ? "frees take no GFP flags" :
			     "takes no GFP flags (it always uses GFP_KERNEL)");
	if (r->slab_arg && !f->slab)
		return usage(c, s, f, r->slab_arg,
			     "cache flags only go to kmem_cache_create()");
	return 0;
}

static int check_gfp(struct ctx *c, const struct stmt *s, const struct func *f,
		     struct args *r)
{
	__u32 base;

	r->gfp |= f->add_gfp;
	base = r->gfp & KMLAB_GFP_BASE;
	if (!base)
		r->gfp |= KMLAB_GFP_KERNEL;	/* the default, as in the docs */
	else if (base & (base - 1))
		return err(c, r->gfp_arg->line, r->gfp_arg->col,
			   r->gfp_arg->len,
			   "use exactly one of GFP_KERNEL (may sleep), GFP_ATOMIC or GFP_NOWAIT",
			   "conflicting GFP flags");
	return 0;
}

/* A sleeping call inside an atomic section. */
static int not_atomic(struct ctx *c, const struct stmt *s, const char *what,
		      const char *hint)
{
	if (!c->atomic_line)
		return 0;
	return err(c, s->line, s->fn.p ? s->fn.col : s->col,
		   s->fn.p ? s->fn.len : 5, hint ? hint : ATOMIC_HINT,
		   "%s may sleep, inside the atomic section of line %d",
		   what, c->atomic_line);
}

static int size_limit(struct ctx *c, const struct ast_arg *a,
		      unsigned long long v, unsigned long long max,
		      const char *what, const char *hint)
{
	if (v == 0)
		return err(c, a->line, a->col, a->len,
			   "ask for at least 1 byte",
			   "size 0: %s returns no usable memory", what);
	if (v > max)
		return err(c, a->line, a->col, a->len, hint,
			   "%llu bytes is more than %s can give (%llu KiB)",
			   v, what, max >> 10);
	return 0;
}

#define ORDER_HINT "orders go from 0 (one 4 KiB page) to 10 (4 MiB)"

/*
 * kmem_cache_create() fails, with a stack dump, when an object and the
 * debug metadata SLUB may add to it outgrow the biggest slab: the
 * data plane refuses such caches (kmlab_slab_debug_size(), kmlab/ir.h).
 */
static int cache_layout(struct ctx *c, const struct ast_arg *a,
			unsigned long long size, unsigned long long align,
			__u32 flags)
{
	unsigned long long lo = 1, hi = size, mid;
	char hint[DIAG_MSG_LEN];

	if (kmlab_slab_debug_size(size, align, flags) <= KMLAB_MAX_SLAB)
		return 0;
	/* the biggest object that fits, for the hint */
	while (lo < hi) {
		mid = hi - (hi - lo) / 2;
		if (kmlab_slab_debug_size(mid, align, flags) <= KMLAB_MAX_SLAB)
			lo = mid;
		else
			hi = mid - 1;
	}
	snprintf(hint, sizeof(hint),
		 "at most %llu bytes per object here: slub_debug= adds red zones, a free pointer and owner tracking to any cache; use vmalloc for bigger",
		 lo);
	return err(c, a->line, a->col, a->len, hint,
		   "%llu-byte objects take %llu bytes each with SLUB's debug metadata, more than its biggest slab (4 MiB): kmem_cache_create would fail",
		   size, kmlab_slab_debug_size(size, align, flags));
}

static int check_alloc(struct ctx *c, struct stmt *s, const struct func *f,
		       struct args *r)
{
	struct sema *sm = c->sm;
	const struct ast_arg *a = r->num_arg[0];
	unsigned long long v = r->nr_nums ? r->nums[0] : 0;
	int obj;

	if (check_gfp(c, s, f, r))
		return -1;
	s->gfp = r->gfp;
	/* the data plane refuses it: SLUB would warn with a stack dump */
	if ((s->gfp & KMLAB_GFP_DMA32) && f->family != KMLAB_FAM_PAGES &&
	    f->family != KMLAB_FAM_GFP_PAGES &&
	    f->family != KMLAB_FAM_PAGES_EXACT)
		return err(c, r->gfp_arg->line, r->gfp_arg->col,
			   r->gfp_arg->len,
			   "drop GFP_DMA32, or allocate pages: `alloc_pages(GFP_KERNEL | GFP_DMA32, 0)`",
			   "GFP_DMA32 on %s: slab memory never comes from the DMA32 zone, the kernel warns with a stack dump",
			   f->name);
	switch (f->code) {
	case KMLAB_OP_KMALLOC:
	case KMLAB_OP_KZALLOC:
	case KMLAB_OP_KREALLOC:
		if (size_limit(c, a, v, KMLAB_MAX_KMALLOC, f->name,
			       "use kvmalloc() or vmalloc() for big buffers"))
			return -1;
		s->size = v;
		break;
	case KMLAB_OP_KCALLOC:
		if (!r->nums[0] || r->nums[0] > 0xffffffffULL)
			return err(c, a->line, a->col, a->len,
				   "the count goes from 1 to 4294967295",
				   "kcalloc count %llu out of range",
				   r->nums[0]);
		/* an overflowing n * size is a NULL the verifier predicts */
		if (r->nums[1] <= ~0ULL / r->nums[0] &&
		    size_limit(c, r->num_arg[1], r->nums[0] * r->nums[1],
			       KMLAB_MAX_KMALLOC, f->name,
			       "use kvmalloc() or vmalloc() for big arrays"))
			return -1;
		if (!r->nums[1])
			return size_limit(c, r->num_arg[1], 0, 1, f->name, NULL);
		s->count = r->nums[0];
		s->size = r->nums[1];
		break;
	case KMLAB_OP_KVMALLOC:
		/* kvmalloc_node(): no vmalloc fallback without GFP_KERNEL */
		if (!(s->gfp & KMLAB_GFP_KERNEL) &&
		    size_limit(c, a, v, KMLAB_MAX_KMALLOC,
			       s->gfp & KMLAB_GFP_ATOMIC ?
			       "kvmalloc with GFP_ATOMIC" :
			       "kvmalloc with GFP_NOWAIT",
			       "without GFP_KERNEL kvmalloc only tries kmalloc (vmalloc may sleep): ask for at most 4 MiB, or use GFP_KERNEL outside atomic sections"))
			return -1;
		/* fall through */
	case KMLAB_OP_VMALLOC:
	case KMLAB_OP_VZALLOC:
		if (size_limit(c, a, v, KMLAB_MAX_VMALLOC, f->name,
			       "the lab bounds vmalloc at 64 MiB; ask for less"))
			return -1;
		s->size = v;
		break;
	case KMLAB_OP_CACHE_CREATE:
		if (size_limit(c, a, v, KMLAB_MAX_KMALLOC, f->name,
			       "slab objects are small; use pages for big ones"))
			return -1;
		s->size = v;
		if (r->nr_nums == 2) {
			unsigned long long al = r->nums[1];

			if (!al || (al & (al - 1)) || al > 4096)
				return err(c, r->num_arg[1]->line,
					   r->num_arg[1]->col,
					   r->num_arg[1]->len,
					   "the alignment is a power of two from 1 to 4096",
					   "bad alignment %llu", al);
			s->off = al;
		}
		s->slab = r->slab;
		s->gfp = 0;
		if (cache_layout(c, a, v, s->off, r->slab))
			return -1;
		break;
	case KMLAB_OP_CACHE_ALLOC:
		obj = r->ptr[0];
		if (sm->syms[obj].family != KMLAB_FAM_SLAB)
			return err(c, r->ptr_arg[0]->line, r->ptr_arg[0]->col,
				   r->ptr_arg[0]->len,
				   "create a cache first: `cache = kmem_cache_create(64)`",
				   "'%s' is not a cache", sm->syms[obj].name);
		s->arg_obj = obj;
		s->size = sm->syms[obj].size;
		break;
	case KMLAB_OP_ALLOC_PAGES:
	case KMLAB_OP_GET_FREE_PAGES:
		if (v > KMLAB_MAX_ORDER)
			return err(c, a->line, a->col, a->len, ORDER_HINT,
				   "order %llu is above MAX_ORDER - 1 (%d): the buddy allocator has no such blocks",
				   v, KMLAB_MAX_ORDER);
		s->size = v;
		break;
	case KMLAB_OP_PAGES_EXACT:
		if (size_limit(c, a, v, 4096ULL << KMLAB_MAX_ORDER, f->name,
			       ORDER_HINT))
			return -1;
		s->size = v;
		break;
	case KMLAB_OP_ALLOC_PERCPU:
		if (size_limit(c, a, v, KMLAB_MAX_PERCPU, f->name,
			       "percpu chunks are small; ask for at most 32 KiB"))
			return -1;
		s->size = v;
		break;
	}
	if (f->code == KMLAB_OP_VMALLOC || f->code == KMLAB_OP_VZALLOC)
		return not_atomic(c, s, f->name,
				  "vmalloc always may sleep: allocate before the atomic section, or use kmalloc(size, GFP_ATOMIC)");
	if (f->code == KMLAB_OP_CACHE_CREATE)
		return not_atomic(c, s, f->name,
				  "create caches outside atomic sections");
	if (s->gfp & KMLAB_GFP_KERNEL) {
		char what[64];

		snprintf(what, sizeof(what), "%s with GFP_KERNEL%s", f->name,
			 r->gfp_arg ? "" : " (the default)");
		return not_atomic(c, s, what, NULL);
	}
	return 0;
}

static void set_code(struct stmt *s, __u16 code, int obj)
{
	s->code = code;
	s->obj = obj;
	s->ok = 1;
}

static int check_assign(struct ctx *c, struct stmt *s)
{
	struct sema *sm = c->sm;
	const struct func *f = find_func(&s->fn);
	struct args r;
	int obj;

	if (!f || f->kind != FN_ALLOC) {
		char hint[DIAG_MSG_LEN];

		snprintf(hint, sizeof(hint), f ?
			 "%s returns nothing: call it on its own line" :
			 "allocators: kmalloc kzalloc kcalloc krealloc kvmalloc kvzalloc vmalloc vzalloc kmem_cache_create kmem_cache_alloc alloc_pages __get_free_pages alloc_pages_exact alloc_percpu",
			 f ? f->name : "");
		return err(c, s->fn.line, s->fn.col, s->fn.len, hint,
			   f ? "'%.*s' does not allocate" :
			   "unknown allocator '%.*s'", NAME_ARGS(&s->fn));
	}
	if (sort_args(c, s, &r) || check_arity(c, s, f, &r) ||
	    check_alloc(c, s, f, &r))
		return -1;
	if (f->code == KMLAB_OP_KREALLOC) {
		obj = r.ptr[0];
		if (find_sym(sm, &s->target) != obj)
			return err(c, s->target.line, s->target.col,
				   s->target.len, "write `buf = krealloc(buf, size)`",
				   "krealloc must assign back to '%s'",
				   sm->syms[obj].name);
		if (sm->syms[obj].family != KMLAB_FAM_KMALLOC)
			return err(c, r.ptr_arg[0]->line, r.ptr_arg[0]->col,
				   r.ptr_arg[0]->len,
				   "krealloc resizes kmalloc memory only; allocate a new buffer instead",
				   "'%s' holds %s memory",
				   sm->syms[obj].name,
				   kmlab_family_name(sm->syms[obj].family));
		if (r.ptr_off[0])
			return err(c, r.ptr_arg[0]->line, r.ptr_arg[0]->col,
				   r.ptr_arg[0]->len,
				   "pass the pointer kmalloc returned",
				   "krealloc of an interior pointer");
	}
	obj = def_name(c, &s->target, f->family);
	if (obj < 0)
		return -1;
	if (f->code == KMLAB_OP_CACHE_ALLOC)
		sm->syms[obj].cache = s->arg_obj;
	sm->syms[obj].size = s->size;
	set_code(s, f->code, obj);
	return 0;
}

/* Free @obj (+@off) with @f; @how names the call for messages. */
static int check_free(struct ctx *c, struct stmt *s, const struct func *f,
		      int obj, const struct ast_name *where)
{
	struct symbol *sym = &c->sm->syms[obj];
	int fam = sym->family;
	char hint[DIAG_MSG_LEN];

	if ((fam == KMLAB_FAM_SLAB) != (f->family == KMLAB_FAM_SLAB)) {
		if (fam == KMLAB_FAM_SLAB)
			snprintf(hint, sizeof(hint),
				 "destroy a cache with `kmem_cache_destroy(%s)`",
				 sym->name);
		else
			snprintf(hint, sizeof(hint), "free it with `free %s`",
				 sym->name);
		return err(c, where->line, where->col, where->len, hint,
			   "%s cannot take '%s': it is %s", f->name, sym->name,
			   fam == KMLAB_FAM_SLAB ? "a cache, not memory" :
			   "memory, not a cache");
	}
	/* struct page * and page addresses do not mix with pointers */
	if (fam != f->family &&
	    (fam == KMLAB_FAM_PAGES || f->family == KMLAB_FAM_PAGES ||
	     f->family == KMLAB_FAM_GFP_PAGES)) {
		snprintf(hint, sizeof(hint), "free it with `free %s`", sym->name);
		return err(c, where->line, where->col, where->len, hint,
			   "%s cannot take '%s': it is %s", f->name, sym->name,
			   fam == KMLAB_FAM_PAGES ? "a struct page *, not an address" :
			   f->family == KMLAB_FAM_PAGES ?
			   "an address, not a struct page *" :
			   "not a page address");
	}
	if (f->code == KMLAB_OP_CACHE_DESTROY)
		return not_atomic(c, s, "kmem_cache_destroy",
				  "destroy caches outside atomic sections");
	if (f->code == KMLAB_OP_VFREE ||
	    (f->code == KMLAB_OP_KVFREE && fam != KMLAB_FAM_KMALLOC))
		return not_atomic(c, s, f->name,
				  "vfree may sleep: free after the atomic section");
	return 0;
}

static const struct func *generic_free(int fam)
{
	static const __u16 codes[KMLAB_FAM_MAX] = {
		[KMLAB_FAM_KMALLOC]	= KMLAB_OP_KFREE,
		[KMLAB_FAM_VMALLOC]	= KMLAB_OP_VFREE,
		[KMLAB_FAM_KVMALLOC]	= KMLAB_OP_KVFREE,
		[KMLAB_FAM_CACHE]	= KMLAB_OP_CACHE_FREE,
		[KMLAB_FAM_PAGES]	= KMLAB_OP_FREE_PAGES,
		[KMLAB_FAM_GFP_PAGES]	= KMLAB_OP_FREE_PAGES,
		[KMLAB_FAM_PAGES_EXACT]	= KMLAB_OP_FREE_PAGES_EXACT,
		[KMLAB_FAM_PERCPU]	= KMLAB_OP_FREE_PERCPU,
		[KMLAB_FAM_SLAB]	= KMLAB_OP_CACHE_DESTROY,
	};
	const struct func *f;

	for (f = funcs; f->name; f++)
		if (f->kind == FN_FREE && f->code == codes[fam] &&
		    f->family == fam)
			return f;
	return NULL;
}

static int check_call(struct ctx *c, struct stmt *s)
{
	struct sema *sm = c->sm;
	const struct func *f = find_func(&s->fn);
	struct args r;
	int obj, i;

	if (!f || f->kind != FN_FREE)
		return err(c, s->fn.line, s->fn.col, s->fn.len, f ?
			   "an allocation needs a name: `buf = kmalloc(64)`" :
			   "frees: kfree kvfree vfree kmem_cache_free kmem_cache_destroy free_pages __free_pages free_pages_exact free_percpu, or `free NAME`",
			   f ? "the result of '%.*s' must be given a name" :
			   "unknown function '%.*s'", NAME_ARGS(&s->fn));
	if (sort_args(c, s, &r) || check_arity(c, s, f, &r))
		return -1;
	i = f->ptrs - 1;	/* the freed object is the last pointer */
	obj = r.ptr[i];
	if (check_free(c, s, f, obj, &r.ptr_arg[i]->names[0]))
		return -1;
	if (f->code == KMLAB_OP_CACHE_FREE) {
		if (sm->syms[r.ptr[0]].family != KMLAB_FAM_SLAB)
			return err(c, r.ptr_arg[0]->line, r.ptr_arg[0]->col,
				   r.ptr_arg[0]->len,
				   "write kmem_cache_free(cache, name)",
				   "'%s' is not a cache", sm->syms[r.ptr[0]].name);
		s->arg_obj = r.ptr[0];
	} else if (sm->syms[obj].family == KMLAB_FAM_CACHE) {
		s->arg_obj = sm->syms[obj].cache;
	}
	if (r.ptr_off[0] && f->code == KMLAB_OP_CACHE_FREE)
		return err(c, r.ptr_arg[0]->line, r.ptr_arg[0]->col,
			   r.ptr_arg[0]->len, "pass the cache itself",
			   "no offset on a cache");
	s->off = r.ptr_off[i];
	/* order or size given: checked against the object by verify.c */
	s->size = r.nr_nums ? r.nums[0] : sm->syms[obj].size;
	if (r.nr_nums == 0 && (f->code == KMLAB_OP_FREE_PAGES))
		s->size = 0;	/* free_page(): order 0 */
	set_code(s, f->code, obj);
	return 0;
}

static int check_free_stmt(struct ctx *c, struct stmt *s)
{
	struct sema *sm = c->sm;
	const struct func *f;
	int obj = use_name(c, &s->target);

	if (obj < 0)
		return -1;
	f = generic_free(sm->syms[obj].family);
	if (!f)
		return -1;
	if (s->num && f->code == KMLAB_OP_CACHE_DESTROY)
		return err(c, s->target.line, s->target.col, s->target.len,
			   "write `free cache`", "no offset on a cache");
	if (check_free(c, s, f, obj, &s->target))
		return -1;
	s->off = s->num;
	s->size = sm->syms[obj].size;
	s->arg_obj = sm->syms[obj].family == KMLAB_FAM_CACHE ?
		     sm->syms[obj].cache : -1;
	set_code(s, f->code, obj);
	return 0;
}

static int check_access(struct ctx *c, struct stmt *s)
{
	struct sema *sm = c->sm;
	int obj = use_name(c, &s->target);

	if (obj < 0)
		return -1;
	if (sm->syms[obj].family == KMLAB_FAM_SLAB)
		return err(c, s->target.line, s->target.col, s->target.len,
			   "allocate from it and access the object: `obj = kmem_cache_alloc(cache)`",
			   "'%s' is a cache, not memory", sm->syms[obj].name);
	if (s->hi <= s->lo)
		return err(c, s->line, s->range_col, s->range_len,
			   "a range [from..to] covers from up to, not including, to: write `[0..64]`",
			   "empty byte range");
	if (s->kind == STMT_WRITE && s->num > 0xff)
		return err(c, s->line, s->num_col, 1,
			   "write one byte value, 0 to 0xff",
			   "fill value 0x%llx does not fit in a byte", s->num);
	s->off = s->lo;
	s->len = s->hi - s->lo;
	set_code(s, s->kind == STMT_WRITE ? KMLAB_OP_WRITE : KMLAB_OP_READ,
		 obj);
	return 0;
}

static int check_list(struct ctx *c, struct stmt *s, int top, int phase);

static int check_block(struct ctx *c, struct stmt *s)
{
	int saved = c->atomic_line, ret;

	if (c->depth == KMLAB_MAX_DEPTH)
		return err(c, s->line, s->col, 1,
			   "flatten the plan: repeat and atomic blocks nest at most 4 deep",
			   "blocks nested too deeply");
	if (s->kind == STMT_ATOMIC) {
		if (c->atomic_line)
			return err(c, s->line, s->col, 6,
				   "one lock at a time: close the outer section first",
				   "atomic section inside the atomic section of line %d",
				   c->atomic_line);
		c->atomic_line = s->line;
		s->code = KMLAB_OP_ATOMIC;
	} else {
		if (s->too_big || !s->num || s->num > KMLAB_MAX_REPEAT)
			return err(c, s->line, s->num_col, 1,
				   "repeat from 1 to 100000 times",
				   "repeat count %llu out of range", s->num);
		s->count = s->num;
		s->code = KMLAB_OP_REPEAT;
	}
	s->ok = 1;
	c->depth++;
	ret = check_list(c, s->body, 0, -1);
	c->depth--;
	c->atomic_line = saved;
	return ret;
}

static int check_stmt(struct ctx *c, struct stmt *s)
{
	switch (s->kind) {
	case STMT_ASSIGN:
		return check_assign(c, s);
	case STMT_CALL:
		return check_call(c, s);
	case STMT_FREE:
		return check_free_stmt(c, s);
	case STMT_FORGET:
		s->obj = use_name(c, &s->target);
		if (s->obj < 0)
			return -1;
		if (c->sm->syms[s->obj].family == KMLAB_FAM_SLAB)
			return err(c, s->target.line, s->target.col,
				   s->target.len,
				   "forget the objects, or leave the cache: kmlab destroys it",
				   "a cache cannot be forgotten");
		set_code(s, KMLAB_OP_FORGET, s->obj);
		return 0;
	case STMT_WRITE:
	case STMT_READ:
		return check_access(c, s);
	case STMT_PAUSE:
		if (s->num > KMLAB_MAX_PAUSE_MS)
			return err(c, s->line, s->num_col, 1,
				   "pause at most 10 s (10000 ms)",
				   "pause of %llu ms is too long", s->num);
		if (not_atomic(c, s, "pause", "pause sleeps: move it out of the atomic section"))
			return -1;
		s->count = s->num;
		s->code = KMLAB_OP_PAUSE;
		s->ok = 1;
		return 0;
	case STMT_ATOMIC:
	case STMT_REPEAT:
		return check_block(c, s);
	case STMT_PHASE:
		return err(c, s->line, s->col, 2,
			   "phases are top-level blocks: close this block first",
			   "a phase cannot be inside a block");
	case STMT_PLAN:
		if (s->ok < 0)	/* a line the parser gave up on */
			return 0;
		return err(c, s->line, s->col, 4,
			   "write `plan NAME` once, on the plan's first statement",
			   "'plan' must be the first statement");
	}
	return 0;
}

/* Top-level lists run in @phase order; phase blocks are visited then. */
static int check_list(struct ctx *c, struct stmt *s, int top, int phase)
{
	int errors = 0;

	for (; s; s = s->next) {
		if (top && s->kind == STMT_PHASE) {
			if (s->sub == phase)
				errors += check_list(c, s->body, 0, -1) < 0;
			continue;
		}
		if (top && (phase != KMLAB_PHASE_LOAD || s->kind == STMT_PLAN))
			continue;
		if (check_stmt(c, s))
			errors++;
	}
	return errors ? -1 : 0;
}

int sema_check(struct stmt *first, struct sema *sm, struct diag_list *dl)
{
	struct ctx c = { .sm = sm, .dl = dl };
	int before = dl->errors, phase, seen = 0;
	struct stmt *s;

	memset(sm, 0, sizeof(*sm));
	for (s = first; s; s = s->next) {
		if (s->kind == STMT_PLAN && s->ok >= 0) {
			if (seen || s != first)
				check_stmt(&c, s);
			else if (s->target.len >= KMLAB_NAME_LEN)
				err(&c, s->target.line, s->target.col,
				    s->target.len,
				    "plan names have at most 31 characters",
				    "plan name too long (%d characters)",
				    s->target.len);
			else
				memcpy(sm->plan, s->target.p, s->target.len);
			seen = 1;
		}
	}
	for (phase = 0; phase < KMLAB_PHASE_MAX; phase++)
		check_list(&c, first, 1, phase);
	return dl->errors - before;
}
