// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Lowering: the blob layout and the IR fields of every construct. */
#include <stdlib.h>
#include <string.h>
#include "plan_util.h"

static const struct kmlab_ir_op *op(const struct plan *p, int i)
{
	static const struct kmlab_ir_op none;

	return p && i < p->nr_ops ? &p->ops[i] : &none;
}

#define OP_IS(p, i, c, ln, name)					\
	TAP_OK(op(p, i)->code == (c) && op(p, i)->line == (ln), name)

static void blob(void)
{
	struct plan *p = NULL;
	struct diag_list dl;
	const struct kmlab_ir_header *h;
	const char *src = "plan other_name\nbuf = kmalloc(64)\nfree buf\n";

	diag_init(&dl);
	plan_compile("dir/my-lesson.v2.kml", src, strlen(src), &p, &dl);
	h = p ? p->ir : NULL;
	TAP_OK(h && h->magic == KMLAB_IR_MAGIC &&
	       h->version == KMLAB_IR_VERSION && !h->reserved,
	       "blob: magic, version");
	TAP_OK(h && !strcmp(h->plan, "my_lesson"), "blob: plan name = file stem");
	TAP_OK(h && h->nr_objs == 1 && h->nr_ops == 2 && h->size == p->ir_len &&
	       p->ir_len == sizeof(*h) + sizeof(struct kmlab_ir_obj) +
	       2 * sizeof(struct kmlab_ir_op), "blob: counts and size field");
	TAP_OK(p && (void *)p->objs == (void *)(h + 1) &&
	       (void *)p->ops == (void *)(p->objs + 1), "blob: layout");
	TAP_OK(p && !strcmp(p->objs[0].name, "buf") &&
	       p->objs[0].family == KMLAB_FAM_KMALLOC && p->objs[0].line == 2,
	       "blob: object name, family, line");
	plan_free(p);
	diag_free(&dl);
	p = NULL;
	diag_init(&dl);
	plan_compile("-", src, strlen(src), &p, &dl);
	TAP_OK(p && !strcmp(((struct kmlab_ir_header *)p->ir)->plan,
			    "other_name"), "blob: stdin takes `plan NAME`");
	plan_free(p);
	diag_free(&dl);

	/* files: missing, too big */
	diag_init(&dl);
	TAP_OK(plan_compile_file("/nonexistent/x.kml", &p, &dl) && !p &&
	       dl.n == 1 && strstr(dl.v[0].msg, "cannot open the plan") &&
	       dl.v[0].hint[0], "file: a missing plan is an error with a hint");
	diag_free(&dl);
	{
		size_t n = (16U << 20) + 1;
		char *big = calloc(1, n);

		diag_init(&dl);
		TAP_OK(big && plan_compile("big.kml", big, n, &p, &dl) && !p &&
		       dl.n == 1 && strstr(dl.v[0].msg, "plan is too big"),
		       "file: more than 16 MiB is refused before parsing");
		diag_free(&dl);
		free(big);
	}
}

static void allocs(void)
{
	struct plan *p = compile(
		"a = kmalloc(0x40, GFP_ATOMIC | __GFP_NOWARN)\n"	/* 1 */
		"b = kzalloc(4 KiB)\n"
		"c = kcalloc(10, 24, GFP_NOWAIT)\n"
		"a = krealloc(a, 128)\n"
		"d = kvzalloc(1 MiB, GFP_KERNEL_ACCOUNT)\n"		/* 5 */
		"e = vmalloc(8 K)\n"
		"f = vzalloc(2 M)\n"
		"s = kmem_cache_create(96, 32, SLAB_POISON | red_zone | store_user | consistency)\n"
		"g = kmem_cache_alloc(s, GFP_KERNEL | __GFP_ACCOUNT)\n"
		"h = alloc_pages(GFP_KERNEL | __GFP_NORETRY | GFP_DMA32, 3)\n"	/* 10 */
		"i = __get_free_pages(GFP_KERNEL, 1)\n"
		"j = alloc_pages_exact(12 KiB)\n"
		"k = alloc_percpu(16)\n"
		"l = get_zeroed_page(GFP_KERNEL)\n");
	const struct kmlab_ir_op *o;

	TAP_OK(p && p->nr_objs == 13, "allocs: compiled, 13 objects");
	o = op(p, 0);
	TAP_OK(o->code == KMLAB_OP_KMALLOC && o->size == 64 && o->obj == 0 &&
	       o->gfp == (KMLAB_GFP_ATOMIC | KMLAB_GFP_NOWARN) &&
	       o->phase == KMLAB_PHASE_LOAD && o->line == 1,
	       "kmalloc: size, gfp, obj, phase, line");
	o = op(p, 1);
	TAP_OK(o->code == KMLAB_OP_KZALLOC && o->size == 4096 &&
	       o->gfp == KMLAB_GFP_KERNEL, "kzalloc: default GFP_KERNEL");
	o = op(p, 2);
	TAP_OK(o->code == KMLAB_OP_KCALLOC && o->count == 10 && o->size == 24 &&
	       o->gfp == KMLAB_GFP_NOWAIT, "kcalloc: count and size");
	o = op(p, 3);
	TAP_OK(o->code == KMLAB_OP_KREALLOC && o->obj == 0 && o->size == 128,
	       "krealloc: same object, new size");
	o = op(p, 4);
	TAP_OK(o->code == KMLAB_OP_KVMALLOC && o->size == 1 << 20 &&
	       o->gfp == (KMLAB_GFP_KERNEL | KMLAB_GFP_ACCOUNT | KMLAB_GFP_ZERO),
	       "kvzalloc: KVMALLOC with __GFP_ZERO");
	TAP_OK(op(p, 5)->code == KMLAB_OP_VMALLOC && op(p, 5)->size == 8192 &&
	       op(p, 6)->code == KMLAB_OP_VZALLOC &&
	       op(p, 6)->size == 2 << 20, "vmalloc, vzalloc");
	o = op(p, 7);
	TAP_OK(o->code == KMLAB_OP_CACHE_CREATE && o->size == 96 &&
	       o->off == 32 && o->slab == KMLAB_SLAB_GUARDED && !o->flags && !o->gfp &&
	       p->objs[o->obj].family == KMLAB_FAM_SLAB,
	       "kmem_cache_create: size, align in off, flags");
	o = op(p, 8);
	TAP_OK(o->code == KMLAB_OP_CACHE_ALLOC && o->arg == op(p, 7)->obj &&
	       o->gfp == (KMLAB_GFP_KERNEL | KMLAB_GFP_ACCOUNT) &&
	       p->objs[o->obj].family == KMLAB_FAM_CACHE,
	       "kmem_cache_alloc: cache index in arg");
	o = op(p, 9);
	TAP_OK(o->code == KMLAB_OP_ALLOC_PAGES && o->size == 3 &&
	       o->gfp == (KMLAB_GFP_KERNEL | KMLAB_GFP_NORETRY |
			  KMLAB_GFP_DMA32) &&
	       p->objs[o->obj].family == KMLAB_FAM_PAGES,
	       "alloc_pages: order in size, GFP_DMA32");
	o = op(p, 10);
	TAP_OK(o->code == KMLAB_OP_GET_FREE_PAGES && o->size == 1 &&
	       p->objs[o->obj].family == KMLAB_FAM_GFP_PAGES,
	       "__get_free_pages: order in size");
	TAP_OK(op(p, 11)->code == KMLAB_OP_PAGES_EXACT &&
	       op(p, 11)->size == 12288 &&
	       p->objs[op(p, 11)->obj].family == KMLAB_FAM_PAGES_EXACT,
	       "alloc_pages_exact");
	TAP_OK(op(p, 12)->code == KMLAB_OP_ALLOC_PERCPU &&
	       op(p, 12)->size == 16 &&
	       p->objs[op(p, 12)->obj].family == KMLAB_FAM_PERCPU,
	       "alloc_percpu");
	TAP_OK(op(p, 13)->code == KMLAB_OP_GET_FREE_PAGES &&
	       op(p, 13)->size == 0 &&
	       op(p, 13)->gfp == (KMLAB_GFP_KERNEL | KMLAB_GFP_ZERO),
	       "get_zeroed_page: order 0, __GFP_ZERO");
	plan_free(p);
}

static void frees(void)
{
	struct plan *p = compile(
		"a = kmalloc(8)\nkfree(a)\n"			/* 1-2 */
		"b = kvmalloc(8)\nkvfree(b)\n"
		"c = vmalloc(8)\nvfree(c)\n"			/* 5-6 */
		"s = kmem_cache_create(8)\no = kmem_cache_alloc(s)\n"
		"kmem_cache_free(s, o)\n"			/* 9 */
		"p = alloc_pages(GFP_KERNEL, 2)\n__free_pages(p, 2)\n"
		"g = __get_free_pages(GFP_KERNEL, 1)\nfree_pages(g, 1)\n"
		"e = alloc_pages_exact(5000)\nfree_pages_exact(e, 5000)\n" /* 14-15 */
		"u = alloc_percpu(8)\nfree_percpu(u)\n"
		"kmem_cache_destroy(s)\n"			/* 18 */
		"a = kmalloc(8)\nkfree(a + 4)\n");		/* 19-20 */
	static const __u16 want[] = {
		KMLAB_OP_KFREE, KMLAB_OP_KVFREE, KMLAB_OP_VFREE,
		KMLAB_OP_CACHE_FREE, KMLAB_OP_FREE_PAGES, KMLAB_OP_FREE_PAGES,
		KMLAB_OP_FREE_PAGES_EXACT, KMLAB_OP_FREE_PERCPU,
	};
	static const int at[] = { 1, 3, 5, 8, 10, 12, 14, 16 };
	unsigned int i, ok = 1;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ok &= op(p, at[i])->code == want[i] &&
		      op(p, at[i])->obj == op(p, at[i] - 1)->obj;
	TAP_OK(p && ok, "each explicit free lowers to its op and object");
	TAP_OK(op(p, 8)->arg == op(p, 6)->obj, "kmem_cache_free: cache in arg");
	TAP_EQ_INT(op(p, 10)->size, 2, "__free_pages: order in size");
	TAP_EQ_INT(op(p, 14)->size, 5000, "free_pages_exact: size");
	TAP_OK(op(p, 17)->code == KMLAB_OP_CACHE_DESTROY &&
	       op(p, 17)->line == 18, "kmem_cache_destroy");
	TAP_OK(op(p, 19)->code == KMLAB_OP_KFREE && op(p, 19)->off == 4,
	       "interior free: offset in off");
	plan_free(p);

	/* `free NAME` picks the family's function */
	p = compile("a = kzalloc(8)\nb = kvmalloc(8)\nc = vzalloc(8)\n"
		    "s = kmem_cache_create(8)\no = kmem_cache_alloc(s)\n"
		    "p = alloc_page(GFP_KERNEL)\ng = __get_free_pages(GFP_KERNEL, 2)\n"
		    "e = alloc_pages_exact(100)\nu = alloc_percpu(8)\n"
		    "free a\nfree b\nfree c\nfree o\nfree p\nfree g\nfree e\n"
		    "free u\nfree s\n");
	{
		static const __u16 gen[] = {
			KMLAB_OP_KFREE, KMLAB_OP_KVFREE, KMLAB_OP_VFREE,
			KMLAB_OP_CACHE_FREE, KMLAB_OP_FREE_PAGES,
			KMLAB_OP_FREE_PAGES, KMLAB_OP_FREE_PAGES_EXACT,
			KMLAB_OP_FREE_PERCPU, KMLAB_OP_CACHE_DESTROY,
		};

		for (ok = 1, i = 0; i < 9; i++)
			ok &= op(p, 9 + i)->code == gen[i] &&
			      op(p, 9 + i)->off == 0;
		TAP_OK(p && ok, "free NAME: the right function per family");
		TAP_OK(op(p, 12)->arg == 3, "free NAME on a cache object: its cache");
		TAP_OK(op(p, 14)->size == 2 && op(p, 13)->size == 0,
		       "free NAME on pages: the allocation's order");
		TAP_EQ_INT(op(p, 15)->size, 100, "free NAME on exact pages: size");
		TAP_EQ_INT(p ? p->nr_preds : -1, 0, "free NAME: no defects");
	}
	plan_free(p);
}

static void accesses(void)
{
	struct plan *p = compile("b = kmalloc(64)\nwrite b[8..24] = 0xAB\n"
				 "read b[0x10..2 K]\nread b[5]\nforget b\n");

	TAP_OK(op(p, 1)->code == KMLAB_OP_WRITE && op(p, 1)->off == 8 &&
	       op(p, 1)->len == 16 && op(p, 1)->fill == 0xab &&
	       op(p, 1)->obj == 0, "write: off, len, fill");
	TAP_OK(op(p, 2)->code == KMLAB_OP_READ && op(p, 2)->off == 16 &&
	       op(p, 2)->len == 2032, "read: off, len with units");
	TAP_OK(op(p, 3)->off == 5 && op(p, 3)->len == 1, "read b[i]: one byte");
	TAP_OK(op(p, 4)->code == KMLAB_OP_FORGET && op(p, 4)->line == 5 &&
	       (op(p, 4)->flags & KMLAB_OPF_HAZARD), "forget: a hazard op");
	TAP_EQ_INT(p ? p->nr_ops : 0, 5, "forget: no implicit forget after it");
	plan_free(p);
}

static void structure(void)
{
	struct plan *p = compile(
		"at unload {\n  free x\n}\n"		/* 1-3 */
		"on demand {\n  repeat 5 {\n    read x[0]\n  }\n}\n" /* 4-8 */
		"x = kmalloc(8, GFP_ATOMIC)\n"		/* 9 */
		"atomic spinlock {\n  write x[0] = 1\n}\n" /* 10-12 */
		"atomic irq {\n}\npause 250 ms\n");	/* 13-15 */

	TAP_OK(p && p->nr_ops == 11, "structure: 11 ops, no implicit forget");
	OP_IS(p, 0, KMLAB_OP_KMALLOC, 9, "top level is LOAD, before DEMAND");
	TAP_OK(op(p, 1)->code == KMLAB_OP_ATOMIC &&
	       op(p, 1)->arg == KMLAB_ATOMIC_SPINLOCK &&
	       op(p, 3)->code == KMLAB_OP_ATOMIC_END, "atomic spinlock");
	TAP_OK(op(p, 4)->arg == KMLAB_ATOMIC_IRQOFF &&
	       op(p, 5)->code == KMLAB_OP_ATOMIC_END, "atomic irq");
	TAP_OK(op(p, 6)->code == KMLAB_OP_PAUSE && op(p, 6)->count == 250,
	       "pause: ms in count");
	TAP_OK(op(p, 7)->code == KMLAB_OP_REPEAT && op(p, 7)->count == 5 &&
	       op(p, 7)->phase == KMLAB_PHASE_DEMAND && op(p, 7)->line == 5,
	       "repeat: count, DEMAND phase");
	TAP_OK(op(p, 8)->code == KMLAB_OP_READ &&
	       op(p, 8)->phase == KMLAB_PHASE_DEMAND &&
	       op(p, 9)->code == KMLAB_OP_REPEAT_END, "repeat body, end");
	TAP_OK(op(p, 10)->code == KMLAB_OP_KFREE &&
	       op(p, 10)->phase == KMLAB_PHASE_UNLOAD && op(p, 10)->line == 2,
	       "UNLOAD last, whatever the order in the file");
	plan_free(p);
}

static void implicit_forget(void)
{
	struct plan *p = compile("a = kmalloc(8)\nb = vmalloc(8)\nfree b\n"
				 "on demand {\n  c = kzalloc(8)\n}\n");
	const struct kmlab_ir_op *o;

	TAP_OK(p && p->nr_ops == 6, "implicit forget: two appended");
	o = op(p, 4);
	TAP_OK(o->code == KMLAB_OP_FORGET && o->phase == KMLAB_PHASE_UNLOAD &&
	       o->line == 1 && o->obj == 0 && (o->flags & KMLAB_OPF_HAZARD),
	       "implicit forget of a: UNLOAD, its allocation line, hazard");
	o = op(p, 5);
	TAP_OK(o->code == KMLAB_OP_FORGET && o->line == 5 && o->obj == 2,
	       "implicit forget of c (allocated on demand)");
	TAP_EQ_INT(((struct kmlab_ir_header *)p->ir)->nr_ops, 6,
		   "header counts the implicit ops");
	plan_free(p);
}

int main(void)
{
	blob();
	allocs();
	frees();
	accesses();
	structure();
	implicit_forget();
	diag_free(&util_dl);
	return tap_done();
}
