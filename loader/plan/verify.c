// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The verifier: runs the IR on an abstract heap and predicts, before
 * anything runs, what the data plane and the observer will see.
 *
 * Plans are straight-line code, so this is exact except for repeat
 * blocks: their body runs twice here, and what the second pass finds
 * is counted for every iteration after the first.  Phases run in order
 * LOAD, DEMAND (once, as `kmlab run` triggers it), UNLOAD.
 *
 * A wrong-family or interior free counts as a free: the data plane
 * either does it (the lesson) or refuses it and frees the object
 * itself at unload.  Either way the plan no longer owns it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "plan.h"

#define PAGE		4096ULL
#define MAX_PREDS	256

enum obj_state {
	ST_NONE,	/* not allocated yet */
	ST_LIVE,
	ST_FREED,
	ST_FORGOTTEN,	/* pointer dropped: leaked */
	ST_FAILED,	/* the allocation returned NULL */
};

struct obj {
	enum obj_state st;
	int alloc_line, free_line, forget_line;
	unsigned long long size;	/* requested bytes */
	unsigned long long real;	/* what the allocator hands out */
	unsigned long long order;	/* pages: order; exact: size */
	int cache;			/* FAM_CACHE: its cache */
	unsigned long long live;	/* FAM_SLAB: objects not freed */
	const char *fn;			/* allocating function */
	bool overrun;			/* its red zone write is counted */
};

struct vm {
	struct plan *plan;
	struct obj objs[KMLAB_MAX_OBJS];
	int *match;			/* REPEAT <-> REPEAT_END */
	struct diag_list *dl;
	unsigned char *reported;	/* per op: an error was given */
	unsigned long long reports;	/* hazards the kernel reports */
	int reports_line;		/* where they pass KMLAB_MAX_REPORTS */
};

#define FAR_PAST	PAGE	/* how far past the end a lesson may go */

/* An op the lab will not run: report it once, however often it runs. */
static void op_error(struct vm *vm, struct kmlab_ir_op *op, const char *hint,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void op_error(struct vm *vm, struct kmlab_ir_op *op, const char *hint,
		     const char *fmt, ...)
{
	char msg[DIAG_MSG_LEN];
	va_list ap;
	long i = op - vm->plan->ops;

	if (vm->reported[i])
		return;
	vm->reported[i] = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(vm->dl, DIAG_ERROR, op->line, 0, 1, hint, "%s", msg);
}

static unsigned long long pages_order(unsigned long long size)
{
	unsigned long long order = 0;

	while ((PAGE << order) < size && order < 63)
		order++;
	return order;
}

/* What kmalloc(size) really gives on x86-64 SLUB (6.1): ksize(). */
static unsigned long long kmalloc_real_size(unsigned long long size)
{
	unsigned long long real = kmlab_kmalloc_class(size);

	return real ? real : PAGE << pages_order(size);	/* pages */
}

static unsigned long long align_up(unsigned long long v, unsigned long long a)
{
	return (v + a - 1) / a * a;
}

static const char *name(const struct vm *vm, int obj)
{
	return vm->plan->objs[obj].name;
}

static void predict(struct vm *vm, struct kmlab_ir_op *op,
		    enum finding_kind kind, int obj, int line, int line2,
		    unsigned long long mult, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

static void predict(struct vm *vm, struct kmlab_ir_op *op,
		    enum finding_kind kind, int obj, int line, int line2,
		    unsigned long long mult, const char *fmt, ...)
{
	struct plan *plan = vm->plan;
	struct prediction *p;
	va_list ap;
	int i;

	if (op)
		op->flags |= KMLAB_OPF_HAZARD;
	for (i = 0; i < plan->nr_preds; i++) {
		p = &plan->preds[i];
		if (p->kind == kind && p->obj == obj && p->line == line &&
		    p->line2 == line2) {
			mult = mult > ~0ULL - p->count ? ~0ULL : mult + p->count;
			p->count = mult > 0xffffffffULL ? 0xffffffffU : mult;
			return;
		}
	}
	if (plan->nr_preds == MAX_PREDS)
		return;
	p = &plan->preds[plan->nr_preds++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->obj = obj;
	p->line = line;
	p->line2 = line2;
	p->size = obj >= 0 ? vm->objs[obj].size : 0;
	p->count = mult > 0xffffffffULL ? 0xffffffffU : mult;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
}

/*
 * A hazard SLUB or KFENCE reports on the console when it runs (a second
 * free, a late write, a red zone write): the data plane runs at most
 * KMLAB_MAX_REPORTS of a plan's and refuses the rest.
 */
static void kernel_reports(struct vm *vm, const struct kmlab_ir_op *op,
			   unsigned long long mult)
{
	if (vm->reports <= KMLAB_MAX_REPORTS &&
	    vm->reports + mult > KMLAB_MAX_REPORTS)
		vm->reports_line = op->line;
	vm->reports = mult > ~0ULL - vm->reports ? ~0ULL : vm->reports + mult;
}

static void do_alloc(struct vm *vm, struct kmlab_ir_op *op,
		     unsigned long long mult)
{
	struct obj *o = &vm->objs[op->obj], *c;

	if (op->code == KMLAB_OP_KREALLOC && o->st == ST_FREED) {
		predict(vm, op, FINDING_LATE_ACCESS, op->obj, op->line,
			o->free_line, mult,
			"krealloc reads %s, which line %d already freed: it copies memory that is no longer %s's.",
			name(vm, op->obj), o->free_line, name(vm, op->obj));
	} else if (o->st == ST_LIVE && op->code != KMLAB_OP_KREALLOC) {
		if (o->alloc_line == (int)op->line)
			predict(vm, op, FINDING_LEAK, op->obj, o->alloc_line,
				op->line, mult,
				"each time line %d runs again it stores a new pointer in %s while the previous object is still allocated: that object can never be freed.",
				op->line, name(vm, op->obj));
		else
			predict(vm, op, FINDING_LEAK, op->obj, o->alloc_line,
				op->line, mult,
				"line %d stores a new pointer in %s while the object from line %d is still allocated: that object can never be freed.",
				op->line, name(vm, op->obj), o->alloc_line);
	}
	o->st = ST_LIVE;
	o->overrun = false;
	o->alloc_line = op->line;
	o->fn = kmlab_op_name(op->code);
	o->size = op->size;
	o->order = op->size;
	o->cache = -1;
	switch (op->code) {
	case KMLAB_OP_KCALLOC:
		if (op->size > ~0ULL / op->count) {
			o->st = ST_FAILED;
			predict(vm, NULL, FINDING_FAILED_ALLOC, op->obj,
				op->line, 0, mult,
				"kcalloc(%u, %llu) overflows when it multiplies n by size, so it returns NULL instead of a short buffer.",
				op->count, op->size);
			return;
		}
		o->size = op->size * op->count;
		o->real = kmalloc_real_size(o->size);
		break;
	case KMLAB_OP_KMALLOC:
	case KMLAB_OP_KZALLOC:
	case KMLAB_OP_KREALLOC:
	case KMLAB_OP_KVMALLOC:
		o->real = kmalloc_real_size(o->size);
		break;
	case KMLAB_OP_VMALLOC:
	case KMLAB_OP_VZALLOC:
	case KMLAB_OP_PAGES_EXACT:
		o->real = align_up(o->size, PAGE);
		break;
	case KMLAB_OP_ALLOC_PERCPU:
		o->real = align_up(o->size, 8);
		break;
	case KMLAB_OP_ALLOC_PAGES:
	case KMLAB_OP_GET_FREE_PAGES:
		o->size = o->real = PAGE << op->size;
		break;
	case KMLAB_OP_CACHE_CREATE:
		o->live = 0;
		o->real = o->size;
		/* debug layouts keep ksize() at the object size */
		if (!(op->slab & (KMLAB_SLAB_RED_ZONE | KMLAB_SLAB_POISON)))
			o->real = align_up(o->size,
					   op->slab & KMLAB_SLAB_HWCACHE ? 64 :
					   op->off > 8 ? op->off : 8);
		break;
	case KMLAB_OP_CACHE_ALLOC:
		c = &vm->objs[op->arg];
		if (c->st != ST_LIVE) {
			o->st = ST_FAILED;
			predict(vm, op, FINDING_REFUSED, op->obj, op->line,
				c->free_line, mult,
				"the cache %s was destroyed at line %d, so there is nothing to allocate %s from.",
				name(vm, op->arg), c->free_line,
				name(vm, op->obj));
			return;
		}
		o->cache = op->arg;
		o->size = c->size;
		o->real = c->real;
		/* once per iteration the pass stands for */
		c->live = c->live > ~0ULL - mult ? ~0ULL : c->live + mult;
		break;
	}
}

static void do_free(struct vm *vm, struct kmlab_ir_op *op,
		    unsigned long long mult)
{
	struct obj *o = &vm->objs[op->obj];
	int fam = vm->plan->objs[op->obj].family;
	const char *fn = kmlab_op_name(op->code), *n = name(vm, op->obj);

	if (op->off >= KMLAB_MAX_VMALLOC)
		op_error(vm, op,
			 "an interior pointer points inside the object: use an offset below its size",
			 "offset %llu is beyond any object the lab makes (64 MiB): the data plane refuses it",
			 (unsigned long long)op->off);
	switch (o->st) {
	case ST_NONE:
	case ST_FAILED:
		return;		/* freeing NULL does nothing */
	case ST_FORGOTTEN:
		predict(vm, op, FINDING_REFUSED, op->obj, op->line,
			o->forget_line, mult,
			"%s was forgotten at line %d, so there is no pointer left to free.",
			n, o->forget_line);
		return;
	case ST_FREED:
		kernel_reports(vm, op, mult);
		predict(vm, op, FINDING_DOUBLE_FREE, op->obj, op->line,
			o->free_line, mult,
			"%s is freed again here, but line %d already freed it: the allocator's bookkeeping for that memory gets corrupted.",
			n, o->free_line);
		return;
	case ST_LIVE:
		break;
	}
	if (op->off >= o->real && fam != KMLAB_FAM_SLAB)
		op_error(vm, op,
			 "an interior pointer points inside the object: use an offset below its size",
			 "offset %llu is outside %s (%llu bytes given)",
			 (unsigned long long)op->off, n, o->real);
	if (!kmlab_free_fits(kmlab_op_family(op->code), fam)) {
		predict(vm, op, FINDING_WRONG_FREE, op->obj, op->line,
			o->alloc_line, mult,
			"%s came from %s (line %d) but is given to %s: only the allocator that handed memory out can take it back.",
			n, o->fn, o->alloc_line, fn);
	} else if (op->code == KMLAB_OP_CACHE_FREE && op->arg != (__u32)o->cache) {
		predict(vm, op, FINDING_WRONG_FREE, op->obj, op->line,
			o->alloc_line, mult,
			"%s came from cache %s (line %d) but is freed to cache %s: a cache can only take back its own objects.",
			n, o->cache >= 0 ? name(vm, o->cache) : "?",
			o->alloc_line, name(vm, op->arg));
	} else if ((op->code == KMLAB_OP_FREE_PAGES ||
		    op->code == KMLAB_OP_FREE_PAGES_EXACT) &&
		   op->size != o->order) {
		predict(vm, op, FINDING_WRONG_FREE, op->obj, op->line,
			o->alloc_line, mult,
			"%s was allocated with %s %llu (line %d) but freed with %s %llu: the page allocator frees exactly what it is told.",
			n, fam == KMLAB_FAM_PAGES_EXACT ? "size" : "order",
			o->order, o->alloc_line,
			fam == KMLAB_FAM_PAGES_EXACT ? "size" : "order",
			(unsigned long long)op->size);
	} else if (op->off) {
		predict(vm, op, FINDING_INTERIOR_FREE, op->obj, op->line,
			o->alloc_line, mult,
			"%s gets %s + %llu, an address inside the object from line %d rather than its start: the allocator cannot find the object there.",
			fn, n, (unsigned long long)op->off, o->alloc_line);
	} else if (op->code == KMLAB_OP_CACHE_DESTROY && o->live > 0) {
		predict(vm, op, FINDING_REFUSED, op->obj, op->line,
			o->alloc_line, mult,
			"cache %s still has %llu object%s in use, so kmem_cache_destroy would complain \"Objects remaining\": free them first.",
			n, o->live, o->live > 1 ? "s" : "");
		return;		/* refused: the cache stays */
	}
	o->st = ST_FREED;
	o->free_line = op->line;
	if (fam == KMLAB_FAM_CACHE && o->cache >= 0) {
		struct obj *c = &vm->objs[o->cache];

		c->live = c->live > mult ? c->live - mult : 0;
	}
}

static void do_access(struct vm *vm, struct kmlab_ir_op *op,
		      unsigned long long mult)
{
	struct obj *o = &vm->objs[op->obj];
	const char *what = op->code == KMLAB_OP_WRITE ? "write" : "read";
	const char *n = name(vm, op->obj);
	unsigned long long end = op->off + op->len;

	if (end < op->off)
		end = ~0ULL;
	if (end > KMLAB_MAX_VMALLOC)
		op_error(vm, op,
			 "stay inside the object, or at most 4 KiB past its end",
			 "bytes %llu..%llu reach beyond any object the lab makes (64 MiB): the data plane refuses it",
			 (unsigned long long)op->off, end);
	else if ((o->st == ST_LIVE || o->st == ST_FREED) &&
		 end > o->real + FAR_PAST)
		op_error(vm, op,
			 "stay inside the object, or at most 4 KiB past its end: further out is not a lesson, it wrecks the kernel",
			 "bytes %llu..%llu reach more than 4 KiB past the end of %s (%llu bytes given)",
			 (unsigned long long)op->off, end, n, o->real);
	switch (o->st) {
	case ST_FREED:
		if (op->code == KMLAB_OP_WRITE)
			kernel_reports(vm, op, mult);
		predict(vm, op, FINDING_LATE_ACCESS, op->obj, op->line,
			o->free_line, mult,
			"this %s touches %s after line %d freed it: the memory may already belong to someone else.",
			what, n, o->free_line);
		return;
	case ST_FORGOTTEN:
	case ST_FAILED:
	case ST_NONE:
		predict(vm, op, FINDING_REFUSED, op->obj, op->line,
			o->st == ST_FORGOTTEN ? o->forget_line : o->alloc_line,
			mult, o->st == ST_FORGOTTEN ?
			"%s was forgotten at line %d, so there is no pointer to %s through." :
			"%s is NULL (its allocation at line %d failed), so there is nothing to %s.",
			n, o->st == ST_FORGOTTEN ? o->forget_line : o->alloc_line,
			what);
		return;
	case ST_LIVE:
		break;
	}
	if (end > o->size && op->code == KMLAB_OP_WRITE && !o->overrun) {
		/* SLUB finds it at the free, once */
		kernel_reports(vm, op, mult);
		o->overrun = true;
	}
	if (end > o->real)
		predict(vm, op, FINDING_OVERFLOW, op->obj, op->line,
			o->alloc_line, mult,
			"bytes %llu..%llu go past the %llu bytes the allocator really gave %s (line %d): this %s lands in someone else's memory.",
			(unsigned long long)op->off, end, o->real, n,
			o->alloc_line, what);
	else if (end > o->size)
		predict(vm, op, FINDING_OVERFLOW, op->obj, op->line,
			o->alloc_line, mult,
			"bytes %llu..%llu go past the %llu bytes asked for at line %d; the allocator rounded up to %llu, so only a checker notices.",
			(unsigned long long)op->off, end, o->size,
			o->alloc_line, o->real);
}

static void do_forget(struct vm *vm, struct kmlab_ir_op *op,
		      unsigned long long mult)
{
	struct obj *o = &vm->objs[op->obj];

	if (o->st != ST_LIVE)
		return;
	predict(vm, op, FINDING_LEAK, op->obj, o->alloc_line, op->line, mult,
		"line %d forgets the only pointer to %s (allocated at line %d): nobody can free it any more.",
		op->line, name(vm, op->obj), o->alloc_line);
	o->st = ST_FORGOTTEN;
	o->forget_line = op->line;	/* a cache keeps it: still busy */
}

static void run(struct vm *vm, int from, int to, unsigned long long mult)
{
	struct kmlab_ir_op *op;
	unsigned long long n;
	int i;

	for (i = from; i < to; i++) {
		op = &vm->plan->ops[i];
		if (op->code == KMLAB_OP_REPEAT) {
			n = op->count;
			run(vm, i + 1, vm->match[i], mult);
			if (n > 1)	/* the steady state, n - 1 times */
				run(vm, i + 1, vm->match[i],
				    n - 1 > ~0ULL / mult ? ~0ULL : mult * (n - 1));
			i = vm->match[i];
		} else if (op->code == KMLAB_OP_FORGET) {
			do_forget(vm, op, mult);
		} else if (op->code == KMLAB_OP_WRITE ||
			   op->code == KMLAB_OP_READ) {
			do_access(vm, op, mult);
		} else if (kmlab_op_class(op->code) == KMLAB_OPC_FREE ||
			   kmlab_op_class(op->code) == KMLAB_OPC_DESTROY) {
			do_free(vm, op, mult);
		} else if (kmlab_op_class(op->code) == KMLAB_OPC_ALLOC) {
			do_alloc(vm, op, mult);
		}
	}
}

/*
 * The data plane's worst-case bounds (kmlab/ir.h), walked over the ops
 * it gets, as it walks them; percpu memory counts on one CPU and
 * max_bytes is its default here: `kmlab run` walks again with the
 * target's possible CPUs and max_bytes before it sends the plan.
 */
static int check_bounds(struct plan *plan, struct diag_list *dl)
{
	static const char *const phases[KMLAB_PHASE_MAX] = {
		"load", "demand", "unload",
	};
	struct kmlab_ir_op *op = NULL;
	struct kmlab_ir_bound b;
	int i, err = 0;

	kmlab_ir_bound_init(&b, plan->ops, plan->nr_ops, 1, KMLAB_MAX_BYTES);
	for (i = 0; i < plan->nr_ops && !err; i++) {
		op = &plan->ops[i];
		err = kmlab_ir_bound_op(&b, op);
	}
	if (!err)
		err = kmlab_ir_bound_end(&b);
	switch (err) {
	case KMLAB_BOUND_OK:
		return 0;
	case KMLAB_BOUND_STEPS:
		diag_add(dl, DIAG_ERROR, op->line, 0, 1,
			 "use fewer or shorter repeats",
			 "with every repeat multiplied out the %s phase runs more than %llu ops: the data plane refuses plans that long",
			 phases[op->phase % KMLAB_PHASE_MAX], KMLAB_MAX_STEPS);
		break;
	case KMLAB_BOUND_ATOMIC:
		diag_add(dl, DIAG_ERROR, op->line, 0, 1,
			 "repeat less inside atomic sections",
			 "with every repeat multiplied out more than %llu ops run inside atomic sections: the data plane refuses that, a CPU held so long trips the lockup detector",
			 KMLAB_MAX_ATOMIC_STEPS);
		break;
	case KMLAB_BOUND_ATOMIC_BYTES:
		diag_add(dl, DIAG_ERROR, op->line, 0, 1,
			 "do that work outside the atomic section, or repeat less there",
			 "with every repeat multiplied out more than %llu MiB are allocated, written or read inside atomic sections: the data plane refuses that, the CPU would be held too long",
			 KMLAB_MAX_ATOMIC_BYTES >> 20);
		break;
	case KMLAB_BOUND_BYTES:
	case KMLAB_BOUND_TOTAL:
		diag_add(dl, DIAG_ERROR, op ? op->line : 1, 0, 1,
			 "allocate less, or repeat less: the bound counts every allocation as if nothing were freed in between",
			 "the %s may allocate %llu bytes, every repeat multiplied out: more than the data plane's max_bytes (%llu MiB)",
			 err == KMLAB_BOUND_TOTAL ? "phases together" :
			 op->phase == KMLAB_PHASE_DEMAND ? "demand phase" :
			 op->phase == KMLAB_PHASE_UNLOAD ? "unload phase" :
			 "load phase",
			 err == KMLAB_BOUND_TOTAL ?
			 b.bytes[0] + b.bytes[1] + b.bytes[2] :
			 b.bytes[op->phase % KMLAB_PHASE_MAX],
			 KMLAB_MAX_BYTES >> 20);
		break;
	default:
		diag_add(dl, DIAG_ERROR, op ? op->line : 1, 0, 1,
			 "close every block, at most 4 deep",
			 "unbalanced blocks");
		break;
	}
	return -1;
}

static int by_line(const void *a, const void *b)
{
	const struct prediction *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->line2 != y->line2)
		return x->line2 < y->line2 ? -1 : 1;
	return x->kind - y->kind;
}

int verify_plan(struct plan *plan, struct diag_list *diags)
{
	struct vm vm = { .plan = plan, .dl = diags };
	int errors = diags->errors;
	int stack[KMLAB_MAX_DEPTH + 1], depth = 0, i;
	struct kmlab_ir_op *op;
	struct obj *o;

	plan->preds = calloc(MAX_PREDS, sizeof(*plan->preds));
	vm.match = calloc(plan->nr_ops + 1, sizeof(*vm.match));
	vm.reported = calloc(plan->nr_ops + 1, 1);
	if (!plan->preds || !vm.match || !vm.reported) {
		free(vm.match);
		free(vm.reported);
		diag_add(diags, DIAG_ERROR, 1, 0, 1, "free some memory",
			 "out of memory");
		return -1;
	}
	for (i = 0; i < plan->nr_ops; i++) {
		if (plan->ops[i].code == KMLAB_OP_REPEAT && depth <= KMLAB_MAX_DEPTH)
			stack[depth++] = i;
		else if (plan->ops[i].code == KMLAB_OP_REPEAT_END && depth > 0)
			vm.match[stack[--depth]] = i;
	}
	for (i = 0; i < plan->nr_objs; i++)
		vm.objs[i].cache = -1;
	run(&vm, 0, plan->nr_ops, 1);
	free(vm.match);
	free(vm.reported);
	if (diags->errors > errors)
		return -1;
	if (vm.reports > KMLAB_MAX_REPORTS)
		diag_add(diags, DIAG_WARNING, vm.reports_line, 0, 1,
			 "repeat the hazard fewer times: one report shows it as well as a thousand",
			 "with every repeat multiplied out the plan makes %llu hazards the kernel reports on its console (second frees, late and red zone writes): the data plane runs the first %d and refuses the rest",
			 vm.reports, KMLAB_MAX_REPORTS);

	/* what the plan never frees, it leaks on purpose */
	for (i = 0; i < plan->nr_objs; i++) {
		o = &vm.objs[i];
		if (o->st != ST_LIVE)
			continue;
		if (plan->nr_ops == KMLAB_MAX_OPS) {
			diag_add(diags, DIAG_ERROR, o->alloc_line, 0, 1,
				 "free the objects you do not mean to leak, or use fewer statements",
				 "no room for the op that leaks '%s' (more than %d ops)",
				 plan->objs[i].name, KMLAB_MAX_OPS);
			return -1;
		}
		op = &plan->ops[plan->nr_ops++];
		memset(op, 0, sizeof(*op));
		op->code = KMLAB_OP_FORGET;
		op->phase = KMLAB_PHASE_UNLOAD;
		op->line = o->alloc_line;
		op->obj = i;
		op->flags = KMLAB_OPF_HAZARD;
		if (plan->objs[i].family == KMLAB_FAM_SLAB)
			predict(&vm, NULL, FINDING_LEAK, i, o->alloc_line, 0, 1,
				"the cache %s (line %d) is never destroyed: it outlives the module that created it.",
				plan->objs[i].name, o->alloc_line);
		else
			predict(&vm, NULL, FINDING_LEAK, i, o->alloc_line, 0, 1,
				"%s (%llu bytes, line %d) is never freed: it is still allocated when the module unloads.",
				plan->objs[i].name, o->size, o->alloc_line);
	}
	if (check_bounds(plan, diags))
		return -1;
	qsort(plan->preds, plan->nr_preds, sizeof(*plan->preds), by_line);
	return 0;
}
