// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The verifier: each kind of prediction with its line, related line,
 * size and count; hazard flags on ops; phases and repeats; and plans
 * that must predict nothing.
 */
#include <string.h>
#include "plan_util.h"

/* Compile @src; check it predicts @kind at @line (related @line2). */
static const struct prediction *expect_pred(struct plan **pp, const char *src,
					    enum finding_kind kind, int line,
					    int line2, const char *name)
{
	const struct prediction *p;
	char why[256];

	plan_free(*pp);
	*pp = compile(src);
	p = find_pred(*pp, kind, line, line2);
	snprintf(why, sizeof(why), "%s; %d predictions, first %s@%d/%d",
		 *pp ? "compiled" : "did not compile",
		 *pp ? (*pp)->nr_preds : 0,
		 *pp && (*pp)->nr_preds ? finding_name((*pp)->preds[0].kind) : "-",
		 *pp && (*pp)->nr_preds ? (*pp)->preds[0].line : 0,
		 *pp && (*pp)->nr_preds ? (*pp)->preds[0].line2 : 0);
	tap_ok(p != NULL, name, why);
	return p;
}

static int hazard_at(const struct plan *p, int line)
{
	int i;

	for (i = 0; p && i < p->nr_ops; i++)
		if ((int)p->ops[i].line == line &&
		    (p->ops[i].flags & KMLAB_OPF_HAZARD))
			return 1;
	return 0;
}

static void seed_lesson(void)
{
	struct plan *p = NULL;
	const struct prediction *q;
	const char *src =
		"# the dangling-pointer lesson\n"
		"buffer     = kmalloc(1024, GFP_KERNEL)\n"
		"big_buffer = kzalloc(4 KiB)\n"
		"write buffer[0..64] = 0xAB\n"
		"free buffer\n"
		"read buffer[16..24]      # late access\n"
		"free buffer              # double free\n"
		"# big_buffer is never freed: leaked at unload\n";

	q = expect_pred(&p, src, FINDING_LEAK, 3, 0, "seed: big_buffer leaks at line 3");
	TAP_OK(q && q->size == 4096 && q->count == 1 && q->obj == 1,
	       "seed: leak of 4096 bytes, object big_buffer");
	TAP_STR_HAS(q ? q->msg : NULL, "never freed", "seed: leak explained");
	q = find_pred(p, FINDING_LATE_ACCESS, 6, 5);
	TAP_OK(q && q->size == 1024, "seed: late access at 6, freed at 5");
	q = find_pred(p, FINDING_DOUBLE_FREE, 7, 5);
	TAP_OK(q && q->obj == 0, "seed: double free at 7, first free at 5");
	TAP_EQ_INT(p ? p->nr_preds : -1, 3, "seed: exactly three predictions");
	TAP_OK(hazard_at(p, 6) && hazard_at(p, 7) && !hazard_at(p, 4) &&
	       !hazard_at(p, 5), "seed: hazard flags on lines 6 and 7 only");
	TAP_OK(p && p->preds[0].line <= p->preds[1].line &&
	       p->preds[1].line <= p->preds[2].line, "seed: sorted by line");
	plan_free(p);
}

static void kinds(void)
{
	struct plan *p = NULL;
	const struct prediction *q;

	q = expect_pred(&p, "a = kmalloc(8)\nforget a\n", FINDING_LEAK, 1, 2,
			"forget: leak at the allocation, line2 = forget");
	TAP_STR_HAS(q ? q->msg : NULL, "forgets the only pointer", "forget: explained");
	TAP_EQ_INT(p ? p->nr_preds : -1, 1, "forget: no second (implicit) leak");

	q = expect_pred(&p, "a = kmalloc(8)\na = kmalloc(16)\nfree a\n",
			FINDING_LEAK, 1, 2, "overwrite: the old object leaks");
	TAP_OK(q && q->size == 8 && hazard_at(p, 2), "overwrite: old size, hazard on line 2");

	q = expect_pred(&p, "a = kmalloc(100)\nkfree(a)\nkfree(a)\n",
			FINDING_DOUBLE_FREE, 3, 2, "double free");
	TAP_STR_HAS(q ? q->msg : NULL, "already freed", "double free: explained");

	expect_pred(&p, "a = kmalloc(8)\nfree a\nwrite a[0] = 1\n",
		    FINDING_LATE_ACCESS, 3, 2, "late write");
	expect_pred(&p, "a = kmalloc(8)\nfree a\na = krealloc(a, 16)\n",
		    FINDING_LATE_ACCESS, 3, 2, "krealloc after free is a late access");

	q = expect_pred(&p, "b = kmalloc(64)\nvfree(b)\n", FINDING_WRONG_FREE,
			2, 1, "wrong free: vfree on kmalloc memory");
	TAP_STR_HAS(q ? q->msg : NULL, "came from kmalloc", "wrong free: explained");
	TAP_EQ_INT(p ? p->nr_preds : -1, 1, "wrong free: counts as freed (no leak)");
	expect_pred(&p, "b = kvmalloc(64)\nkfree(b)\n", FINDING_WRONG_FREE, 2, 1,
		    "wrong free: kfree on kvmalloc memory");
	expect_pred(&p, "b = vmalloc(64)\nkvfree(b)\nc = kmalloc(8)\nkvfree(c)\nd = vmalloc(8)\nkfree(d)\n",
		    FINDING_WRONG_FREE, 6, 5, "wrong free: kfree on vmalloc memory");
	TAP_EQ_INT(p ? p->nr_preds : -1, 1, "kvfree frees kmalloc and vmalloc memory");
	expect_pred(&p, "s = kmem_cache_create(8)\nt = kmem_cache_create(8)\n"
		    "o = kmem_cache_alloc(s)\nkmem_cache_free(t, o)\nfree s\nfree t\n",
		    FINDING_WRONG_FREE, 4, 3, "wrong free: another cache");
	expect_pred(&p, "s = kmem_cache_create(8)\nb = kmalloc(8)\nkmem_cache_free(s, b)\nfree s\n",
		    FINDING_WRONG_FREE, 3, 2, "wrong free: kmem_cache_free on kmalloc memory");
	q = expect_pred(&p, "p = alloc_pages(GFP_KERNEL, 2)\n__free_pages(p, 1)\n",
			FINDING_WRONG_FREE, 2, 1, "wrong free: order mismatch");
	TAP_STR_HAS(q ? q->msg : NULL, "order 2", "order mismatch: explained");
	expect_pred(&p, "e = alloc_pages_exact(8 KiB)\nfree_pages_exact(e, 4 KiB)\n",
		    FINDING_WRONG_FREE, 2, 1, "wrong free: exact size mismatch");

	q = expect_pred(&p, "b = kmalloc(64)\nkfree(b + 8)\n",
			FINDING_INTERIOR_FREE, 2, 1, "interior free");
	TAP_STR_HAS(q ? q->msg : NULL, "b + 8", "interior free: explained");
	expect_pred(&p, "v = vmalloc(64)\nfree v + 4095\n",
		    FINDING_INTERIOR_FREE, 2, 1, "interior free with `free`");

	q = expect_pred(&p, "b = kmalloc(100)\nwrite b[96..112] = 1\nfree b\n",
			FINDING_OVERFLOW, 2, 1, "overflow past the requested size");
	TAP_STR_HAS(q ? q->msg : NULL, "past the 100 bytes asked for",
		    "overflow (requested): explained");
	q = expect_pred(&p, "b = kmalloc(100)\nread b[120..136]\nfree b\n",
			FINDING_OVERFLOW, 2, 1, "overflow past the real size");
	TAP_STR_HAS(q ? q->msg : NULL, "128 bytes the allocator really gave",
		    "overflow (real): kmalloc-128");
	q = expect_pred(&p, "b = kcalloc(3, 100)\nread b[299..301]\nfree b\n",
			FINDING_OVERFLOW, 2, 1, "kcalloc: size is n * size");
	TAP_STR_HAS(q ? q->msg : NULL, "past the 300 bytes asked for", "kcalloc: 300 of 512");
	q = expect_pred(&p, "b = kmalloc(9000)\nread b[16383..16384]\nread b[16384..16385]\nfree b\n",
			FINDING_OVERFLOW, 3, 1, "big kmalloc: real size is pages");
	TAP_OK(!find_pred(p, FINDING_OVERFLOW, 2, -1) || strstr(find_pred(p, FINDING_OVERFLOW, 2, -1)->msg, "asked for"),
	       "big kmalloc: byte 16383 is inside the 16 KiB given");
	expect_pred(&p, "v = vmalloc(5000)\nread v[8191]\nread v[8192]\nfree v\n",
		    FINDING_OVERFLOW, 3, 1, "vmalloc: real size is whole pages");
	q = expect_pred(&p, "c = kmem_cache_create(100, red_zone)\no = kmem_cache_alloc(c)\n"
			"write o[96..104] = 1\nfree o\nfree c\n",
			FINDING_OVERFLOW, 3, 2, "red-zoned cache: real size is the object size");
	TAP_STR_HAS(q ? q->msg : NULL, "100 bytes the allocator really gave", "red zone: no rounding");

	q = expect_pred(&p, "t = kcalloc(4294967295, 8 GiB)\nfree t\nread t[0]\n",
			FINDING_FAILED_ALLOC, 1, 0, "failed alloc: kcalloc overflow");
	TAP_OK(find_pred(p, FINDING_REFUSED, 3, 1) && p->nr_preds == 2,
	       "failed alloc: free of NULL is fine, access is refused");

	expect_pred(&p, "c = kmem_cache_create(8)\no = kmem_cache_alloc(c)\nfree c\n",
		    FINDING_REFUSED, 3, 1, "destroying a busy cache is refused");
	TAP_OK(find_pred(p, FINDING_LEAK, 1, 0) && find_pred(p, FINDING_LEAK, 2, 0),
	       "busy cache: it and its object leak at unload");
	q = expect_pred(&p, "c = kmem_cache_create(8)\nrepeat 5 {\n o = kmem_cache_alloc(c)\n}\nfree o\nfree c\n",
			FINDING_REFUSED, 6, 1, "overwritten cache objects keep the cache busy");
	TAP_STR_HAS(q ? q->msg : NULL, "still has 4 objects", "busy cache: 4 lost objects");
	expect_pred(&p, "c = kmem_cache_create(8)\no = kmem_cache_alloc(c)\nforget o\nfree c\n",
		    FINDING_REFUSED, 4, 1, "a forgotten cache object keeps the cache busy");
	expect_pred(&p, "c = kmem_cache_create(8)\nfree c\no = kmem_cache_alloc(c)\n",
		    FINDING_REFUSED, 3, 2, "alloc from a destroyed cache is refused");
	expect_pred(&p, "c = kmem_cache_create(8)\nfree c\nkmem_cache_destroy(c)\n",
		    FINDING_DOUBLE_FREE, 3, 2, "cache destroyed twice");
	expect_pred(&p, "a = kmalloc(8)\nforget a\nread a[0]\n",
		    FINDING_REFUSED, 3, 2, "access through a forgotten pointer");
	expect_pred(&p, "a = kmalloc(8)\nforget a\nfree a\n",
		    FINDING_REFUSED, 3, 2, "free of a forgotten pointer");
	plan_free(p);
}

static void phases_and_repeats(void)
{
	struct plan *p = NULL;
	const struct prediction *q;

	q = expect_pred(&p, "repeat 10 {\n  n = kmalloc(32)\n}\n",
			FINDING_LEAK, 2, 2, "repeat: overwritten objects leak");
	TAP_EQ_INT(q ? q->count : 0, 9, "repeat: 9 lost by overwriting");
	q = find_pred(p, FINDING_LEAK, 2, 0);
	TAP_OK(q && q->count == 1, "repeat: the last one leaks at unload");

	q = expect_pred(&p, "repeat 10 {\n  repeat 100 {\n    n = kmalloc(32)\n  }\n}\n",
			FINDING_LEAK, 3, 3, "nested repeat: counts multiply");
	TAP_EQ_INT(q ? q->count : 0, 999, "nested repeat: 999 overwritten");

	q = expect_pred(&p, "a = kmalloc(8)\nrepeat 3 {\n  free a\n}\n",
			FINDING_DOUBLE_FREE, 3, 3, "repeat: a free repeated");
	TAP_EQ_INT(q ? q->count : 0, 2, "repeat: 2 double frees");

	/* 10^20 runs: the data plane would refuse it (test_limits.c) */
	plan_free(p);
	p = compile("repeat 100000 {\n repeat 100000 {\n  repeat 100000 {\n"
		    "   repeat 100000 {\n    n = kmalloc(8)\n   }\n  }\n }\n}\n");
	TAP_OK(!p && find_diag(2, 0, "more than 1000000 ops"),
	       "huge repeat: refused, not counted");

	expect_pred(&p, "on demand {\n  free x\n}\nx = kmalloc(8)\nat unload {\n  free x\n}\n",
		    FINDING_DOUBLE_FREE, 6, 2, "phases: DEMAND runs before UNLOAD");
	expect_pred(&p, "at unload {\n read x[0]\n}\nx = kmalloc(8)\non demand {\n free x\n}\n",
		    FINDING_LATE_ACCESS, 2, 6, "phases: a late access in UNLOAD");
	plan_free(p);
}

static void clean(void)
{
	static const char *const srcs[] = {
		"a = kmalloc(8)\nfree a\n",
		"repeat 50 {\n a = kmalloc(100)\n write a[0..100] = 1\n free a\n}\n",
		"a = kmalloc(100)\nwrite a[0..100] = 1\na = krealloc(a, 300)\nread a[0..300]\nfree a\n",
		"c = kmem_cache_create(64)\no = kmem_cache_alloc(c)\nwrite o[0..64] = 1\nfree o\nfree c\n",
		"p = alloc_pages(GFP_KERNEL, 1)\nwrite p[0..8 KiB] = 1\n__free_pages(p, 1)\n",
		"x = kcalloc(4294967295, 8 GiB)\nfree x\n",
	};
	struct plan *p;
	unsigned int i;
	char name[64];

	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		p = compile(srcs[i]);
		snprintf(name, sizeof(name), "clean plan %u: %s", i,
			 i == 5 ? "only the failed alloc" : "no predictions");
		TAP_EQ_INT(p ? p->nr_preds : -1, i == 5 ? 1 : 0, name);
		plan_free(p);
	}
}

/*
 * Two defects of the IR's one flags field and of three free rules: a
 * cache created twice got SLAB_POISON from the hazard bit, and kfree()
 * of a kmem_cache object (valid: SLUB finds its cache) was predicted a
 * wrong free.
 */
static void contract(void)
{
	struct plan *p;
	int i, found = 0;

	p = compile("c = kmem_cache_create(64)\nc = kmem_cache_create(64)\n"
		    "x = kmem_cache_alloc(c)\nfree x\nkmem_cache_destroy(c)\n");
	for (i = 0; p && i < p->nr_ops; i++) {
		const struct kmlab_ir_op *op = &p->ops[i];

		if (op->code != KMLAB_OP_CACHE_CREATE || op->line != 2)
			continue;
		found = 1;
		TAP_OK(op->slab == 0 && (op->flags & KMLAB_OPF_HAZARD),
		       "a cache created over another: a hazard, and no slab flag the plan did not give");
	}
	TAP_OK(found, "the second kmem_cache_create is lowered");
	plan_free(p);
	p = compile("c = kmem_cache_create(64, SLAB_RED_ZONE)\n"
		    "c = kmem_cache_create(64, SLAB_RED_ZONE)\n");
	TAP_OK(p && p->nr_ops >= 2 && p->ops[1].slab == KMLAB_SLAB_RED_ZONE &&
	       p->ops[0].slab == KMLAB_SLAB_RED_ZONE,
	       "each kmem_cache_create keeps exactly its own slab flags");
	plan_free(p);
	p = compile("c = kmem_cache_create(96)\no = kmem_cache_alloc(c)\n"
		    "kfree(o)\nkmem_cache_destroy(c)\n");
	TAP_EQ_INT(p ? p->nr_preds : -1, 0,
		   "kfree() of a kmem_cache object: a valid free, nothing predicted");
	plan_free(p);
	p = compile("c = kmem_cache_create(96)\no = kmem_cache_alloc(c)\n"
		    "kvfree(o)\nkmem_cache_destroy(c)\n");
	TAP_EQ_INT(p ? p->nr_preds : -1, 0,
		   "kvfree() of a kmem_cache object: valid too (kvfree calls kfree)");
	plan_free(p);
	p = NULL;
	expect_pred(&p, "v = kvmalloc(64)\nvfree(v)\n", FINDING_WRONG_FREE, 2, 1,
		    "vfree() of kvmalloc memory: a wrong free (kvfree fits it)");
	plan_free(p);
}

int main(void)
{
	seed_lesson();
	contract();
	kinds();
	phases_and_repeats();
	clean();
	diag_free(&util_dl);
	return tap_done();
}
