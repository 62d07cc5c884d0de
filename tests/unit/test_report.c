// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The loader's view of a run, without a kernel: fake observer events go
 * into the timeline, and the report must name every defect, its site and
 * its plain sentence, and say "inconclusive" when events were lost.
 */
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "plan.h"
#include "kptr.h"
#include "report.h"
#include "timeline.h"

#define MS		1000000ULL
#define T0		(5000 * MS)
#define SITE_ALLOC	0xffffffffc0001010ULL
#define SITE_FREE	0xffffffffc0001020ULL
#define SITE_FREE2	0xffffffffc0001030ULL
#define PTR_A		0xffff888001000000ULL
#define PTR_B		0xffff888001000100ULL

/* a record of @type, @ms after T0, about @ptr */
static union kmlab_ev ev(__u32 type, __u64 ms, __u64 ptr)
{
	union kmlab_ev e;

	memset(&e, 0, sizeof(e));
	e.h.type = type;
	e.h.ts = T0 + ms * MS;
	switch (type) {
	case KMLAB_EV_ALLOC:
	case KMLAB_EV_ALLOC_FAIL:
		e.alloc.ptr = ptr;
		break;
	case KMLAB_EV_FREE:
		e.free.ptr = ptr;
		break;
	case KMLAB_EV_DOUBLE_FREE:
		e.double_free.ptr = ptr;
		break;
	case KMLAB_EV_FREE_UNKNOWN:
		e.free_unknown.ptr = ptr;
		break;
	case KMLAB_EV_STEP:
		e.step.step.ptr = ptr;
		break;
	case KMLAB_EV_SLUB:
		e.slub.addr = ptr;
		break;
	case KMLAB_EV_WATCH_HIT:
		e.watch_hit.obj = ptr;
		break;
	case KMLAB_EV_KFENCE:
		e.kfence.addr = ptr;
		break;
	}
	return e;
}

static union kmlab_ev step(__u64 ms, __u16 op, __u64 ptr,
			       const char *name, __u32 obj, __u32 line)
{
	union kmlab_ev e = ev(KMLAB_EV_STEP, ms, ptr);

	e.step.step.op = op;
	e.step.step.obj = obj;
	e.step.step.line = line;
	snprintf(e.step.step.name, sizeof(e.step.step.name), "%s", name);
	return e;
}

/* the observer's records of an allocation at SITE_ALLOC of @size bytes
 * (all of them the allocator's), and of its free at SITE_FREE */
static union kmlab_ev alloc_ev(__u64 ms, __u64 ptr, __u64 size, __u32 src)
{
	union kmlab_ev e = ev(KMLAB_EV_ALLOC, ms, ptr);

	e.alloc.call_site = SITE_ALLOC;
	e.alloc.size_req = size;
	e.alloc.size_alloc = size;
	e.alloc.src = src;
	return e;
}

static union kmlab_ev free_ev(__u64 ms, __u64 ptr, __u32 src)
{
	union kmlab_ev e = ev(KMLAB_EV_FREE, ms, ptr);

	e.free.call_site = SITE_FREE;
	e.free.src = src;
	e.free.alloc_src = src;
	return e;
}

/* TAP_STR_HAS for needles too long for its message */
#define HAS(hay, needle, name)	TAP_OK((hay) && strstr((hay), (needle)), (name))

static const char *fake_sym(void *ctx, __u64 addr, char *buf, size_t len)
{
	snprintf(buf, len, "dp_exec+0x%llx [kmlab_dp]",
		 (unsigned long long)(addr & 0xfff));
	return buf;
}

/* One plan's worth of events: buf is freed, read late, freed again;
 * leaky is never freed; big fails; a hazard on line 9 is refused. */
static void feed(struct timeline *tl)
{
	union kmlab_ev e;

	e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	snprintf(e.mod_load.name, sizeof(e.mod_load.name), "kmlab_dp");
	e.mod_load.text = 0xffffffffc0001000ULL;
	e.mod_load.text_size = 0x1000;
	timeline_add(tl, &e);

	e = ev(KMLAB_EV_ALLOC, 1, PTR_A);
	e.alloc.call_site = SITE_ALLOC;
	e.alloc.size_req = 100;
	e.alloc.size_alloc = 128;
	e.alloc.src = KMLAB_FAM_KMALLOC;
	timeline_add(tl, &e);
	e = step(1, KMLAB_OP_KMALLOC, PTR_A, "buf", 0, 3);
	timeline_add(tl, &e);
	e = step(2, KMLAB_OP_WRITE, PTR_A, "buf", 0, 4);
	e.step.step.len = 100;
	timeline_add(tl, &e);

	e = step(3, KMLAB_OP_KFREE, PTR_A, "buf", 0, 4);
	timeline_add(tl, &e);
	e = ev(KMLAB_EV_FREE, 3, PTR_A);
	e.free.call_site = SITE_FREE;
	e.free.alloc_site = SITE_ALLOC;
	e.free.src = KMLAB_FAM_KMALLOC;
	e.free.alloc_src = KMLAB_FAM_KMALLOC;
	e.free.stack.nr = 2;
	e.free.stack.ip[0] = SITE_FREE;
	e.free.stack.ip[1] = SITE_FREE + 0x100;
	timeline_add(tl, &e);

	e = step(4, KMLAB_OP_READ, PTR_A, "buf", 0, 6);
	e.step.step.len = 8;
	e.step.late = 1;
	e.step.freed_ts = T0 + 3 * MS;
	e.step.freed_site = SITE_FREE;
	memset(e.step.step.data, 0x6b, sizeof(e.step.step.data));
	timeline_add(tl, &e);

	/* the data plane emits a free's step before it frees */
	e = step(5, KMLAB_OP_KFREE, PTR_A, "buf", 0, 5);
	timeline_add(tl, &e);
	e = ev(KMLAB_EV_DOUBLE_FREE, 5, PTR_A);
	e.double_free.call_site = SITE_FREE2;
	e.double_free.first_site = SITE_FREE;
	e.double_free.first_ts = T0 + 3 * MS;
	e.double_free.stack.nr = 1;
	e.double_free.stack.ip[0] = SITE_FREE2;
	timeline_add(tl, &e);

	e = ev(KMLAB_EV_ALLOC, 6, PTR_B);
	e.alloc.call_site = SITE_ALLOC;
	e.alloc.size_req = 64;
	e.alloc.size_alloc = 64;
	e.alloc.src = KMLAB_FAM_KMALLOC;
	e.alloc.stack.nr = 2;
	e.alloc.stack.ip[0] = 0xffffffff81000000ULL;	/* __kmalloc */
	e.alloc.stack.ip[1] = SITE_ALLOC;
	timeline_add(tl, &e);
	e = step(6, KMLAB_OP_KMALLOC, PTR_B, "leaky", 1, 7);
	timeline_add(tl, &e);

	e = ev(KMLAB_EV_ALLOC_FAIL, 7, 0);
	e.alloc.call_site = SITE_ALLOC;
	e.alloc.size_req = 1ULL << 30;
	timeline_add(tl, &e);
	e = step(7, KMLAB_OP_KMALLOC, 0, "big", 2, 8);
	e.step.step.result = -12;
	e.step.step.reason = KMLAB_FAILED;
	timeline_add(tl, &e);

	e = step(8, KMLAB_OP_KFREE, PTR_B, "leaky", 1, 9);
	e.step.step.result = -1;
	e.step.step.reason = KMLAB_REFUSE_UNGUARDED;
	timeline_add(tl, &e);

	e = ev(KMLAB_EV_MOD_FREE, 20, 0);
	timeline_add(tl, &e);
}

static char *text_of(const struct timeline *tl, const struct report_ctx *rc,
		     bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		report_json_findings(f, tl, rc);
	else
		report_text(f, tl, rc);
	fclose(f);
	return buf;
}

static const struct tl_finding *find(const struct timeline *tl, int kind)
{
	int i;

	for (i = 0; i < tl->nr_finds; i++)
		if ((int)tl->finds[i].kind == kind)
			return &tl->finds[i];
	return NULL;
}

/* vmalloc'd memory given to kfree, a helper's allocation, pages */
static void test_families(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	const struct tl_finding *f;
	union kmlab_ev e;
	struct timeline tl;
	char *out;

	timeline_init(&tl, "kmlab_dp");
	e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	timeline_add(&tl, &e);
	e = ev(KMLAB_EV_ALLOC, 1, PTR_A);
	e.alloc.call_site = SITE_ALLOC;
	e.alloc.size_req = 1 << 20;
	e.alloc.size_alloc = 1 << 20;
	e.alloc.src = KMLAB_FAM_VMALLOC;
	timeline_add(&tl, &e);
	e = step(1, KMLAB_OP_VMALLOC, PTR_A, "v", 0, 3);
	timeline_add(&tl, &e);
	e = ev(KMLAB_EV_FREE, 2, PTR_A);
	e.free.call_site = SITE_FREE;
	e.free.alloc_site = SITE_ALLOC;
	e.free.src = KMLAB_FAM_KMALLOC;
	e.free.alloc_src = KMLAB_FAM_VMALLOC;
	e.free.wrong_cache = 1;
	timeline_add(&tl, &e);
	e = ev(KMLAB_EV_ALLOC, 3, PTR_B);
	e.alloc.call_site = SITE_ALLOC;
	e.alloc.via = 0xffffffff81001234ULL;
	e.alloc.size_req = 6;
	e.alloc.src = KMLAB_FAM_KMALLOC;
	timeline_add(&tl, &e);
	e = ev(KMLAB_EV_MOD_FREE, 4, 0);
	timeline_add(&tl, &e);

	f = find(&tl, FINDING_WRONG_FREE);
	TAP_OK(f && f->src == KMLAB_FAM_KMALLOC &&
	       f->src2 == KMLAB_FAM_VMALLOC && !strcmp(f->name, "v"),
	       "kfree of vmalloc memory: a wrong_free with both families");
	out = text_of(&tl, &rc, false);
	HAS(out, "allocated by vmalloc at dp_exec+0x10 [kmlab_dp]\n"
		    "     freed by kfree at dp_exec+0x20 [kmlab_dp]",
		    "text names the allocator and the wrong free");
	HAS(out, "by kmalloc at dp_exec+0x10 [kmlab_dp] through "
		    "dp_exec+0x234", "a helper's allocation names the helper");
	free(out);
	out = text_of(&tl, &rc, true);
	HAS(out, "\"allocated_with\":\"vmalloc\",\"freed_with\":"
		    "\"kfree\"", "json wrong_free names both");
	free(out);
	{
		/* a vmalloc leak predicted, not seen: observable only where
		 * the observer watches that family */
		struct kmlab_ir_obj objs[1] = { { .family = KMLAB_FAM_VMALLOC } };
		struct plan plan = { .objs = objs, .nr_objs = 1 };
		struct tl_finding fd = { .kind = FINDING_LEAK, .plan_obj = 0,
					 .predicted = true };

		rc.plan = &plan;
		rc.families = false;
		TAP_OK(!report_observable(&fd, &rc), "vmalloc leak not "
		       "observable without kprobes");
		rc.families = true;
		TAP_OK(report_observable(&fd, &rc), "... observable with them");
		objs[0].family = KMLAB_FAM_KMALLOC;
		rc.families = false;
		TAP_OK(report_observable(&fd, &rc), "a kmalloc leak always is");
		rc.plan = NULL;
	}
	TAP_OK(!strcmp(kmlab_family_name(KMLAB_FAM_PAGES_EXACT),
		       "alloc_pages_exact") &&
	       !strcmp(kmlab_free_name(KMLAB_FAM_RCU), "kfree_rcu") &&
	       !strcmp(kmlab_family_name(KMLAB_FAM_PERCPU), "percpu"),
	       "family and free names");
	timeline_free(&tl);
}

static union kmlab_ev slub(__u64 ms, __u64 at, __u64 len, __u16 what)
{
	union kmlab_ev e = ev(KMLAB_EV_SLUB, ms, at);

	e.slub.len = len;
	e.slub.what = what;
	e.slub.object_size = 128;	/* kmalloc-128 under slub_debug=FZPU */
	e.slub.inuse = 136;
	e.slub.red_left_pad = 64;
	memset(e.slub.data, 0x42, sizeof(e.slub.data));
	snprintf(e.slub.cache, sizeof(e.slub.cache), "kmalloc-128");
	return e;
}

/*
 * A plan's late write whose address the observer's freed map forgot
 * (another task was given the slot, and freed it, before the write):
 * the timeline saw the free, so the write is late, at its own line, and
 * SLUB's poison report of it is the same finding.
 */
static void test_late_forgotten(void)
{
	const struct tl_finding *f;
	union kmlab_ev e;
	struct timeline tl;

	timeline_init(&tl, "kmlab_dp");
	e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	timeline_add(&tl, &e);
	e = alloc_ev(1, PTR_A, 64, KMLAB_FAM_KMALLOC);
	timeline_add(&tl, &e);
	e = step(1, KMLAB_OP_KMALLOC, PTR_A, "gone", 0, 3);
	timeline_add(&tl, &e);
	e = step(2, KMLAB_OP_KFREE, PTR_A, "gone", 0, 4);
	timeline_add(&tl, &e);
	e = free_ev(2, PTR_A, KMLAB_FAM_KMALLOC);
	timeline_add(&tl, &e);
	e = step(3, KMLAB_OP_WRITE, PTR_A, "gone", 0, 5);
	e.step.step.off = 8;
	e.step.step.len = 8;
	e.step.step.flags = KMLAB_STEP_LATE;
	timeline_add(&tl, &e);
	e = slub(9, PTR_A + 8, 8, KMLAB_SLUB_POISON);
	timeline_add(&tl, &e);
	f = find(&tl, FINDING_LATE_ACCESS);
	TAP_OK(f && f->line == 5 && f->off == 8 && f->len == 8 &&
	       !f->is_read && f->site == SITE_FREE && f->age_ns == 1 * MS &&
	       f->seen_by == (TL_SEEN_PLAN | TL_SEEN_SLUB),
	       "a late write the freed map forgot: at its line, since the free SLUB saw too");
	TAP_OK(timeline_count(&tl, FINDING_LATE_ACCESS) == 1 &&
	       !tl.late_unconfirmed, "... one finding, none unconfirmed");
	timeline_free(&tl);
}

/*
 * A stale pointer's step: x freed, its slot handed to y, then a second
 * free and a write through x, both refused.  They are x's steps (the
 * plan named x), not y's, though y holds the address now.
 */
static void test_step_stale_pointer(void)
{
	const struct tl_finding *f;
	union kmlab_ev e;
	struct timeline tl;

	timeline_init(&tl, "kmlab_dp");
	e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	timeline_add(&tl, &e);
	e = alloc_ev(1, PTR_A, 64, KMLAB_FAM_CACHE);
	timeline_add(&tl, &e);
	e = step(1, KMLAB_OP_CACHE_ALLOC, PTR_A, "x", 1, 9);
	timeline_add(&tl, &e);
	e = step(2, KMLAB_OP_CACHE_FREE, PTR_A, "x", 1, 10);
	timeline_add(&tl, &e);
	e = free_ev(2, PTR_A, KMLAB_FAM_CACHE);
	timeline_add(&tl, &e);
	e = alloc_ev(3, PTR_A, 64, KMLAB_FAM_CACHE);
	timeline_add(&tl, &e);
	e = step(3, KMLAB_OP_CACHE_ALLOC, PTR_A, "y", 2, 11);
	timeline_add(&tl, &e);
	e = step(4, KMLAB_OP_CACHE_FREE, PTR_A, "x", 1, 12);
	e.step.step.result = -1;
	e.step.step.reason = KMLAB_REFUSE_REUSED;
	timeline_add(&tl, &e);
	e = step(5, KMLAB_OP_WRITE, PTR_A, "x", 1, 13);
	e.step.step.len = 8;
	e.step.step.result = -1;
	e.step.step.reason = KMLAB_REFUSE_REUSED;
	timeline_add(&tl, &e);
	TAP_OK(tl.nr_objs == 2 && tl.objs[0].nr_steps == 2 &&
	       tl.objs[1].nr_steps == 0,
	       "steps through a stale pointer go to its object, not the slot's new one");
	f = find(&tl, FINDING_REFUSED);
	TAP_OK(f && !strcmp(f->name, "x") && f->plan_obj == 1 && f->line == 12,
	       "... and the refusal names x, the object the plan named");
	TAP_OK(timeline_count(&tl, FINDING_REFUSED) == 2 &&
	       !find(&tl, FINDING_LATE_ACCESS) && !find(&tl, FINDING_DOUBLE_FREE),
	       "... two refusals, nothing run");
	timeline_free(&tl);
}

/*
 * An allocation at an address the observer's live map still held: the
 * object before was freed by a free no event showed (a bulk free, a
 * program the kernel skipped); it is shown freed by then, not as live.
 */
static void test_free_missed(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	union kmlab_ev e;
	struct timeline tl;
	char *out;

	timeline_init(&tl, "m");
	e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	timeline_add(&tl, &e);
	e = alloc_ev(1, PTR_A, 64, KMLAB_FAM_CACHE);
	timeline_add(&tl, &e);
	e.h.ts = T0 + 5 * MS;
	e.alloc.replaced_site = SITE_ALLOC;
	e.alloc.replaced_size = 64;
	timeline_add(&tl, &e);
	TAP_OK(tl.nr_objs == 2 && tl.objs[0].free_unseen &&
	       tl.objs[0].missed_ts == T0 + 5 * MS && !tl.objs[1].free_unseen &&
	       tl.frees_missed == 1,
	       "an allocation over an object still held: that one freed unseen, by then");
	out = text_of(&tl, &rc, false);
	HAS(out, "freed by then, by a free no kmem event showed", "text: the object freed by then");
	HAS(out, "note: 1 of the module's objects was freed by a free no kmem event showed",
	    "text: the note");
	free(out);
	out = text_of(&tl, &rc, true);
	HAS(out, "\"frees_missed\":1", "json summary: frees_missed");
	TAP_OK(out && !strstr(out, "free_unseen\""),
	       "json: no free_unseen line for it (its successor's alloc line says replaced_site)");
	free(out);
	/* the module gone, free records lost: the newer one left unseen */
	tl.unloaded = true;
	tl.lost[KMLAB_LOST_RING_FREE] = 1;
	TAP_EQ_INT(timeline_settle(&tl), 1, "settle: the one left, freed unseen");
	out = text_of(&tl, &rc, true);
	HAS(out, "{\"type\":\"event\",\"event\":\"free_unseen\"",
	    "json: a free_unseen event for it, for the pictures");
	TAP_OK(out && strstr(out, "\"event\":\"free_unseen\"") &&
	       !strstr(strstr(out, "\"event\":\"free_unseen\"") + 1,
		       "\"event\":\"free_unseen\""), "... one only");
	free(out);
	timeline_free(&tl);
}

/*
 * SLUB's reports joined to the module's objects by slot: poison in a
 * freed one is a late write, a red zone on either side an overflow; a
 * plan's own late write is not repeated; others' objects are counted.
 */
static void test_slub(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	const struct tl_finding *f;
	union kmlab_ev e;
	struct timeline tl;
	char *out;

	timeline_init(&tl, "m");
	e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	timeline_add(&tl, &e);
	e = ev(KMLAB_EV_ALLOC, 1, PTR_A);
	e.alloc.call_site = SITE_ALLOC;
	e.alloc.size_req = 100;
	e.alloc.size_alloc = 384;
	e.alloc.src = KMLAB_FAM_KMALLOC;
	timeline_add(&tl, &e);
	e.alloc.ptr = PTR_B + 0x200;
	timeline_add(&tl, &e);
	e = ev(KMLAB_EV_FREE, 2, PTR_A);
	e.free.call_site = SITE_FREE;
	e.free.src = KMLAB_FAM_KMALLOC;
	e.free.alloc_src = KMLAB_FAM_KMALLOC;
	timeline_add(&tl, &e);

	e = slub(10, PTR_A + 16, 8, KMLAB_SLUB_POISON);
	timeline_add(&tl, &e);
	f = find(&tl, FINDING_LATE_ACCESS);
	TAP_OK(f && f->off == 16 && f->len == 8 && !f->is_read &&
	       f->seen_by == TL_SEEN_SLUB && f->site == SITE_FREE &&
	       f->age_ns == 8 * MS && f->data[0] == 0x42,
	       "poison in a freed object: a late write at its offset, since its free");
	e = slub(11, PTR_B + 0x200 + 128, 8, KMLAB_SLUB_REDZONE);
	timeline_add(&tl, &e);
	f = find(&tl, FINDING_OVERFLOW);
	TAP_OK(f && f->off == 128 && f->size == 100 &&
	       f->site == SITE_ALLOC, "right red zone of a live object: an overflow");
	e = slub(12, PTR_B + 0x200 - 8, 8, KMLAB_SLUB_REDZONE);
	timeline_add(&tl, &e);
	TAP_EQ_INT(timeline_count(&tl, FINDING_OVERFLOW), 2,
		   "left red zone: an overflow before the object too");
	TAP_OK((long long)tl.finds[tl.nr_finds - 1].off == -8,
	       "... at offset -8");
	e = slub(13, PTR_A + 16, 8, KMLAB_SLUB_POISON);
	timeline_add(&tl, &e);
	TAP_EQ_INT(timeline_count(&tl, FINDING_LATE_ACCESS), 1,
		   "the same late write reported again: one finding");
	e = slub(14, PTR_A + 0x1000, 8, KMLAB_SLUB_POISON);
	timeline_add(&tl, &e);
	e = slub(14, PTR_B + 0x200 + 16, 8, KMLAB_SLUB_POISON);
	timeline_add(&tl, &e);
	TAP_OK(tl.slub_reports == 6 && tl.slub_foreign == 2 &&
	       timeline_count(&tl, FINDING_MAX) == 3,
	       "others' objects and poison in a live one: counted, no finding");
	snprintf(tl.slub_checked, sizeof(tl.slub_checked), "kmalloc-128");
	out = text_of(&tl, &rc, false);
	HAS(out, "write [16, 24) found by SLUB's poison check 8.000 ms after its free at dp_exec+0x20 [kmlab_dp]",
	    "text: the late write, found by SLUB");
	HAS(out, "write [-8, 0) of a 100-byte object, found by SLUB's red zone check",
	    "text: the overflow before the object");
	HAS(out, "note: SLUB checked the poison and red zones of kmalloc-128 at the end (it also found",
	    "text: what SLUB checked, and that it found others' corruption");
	free(out);
	out = text_of(&tl, &rc, true);
	HAS(out, "\"access\":\"write\",\"off\":-8,\"len\":8", "json: a negative offset");
	HAS(out, "\"seen_by\":[\"slub\"]", "json: seen by SLUB");
	HAS(out, "\"slub_reports\":6,\"slub_foreign\":2,\"slub_checked\":\"kmalloc-128\"",
	    "json summary: SLUB's reports and the caches checked");
	free(out);
	timeline_free(&tl);
}

/* A watchpoint's hit: the access as it happened, with all three stacks;
 * the same bytes hit again are one finding, and SLUB's later report of
 * them makes it a write. */
static void test_watch_hit(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	const struct tl_finding *f;
	union kmlab_ev e;
	struct timeline tl;
	char *out;

	timeline_init(&tl, "m");
	e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	timeline_add(&tl, &e);
	e = ev(KMLAB_EV_ALLOC, 1, PTR_A);
	e.alloc.call_site = SITE_ALLOC;
	e.alloc.size_req = 128;
	e.alloc.src = KMLAB_FAM_KMALLOC;
	e.alloc.stack.nr = 1;
	e.alloc.stack.ip[0] = SITE_ALLOC;
	timeline_add(&tl, &e);
	e = ev(KMLAB_EV_FREE, 2, PTR_A);
	e.free.call_site = SITE_FREE;
	e.free.src = KMLAB_FAM_KMALLOC;
	e.free.alloc_src = KMLAB_FAM_KMALLOC;
	e.free.stack.nr = 1;
	e.free.stack.ip[0] = SITE_FREE;
	timeline_add(&tl, &e);
	TAP_EQ_INT((int)tl.slab_frees, 1, "a slab free is counted");

	e = ev(KMLAB_EV_WATCH_HIT, 22, PTR_A);
	e.watch_hit.off = 16;
	e.watch_hit.len = 8;
	e.watch_hit.call_site = SITE_FREE2;
	e.watch_hit.freed_ts = T0 + 2 * MS;
	e.watch_hit.freed_site = SITE_FREE;
	memset(e.watch_hit.data, 0x6b, sizeof(e.watch_hit.data));
	e.watch_hit.stack.nr = 1;
	e.watch_hit.stack.ip[0] = SITE_FREE2;
	timeline_add(&tl, &e);
	timeline_add(&tl, &e);
	f = find(&tl, FINDING_LATE_ACCESS);
	TAP_OK(f && f->off == 16 && f->len == 8 && f->is_read &&
	       !f->rw_unknown && f->site == SITE_FREE2 &&
	       f->site2 == SITE_FREE && f->age_ns == 20 * MS &&
	       f->seen_by == TL_SEEN_WATCH,
	       "a hit on intact poison: a late read, its instruction, 20 ms after the free");
	TAP_OK(tl.watch_hits == 2 &&
	       timeline_count(&tl, FINDING_LATE_ACCESS) == 1,
	       "the same bytes hit twice: one finding");
	tl.watch_slots = 4;
	tl.watch_frees = 1;
	out = text_of(&tl, &rc, false);
	HAS(out, "read [16, 24) 20.000 ms after its free at dp_exec+0x20 [kmlab_dp], by dp_exec+0x30 [kmlab_dp] (a hardware watchpoint saw it)",
	    "text: the read, the free, the reading instruction");
	HAS(out, "accessed here:", "text: the access's stack");
	HAS(out, "note: 4 hardware watchpoints per CPU covered the first 32 bytes of the module's last free each time: 1 of its 1 slab frees",
	    "text: what the watchpoints covered");
	free(out);
	out = text_of(&tl, &rc, true);
	HAS(out, "\"access\":\"read\",\"off\":16,\"len\":8", "json: a read at 16");
	HAS(out, "\"free_site\":\"dp_exec+0x20 [kmlab_dp]\"", "json: the free's site");
	HAS(out, "\"free_stack\":[", "json: the free's stack");
	HAS(out, "\"alloc_stack\":[", "json: the allocation's stack");
	free(out);

	/* a write the watchpoint cannot tell from a read, then SLUB */
	e.watch_hit.off = 0;
	memset(e.watch_hit.data, 0, sizeof(e.watch_hit.data));
	timeline_add(&tl, &e);
	f = &tl.finds[tl.nr_finds - 1];
	TAP_OK(f->rw_unknown && f->off == 0, "changed bytes: read or write");
	e = slub(30, PTR_A, 8, KMLAB_SLUB_POISON);
	timeline_add(&tl, &e);
	f = &tl.finds[tl.nr_finds - 1];
	TAP_OK(timeline_count(&tl, FINDING_LATE_ACCESS) == 2 &&
	       !f->rw_unknown && !f->is_read &&
	       f->seen_by == (TL_SEEN_WATCH | TL_SEEN_SLUB),
	       "SLUB's poison report of the same bytes: one finding, a write, seen by both");
	out = text_of(&tl, &rc, true);
	HAS(out, "\"seen_by\":[\"slub\",\"watchpoint\"]", "json: seen by both");
	free(out);
	timeline_free(&tl);
}

/* the module's kmalloc(@size) at @ptr, @ms after T0, from SITE_ALLOC */
static void kmalloc_at(struct timeline *tl, __u64 ms, __u64 ptr, __u64 size)
{
	union kmlab_ev e = ev(KMLAB_EV_ALLOC, ms, ptr);

	e.alloc.call_site = SITE_ALLOC;
	e.alloc.size_req = size;
	e.alloc.size_alloc = size;
	e.alloc.src = KMLAB_FAM_KMALLOC;
	timeline_add(tl, &e);
}

/* ... and its kfree, from SITE_FREE */
static void kfree_at(struct timeline *tl, __u64 ms, __u64 ptr)
{
	union kmlab_ev e = ev(KMLAB_EV_FREE, ms, ptr);

	e.free.call_site = SITE_FREE;
	e.free.src = KMLAB_FAM_KMALLOC;
	e.free.alloc_src = KMLAB_FAM_KMALLOC;
	timeline_add(tl, &e);
}

/* KFENCE: a late write as it happened, then a canary changed at free */
static void test_kfence(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	const struct tl_finding *f;
	union kmlab_ev e;
	struct timeline tl;
	char *out;
	int i;

	timeline_init(&tl, "m");
	e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	timeline_add(&tl, &e);
	kmalloc_at(&tl, 1, PTR_A, 128);
	kfree_at(&tl, 2, PTR_A);

	e = ev(KMLAB_EV_KFENCE, 12, PTR_A + 16);
	e.kfence.obj = PTR_A;
	e.kfence.obj_size = 128;
	e.kfence.what = KMLAB_KFENCE_UAF;
	e.kfence.flags = KMLAB_KFENCE_WRITE;
	e.kfence.ip = SITE_FREE2;
	e.kfence.stack.nr = 1;
	e.kfence.stack.ip[0] = SITE_FREE2;
	timeline_add(&tl, &e);
	f = find(&tl, FINDING_LATE_ACCESS);
	TAP_OK(f && f->off == 16 && f->len == 1 && !f->is_read &&
	       f->accessed && f->site == SITE_FREE2 &&
	       f->site2 == SITE_FREE && f->age_ns == 10 * MS &&
	       f->seen_by == TL_SEEN_KFENCE,
	       "KFENCE's use-after-free write: a late write at 16, its instruction, the free");
	/* the watchpoint saw the same access: one finding, KFENCE's r/w */
	e = ev(KMLAB_EV_WATCH_HIT, 12, PTR_A);
	e.watch_hit.off = 16;
	e.watch_hit.len = 8;
	e.watch_hit.call_site = SITE_FREE2;
	e.watch_hit.freed_ts = T0 + 2 * MS;
	e.watch_hit.freed_site = SITE_FREE;
	timeline_add(&tl, &e);
	f = find(&tl, FINDING_LATE_ACCESS);
	TAP_OK(timeline_count(&tl, FINDING_LATE_ACCESS) == 1 && f &&
	       f->seen_by == (TL_SEEN_WATCH | TL_SEEN_KFENCE) && !f->is_read,
	       "a watchpoint hit on the same bytes joins it");
	tl.kfence_interval = 100;
	out = text_of(&tl, &rc, false);
	HAS(out, "write [16, 17) 10.000 ms after its free at dp_exec+0x20 [kmlab_dp], by dp_exec+0x30 [kmlab_dp] (a hardware watchpoint and KFENCE, on a sampled object, saw it)",
	    "text: the write, the free, the instruction, both mechanisms");
	HAS(out, "note: KFENCE sampled one allocation every 100 ms and reported 1 time;",
	    "text: KFENCE samples");
	free(out);

	/* a canary beside a live 100-byte object, found at its free */
	kmalloc_at(&tl, 20, PTR_B, 100);
	e = ev(KMLAB_EV_KFENCE, 30, PTR_B + 100);
	e.kfence.obj = PTR_B;
	e.kfence.obj_size = 100;
	e.kfence.what = KMLAB_KFENCE_CORRUPT;
	e.kfence.flags = KMLAB_KFENCE_DATA;
	for (i = 0; i < KMLAB_EV_DATA_LEN; i++)
		e.kfence.data[i] = i < 12 ? 0x41 : KMLAB_KFENCE_CANARY(e.kfence.addr + i);
	timeline_add(&tl, &e);
	/* ... reported again from the guard page: still one finding */
	e.kfence.what = KMLAB_KFENCE_OOB;
	e.kfence.addr = PTR_B + 104;
	timeline_add(&tl, &e);
	f = find(&tl, FINDING_OVERFLOW);
	TAP_OK(f && f->off == 100 && f->len == 12 && !f->is_read &&
	       !f->accessed && f->site == SITE_ALLOC &&
	       timeline_count(&tl, FINDING_OVERFLOW) == 1,
	       "KFENCE's canary: an overflow write [100, 112), one finding for two reports");
	/* someone else's object */
	e.kfence.obj = PTR_B + 0x1000;
	timeline_add(&tl, &e);
	TAP_OK(tl.kfence_reports == 4 && tl.kfence_foreign == 1,
	       "a report about another object is counted as foreign");
	out = text_of(&tl, &rc, true);
	HAS(out, "\"seen_by\":[\"watchpoint\",\"kfence\"]", "json: seen by both");
	HAS(out, "\"kfence_interval_ms\":100,\"kfence_reports\":4,\"kfence_foreign\":1",
	    "json: the summary's KFENCE counts");
	free(out);
	/* turned on after kmlab started: its program was not loaded */
	tl.kfence_unheard = true;
	out = text_of(&tl, &rc, false);
	HAS(out, "note: KFENCE began sampling (every 100 ms) after kmlab started",
	    "KFENCE turned on during the run: said, not counted as watched");
	TAP_OK(out && !strstr(out, "KFENCE sampled one allocation"),
	       "... and not claimed as sampled");
	free(out);
	out = text_of(&tl, &rc, true);
	HAS(out, "\"kfence_unheard\":true", "json: kfence_unheard");
	free(out);
	timeline_free(&tl);
}

/* count the occurrences of @needle in @hay */
static int occurrences(const char *hay, const char *needle)
{
	int n = 0;

	while (hay && (hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* a repeat: 1000 objects that lived the same life print as one block */
static void test_fold(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	union kmlab_ev e;
	struct timeline tl;
	char *out;
	int i;

	timeline_init(&tl, "m");
	e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	timeline_add(&tl, &e);
	for (i = 0; i < 1000; i++) {
		__u64 ptr = PTR_A + 64 * (i % 7);

		kmalloc_at(&tl, 1 + 2 * i, ptr, 64);
		kfree_at(&tl, 2 + 2 * i, ptr);
	}
	/* one that differs: its size */
	kmalloc_at(&tl, 3000, PTR_B, 100);
	kfree_at(&tl, 3001, PTR_B);
	out = text_of(&tl, &rc, false);
	TAP_EQ_INT(occurrences(out, "allocated 64 bytes"), 1,
		   "fold: 1000 same lifecycles print one block");
	HAS(out, "    ... x1000: 999 more lived the same way, the last allocated at +1999.000 ms at 0xffff888001000140",
	    "fold: the count and the last of them");
	TAP_EQ_INT(occurrences(out, "allocated 100 bytes"), 1,
		   "fold: a different life prints on its own");
	free(out);
	timeline_free(&tl);
}

/* a long busy run: lifecycles of three sizes over a few dozen reused
 * addresses, a double free now and then, some objects kept to the end */
static void feed_busy(struct timeline *tl, int n)
{
	union kmlab_ev e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	int i;

	timeline_add(tl, &e);
	for (i = 0; i < n; i++) {
		__u64 ptr = PTR_A + 128 * (i % 37), ms = 1 + 3 * (__u64)i;

		if (i % 25000 == 7) {	/* kept: a leak at the end */
			kmalloc_at(tl, ms, PTR_A + 0x100000 + 64 * (i / 25000), 32);
			continue;
		}
		kmalloc_at(tl, ms, ptr, 32 * (1 + i % 3));
		kfree_at(tl, ms + 1, ptr);
		if (i % 1000 == 999) {
			e = ev(KMLAB_EV_DOUBLE_FREE, ms + 2, ptr);
			e.double_free.call_site = SITE_FREE2;
			e.double_free.first_site = SITE_FREE;
			timeline_add(tl, &e);
		}
	}
	e = ev(KMLAB_EV_MOD_FREE, 3 * (__u64)n + 5, 0);
	timeline_add(tl, &e);
}

/* Folding as the run goes keeps memory to what is alive, and changes
 * nothing a user reads: the same text and JSON as keeping every object. */
static void test_fold_streaming(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	struct kmlab_live v = { .size_req = 32, .size_alloc = 32 };
	struct timeline a, b;
	char *ta, *tb, *ja, *jb;
	int i, n = 200000;

	timeline_init(&a, "m");
	timeline_init(&b, "m");
	b.fold_at = 0x7fffffff;	/* never folds */
	feed_busy(&a, n);
	feed_busy(&b, n);
	for (i = 7; i < n; i += 25000) {
		v.ts = T0 + (1 + 3 * (__u64)i) * MS;
		timeline_leak(&a, PTR_A + 0x100000 + 64 * (i / 25000), &v);
		timeline_leak(&b, PTR_A + 0x100000 + 64 * (i / 25000), &v);
	}
	TAP_EQ_INT(b.nr_objs, n, "streaming: unfolded, every object kept");
	TAP_OK(a.nr_objs < 12000 && a.folded > 180000,
	       "streaming: folded, about the newest 8k+2k objects kept");
	ta = text_of(&a, &rc, false);
	tb = text_of(&b, &rc, false);
	TAP_OK(ta && tb && !strcmp(ta, tb),
	       "streaming: the text report is the same");
	HAS(ta, "more lived the same way", "streaming: the report folds");
	TAP_EQ_INT(occurrences(ta, "double_free:"), n / 1000,
		   "streaming: every double free reported");
	TAP_EQ_INT(occurrences(ta, "leak:"), (n + 24999) / 25000,
		   "streaming: every leak reported");
	ja = text_of(&a, &rc, true);
	jb = text_of(&b, &rc, true);
	TAP_OK(ja && jb && !strcmp(ja, jb),
	       "streaming: the JSON findings are the same");
	free(ta);
	free(tb);
	free(ja);
	free(jb);
	timeline_free(&a);
	timeline_free(&b);
}

/* the observer as the oracle: every address handed out again to someone
 * else, the ring read to its end every 100 objects (or never) */
static __u64 fake_drains;

static bool fake_gone(void *ctx, __u64 ptr)
{
	return true;
}

static __u64 fake_drain_count(void *ctx)
{
	return fake_drains;
}

static void feed_distinct(struct timeline *tl, int n, bool polls)
{
	int i;

	for (i = 0; i < n; i++) {
		kmalloc_at(tl, 1 + 2 * (__u64)i, PTR_A + 64 * (__u64)i, 64);
		kfree_at(tl, 2 + 2 * (__u64)i, PTR_A + 64 * (__u64)i);
		if (polls && i % 100 == 99)
			fake_drains++;
	}
}

/* Objects whose addresses only others got again: let go of once the
 * observer says so and two reads of the ring have passed since. */
static void test_fold_oracle(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	struct tl_oracle or = {
		.freed_gone = fake_gone, .drains = fake_drain_count,
	};
	struct timeline a, b, c;
	char *ta, *tb;
	int n = 100000;

	timeline_init(&a, "m");
	timeline_init(&b, "m");
	timeline_init(&c, "m");
	a.oracle = or;
	c.oracle = or;
	feed_distinct(&a, n, true);
	feed_distinct(&b, n, false);
	feed_distinct(&c, n, false);
	TAP_EQ_INT(b.nr_objs, n, "oracle: without it, no address reused, every object kept");
	TAP_OK(a.nr_objs < 12000, "oracle: with it, about the newest 8k+2k objects kept");
	TAP_EQ_INT(c.nr_objs, n, "oracle: not before the ring is read to its end twice");
	ta = text_of(&a, &rc, false);
	tb = text_of(&b, &rc, false);
	TAP_OK(ta && tb && !strcmp(ta, tb), "oracle: the text report is the same");
	free(ta);
	free(tb);
	timeline_free(&a);
	timeline_free(&b);
	timeline_free(&c);
}

/* a leak names its address and the task that allocated it */
static void test_leak_task(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	struct kmlab_live live = { .ts = T0 + MS, .call_site = SITE_ALLOC,
				   .size_req = 64, .size_alloc = 64,
				   .pid = 93 };
	union kmlab_ev e;
	struct timeline tl;
	char *out;

	timeline_init(&tl, "m");
	e = ev(KMLAB_EV_ALLOC, 1, PTR_A);
	e.alloc.call_site = SITE_ALLOC;
	e.alloc.size_req = 64;
	e.alloc.src = KMLAB_FAM_KMALLOC;
	e.h.pid = 93;
	snprintf(e.h.comm, sizeof(e.h.comm), "insmod");
	timeline_add(&tl, &e);
	timeline_leak(&tl, PTR_A, &live);
	/* allocated before kmlab started: the live map has the pid only */
	live.pid = 7;
	timeline_leak(&tl, PTR_B, &live);
	out = text_of(&tl, &rc, false);
	HAS(out, "allocated at dp_exec+0x10 [kmlab_dp] by insmod (pid 93), ",
	    "leak: the task that allocated it");
	HAS(out, "ms old at unload, at 0xffff888001000000\n",
	    "leak: its address");
	HAS(out, " by pid 7, ", "leak seen only in the live map: its pid");
	free(out);
	out = text_of(&tl, &rc, true);
	HAS(out, "\"pid\":93,\"comm\":\"insmod\"", "json: pid and comm");
	free(out);
	timeline_free(&tl);
}

/* SLUB refusing a free: a double free it saw too, a corrupted object kept */
static void test_slub_kept(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	const struct tl_finding *f;
	union kmlab_ev e;
	struct timeline tl;
	char *out;

	timeline_init(&tl, "m");
	kmalloc_at(&tl, 1, PTR_A, 64);
	kfree_at(&tl, 2, PTR_A);
	e = ev(KMLAB_EV_DOUBLE_FREE, 3, PTR_A);
	e.double_free.call_site = SITE_FREE2;
	e.double_free.first_site = SITE_FREE;
	timeline_add(&tl, &e);
	e = slub(3, PTR_A, 0, KMLAB_SLUB_KEPT);
	timeline_add(&tl, &e);
	f = find(&tl, FINDING_DOUBLE_FREE);
	TAP_OK(f && f->seen_by == TL_SEEN_SLUB,
	       "a double free SLUB refused: seen by SLUB too");
	kmalloc_at(&tl, 4, PTR_B, 64);
	kfree_at(&tl, 5, PTR_B);
	e = slub(5, PTR_B, 0, KMLAB_SLUB_KEPT);
	timeline_add(&tl, &e);
	TAP_OK(tl.slub_reports == 0 && timeline_count(&tl, FINDING_MAX) == 1,
	       "a refused free is the end of a report, not one more");
	out = text_of(&tl, &rc, false);
	HAS(out, "; SLUB found it corrupted and refused the free: it stays allocated",
	    "text: a free SLUB refused");
	free(out);
	timeline_free(&tl);
}

/* a SLUB refusal: @ret the return address into the freeing caller */
static union kmlab_ev kept_by(__u64 ms, __u64 at, __u64 ret)
{
	union kmlab_ev e = slub(ms, at, 0, KMLAB_SLUB_KEPT);

	e.slub.stack.nr = 3;
	e.slub.stack.ip[0] = 0xffffffff81000010ULL;	/* slab_fix */
	e.slub.stack.ip[1] = 0xffffffff81000200ULL;	/* kfree */
	e.slub.stack.ip[2] = ret;
	return e;
}

/* a kfree of @ptr the observer saw, from @site (its stack starts in
 * BPF's own frames, as a tracepoint's does) */
static void kfree_from(struct timeline *tl, __u64 ms, __u64 ptr, __u64 site)
{
	union kmlab_ev e = ev(KMLAB_EV_FREE, ms, ptr);

	e.free.call_site = site;
	e.free.src = e.free.alloc_src = KMLAB_FAM_KMALLOC;
	e.free.stack.nr = 3;
	e.free.stack.ip[0] = 0xffffffff81300000ULL;
	e.free.stack.ip[1] = 0xffffffff81000200ULL;
	e.free.stack.ip[2] = site;
	timeline_add(tl, &e);
}

/*
 * A second free the observer could not see: the address was handed out
 * and freed again in between, so its free record was gone.  SLUB's
 * refusal, from a stack the seen free is not on, is that double free;
 * the module's only when the module is on the stack.
 */
static void test_slub_unseen(void)
{
	const __u64 text = 0xffffffffc0001000ULL;
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	struct timeline tl = { 0 };
	const struct tl_finding *f;
	union kmlab_ev e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	char *out;

	timeline_init(&tl, "m");
	/* module m, its text a page at @text */
	snprintf(e.mod_load.name, sizeof(e.mod_load.name), "m");
	e.mod_load.text = text;
	e.mod_load.text_size = 0x1000;
	timeline_add(&tl, &e);
	/* freed at init (return text + 0x100), refused at exit (+ 0x300) */
	kmalloc_at(&tl, 1, PTR_A, 64);
	kfree_from(&tl, 2, PTR_A, text + 0x100);
	e = kept_by(9, PTR_A, text + 0x300);
	timeline_add(&tl, &e);
	f = find(&tl, FINDING_DOUBLE_FREE);
	TAP_OK(f && f->seen_by == TL_SEEN_SLUB && f->site == text + 0x300 &&
	       f->site2 == text + 0x100 && f->age_ns == 7 * MS &&
	       f->stack.nr == 3 && !tl.objs[f->object].slub_kept,
	       "a refused free from elsewhere in the module: a double free SLUB alone saw, its site and the first free's");
	out = text_of(&tl, &rc, false);
	HAS(out, "freed again at dp_exec+0x300 [kmlab_dp], 7.000 ms later",
	    "text: the double free SLUB saw");
	TAP_OK(out && !strstr(out, "SLUB found it corrupted"),
	       "text: the first free is not called refused");
	free(out);

	/* the seen free's own refusal (a corrupted object): no new finding */
	kmalloc_at(&tl, 10, PTR_B, 64);
	kfree_from(&tl, 11, PTR_B, text + 0x180);
	e = kept_by(11, PTR_B, text + 0x180);
	timeline_add(&tl, &e);
	TAP_OK(timeline_count(&tl, FINDING_DOUBLE_FREE) == 1 &&
	       tl.objs[tl.nr_objs - 1].slub_kept,
	       "the refusal of the free seen: that free kept, no double free");
	/* nobody of the module's on the stack: someone else's */
	e = kept_by(12, PTR_B, 0xffffffff81234567ULL);
	timeline_add(&tl, &e);
	TAP_OK(timeline_count(&tl, FINDING_DOUBLE_FREE) == 1 &&
	       tl.slub_foreign == 1,
	       "a refusal with no module frame: counted as someone else's");
	/* a plan's free step, then SLUB's refusal: that free, at its line */
	e = step(13, KMLAB_OP_KFREE, PTR_B, "b", 1, 8);
	timeline_add(&tl, &e);
	e = kept_by(13, PTR_B, text + 0x180);
	timeline_add(&tl, &e);
	f = &tl.finds[tl.nr_finds - 1];
	TAP_OK(timeline_count(&tl, FINDING_DOUBLE_FREE) == 2 &&
	       f->kind == FINDING_DOUBLE_FREE && f->line == 8,
	       "after a plan's free step, a refusal is that free's: a double free at the step's line");
	timeline_free(&tl);
}

/*
 * A plan's second frees: each a double free by the plan's own record,
 * which SLUB's refusal joins.  When a refusal never comes (a program run
 * the kernel skipped), that free is still a finding, and the next
 * refusal joins the next free, not the one it lacks.
 */
static void test_plan_double_free(void)
{
	const __u64 text = 0xffffffffc0001000ULL;
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	struct timeline tl = { 0 };
	const struct tl_finding *f;
	union kmlab_ev e = ev(KMLAB_EV_MOD_LOAD, 0, 0);
	char *out;

	timeline_init(&tl, "m");
	snprintf(e.mod_load.name, sizeof(e.mod_load.name), "m");
	e.mod_load.text = text;
	e.mod_load.text_size = 0x1000;
	timeline_add(&tl, &e);
	kmalloc_at(&tl, 1, PTR_A, 1024);
	e = step(1, KMLAB_OP_KMALLOC, PTR_A, "x", 0, 5);
	timeline_add(&tl, &e);
	e = step(2, KMLAB_OP_KFREE, PTR_A, "x", 0, 6);
	timeline_add(&tl, &e);
	kfree_from(&tl, 2, PTR_A, text + 0x100);
	/* line 8, three times: SLUB's refusal of the second is lost */
	e = step(3, KMLAB_OP_KFREE, PTR_A, "x", 0, 8);
	timeline_add(&tl, &e);
	e = kept_by(3, PTR_A, text + 0x300);
	timeline_add(&tl, &e);
	e = step(4, KMLAB_OP_KFREE, PTR_A, "x", 0, 8);
	timeline_add(&tl, &e);
	e = step(5, KMLAB_OP_KFREE, PTR_A, "x", 0, 8);
	timeline_add(&tl, &e);
	e = kept_by(5, PTR_A, text + 0x300);
	timeline_add(&tl, &e);
	TAP_OK(timeline_count(&tl, FINDING_DOUBLE_FREE) == 3 &&
	       tl.nr_finds == 3, "three second frees run: three double frees, whatever SLUB's records");
	f = &tl.finds[0];
	TAP_OK(f->line == 8 && f->seen_by == (TL_SEEN_PLAN | TL_SEEN_SLUB) &&
	       f->site == text + 0x300 && f->site2 == text + 0x100 &&
	       f->age_ns == 1 * MS, "the first: at line 8, SLUB's refusal joined, both sites");
	f = &tl.finds[1];
	TAP_OK(f->line == 8 && f->seen_by == TL_SEEN_PLAN && !f->site &&
	       f->site2 == text + 0x100 && f->age_ns == 2 * MS,
	       "the second, its refusal lost: the plan's record alone, the first free's site");
	f = &tl.finds[2];
	TAP_OK(f->seen_by == (TL_SEEN_PLAN | TL_SEEN_SLUB) &&
	       f->site == text + 0x300 && f->ts == T0 + 5 * MS,
	       "the third: its own refusal, not the second's");
	out = text_of(&tl, &rc, false);
	HAS(out, "freed again by the data plane (line 8), 2.000 ms later; no kernel record of this free reached kmlab",
	    "text: the free only the plan recorded says so");
	free(out);
	timeline_free(&tl);
}

/* a leak's first bytes: kmemleak's hex dump, text and JSON; hidden
 * kernel addresses in it with --hide-pointers (last: it stays on) */
static void test_leak_dump(void)
{
	struct report_ctx rc = { .title = "module m", .sym = fake_sym };
	struct kmlab_live live = { .ts = T0 + MS, .call_site = SITE_ALLOC,
				   .size_req = 40, .size_alloc = 64 };
	static const __u8 bytes[32] = {
		'k', 'm', 'l', 'a', 'b', 0, 0, 0,
		0x60, 0x00, 0x00, 0x01, 0x80, 0x88, 0xff, 0xff,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	struct tl_finding *f;
	struct timeline tl;
	char *out;

	timeline_init(&tl, "m");
	timeline_leak(&tl, PTR_A, &live);
	f = (struct tl_finding *)find(&tl, FINDING_LEAK);
	if (f) {
		memcpy(f->dump, bytes, sizeof(bytes));
		f->dump_len = sizeof(bytes);
	}
	out = text_of(&tl, &rc, false);
	HAS(out, "     hex dump (first 32 bytes):\n"
	    "       6b 6d 6c 61 62 00 00 00 60 00 00 01 80 88 ff ff  kmlab...`.......\n"
	    "       01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10  ................\n",
	    "text: kmemleak's hex dump, 16 bytes a row");
	free(out);
	out = text_of(&tl, &rc, true);
	HAS(out, "\"bytes\":\"6b6d6c616200000060000001808" "8ffff0102030405060708090a0b0c0d0e0f10\"",
	    "json: the leak's bytes");
	free(out);
	kptr_hide(7);
	out = text_of(&tl, &rc, false);
	HAS(out, "(first 32 bytes, kernel addresses hidden):\n"
	    "       6b 6d 6c 61 62 00 00 00 -- -- -- -- -- -- -- --  kmlab...--------\n",
	    "hidden: the word holding a kernel address");
	free(out);
	out = text_of(&tl, &rc, true);
	HAS(out, "\"bytes\":\"6b6d6c6162000000----------------0102",
	    "hidden: in JSON too");
	free(out);
	timeline_free(&tl);
}

int main(void)
{
	struct kmlab_live leaky = {
		.ts = T0 + 6 * MS, .call_site = SITE_ALLOC,
		.size_req = 64, .size_alloc = 64,
	};
	struct kmlab_ir_obj objs[3] = {
		{ .name = "buf" }, { .name = "leaky" }, { .name = "gone" },
	};
	struct prediction preds[3] = {
		{ .kind = FINDING_LEAK, .obj = 1, .line = 7,
		  .msg = "leaky is never freed" },
		{ .kind = FINDING_LATE_ACCESS, .obj = 0, .line = 6 },
		{ .kind = FINDING_DOUBLE_FREE, .obj = 1, .line = 9,
		  .msg = "leaky is freed twice" },
	};
	struct plan plan = {
		.path = "t.kml", .objs = objs, .nr_objs = 3,
		.preds = preds, .nr_preds = 3,
	};
	struct report_ctx rc = {
		.title = "plan t.kml", .kernel = "6.1.0-test",
		.plan = &plan, .sym = fake_sym,
	};
	const struct tl_finding *f;
	struct timeline tl;
	char *out;

	timeline_init(&tl, "kmlab_dp");
	feed(&tl);
	TAP_EQ_INT(tl.nr_objs, 2, "two objects seen");
	TAP_OK(!strcmp(tl.objs[0].name, "buf") &&
	       !strcmp(tl.objs[1].name, "leaky"), "steps name the objects");
	TAP_EQ_INT(timeline_leak(&tl, PTR_B, &leaky), 0, "leak recorded");

	f = find(&tl, FINDING_LEAK);
	TAP_OK(f && !strcmp(f->name, "leaky") && f->size == 64 &&
	       f->age_ns == 14 * MS, "leak: name, size, age at unload");
	f = find(&tl, FINDING_DOUBLE_FREE);
	TAP_OK(f && !strcmp(f->name, "buf") && f->site == SITE_FREE2 &&
	       f->site2 == SITE_FREE, "double free: both free sites");
	TAP_EQ_INT(f ? f->line : 0, 5, "double free: the line of the 2nd free");
	f = find(&tl, FINDING_LATE_ACCESS);
	TAP_OK(f && f->is_read && f->len == 8 && f->age_ns == 1 * MS &&
	       f->has_data, "late read: length, time since free, bytes");
	f = find(&tl, FINDING_FAILED_ALLOC);
	TAP_OK(f && !strcmp(f->name, "big") && f->site == SITE_ALLOC,
	       "failed allocation named by its step, not a leak");
	TAP_EQ_INT(timeline_count(&tl, FINDING_FAILED_ALLOC), 1,
		   "one failure, not two");
	f = find(&tl, FINDING_REFUSED);
	TAP_OK(f && f->reason == KMLAB_REFUSE_UNGUARDED && f->line == 9,
	       "refused step is a finding");

	TAP_EQ_INT(timeline_match(&tl, &plan), 0, "predictions matched");
	f = find(&tl, FINDING_LEAK);
	TAP_OK(f && f->predicted && f->observed, "leak predicted+observed");
	f = find(&tl, FINDING_DOUBLE_FREE);
	TAP_OK(f && !f->predicted, "buf's double free was not predicted");
	TAP_OK(tl.finds[tl.nr_finds - 1].kind == FINDING_DOUBLE_FREE &&
	       tl.finds[tl.nr_finds - 1].predicted &&
	       !tl.finds[tl.nr_finds - 1].observed &&
	       !strcmp(tl.finds[tl.nr_finds - 1].name, "leaky"),
	       "refused hazard shows as predicted, not observed");
	TAP_EQ_INT(timeline_count(&tl, FINDING_MAX), 5,
		   "observed findings only are counted");
	TAP_OK(!strcmp(timeline_verdict(&tl), "findings"), "verdict findings");

	out = text_of(&tl, &rc, false);
	HAS(out, "allocated 100 bytes (128 real) by kmalloc at "
		    "dp_exec+0x10 [kmlab_dp]", "timeline shows size, family "
		    "and site");
	HAS(out, "freed by kfree at dp_exec+0x20 [kmlab_dp] (line 4)",
		    "timeline shows the free, its site and line");
	HAS(out, "     allocated here:\n       dp_exec+0x0 "
		    "[kmlab_dp]\n       dp_exec+0x10 [kmlab_dp]\n",
		    "the leak carries its allocation stack, frame by frame");
	HAS(out, "     stack:\n       dp_exec+0x30 [kmlab_dp]\n"
		    "     first freed here:\n       dp_exec+0x20 [kmlab_dp]\n"
		    "       dp_exec+0x120 [kmlab_dp]\n",
		    "the double free carries both frees' stacks");
	TAP_STR_HAS(out, "these bytes are SLUB's poison (0x6b)",
		    "late read explains the poison");
	TAP_STR_HAS(out, "bytes seen: 6b 6b 6b 6b 6b 6b 6b 6b\n",
		    "late read shows exactly the bytes read");
	TAP_STR_HAS(out, "refused: the cache has no SLUB debug checks",
		    "refusal reason in plain words");
	TAP_STR_HAS(out, "predicted by the verifier: yes; observed: yes",
		    "prediction cross-check shown");
	TAP_STR_HAS(out, "verdict: findings", "verdict line");
	free(out);

	out = text_of(&tl, &rc, true);
	TAP_STR_HAS(out, "\"kind\":\"leak\",\"module\":\"kmlab_dp\","
		    "\"object\":\"leaky\",",
		    "json leak finding, with its module");
	TAP_STR_HAS(out, "\"object\":\"leaky\",\"line\":7,\"size\":64,\"ptr\":\"0x",
		    "json leak finding, with its address");
	TAP_STR_HAS(out, "\"site\":\"dp_exec+0x10 [kmlab_dp]\",\"age_ms\":",
		    "json leak site");
	TAP_STR_HAS(out, "\"verdict\":\"findings\"}", "json summary verdict");
	TAP_STR_HAS(out, "\"bytes\":\"6b6b6b6b6b6b6b6b\"", "json late bytes");
	HAS(out, "\"family\":\"kmalloc\",\"stack\":[\"dp_exec+0x0 "
		    "[kmlab_dp]\",\"dp_exec+0x10 [kmlab_dp]\"]",
		    "json leak: family and stack");
	HAS(out, "\"first_free_stack\":[\"dp_exec+0x20 [kmlab_dp]\","
		    "\"dp_exec+0x120 [kmlab_dp]\"]", "json double free: the "
		    "first free's stack");
	free(out);

	tl.lost[KMLAB_LOST_RINGBUF] = 3;
	TAP_OK(!strcmp(timeline_verdict(&tl), "inconclusive"),
	       "lost events make the verdict inconclusive");
	tl.lost[KMLAB_LOST_LIVE_FULL] = 5;
	tl.live_max = 32768;
	out = text_of(&tl, &rc, false);
	HAS(out, "note: the module held more objects at once than the observer's live map has room for (32768): 5 of its allocations were not followed",
	    "a full live map: named, with its room and what it missed");
	HAS(out, "; --live 33792 gives room for all of them",
	    "... and the room that would have followed them all");
	free(out);
	/* the million-object watch: 1,000,000 frees, nothing reused, in a
	 * map of 1.1M whose last eighth counts as aging */
	tl.lost[KMLAB_LOST_FREED_AGED] = 37500;
	tl.freed_max = 1100000;
	out = text_of(&tl, &rc, false);
	HAS(out, "freed more objects than the observer keeps (1100000): the oldest frees' records may have aged out, and a second free of one of those would go unseen; --live 1143808 keeps them all",
	    "aged freed records: the room whose safe part holds every free");
	TAP_OK(KMLAB_FREED_SAFE(1143808ULL) >= 1000000 &&
	       KMLAB_FREED_SAFE(1143808ULL - 1024) < 1000000,
	       "... and no more than that, to 1024");
	free(out);
	timeline_free(&tl);

	/* a clean run: alloc, free, unload */
	timeline_init(&tl, "kmlab_dp");
	{
		union kmlab_ev e = ev(KMLAB_EV_MOD_LOAD, 0, 0);

		timeline_add(&tl, &e);
		e = ev(KMLAB_EV_ALLOC, 1, PTR_A);
		e.alloc.size_req = 8;
		timeline_add(&tl, &e);
		e = ev(KMLAB_EV_FREE, 2, PTR_A);
		timeline_add(&tl, &e);
		e = ev(KMLAB_EV_MOD_FREE, 3, 0);
		timeline_add(&tl, &e);
	}
	TAP_OK(!strcmp(timeline_verdict(&tl), "clean"), "clean run is clean");
	/* recursion misses count only where the module could be acting */
	tl.misses.free = 5;
	tl.misses.alloc = 2;
	TAP_OK(!strcmp(timeline_verdict(&tl), "clean"),
	       "misses of a module that sleeps and leaks nothing: clean");
	tl.misses.atomic_allocs = 1;
	TAP_OK(!strcmp(timeline_verdict(&tl), "inconclusive") &&
	       timeline_lost_relevant(&tl) == 2,
	       "missed allocations of a module that allocates atomically count");
	tl.misses.atomic_allocs = 0;
	tl.misses.irq_events = 1;
	TAP_OK(timeline_lost_relevant(&tl) == 7,
	       "a module seen in interrupts: every miss counts");
	tl.misses.irq_events = 0;
	tl.misses.other = 1;
	TAP_OK(!strcmp(timeline_verdict(&tl), "inconclusive"),
	       "a missed module or plan event always counts");
	memset(&tl.misses, 0, sizeof(tl.misses));
	{
		/* kfree(inner + 8): the observer sees an address the module
		 * never got, inside a live object */
		union kmlab_ev e = ev(KMLAB_EV_ALLOC, 4, PTR_B);

		e.alloc.size_req = 64;
		e.alloc.size_alloc = 64;
		timeline_add(&tl, &e);
		e = step(4, KMLAB_OP_KMALLOC, PTR_B, "inner", 0, 11);
		timeline_add(&tl, &e);
		e = step(5, KMLAB_OP_KFREE, PTR_B + 8, "inner", 0, 12);
		timeline_add(&tl, &e);
		e = ev(KMLAB_EV_FREE_UNKNOWN, 5, PTR_B + 8);
		e.free_unknown.call_site = SITE_FREE;
		timeline_add(&tl, &e);
		e = ev(KMLAB_EV_FREE_UNKNOWN, 6, PTR_A + 4096);
		timeline_add(&tl, &e);
	}
	f = find(&tl, FINDING_INTERIOR_FREE);
	TAP_OK(f && !strcmp(f->name, "inner") && f->off == 8 && f->line == 12
	       && f->site == SITE_FREE, "interior free: object, offset, line");
	TAP_EQ_INT(timeline_count(&tl, FINDING_MAX), 1,
		   "a free of an unknown address outside objects is ignored");
	tl.nr_finds = 0;
	tl.unloaded = false;
	TAP_OK(!strcmp(timeline_verdict(&tl), "inconclusive"),
	       "no unload seen: inconclusive");
	timeline_free(&tl);

	test_families();
	test_slub();
	test_late_forgotten();
	test_step_stale_pointer();
	test_free_missed();
	test_watch_hit();
	test_kfence();
	test_fold();
	test_fold_streaming();
	test_fold_oracle();
	test_leak_task();
	test_slub_kept();
	test_slub_unseen();
	test_plan_double_free();
	test_leak_dump();
	return tap_done();
}
