// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Code generation, the compiler's last stage: a checked plan's ops as
 * the C of a kernel module that carries them out with the kernel's own
 * calls, one statement per op, the plan's line quoted above it.
 *
 * What is not the call itself is kmlab_dp's (module/kmlab_dp.h):
 * kmlab_op_begin() runs the guard and refuses what must not run, the
 * _done() calls keep the objects' states and emit the kmlab:kmlab_step
 * events, so the generated module and the data plane's interpreter do
 * the same thing at each op and the observer cannot tell them apart.
 * The interpreter's switch (module/exec.c call_alloc(), free_obj()) is
 * the other side of each call written here.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "codegen.h"
#include "kmlab/ops.h"
#include "kmlab/version.h"

/* generated lines wrap before this column (checkpatch allows 100) */
#define WRAP_COL	80

struct gen {
	FILE *f;
	const struct plan *plan;
	const char *name;
	int depth;		/* statement nesting: tabs after the first */
	int atomic;		/* atomic sections open at this point */
	int loops;		/* repeat blocks open at this point */
	bool first;		/* the next statement opens a brace's body */
	/* each object's enum constant: OBJ_ and its name in lower case
	 * (checkpatch refuses CamelCase), its index if that is taken */
	char sym[KMLAB_MAX_OBJS][KMLAB_NAME_LEN + 16];
};

static void make_syms(struct gen *g)
{
	int i, j, k;

	for (i = 0; i < g->plan->nr_objs && i < KMLAB_MAX_OBJS; i++) {
		const char *n = g->plan->objs[i].name;
		char *o = g->sym[i];

		k = snprintf(o, sizeof(g->sym[i]), "OBJ_");
		for (j = 0; n[j] && k < (int)sizeof(g->sym[i]) - 1; j++)
			o[k++] = (char)tolower((unsigned char)n[j]);
		o[k] = '\0';
		for (j = 0; j < i; j++)
			if (!strcmp(g->sym[j], o))
				snprintf(o + k, sizeof(g->sym[i]) - k, "_%d", i);
	}
}

static const char *op_sym(unsigned int code)
{
	switch (code) {
#define KMLAB_X(name, v, str, class, fam) case v: return "KMLAB_OP_" #name;
	KMLAB_OPS(KMLAB_X)
#undef KMLAB_X
	}
	return "KMLAB_OP_NOP";
}

static const char *family_sym(unsigned int fam)
{
	switch (fam) {
#define KMLAB_X(name, v, alloc, free) case v: return "KMLAB_FAM_" #name;
	KMLAB_FAMILIES(KMLAB_X)
#undef KMLAB_X
	}
	return "KMLAB_FAM_NONE";
}

/* "A | B" of the flags set in @bits, from an X(name, bit, kflag) list */
struct flag_name {
	unsigned int bit;
	const char *ir, *kernel;
};

#define KMLAB_X(name, bit, kflag) { 1U << (bit), #name, #kflag },
static const struct flag_name gfp_names[] = { KMLAB_GFP_FLAGS(KMLAB_X) };
static const struct flag_name slab_names[] = { KMLAB_SLAB_FLAGS(KMLAB_X) };
#undef KMLAB_X

#define NR_GFP	(sizeof(gfp_names) / sizeof(gfp_names[0]))
#define NR_SLAB	(sizeof(slab_names) / sizeof(slab_names[0]))

/*
 * The words of a statement, each with the separator that follows it
 * ("," or " |"): lines may break between any two.
 */
struct words {
	char w[32][64];
	int n;
};

static void word(struct words *ws, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void word(struct words *ws, const char *fmt, ...)
{
	va_list ap;

	if (ws->n == 32)
		return;
	va_start(ap, fmt);
	vsnprintf(ws->w[ws->n++], sizeof(ws->w[0]), fmt, ap);
	va_end(ap);
}

/* the argument or field just added ends here */
static void arg_end(struct words *ws)
{
	size_t l = strlen(ws->w[ws->n - 1]);

	if (l + 1 < sizeof(ws->w[0]))
		strcpy(ws->w[ws->n - 1] + l, ",");
}

/* "A | B" of the flags set in @bits, @prefix before the first */
static void flag_words(struct words *ws, const char *prefix, unsigned int bits,
		       const struct flag_name *t, size_t n, const char *ir)
{
	bool first = true;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(bits & t[i].bit))
			continue;
		if (!first)
			strcat(ws->w[ws->n - 1], " |");
		if (ir)
			word(ws, "%s%s%s", first ? prefix : "", ir, t[i].ir);
		else
			word(ws, "%s%s", first ? prefix : "", t[i].kernel);
		first = false;
	}
	if (first)
		word(ws, "%s0", prefix);
}

/* a blank line before each statement, but the first in braces */
static void blank(struct gen *g)
{
	if (!g->first)
		fputc('\n', g->f);
	g->first = false;
}

static void tabs(struct gen *g, int extra)
{
	for (int i = 0; i < 1 + g->depth + extra; i++)
		fputc('\t', g->f);
}

/*
 * Write @items (already formatted) as "head item, item, ...tail" at
 * @extra tabs past the statement's, wrapped before WRAP_COL with the
 * continuation lines under the first item (checkpatch --strict wants
 * them aligned with the open parenthesis or brace).
 */
static void wrapped(struct gen *g, int extra, const char *head,
		    const struct words *ws, const char *tail)
{
	int indent = (1 + g->depth + extra) * 8;
	int col = indent + (int)strlen(head), start = col, n = ws->n;

	tabs(g, extra);
	fputs(head, g->f);
	for (int i = 0; i < n; i++) {
		int w = (int)strlen(ws->w[i]) +
			(i + 1 < n ? 0 : (int)strlen(tail));

		if (i && col + 1 + w > WRAP_COL) {
			fputc('\n', g->f);
			for (col = 0; col + 8 <= start; col += 8)
				fputc('\t', g->f);
			for (; col < start; col++)
				fputc(' ', g->f);
		} else if (i) {
			fputc(' ', g->f);
			col++;
		}
		fprintf(g->f, "%s%s", ws->w[i], i + 1 < n ? "" : tail);
		col += w;
	}
	if (!n)
		fputs(tail, g->f);
	fputc('\n', g->f);
}

/* The plan's line, quoted (a comment cannot hold its end marker). */
static void quote_line(struct gen *g, const struct kmlab_ir_op *op,
		       const char *what)
{
	int len = 0;
	const char *src = plan_line(g->plan, (int)op->line, &len);
	char buf[200], text[300];
	int i, o = 0;

	for (i = 0; src && i < len && o < (int)sizeof(buf) - 2; i++) {
		if (src[i] == '*' && i + 1 < len && src[i + 1] == '/')
			continue;
		buf[o++] = src[i] == '\t' ? ' ' : src[i];
	}
	while (o && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
	/* the line's leading spaces, for the block it is in */
	for (i = 0; buf[i] == ' '; i++)
		;
	if (what)
		snprintf(text, sizeof(text), "%u: %s (%s)", op->line, buf + i,
			 what);
	else
		snprintf(text, sizeof(text), "%u: %s", op->line, buf + i);
	blank(g);
	tabs(g, 0);
	if ((1 + g->depth) * 8 + (int)strlen(text) + 6 <= WRAP_COL + 20) {
		fprintf(g->f, "/* %s */\n", text);
		return;
	}
	/* too long for one line: a block comment, broken at spaces */
	fputs("/*\n", g->f);
	for (char *t = text; *t;) {
		int room = WRAP_COL - (1 + g->depth) * 8 - 3, n = (int)strlen(t);

		if (n > room) {
			for (n = room; n > 0 && t[n] != ' '; n--)
				;
			if (!n)
				n = room;
		}
		tabs(g, 0);
		fprintf(g->f, " * %.*s\n", n, t);
		t += n;
		while (*t == ' ')
			t++;
	}
	tabs(g, 0);
	fputs(" */\n", g->f);
}

static const char *obj_name(const struct gen *g, unsigned int i)
{
	return g->plan->objs[i].name;
}

/* op = (struct kmlab_ir_op){ ... }: what kmlab_op_begin() and the event need */
static void op_desc(struct gen *g, const struct kmlab_ir_op *op)
{
	struct words ws = { .n = 0 };

	word(&ws, ".code = %s", op_sym(op->code));
	arg_end(&ws);
	word(&ws, ".line = %u", op->line);
	if (kmlab_op_has_obj(op->code)) {
		arg_end(&ws);
		word(&ws, ".obj = %s", g->sym[op->obj]);
	}
	if (op->code == KMLAB_OP_CACHE_ALLOC ||
	    op->code == KMLAB_OP_CACHE_FREE) {
		arg_end(&ws);
		word(&ws, ".arg = %s", g->sym[op->arg]);
	} else if (op->code == KMLAB_OP_ATOMIC) {
		arg_end(&ws);
		word(&ws, ".arg = %s", op->arg == KMLAB_ATOMIC_IRQOFF ?
		     "KMLAB_ATOMIC_IRQOFF" : "KMLAB_ATOMIC_SPINLOCK");
	}
	if (op->gfp) {
		arg_end(&ws);
		flag_words(&ws, ".gfp = ", op->gfp, gfp_names, NR_GFP,
			   "KMLAB_GFP_");
	}
	if (op->slab) {
		arg_end(&ws);
		flag_words(&ws, ".slab = ", op->slab, slab_names, NR_SLAB,
			   "KMLAB_SLAB_");
	}
	if (op->size) {
		arg_end(&ws);
		word(&ws, ".size = %llu", (unsigned long long)op->size);
	}
	if (op->off) {
		arg_end(&ws);
		word(&ws, ".off = %llu", (unsigned long long)op->off);
	}
	if (op->len) {
		arg_end(&ws);
		word(&ws, ".len = %llu", (unsigned long long)op->len);
	}
	if (op->count) {
		arg_end(&ws);
		word(&ws, ".count = %u", op->count);
	}
	if (op->code == KMLAB_OP_WRITE) {
		arg_end(&ws);
		word(&ws, ".fill = 0x%02x", op->fill);
	}
	wrapped(g, 0, "op = (struct kmlab_ir_op){ ", &ws, " };");
}

/* the kernel's GFP flags of @op, as one argument */
static void gfp_arg(struct words *ws, const struct kmlab_ir_op *op)
{
	flag_words(ws, "", op->gfp, gfp_names, NR_GFP, NULL);
}

/*
 * The kernel call an allocating op makes: its function into @fn and
 * its arguments into @ws (the interpreter's is exec.c call_alloc()).
 */
static void alloc_call(struct gen *g, const struct kmlab_ir_op *op,
		       struct words *ws, const char **fn)
{
	unsigned long long size = op->size;

	*fn = kmlab_op_name(op->code);
	switch (op->code) {
	case KMLAB_OP_KMALLOC:
	case KMLAB_OP_KZALLOC:
	case KMLAB_OP_KVMALLOC:
	case KMLAB_OP_PAGES_EXACT:
		word(ws, "%llu,", size);
		gfp_arg(ws, op);
		break;
	case KMLAB_OP_KCALLOC:
		word(ws, "%u,", op->count);
		word(ws, "%llu,", size);
		gfp_arg(ws, op);
		break;
	case KMLAB_OP_KREALLOC:
		word(ws, "kmlab_live_ptr(&plan.st[%s]),", g->sym[op->obj]);
		word(ws, "%llu,", size);
		gfp_arg(ws, op);
		break;
	case KMLAB_OP_VMALLOC:
	case KMLAB_OP_VZALLOC:
		word(ws, "%llu", size);
		break;
	case KMLAB_OP_CACHE_CREATE:
		word(ws, "kmlab_cache_name(&x, &op, name, sizeof(name)),");
		word(ws, "%llu,", size);
		word(ws, "%llu,", (unsigned long long)op->off);
		flag_words(ws, "", op->slab, slab_names, NR_SLAB, NULL);
		arg_end(ws);
		word(ws, "NULL");
		break;
	case KMLAB_OP_CACHE_ALLOC:
		word(ws, "plan.st[%s].ptr,", g->sym[op->arg]);
		gfp_arg(ws, op);
		break;
	case KMLAB_OP_ALLOC_PAGES:
	case KMLAB_OP_GET_FREE_PAGES:
		if (op->code == KMLAB_OP_GET_FREE_PAGES)
			*fn = "(void *)__get_free_pages";
		gfp_arg(ws, op);
		arg_end(ws);
		word(ws, "%llu", size);
		break;
	case KMLAB_OP_ALLOC_PERCPU:
		/* the interpreter's alignment: 8 */
		*fn = "(void __force *)__alloc_percpu_gfp";
		word(ws, "%llu,", size);
		word(ws, "8,");
		gfp_arg(ws, op);
		break;
	}
}

/*
 * The kernel call of a first free (kmlab_op_begin() does the others),
 * by the object's family, as the interpreter's exec.c free_obj().
 */
static void free_call(struct gen *g, const struct kmlab_ir_op *op,
		      struct words *ws, const char **fn)
{
	const char *o = g->sym[op->obj];

	*fn = kmlab_op_name(op->code);	/* kfree, kvfree, vfree, ... */
	switch (op->code) {
	case KMLAB_OP_CACHE_FREE:
		word(ws, "plan.st[%s].ptr,", g->sym[op->arg]);
		word(ws, "plan.st[%s].ptr", o);
		break;
	case KMLAB_OP_FREE_PAGES:
		if (g->plan->objs[op->obj].family == KMLAB_FAM_PAGES) {
			*fn = "__free_pages";
			word(ws, "plan.st[%s].page,", o);
		} else {
			*fn = "free_pages";
			word(ws, "(unsigned long)plan.st[%s].ptr,", o);
		}
		word(ws, "plan.st[%s].size", o);
		break;
	case KMLAB_OP_FREE_PAGES_EXACT:
		word(ws, "plan.st[%s].ptr,", o);
		word(ws, "plan.st[%s].req", o);
		break;
	case KMLAB_OP_FREE_PERCPU:
		word(ws, "(void __percpu __force *)plan.st[%s].ptr", o);
		break;
	default:
		word(ws, "plan.st[%s].ptr", o);
		break;
	}
}

static void begin_if(struct gen *g, bool braces)
{
	tabs(g, 0);
	fprintf(g->f, "if (kmlab_op_begin(&x, &op, &s))%s\n",
		braces ? " {" : "");
}

static void close_brace(struct gen *g)
{
	tabs(g, 0);
	fputs("}\n", g->f);
}

static void call(struct gen *g, int extra, const char *lhs, const char *fn,
		 const struct words *ws)
{
	char head[128];

	snprintf(head, sizeof(head), "%s%s(", lhs, fn);
	wrapped(g, extra, head, ws, ");");
}

static void gen_alloc(struct gen *g, const struct kmlab_ir_op *op)
{
	struct words ws = { .n = 0 };
	const char *fn = "";

	alloc_call(g, op, &ws, &fn);
	begin_if(g, true);
	call(g, 1, "ret = ", fn, &ws);
	tabs(g, 1);
	fputs("kmlab_alloc_done(&x, &op, &s, ret);\n", g->f);
	close_brace(g);
}

static void gen_free(struct gen *g, const struct kmlab_ir_op *op)
{
	struct words ws = { .n = 0 };
	const char *fn = "";

	free_call(g, op, &ws, &fn);
	begin_if(g, true);
	if (op->off) {
		/* never run: the guard refuses every interior free */
		tabs(g, 1);
		fprintf(g->f, "/* refused by the guard: %s(ptr + %llu) */\n",
			fn, (unsigned long long)op->off);
	} else {
		call(g, 1, "", fn, &ws);
	}
	tabs(g, 1);
	fputs("kmlab_free_done(&x, &op);\n", g->f);
	close_brace(g);
}

/* an atomic section's lock at depth g->atomic, or its unlock */
static void atomic_lock(struct gen *g, unsigned int kind, bool lock)
{
	int d = g->atomic;

	tabs(g, 0);
	if (d == 0 && kind == KMLAB_ATOMIC_IRQOFF)
		fprintf(g->f, lock ? "spin_lock_irqsave(&plan_lock, irq[0]);\n" :
			"spin_unlock_irqrestore(&plan_lock, irq[0]);\n");
	else if (d == 0)
		fputs(lock ? "spin_lock(&plan_lock);\n" :
		      "spin_unlock(&plan_lock);\n", g->f);
	else if (kind == KMLAB_ATOMIC_IRQOFF)
		fprintf(g->f, lock ? "local_irq_save(irq[%d]);\n" :
			"local_irq_restore(irq[%d]);\n", d);
	else
		fputs(lock ? "preempt_disable();\n" : "preempt_enable();\n",
		      g->f);
}

static void step_only(struct gen *g)
{
	begin_if(g, false);
	tabs(g, 1);
	fputs("kmlab_step_done(&x, &op, &s);\n", g->f);
}

/* Write ops [from, to) of one phase; returns the index after them. */
static int gen_ops(struct gen *g, int from, int to, int phase);

static int gen_block(struct gen *g, int i, int to, int phase)
{
	const struct kmlab_ir_op *op = &g->plan->ops[i];
	bool rep = op->code == KMLAB_OP_REPEAT;
	unsigned int kind = op->arg;
	int end;

	quote_line(g, op, NULL);
	if (!rep)
		atomic_lock(g, kind, true);
	op_desc(g, op);
	step_only(g);
	if (rep) {
		tabs(g, 0);
		fprintf(g->f, "for (i[%d] = 0; i[%d] < %u; i[%d]++) {\n",
			g->loops, g->loops, op->count, g->loops);
		g->first = true;
		g->depth++;
		g->loops++;
	} else {
		g->atomic++;
	}
	end = gen_ops(g, i + 1, to, phase);
	/* the END op: its event, then the unlock or the next iteration */
	op = &g->plan->ops[end];
	blank(g);
	tabs(g, 0);
	fprintf(g->f, "/* %u: end of the %s block */\n", op->line,
		rep ? "repeat" : "atomic");
	op_desc(g, op);
	step_only(g);
	if (rep) {
		g->loops--;
		if (!g->atomic) {
			tabs(g, 0);
			fputs("cond_resched();\n", g->f);
		}
		g->depth--;
		close_brace(g);
	} else {
		g->atomic--;
		atomic_lock(g, kind, false);
	}
	return end + 1;
}

static int gen_ops(struct gen *g, int from, int to, int phase)
{
	const struct kmlab_ir_op *op;
	int i = from;

	while (i < to) {
		op = &g->plan->ops[i];
		if (op->phase != phase) {
			i++;
			continue;
		}
		if (op->code == KMLAB_OP_REPEAT_END ||
		    op->code == KMLAB_OP_ATOMIC_END)
			return i;
		if (op->code == KMLAB_OP_REPEAT || op->code == KMLAB_OP_ATOMIC) {
			i = gen_block(g, i, to, phase);
			continue;
		}
		quote_line(g, op, op->code == KMLAB_OP_FORGET &&
			   op->flags & KMLAB_OPF_HAZARD ?
			   "never freed: left to leak" : NULL);
		op_desc(g, op);
		switch (kmlab_op_class(op->code)) {
		case KMLAB_OPC_ALLOC:
			gen_alloc(g, op);
			break;
		case KMLAB_OPC_FREE:
			gen_free(g, op);
			break;
		case KMLAB_OPC_DESTROY:
			begin_if(g, true);
			tabs(g, 1);
			fprintf(g->f, "kmem_cache_destroy(plan.st[%s].ptr);\n",
				g->sym[op->obj]);
			tabs(g, 1);
			fputs("kmlab_destroy_done(&x, &op);\n", g->f);
			close_brace(g);
			break;
		case KMLAB_OPC_ACCESS:
			begin_if(g, false);
			tabs(g, 1);
			if (op->code == KMLAB_OP_WRITE)
				fprintf(g->f, "kmlab_access(&x, &op, &s);\t/* memset(%s + %llu, 0x%02x, %llu) */\n",
					obj_name(g, op->obj),
					(unsigned long long)op->off, op->fill,
					(unsigned long long)op->len);
			else
				fprintf(g->f, "kmlab_access(&x, &op, &s);\t/* reads %llu bytes at %s + %llu */\n",
					(unsigned long long)op->len,
					obj_name(g, op->obj),
					(unsigned long long)op->off);
			break;
		default:
			if (op->code == KMLAB_OP_PAUSE) {
				begin_if(g, true);
				tabs(g, 1);
				fputs("kmlab_step_done(&x, &op, &s);\n", g->f);
				tabs(g, 1);
				fprintf(g->f, "msleep_interruptible(%u);\n",
					op->count);
				close_brace(g);
			} else {
				step_only(g);
			}
			break;
		}
		i++;
	}
	return i;
}

/* What a phase's function needs declared: ret, name, loops, irq flags. */
static void phase_locals(struct gen *g, int phase)
{
	bool alloc = false, create = false, irq = false;
	int depth = 0, loops = 0, i;

	for (i = 0; i < g->plan->nr_ops; i++) {
		const struct kmlab_ir_op *op = &g->plan->ops[i];

		if (op->phase != phase)
			continue;
		alloc |= kmlab_op_class(op->code) == KMLAB_OPC_ALLOC;
		create |= op->code == KMLAB_OP_CACHE_CREATE;
		irq |= op->code == KMLAB_OP_ATOMIC &&
		       op->arg == KMLAB_ATOMIC_IRQOFF;
		if (op->code == KMLAB_OP_REPEAT && ++depth > loops)
			loops = depth;
		if (op->code == KMLAB_OP_REPEAT_END)
			depth--;
	}
	fprintf(g->f, "\tstruct kmlab_exec x = { .p = &plan, .phase = %s };\n",
		phase == KMLAB_PHASE_LOAD ? "KMLAB_PHASE_LOAD" :
		phase == KMLAB_PHASE_DEMAND ? "KMLAB_PHASE_DEMAND" :
		"KMLAB_PHASE_UNLOAD");
	fputs("\tstruct kmlab_ir_op op;\n\tstruct kmlab_step s;\n", g->f);
	if (create)
		fputs("\tchar name[KMLAB_NAME_LEN + 16];\n", g->f);
	if (loops)
		fprintf(g->f, "\tu32 i[%d];\n", loops);
	if (irq)
		fputs("\tunsigned long irq[KMLAB_MAX_DEPTH];\n", g->f);
	if (alloc)
		fputs("\tvoid *ret;\n", g->f);
}

static bool uses(const struct plan *plan, int phase, unsigned int code)
{
	for (int i = 0; i < plan->nr_ops; i++)
		if ((phase < 0 || plan->ops[i].phase == phase) &&
		    plan->ops[i].code == code)
			return true;
	return false;
}

static bool has_phase(const struct plan *plan, int phase)
{
	for (int i = 0; i < plan->nr_ops; i++)
		if (plan->ops[i].phase == phase)
			return true;
	return false;
}

static const char *const phase_fn[KMLAB_PHASE_MAX] = {
	[KMLAB_PHASE_LOAD] = "plan_load",
	[KMLAB_PHASE_DEMAND] = "plan_demand",
	[KMLAB_PHASE_UNLOAD] = "plan_unload",
};

static void gen_phase(struct gen *g, int phase)
{
	static const char *const why[KMLAB_PHASE_MAX] = {
		[KMLAB_PHASE_LOAD] = "at load: runs in module_init",
		[KMLAB_PHASE_DEMAND] = "on demand: runs on each write to the demand parameter",
		[KMLAB_PHASE_UNLOAD] = "at unload: runs in module_exit",
	};

	fprintf(g->f, "\n/* The plan's statements %s. */\n", why[phase]);
	fprintf(g->f, "static void %s(void)\n{\n", phase_fn[phase]);
	phase_locals(g, phase);
	g->depth = 0;
	g->atomic = 0;
	g->loops = 0;
	gen_ops(g, 0, g->plan->nr_ops, phase);
	fputs("}\n", g->f);
}

void codegen_digest(const struct plan *plan, char *buf, size_t len)
{
	/* FNV-1a over the IR: the module and the plan it was written from */
	unsigned long long h = 0xcbf29ce484222325ULL;
	const unsigned char *p = plan->ir;

	for (size_t i = 0; i < plan->ir_len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(buf, len, "%016llx", h);
}

int codegen_module(const struct plan *plan, const char *name,
		   const __u64 *cost, FILE *f)
{
	const struct kmlab_ir_header *hdr = plan->ir;
	struct gen g = { .f = f, .plan = plan, .name = name };
	bool demand = has_phase(plan, KMLAB_PHASE_DEMAND);
	bool lock = uses(plan, -1, KMLAB_OP_ATOMIC);
	char digest[32];
	int i;

	make_syms(&g);
	codegen_digest(plan, digest, sizeof(digest));
	fprintf(f, "// SPDX-License-Identifier: GPL-2.0\n"
		"/*\n"
		" * %s: the plan %s, compiled by kmlab gen (kmlab %s)\n"
		" * from %s.\n"
		" * Do not edit: change the plan and run kmlab gen again.\n"
		" *\n"
		" * Each statement carries out one line of the plan, quoted above it,\n"
		" * with the kernel's own call.  Around the call, kmlab_op_begin() and\n"
		" * the _done() functions are kmlab_dp's (kmlab_dp.h): the guard that\n"
		" * refuses what would corrupt the kernel, the objects' states and the\n"
		" * kmlab:kmlab_step events, the same as when kmlab_dp runs the plan.\n"
		" * So this module needs kmlab_dp loaded (modprobe loads it first).\n"
		" *\n"
		" * The plan's load phase runs in module_init, its unload phase in\n"
		" * module_exit, then what is still live and not forgotten is freed.\n"
		"%s%s%s"
		" */\n"
		"#define pr_fmt(fmt) KBUILD_MODNAME \": \" fmt\n\n"
		"#include <linux/delay.h>\n"
		"#include <linux/gfp.h>\n"
		"#include <linux/mm.h>\n"
		"#include <linux/module.h>\n"
		"#include <linux/moduleparam.h>\n"
		"#include <linux/mutex.h>\n"
		"#include <linux/percpu.h>\n"
		"#include <linux/sched.h>\n"
		"#include <linux/slab.h>\n"
		"#include <linux/spinlock.h>\n"
		"#include <linux/vmalloc.h>\n"
		"#include \"kmlab_dp.h\"\n\n",
		name, hdr->plan, KMLAB_VERSION, plan->path,
		demand ? " * Its demand phase runs on each write to\n * /sys/module/" : "",
		demand ? name : "", demand ? "/parameters/demand.\n" : "");

	fputs("enum {\n", f);
	for (i = 0; i < plan->nr_objs; i++)
		fprintf(f, "\t%s,\n", g.sym[i]);
	fputs("\tNR_OBJS\n};\n\n", f);
	fputs("static struct kmlab_ir_obj objs[NR_OBJS] = {\n", f);
	for (i = 0; i < plan->nr_objs; i++)
		fprintf(f, "\t[%s] = { \"%s\", %s, %u },\n",
			g.sym[i], plan->objs[i].name,
			family_sym(plan->objs[i].family), plan->objs[i].line);
	fprintf(f, "};\n\n"
		"static struct kmlab_plan plan = {\n"
		"\t.hdr = { .plan = \"%s\", .nr_objs = NR_OBJS },\n"
		"\t.objs = objs,\n", hdr->plan);
	if (demand)
		fprintf(f, "\t/* the most bytes a run of its demand phase allocates */\n"
			"\t.cost = { [KMLAB_PHASE_DEMAND] = %llu },\n",
			(unsigned long long)cost[KMLAB_PHASE_DEMAND]);
	fprintf(f, "};\n\n"
		"/* one phase at a time: module init,%s module exit */\n"
		"static DEFINE_MUTEX(plan_mutex);\n", demand ? " demand writes," : "");
	if (lock)
		fputs("/* the lock of the plan's atomic sections */\n"
		      "static DEFINE_SPINLOCK(plan_lock);\n", f);

	for (i = 0; i < KMLAB_PHASE_MAX; i++)
		if (has_phase(plan, i))
			gen_phase(&g, i);

	if (demand)
		fprintf(f, "\n"
			"/* set while the module is live: demand runs only then */\n"
			"static bool plan_ready;\n\n"
			"static int demand_set(const char *val, const struct kernel_param *kp)\n"
			"{\n"
			"\tint err = 0;\n\n"
			"\tmutex_lock(&plan_mutex);\n"
			"\tif (!plan_ready) {\n"
			"\t\tpr_err(\"demand runs the plan's demand phase in a loaded module: write to /sys/module/%%s/parameters/demand after the load\\n\",\n"
			"\t\t       KBUILD_MODNAME);\n"
			"\t\terr = -EBUSY;\n"
			"\t} else if (plan.bytes + plan.cost[KMLAB_PHASE_DEMAND] > KMLAB_MAX_BYTES) {\n"
			"\t\t/* kmlab_dp's max_bytes, at its default */\n"
			"\t\tpr_err(\"plan %%s: this demand could take the plan's memory past %%llu bytes (%%llu held): unload the module\\n\",\n"
			"\t\t       plan.hdr.plan, KMLAB_MAX_BYTES, plan.bytes);\n"
			"\t\terr = -ENOSPC;\n"
			"\t} else {\n"
			"\t\tplan_demand();\n"
			"\t}\n"
			"\tmutex_unlock(&plan_mutex);\n"
			"\treturn err;\n"
			"}\n\n"
			"static const struct kernel_param_ops demand_ops = {\n"
			"\t.set = demand_set,\n"
			"};\n"
			"module_param_cb(demand, &demand_ops, NULL, 0200);\n"
			"MODULE_PARM_DESC(demand, \"write anything: run the plan's demand phase\");\n");

	fprintf(f, "\nstatic int __init plan_init(void)\n{\n");
	if (has_phase(plan, KMLAB_PHASE_LOAD))
		fputs("\tmutex_lock(&plan_mutex);\n"
		      "\tplan.in_init = true;\n"
		      "\tplan_load();\n"
		      "\tplan.in_init = false;\n"
		      "\tmutex_unlock(&plan_mutex);\n", f);
	if (demand)
		fputs("\tmutex_lock(&plan_mutex);\n"
		      "\tplan_ready = true;\n"
		      "\tmutex_unlock(&plan_mutex);\n", f);
	fprintf(f, "\treturn 0;\n}\n\n"
		"static void __exit plan_exit(void)\n{\n");
	fputs("\tmutex_lock(&plan_mutex);\n", f);
	if (demand)
		fputs("\tplan_ready = false;\n", f);
	if (has_phase(plan, KMLAB_PHASE_UNLOAD))
		fputs("\tplan_unload();\n", f);
	fprintf(f, "\tkmlab_plan_cleanup(&plan, false);\n"
		"\tmutex_unlock(&plan_mutex);\n"
		"}\n\n"
		"module_init(plan_init);\n"
		"module_exit(plan_exit);\n"
		"MODULE_LICENSE(\"GPL\");\n"
		"MODULE_DESCRIPTION(\"kmlab plan %s, compiled by kmlab gen\");\n"
		"/* the plan's IR digest: kmlab run --compiled checks it */\n"
		"MODULE_INFO(kmlab_plan, \"%s\");\n",
		hdr->plan, digest);
	return ferror(f) ? -1 : 0;
}
