// SPDX-License-Identifier: GPL-2.0
/*
 * Op execution with the real kernel API.
 *
 * Every op emits one kmlab_step event.  Allocations emit after the call
 * (ptr = the new object); frees emit just BEFORE the call, with the
 * pointer about to be freed, so a BPF program can match the kfree that
 * follows.  Refused ops emit -EPERM and the reason; failed allocations
 * -ENOMEM and KMLAB_FAILED.
 *
 * A phase runs in process context under kmlab_mutex; only its atomic
 * sections (spin_lock, irqs off) must not sleep.  Between two ops outside
 * those sections it may: that is where it stops for "abort" or a fatal
 * signal, and where it waits for a pacing loader (struct kmlab_pace).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "compat.h"
#include "kmlab_dp.h"

static DEFINE_SPINLOCK(kmlab_lock);
static atomic_t cache_seq = ATOMIC_INIT(0);

/* Every step event goes out here: pacing counts the interpreter's. */
static void step_emit(struct kmlab_exec *x, const struct kmlab_step *s)
{
	if (x->paced)
		kmlab_pace.emitted++;
	kmlab_emit(s);
}

/* the kernel's flag for each of the IR's bits, in bit order (kmlab/ir.h) */
#define KMLAB_X(name, bit, kflag) (kflag),
static const gfp_t gfp_of[] = { KMLAB_GFP_FLAGS(KMLAB_X) };
static const slab_flags_t slab_of[] = { KMLAB_SLAB_FLAGS(KMLAB_X) };
#undef KMLAB_X

static gfp_t to_gfp(u32 g)
{
	gfp_t gfp = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(gfp_of); i++)
		if (g & BIT(i))
			gfp |= gfp_of[i];
	return gfp;
}

static slab_flags_t to_slab_flags(u32 f)
{
	slab_flags_t flags = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(slab_of); i++)
		if (f & BIT(i))
			flags |= slab_of[i];
	return flags;
}

/* Would this op sleep?  Then it must not run in an atomic section. */
static bool may_sleep(const struct kmlab_plan *p, const struct kmlab_ir_op *op)
{
	switch (op->code) {
	case KMLAB_OP_VMALLOC:
	case KMLAB_OP_VZALLOC:
	case KMLAB_OP_CACHE_CREATE:
	case KMLAB_OP_CACHE_DESTROY:
	case KMLAB_OP_PAUSE:
		return true;
	case KMLAB_OP_VFREE:
	case KMLAB_OP_KVFREE:
		/* vfree() may sleep outside interrupts */
		return p->st[op->obj].state != KMLAB_EMPTY &&
		       is_vmalloc_addr(p->st[op->obj].ptr);
	}
	return op->gfp & KMLAB_GFP_KERNEL;
}

static void step_init(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		      struct kmlab_step *s)
{
	struct kmlab_plan *p = x->p;
	bool has_obj = kmlab_op_has_obj(op->code);

	memset(s, 0, sizeof(*s));
	s->size = op->size;
	s->off = op->off;
	s->len = op->len;
	s->line = op->line;
	s->obj = op->obj;
	s->op = op->code;
	s->phase = x->phase;
	s->name = "";
	if (has_obj) {
		s->family = p->objs[op->obj].family;
		s->name = p->objs[op->obj].name;
		s->ptr = (unsigned long)p->st[op->obj].ptr;
	}
	if (op->code == KMLAB_OP_REPEAT || op->code == KMLAB_OP_PAUSE)
		s->size = op->count;
	if (p->in_init)
		s->flags |= KMLAB_STEP_INIT;
}

static void emit_refused(struct kmlab_exec *x, struct kmlab_step *s,
			 enum kmlab_reason why)
{
	s->result = -EPERM;
	s->reason = why;
	step_emit(x, s);
}

/* Page families carry the pfn in data[0..7]: kmem's page events use it. */
static void note_pfn(struct kmlab_step *s, const void *addr)
{
	u64 pfn = page_to_pfn(virt_to_page(addr));

	memcpy(s->data, &pfn, sizeof(pfn));
}

/* A plan cache slot by its cache pointer (NULL: not a plan cache). */
static struct kmlab_obj *cache_slot(struct kmlab_plan *p, const void *cache)
{
	u32 i;

	for (i = 0; i < p->hdr.nr_objs; i++) {
		if (p->objs[i].family == KMLAB_FAM_SLAB &&
		    p->st[i].ptr == cache &&
		    (p->st[i].state == KMLAB_LIVE ||
		     p->st[i].state == KMLAB_FORGOTTEN))
			return &p->st[i];
	}
	return NULL;
}

/* A live cache object whose pointer is dropped stays in its cache. */
static void note_lost(struct kmlab_plan *p, u32 obj)
{
	struct kmlab_obj *o = &p->st[obj], *c;

	if (o->state != KMLAB_LIVE || p->objs[obj].family != KMLAB_FAM_CACHE)
		return;
	c = cache_slot(p, o->cache);
	if (c)
		c->lost++;
}

static u64 cache_users(struct kmlab_plan *p, const void *cache)
{
	struct kmlab_obj *c = cache_slot(p, cache);
	u64 n = c ? c->lost : 0;
	u32 i;

	for (i = 0; i < p->hdr.nr_objs; i++) {
		if (p->objs[i].family == KMLAB_FAM_CACHE &&
		    p->st[i].cache == cache &&
		    (p->st[i].state == KMLAB_LIVE ||
		     p->st[i].state == KMLAB_FORGOTTEN))
			n++;
	}
	return n;
}

/*
 * The name of a new plan cache, made unique: SLUB's sysfs rejects a
 * second debug cache of the same name.  kmem_cache_create() copies it.
 */
const char *kmlab_cache_name(struct kmlab_exec *x, const struct kmlab_ir_op *op,
			     char *buf, size_t len)
{
	snprintf(buf, len, "kmlab_%s_%d", x->p->objs[op->obj].name,
		 atomic_inc_return(&cache_seq));
	return buf;
}
EXPORT_SYMBOL_GPL(kmlab_cache_name);

/* A state an op needs is missing: say which and refuse it. */
static bool refuse_state(struct kmlab_exec *x, const struct kmlab_ir_op *op,
			 struct kmlab_step *s, enum kmlab_reason why,
			 const char *what, const char *fix, u32 obj)
{
	struct kmlab_plan *p = x->p;

	pr_warn_ratelimited("plan %s line %u: refused %s %s: %s\n",
			    p->hdr.plan, op->line, what, p->objs[obj].name, fix);
	emit_refused(x, s, why);
	return false;
}

static bool free_of_null_is_legal(u16 code)
{
	return code == KMLAB_OP_KFREE || code == KMLAB_OP_KVFREE ||
	       code == KMLAB_OP_VFREE || code == KMLAB_OP_FREE_PERCPU;
}

static void free_null(u16 code)
{
	switch (code) {
	case KMLAB_OP_KFREE:
		kfree(NULL);
		break;
	case KMLAB_OP_KVFREE:
		kvfree(NULL);
		break;
	case KMLAB_OP_VFREE:
		vfree(NULL);
		break;
	case KMLAB_OP_FREE_PERCPU:
		free_percpu(NULL);
		break;
	}
}

/* The real free call for an object (interior frees are never run). */
static void free_obj(struct kmlab_plan *p, u16 code, struct kmlab_obj *o,
		     u32 arg)
{
	void *addr = o->ptr;

	switch (code) {
	case KMLAB_OP_KFREE:
		kfree(addr);
		break;
	case KMLAB_OP_KVFREE:
		kvfree(addr);
		break;
	case KMLAB_OP_VFREE:
		vfree(addr);
		break;
	case KMLAB_OP_CACHE_FREE:
		kmem_cache_free(p->st[arg].ptr, addr);
		break;
	case KMLAB_OP_FREE_PAGES:
		if (o->page)
			__free_pages(o->page, o->size);
		else
			free_pages((unsigned long)o->ptr, o->size);
		break;
	case KMLAB_OP_FREE_PAGES_EXACT:
		free_pages_exact(o->ptr, o->req);
		break;
	case KMLAB_OP_FREE_PERCPU:
		free_percpu((void __percpu __force *)o->ptr);
		break;
	}
}

struct free_args {
	struct kmlab_plan *p;
	u16 code;
	struct kmlab_obj *o;
	u32 arg;
};

static void second_free(void *arg)
{
	struct free_args *a = arg;

	free_obj(a->p, a->code, a->o, a->arg);
}

/*
 * A second free the guard lets through, or refuses: the guard's check
 * and the call run with interrupts off, so nothing on this CPU (an
 * interrupt's allocation) is handed the object in between.
 */
static void second_free_begin(struct kmlab_exec *x,
			      const struct kmlab_ir_op *op,
			      struct kmlab_step *s)
{
	struct kmlab_plan *p = x->p;
	struct kmlab_obj *o = &p->st[op->obj];
	struct free_args a = { p, op->code, o, op->arg };
	enum kmlab_reason why;
	unsigned long flags;

	local_irq_save(flags);
	why = kmlab_guard_free(p, op, s);
	if (why) {
		emit_refused(x, s, why);
	} else {
		step_emit(x, s);
		/* SLUB or KFENCE will refuse it, and report it */
		kmlab_slub_second_free(o->cache, o->ptr, second_free, &a);
	}
	local_irq_restore(flags);
}

/*
 * A free's event goes out before the call, so that the observer can
 * match the free that follows.  True: the caller makes the real call
 * (a first free), then kmlab_free_done().  A refused free, a legal
 * free of NULL and a second free the guard lets through are done here.
 */
static bool free_begin(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		       struct kmlab_step *s)
{
	struct kmlab_plan *p = x->p;
	struct kmlab_obj *o = &p->st[op->obj];
	enum kmlab_reason why;

	s->ptr = (unsigned long)o->ptr + op->off;
	if (o->state == KMLAB_FREED) {
		second_free_begin(x, op, s);
		return false;
	}
	why = kmlab_guard_free(p, op, s);
	if (why == KMLAB_REFUSE_STATE && o->null && !op->off &&
	    free_of_null_is_legal(op->code)) {
		/* kfree(NULL) after a failed allocation: legal, and real */
		step_emit(x, s);
		free_null(op->code);
		return false;
	}
	if (why) {
		emit_refused(x, s, why);
		return false;
	}
	if (o->page || p->objs[op->obj].family == KMLAB_FAM_GFP_PAGES)
		note_pfn(s, o->ptr);
	step_emit(x, s);
	return true;
}

static void do_access(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		      struct kmlab_step *s, bool atomic);

/*
 * An access after free the guard lets through, or refuses, done here
 * (false: the caller's kmlab_access() is not called), the check and the
 * access with interrupts off as for a second free.
 */
static bool late_access(struct kmlab_exec *x, const struct kmlab_ir_op *op,
			struct kmlab_step *s)
{
	enum kmlab_reason why;
	unsigned long flags;

	local_irq_save(flags);
	why = kmlab_guard_access(x->p, op, s);
	if (why)
		emit_refused(x, s, why);
	else
		do_access(x, op, s, true);
	local_irq_restore(flags);
	return false;
}

static bool destroy_begin(struct kmlab_exec *x, const struct kmlab_ir_op *op,
			  struct kmlab_step *s)
{
	struct kmlab_plan *p = x->p;
	struct kmlab_obj *o = &p->st[op->obj];
	u64 users;

	if (o->state != KMLAB_LIVE)
		return refuse_state(x, op, s, KMLAB_REFUSE_STATE,
				    "kmem_cache_destroy of",
				    "it is not a live cache; create it first",
				    op->obj);
	users = cache_users(p, o->ptr);
	if (users) {
		pr_warn_ratelimited("plan %s line %u: refused kmem_cache_destroy of %s: %llu objects are still in it; free them first\n",
				    p->hdr.plan, op->line,
				    p->objs[op->obj].name, users);
		emit_refused(x, s, KMLAB_REFUSE_BUSY);
		return false;
	}
	step_emit(x, s);
	return true;
}

/*
 * Before op @op runs, by the interpreter or by a module `kmlab gen`
 * wrote: fill @s, and refuse what must not run (a sleeping call in an
 * atomic section, a state the op needs and does not have, what the
 * guard refuses).  True: make the op's real call now, then its _done().
 */
bool kmlab_op_begin(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		    struct kmlab_step *s)
{
	struct kmlab_plan *p = x->p;
	struct kmlab_obj *o = &p->st[op->obj];
	enum kmlab_reason why;

	step_init(x, op, s);
	if (x->atomic && may_sleep(p, op)) {
		pr_warn_ratelimited("plan %s line %u: refused a sleeping call on %s inside an atomic section: use GFP_ATOMIC/NOWAIT or move it out of the section\n",
				    p->hdr.plan, op->line, s->name);
		emit_refused(x, s, KMLAB_REFUSE_ATOMIC);
		return false;
	}
	switch (kmlab_op_class(op->code)) {
	case KMLAB_OPC_ALLOC:
		if (op->code == KMLAB_OP_KREALLOC && o->state == KMLAB_FREED)
			return refuse_state(x, op, s, KMLAB_REFUSE_STATE,
					    "krealloc of freed",
					    "it would free it again; allocate it first",
					    op->obj);
		if (op->code == KMLAB_OP_CACHE_ALLOC &&
		    p->st[op->arg].state != KMLAB_LIVE)
			return refuse_state(x, op, s, KMLAB_REFUSE_STATE,
					    "kmem_cache_alloc from",
					    "the cache does not exist; create it first",
					    op->arg);
		return true;
	case KMLAB_OPC_FREE:
		return free_begin(x, op, s);
	case KMLAB_OPC_DESTROY:
		return destroy_begin(x, op, s);
	case KMLAB_OPC_ACCESS:
		s->ptr = (unsigned long)o->ptr;
		if (o->state == KMLAB_FREED)
			return late_access(x, op, s);
		why = kmlab_guard_access(p, op, s);
		if (why) {
			emit_refused(x, s, why);
			return false;
		}
		return true;
	case KMLAB_OPC_FORGET:
		if (o->state != KMLAB_LIVE)
			return refuse_state(x, op, s, KMLAB_REFUSE_STATE,
					    "forget of",
					    "it is not live; forget only allocated objects",
					    op->obj);
		return true;
	default:
		return true;
	}
}
EXPORT_SYMBOL_GPL(kmlab_op_begin);

/*
 * After an allocating op's call, with what it returned: a struct page *
 * for alloc_pages(), else the address (the __percpu cookie for
 * alloc_percpu()).  Emits the op's event.
 */
void kmlab_alloc_done(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		      struct kmlab_step *s, void *ret)
{
	struct kmlab_plan *p = x->p;
	struct kmlab_obj *o = &p->st[op->obj], n = {};
	u32 fam = p->objs[op->obj].family;

	n.ptr = ret;
	n.size = op->size;
	n.req = op->size;
	n.gfp = to_gfp(op->gfp);
	switch (op->code) {
	case KMLAB_OP_KCALLOC:
		n.req = op->size * op->count;
		break;
	case KMLAB_OP_KREALLOC:
		if (!ret) {
			/* like C: the old object stays where it was */
			s->result = -ENOMEM;
			s->reason = KMLAB_FAILED;
			step_emit(x, s);
			return;
		}
		if (o->state == KMLAB_LIVE)
			p->bytes -= min(p->bytes, o->req);
		o->state = KMLAB_EMPTY;	/* krealloc freed or reused it */
		break;
	case KMLAB_OP_CACHE_CREATE:
		n.req = 0;
		break;
	case KMLAB_OP_CACHE_ALLOC:
		n.cache = p->st[op->arg].ptr;
		n.req = kmem_cache_size(n.cache);
		break;
	case KMLAB_OP_ALLOC_PAGES:
		n.page = ret;
		n.ptr = ret ? page_address(n.page) : NULL;
		n.req = PAGE_SIZE << op->size;
		break;
	case KMLAB_OP_GET_FREE_PAGES:
		n.req = PAGE_SIZE << op->size;
		break;
	}
	s->ptr = (unsigned long)n.ptr;
	note_lost(p, op->obj);
	if (!n.ptr) {
		/* like C: p = kmalloc() failing leaves p NULL */
		memset(o, 0, sizeof(*o));
		o->null = true;
		s->result = -ENOMEM;
		s->reason = KMLAB_FAILED;
		step_emit(x, s);
		return;
	}
	switch (fam) {
	case KMLAB_FAM_KMALLOC:
	case KMLAB_FAM_KVMALLOC:
		n.real = kmlab_usable_size(n.ptr, n.req);
		break;
	case KMLAB_FAM_CACHE:
		n.real = n.req;
		break;
	case KMLAB_FAM_VMALLOC:
	case KMLAB_FAM_PAGES_EXACT:
		n.real = PAGE_ALIGN(n.req);
		break;
	case KMLAB_FAM_PAGES:
	case KMLAB_FAM_GFP_PAGES:
		n.real = n.req;
		note_pfn(s, n.ptr);
		break;
	case KMLAB_FAM_PERCPU:
		n.real = n.req;
		break;
	}
	kmlab_guard_note_alloc(&n, fam, n.gfp);
	/* a live object in the slot is simply overwritten: it leaks */
	*o = n;
	o->state = KMLAB_LIVE;
	if (fam == KMLAB_FAM_PERCPU)
		p->bytes += n.req * num_possible_cpus();
	else
		p->bytes += n.req;
	step_emit(x, s);
}
EXPORT_SYMBOL_GPL(kmlab_alloc_done);

/* After a first free's call (its event went out before it). */
void kmlab_free_done(struct kmlab_exec *x, const struct kmlab_ir_op *op)
{
	struct kmlab_plan *p = x->p;
	struct kmlab_obj *o = &p->st[op->obj];

	o->state = KMLAB_FREED;
	if (p->objs[op->obj].family == KMLAB_FAM_PERCPU)
		p->bytes -= min(p->bytes, o->req * num_possible_cpus());
	else
		p->bytes -= min(p->bytes, o->req);
}
EXPORT_SYMBOL_GPL(kmlab_free_done);

/* After kmem_cache_destroy() (its event went out before it). */
void kmlab_destroy_done(struct kmlab_exec *x, const struct kmlab_ir_op *op)
{
	x->p->st[op->obj].state = KMLAB_FREED;
}
EXPORT_SYMBOL_GPL(kmlab_destroy_done);

/*
 * A read or write the guard allowed: do it, then emit its event.  A
 * long read yields now and then, unless @atomic (or the plan is in an
 * atomic section).
 */
static void do_access(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		      struct kmlab_step *s, bool atomic)
{
	struct kmlab_obj *o = &x->p->st[op->obj];
	bool percpu = x->p->objs[op->obj].family == KMLAB_FAM_PERCPU;
	u8 buf[64];
	void *base;
	u64 done, n;
	int cpu;

	cpu = get_cpu();
	base = percpu ? per_cpu_ptr((void __percpu __force *)o->ptr, cpu) :
			o->ptr;
	if (op->code == KMLAB_OP_WRITE) {
		memset(base + op->off, op->fill, op->len);
		put_cpu();
		step_emit(x, s);
		return;
	}
	for (done = 0; done < op->len; done += n) {
		n = min_t(u64, sizeof(buf), op->len - done);
		if (copy_from_kernel_nofault(buf, base + op->off + done, n)) {
			s->flags |= KMLAB_STEP_FAULT;
			s->result = -EFAULT;
			break;
		}
		if (!done)
			memcpy(s->data, buf, min_t(u64, n, KMLAB_DATA_LEN));
		if (!(done & 0xffff) && !x->atomic && !atomic) {
			put_cpu();
			cond_resched();
			get_cpu();
		}
	}
	put_cpu();
	step_emit(x, s);
}

/* A read or write of a live object, once kmlab_op_begin() said so. */
void kmlab_access(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		  struct kmlab_step *s)
{
	do_access(x, op, s, false);
}
EXPORT_SYMBOL_GPL(kmlab_access);

/*
 * The event of an op that calls no allocator: a block's start or end
 * (an atomic section counts as open from its lock to its unlock), a
 * pause, a nop, or a forget (the object becomes a meant leak).
 */
void kmlab_step_done(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		     struct kmlab_step *s)
{
	switch (op->code) {
	case KMLAB_OP_ATOMIC:
		x->kind[x->atomic++] = op->arg;
		break;
	case KMLAB_OP_FORGET:
		x->p->st[op->obj].state = KMLAB_FORGOTTEN;
		break;
	}
	step_emit(x, s);
	if (op->code == KMLAB_OP_ATOMIC_END)
		x->atomic--;
}
EXPORT_SYMBOL_GPL(kmlab_step_done);

/* The interpreter's allocating call for @op. */
static void *call_alloc(struct kmlab_exec *x, const struct kmlab_ir_op *op)
{
	struct kmlab_plan *p = x->p;
	struct kmlab_obj *o = &p->st[op->obj];
	char name[KMLAB_NAME_LEN + 16];
	gfp_t gfp = to_gfp(op->gfp);

	switch (op->code) {
	case KMLAB_OP_KMALLOC:
		return kmalloc(op->size, gfp);
	case KMLAB_OP_KZALLOC:
		return kzalloc(op->size, gfp);
	case KMLAB_OP_KCALLOC:
		return kcalloc(op->count, op->size, gfp);
	case KMLAB_OP_KREALLOC:
		return krealloc(kmlab_live_ptr(o), op->size, gfp);
	case KMLAB_OP_KVMALLOC:
		return kvmalloc(op->size, gfp);
	case KMLAB_OP_VMALLOC:
		return vmalloc(op->size);
	case KMLAB_OP_VZALLOC:
		return vzalloc(op->size);
	case KMLAB_OP_CACHE_CREATE:
		return kmem_cache_create(kmlab_cache_name(x, op, name,
							  sizeof(name)),
					 op->size, op->off,
					 to_slab_flags(op->slab), NULL);
	case KMLAB_OP_CACHE_ALLOC:
		return kmem_cache_alloc(p->st[op->arg].ptr, gfp);
	case KMLAB_OP_ALLOC_PAGES:
		return alloc_pages(gfp, op->size);
	case KMLAB_OP_GET_FREE_PAGES:
		return (void *)__get_free_pages(gfp, op->size);
	case KMLAB_OP_PAGES_EXACT:
		return alloc_pages_exact(op->size, gfp);
	case KMLAB_OP_ALLOC_PERCPU:
		return (void __force *)__alloc_percpu_gfp(op->size, 8, gfp);
	}
	return NULL;
}

/* The interpreter's lock for an atomic section opening at depth x->atomic. */
static void atomic_lock(struct kmlab_exec *x, u32 kind)
{
	int d = x->atomic;

	if (d == 0 && kind == KMLAB_ATOMIC_IRQOFF)
		spin_lock_irqsave(&kmlab_lock, x->irq[d]);
	else if (d == 0)
		spin_lock(&kmlab_lock);
	else if (kind == KMLAB_ATOMIC_IRQOFF)
		local_irq_save(x->irq[d]);
	else
		preempt_disable();
}

/* ... and its unlock, once the section closed (x->atomic is its depth). */
static void atomic_unlock(struct kmlab_exec *x)
{
	int d = x->atomic;

	if (d == 0 && x->kind[d] == KMLAB_ATOMIC_IRQOFF)
		spin_unlock_irqrestore(&kmlab_lock, x->irq[d]);
	else if (d == 0)
		spin_unlock(&kmlab_lock);
	else if (x->kind[d] == KMLAB_ATOMIC_IRQOFF)
		local_irq_restore(x->irq[d]);
	else
		preempt_enable();
}

/* Run a free op whole: the event, then the call. */
static void run_free(struct kmlab_exec *x, const struct kmlab_ir_op *op,
		     struct kmlab_step *s)
{
	if (!kmlab_op_begin(x, op, s))
		return;
	free_obj(x->p, op->code, &x->p->st[op->obj], op->arg);
	kmlab_free_done(x, op);
}

/* Run op idx; returns the index of the next op to look at. */
static u32 exec_op(struct kmlab_exec *x, u32 idx)
{
	struct kmlab_plan *p = x->p;
	const struct kmlab_ir_op *op = &p->ops[idx];
	struct kmlab_step s;

	/* an atomic section's event goes out once its lock is held */
	if (op->code == KMLAB_OP_ATOMIC)
		atomic_lock(x, op->arg);
	if (!kmlab_op_begin(x, op, &s))
		return idx + 1;
	switch (kmlab_op_class(op->code)) {
	case KMLAB_OPC_ALLOC:
		kmlab_alloc_done(x, op, &s, call_alloc(x, op));
		return idx + 1;
	case KMLAB_OPC_FREE:
		free_obj(p, op->code, &p->st[op->obj], op->arg);
		kmlab_free_done(x, op);
		return idx + 1;
	case KMLAB_OPC_DESTROY:
		kmem_cache_destroy(p->st[op->obj].ptr);
		kmlab_destroy_done(x, op);
		return idx + 1;
	case KMLAB_OPC_ACCESS:
		kmlab_access(x, op, &s);
		return idx + 1;
	default:
		break;
	}
	kmlab_step_done(x, op, &s);
	switch (op->code) {
	case KMLAB_OP_REPEAT:
		if (!op->count)
			return p->match[idx] + 1;
		x->start[x->loops] = idx;
		x->left[x->loops++] = op->count;
		break;
	case KMLAB_OP_REPEAT_END:
		if (--x->left[x->loops - 1])
			return x->start[x->loops - 1] + 1;
		x->loops--;
		break;
	case KMLAB_OP_ATOMIC_END:
		atomic_unlock(x);
		break;
	case KMLAB_OP_PAUSE:
		/* msleep_interruptible(), that "abort" also ends */
		wait_event_interruptible_timeout(kmlab_pace.wq,
						 READ_ONCE(kmlab_pace.abort),
						 msecs_to_jiffies(op->count));
		break;
	}
	return idx + 1;
}

/* Steps the pacing loader has not acknowledged, less those given up on. */
static u64 pace_ahead(void)
{
	u64 done = max_t(u64, atomic64_read(&kmlab_pace.acked),
			 kmlab_pace.given_up);

	return kmlab_pace.emitted > done ? kmlab_pace.emitted - done : 0;
}

static bool pace_caught_up(u64 window)
{
	return pace_ahead() <= window / 2 || !READ_ONCE(kmlab_pace.window) ||
	       READ_ONCE(kmlab_pace.abort);
}

/*
 * More than a window ahead of the loader, its ring buffer could overflow
 * and the observer would lose events: wait until it has consumed half of
 * them.  As long as its acks come, it is slow, not gone.  A loader that
 * acknowledges nothing for KMLAB_PACE_WAIT_MS may have lost those steps,
 * or be stuck: go on without it then, and count the stall so that its
 * report can say so.
 */
static void pace(struct kmlab_plan *p)
{
	u64 window = READ_ONCE(kmlab_pace.window), ahead, acked;
	long left;

	if (!window)
		return;
	ahead = pace_ahead();
	if (ahead > kmlab_pace.max_ahead)
		kmlab_pace.max_ahead = ahead;
	if (ahead <= window)
		return;
	kmlab_pace.waits++;
	do {
		acked = atomic64_read(&kmlab_pace.acked);
		left = wait_event_killable_timeout(kmlab_pace.wq,
			pace_caught_up(window) ||
			atomic64_read(&kmlab_pace.acked) != acked,
			msecs_to_jiffies(KMLAB_PACE_WAIT_MS));
		if (left < 0 || pace_caught_up(window))
			return;
	} while (left);
	kmlab_pace.stalls++;
	pr_warn_ratelimited("plan %s: the observer's reader acknowledged nothing for %d ms, %llu steps behind: going on without waiting for them\n",
			    p->hdr.plan, KMLAB_PACE_WAIT_MS, pace_ahead());
	kmlab_pace.given_up = kmlab_pace.emitted;
}

/* Stop the phase before its next op? */
static bool stopping(void)
{
	return READ_ONCE(kmlab_pace.abort) || fatal_signal_pending(current);
}

/*
 * Run one phase of the plan; -EINTR when "abort" or a fatal signal cut
 * it short (then the later phases stop at once too, until "reset").
 */
int kmlab_run_phase(struct kmlab_plan *p, enum kmlab_phase phase)
{
	struct kmlab_exec x = { .p = p, .phase = phase, .paced = true };
	u64 steps = 0;
	int err = 0;
	u32 i = 0;

	while (i < p->hdr.nr_ops) {
		if (p->ops[i].phase != phase) {
			i++;
			continue;
		}
		/* between ops, outside atomic sections: we may sleep here */
		if (!x.atomic) {
			pace(p);
			if (stopping()) {
				if (!p->aborted_line)
					p->aborted_line = p->ops[i].line;
				pr_info("plan %s: %s phase stopped before line %u: %s\n",
					p->hdr.plan, kmlab_phase_name(phase),
					p->ops[i].line,
					READ_ONCE(kmlab_pace.abort) ?
					"aborted" : "the writer was killed");
				err = -EINTR;
				break;
			}
		}
		i = exec_op(&x, i);
		if (!(++steps & 255) && !x.atomic)
			cond_resched();
	}
	/* the check made blocks balanced; never leave a lock behind */
	if (WARN_ON(x.atomic))
		while (x.atomic) {
			x.atomic--;
			atomic_unlock(&x);
		}
	return err;
}

/* The free op that matches an object's allocator, for reset. */
static u16 own_free(const struct kmlab_plan *p, u32 i)
{
	switch (p->objs[i].family) {
	case KMLAB_FAM_KMALLOC:
		return KMLAB_OP_KFREE;
	case KMLAB_FAM_KVMALLOC:
		return KMLAB_OP_KVFREE;
	case KMLAB_FAM_VMALLOC:
		return KMLAB_OP_VFREE;
	case KMLAB_FAM_CACHE:
		return KMLAB_OP_KFREE;	/* 6.1 kfree finds its cache */
	case KMLAB_FAM_PAGES:
	case KMLAB_FAM_GFP_PAGES:
		return KMLAB_OP_FREE_PAGES;
	case KMLAB_FAM_PAGES_EXACT:
		return KMLAB_OP_FREE_PAGES_EXACT;
	case KMLAB_FAM_PERCPU:
		return KMLAB_OP_FREE_PERCPU;
	}
	return KMLAB_OP_CACHE_DESTROY;
}

/*
 * The end of a plan's life, after its UNLOAD phase: free what is still
 * live and was not forgotten (e.g. objects whose free was refused), then
 * destroy plan caches left empty.  Forgotten objects are the plan's meant
 * leaks.  Each free and destroy emits its event, as a planned one would.
 */
void kmlab_plan_cleanup(struct kmlab_plan *p, bool paced)
{
	struct kmlab_ir_op op = { 0 };
	struct kmlab_exec x = { .p = p, .phase = KMLAB_PHASE_UNLOAD,
				.paced = paced };
	struct kmlab_step s;
	u32 i;

	p->in_init = false;
	for (i = 0; i < p->hdr.nr_objs; i++) {
		struct kmlab_obj *o = &p->st[i];

		if (o->state != KMLAB_LIVE ||
		    p->objs[i].family == KMLAB_FAM_SLAB)
			continue;
		op.code = own_free(p, i);
		op.obj = i;
		op.line = p->objs[i].line;
		pr_info("plan %s: reset: %s of %s still live: freeing it\n",
			p->hdr.plan, kmlab_family_name(p->objs[i].family),
			p->objs[i].name);
		run_free(&x, &op, &s);
	}
	for (i = 0; i < p->hdr.nr_objs; i++) {
		struct kmlab_obj *o = &p->st[i];
		u64 users;

		if (o->state != KMLAB_LIVE ||
		    p->objs[i].family != KMLAB_FAM_SLAB)
			continue;
		users = cache_users(p, o->ptr);
		if (users) {
			pr_warn("plan %s: reset: cache %s keeps %llu forgotten objects: left in the kernel, not destroyed\n",
				p->hdr.plan, p->objs[i].name, users);
			continue;
		}
		op.code = KMLAB_OP_CACHE_DESTROY;
		op.obj = i;
		op.line = p->objs[i].line;
		if (kmlab_op_begin(&x, &op, &s)) {
			kmem_cache_destroy(o->ptr);
			kmlab_destroy_done(&x, &op);
		}
	}
}
EXPORT_SYMBOL_GPL(kmlab_plan_cleanup);

/* "reset": the UNLOAD phase, then the cleanup. */
void kmlab_plan_reset(struct kmlab_plan *p)
{
	kmlab_run_phase(p, KMLAB_PHASE_UNLOAD);
	kmlab_plan_cleanup(p, true);
}
