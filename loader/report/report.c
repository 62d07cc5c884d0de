// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "kptr.h"
#include "plan.h"
#include "report.h"


static const char *const reasons[KMLAB_REASON_MAX] = {
	[KMLAB_OK]		= "ok",
	[KMLAB_REFUSE_UNGUARDED] = "the cache has no SLUB debug checks",
	[KMLAB_REFUSE_REUSED]	= "the freed memory was handed out again",
	[KMLAB_REFUSE_FAMILY]	= "this free does not match the allocator",
	[KMLAB_REFUSE_ATOMIC]	= "a sleeping call inside an atomic section",
	[KMLAB_REFUSE_STATE]	= "there is no such pointer",
	[KMLAB_REFUSE_BUSY]	= "the cache still has objects",
	[KMLAB_FAILED]		= "the allocator failed",
	[KMLAB_REFUSE_INTERIOR]	= "SLUB would write at the inner address before checking it",
	[KMLAB_REFUSE_BEYOND]	= "the bytes past the object belong to someone else",
	[KMLAB_REFUSE_REPORTS]	= "the kernel already reported as many of this plan's hazards as one run may make it print",
};

const char *report_reason(unsigned int reason)
{
	return reason < KMLAB_REASON_MAX ? reasons[reason] : "unknown reason";
}

static const char *sym(const struct report_ctx *rc, __u64 addr, char *buf,
		       size_t len)
{
	if (rc->sym)
		return rc->sym(rc->sym_ctx, addr, buf, len);
	return kptr(addr, buf, len);
}

/* milliseconds since the module loaded, as "+12.345" */
static const char *rel_ms(const struct timeline *tl, __u64 ts, char *buf,
			  size_t len)
{
	double ms = ts >= tl->t0 ? (ts - tl->t0) / 1e6 :
				   -((tl->t0 - ts) / 1e6);

	snprintf(buf, len, "%+.3f", ms);
	return buf;
}

static size_t shown(const struct tl_finding *fd)
{
	return fd->len < KMLAB_EV_DATA_LEN ? fd->len : KMLAB_EV_DATA_LEN;
}

const char *report_sentence(const struct tl_finding *fd, char *buf,
			    size_t len)
{
	switch (fd->kind) {
	case FINDING_LEAK:
		snprintf(buf, len, "Nothing freed this object before the module went away, so its memory stays allocated until the next reboot.");
		break;
	case FINDING_DOUBLE_FREE:
		snprintf(buf, len, "The object was freed twice: the second free gives the allocator memory it already owns, which corrupts its free list unless a debug check catches it.");
		break;
	case FINDING_LATE_ACCESS:
		if (fd->is_read && fd->has_data &&
		    timeline_poison(fd->data, shown(fd)))
			snprintf(buf, len, "The pointer survived the free, the memory did not: these bytes are SLUB's poison (0x6b), not what was written.");
		else if (fd->is_read)
			snprintf(buf, len, "The pointer survived the free, the memory did not: these bytes belong to the allocator now, whatever they look like.");
		else
			snprintf(buf, len, "Writing through a freed pointer scribbles on memory the allocator may already have given to someone else.");
		break;
	case FINDING_REFUSED:
		if (fd->reason == KMLAB_REFUSE_REPORTS) {
			snprintf(buf, len, "The kernel's checkers would have caught this one as they caught the earlier ones; a run makes them print at most %d reports, each of which holds the CPU while the console takes it.",
				 KMLAB_MAX_REPORTS);
			break;
		}
		snprintf(buf, len, "The data plane refused to run this hazard (%s): %s", report_reason(fd->reason),
			 fd->reason == KMLAB_REFUSE_FAMILY ?
			 "depending on the pair, the wrong free corrupts memory, or the kernel warns and leaks the object." :
			 "on this kernel it would corrupt memory instead of being caught.");
		break;
	case FINDING_FAILED_ALLOC:
		snprintf(buf, len, "The allocator returned NULL: code must check every allocation before using it.");
		break;
	case FINDING_OVERFLOW:
		if (fd->seen_by & TL_SEEN_SLUB)
			snprintf(buf, len, "The write ran past the %llu bytes that were asked for into SLUB's red zone, which caught it; without slub_debug those bytes belong to the allocator or to the next object.",
				 (unsigned long long)fd->size);
		else
			snprintf(buf, len, "The access runs past the %llu bytes that were asked for; the allocator's rounding hid it this time, but those bytes are not yours.",
				 (unsigned long long)fd->size);
		break;
	case FINDING_WRONG_FREE:
		snprintf(buf, len, "Every allocator has its own free: handing an object to the wrong one corrupts both.");
		break;
	case FINDING_INTERIOR_FREE:
		snprintf(buf, len, "Only the address the allocator returned can be freed, not a pointer into the middle.");
		break;
	case FINDING_STALE_FREE:
		snprintf(buf, len, "The address was freed after it had been given to another object: that frees someone else's memory.");
		break;
	default:
		snprintf(buf, len, "Unknown finding.");
	}
	return buf;
}

bool report_observable(const struct tl_finding *fd,
		       const struct report_ctx *rc)
{
	__u32 family = KMLAB_FAM_NONE;

	if (fd->observed || fd->kind == FINDING_REFUSED)
		return true;
	/* nothing in the observer tells a reused address's free apart */
	if (fd->kind == FINDING_STALE_FREE)
		return false;
	if (rc->plan && fd->plan_obj >= 0 && fd->plan_obj < rc->plan->nr_objs)
		family = rc->plan->objs[fd->plan_obj].family;
	return rc->families || family == KMLAB_FAM_NONE ||
	       family == KMLAB_FAM_KMALLOC || family == KMLAB_FAM_CACHE;
}

static void hex(FILE *f, const __u8 *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%02x", i ? " " : "", d[i]);
}

/*
 * --hide-pointers: a leak's bytes may hold kernel addresses (list heads,
 * pointers to other objects).  Byte @i is hidden when its aligned 8-byte
 * word is whole and reads as one (x86-64: the upper half, top 17 bits
 * set).
 */
static bool dump_hidden(const __u8 *d, size_t n, size_t i)
{
	size_t w = i & ~(size_t)7;
	__u64 v;

	if (!kptr_hidden() || w + 8 > n)
		return false;
	memcpy(&v, d + w, 8);
	return v >= 0xffff800000000000ULL;
}

/* kmemleak's layout: 16 bytes a row, then those that print as text */
static void text_dump(FILE *f, const struct tl_finding *fd)
{
	size_t i, row, n = fd->dump_len;

	fprintf(f, "     hex dump (first %zu bytes%s):\n", n,
		kptr_hidden() ? ", kernel addresses hidden" : "");
	for (row = 0; row < n; row += 16) {
		fprintf(f, "      ");
		for (i = row; i < row + 16; i++) {
			if (i >= n)
				fprintf(f, "   ");
			else if (dump_hidden(fd->dump, n, i))
				fprintf(f, " --");
			else
				fprintf(f, " %02x", fd->dump[i]);
		}
		fprintf(f, "  ");
		for (i = row; i < row + 16 && i < n; i++)
			fputc(dump_hidden(fd->dump, n, i) ? '-' :
			      fd->dump[i] >= 0x20 && fd->dump[i] < 0x7f ?
			      fd->dump[i] : '.', f);
		fprintf(f, "\n");
	}
}

/* The same in JSON: hex, "--" for a hidden byte */
static void json_dump(FILE *f, const struct tl_finding *fd)
{
	size_t i;

	fprintf(f, ",\"bytes\":\"");
	for (i = 0; i < fd->dump_len; i++)
		if (dump_hidden(fd->dump, fd->dump_len, i))
			fprintf(f, "--");
		else
			fprintf(f, "%02x", fd->dump[i]);
	fprintf(f, "\"");
}

static const char *obj_name(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s", name[0] ? name : "(unnamed)");
	return buf;
}

/*
 * The stack is taken inside the observer: its first frames are the BPF
 * program and the tracepoint, kprobe or trampoline that ran it.  Start at
 * the first frame of the kernel proper.
 */
static __u32 first_frame(const struct tl_stack *st,
			 const struct report_ctx *rc)
{
	static const char *const ours[] = {
		"bpf_prog_", "bpf_trace_run", "__bpf_trace_",
		"bpf_trampoline_", "kprobe_", "arch_ftrace_", "ftrace_",
		"0x",
	};
	char s[160];
	__u32 i, k;

	for (i = 0; i + 1 < st->nr && i < KMLAB_STACK_DEPTH; i++) {
		sym(rc, st->ip[i], s, sizeof(s));
		for (k = 0; k < sizeof(ours) / sizeof(ours[0]); k++)
			if (!strncmp(s, ours[k], strlen(ours[k])))
				break;
		if (k == sizeof(ours) / sizeof(ours[0]))
			break;
	}
	return i;
}

/* one "symbol+off [module]" line per frame */
/* A stack frame: its symbol, and its source line when the module's
 * DWARF has it ("late_use+0x1c [mod] (mod.c:57)"). */
static const char *frame(const struct report_ctx *rc, const struct tl_stack *st,
			 __u32 i, char *buf, size_t len)
{
	__u64 ip = st->ip[i];
	unsigned int line = 0;
	/* where() takes a return address: the faulting one is not */
	const char *file = rc->where ? rc->where(rc->sym_ctx,
		ip + (i == 0 && st->exact), &line) : NULL;
	char s[160];

	if (!file)
		return sym(rc, ip, buf, len);
	snprintf(buf, len, "%s (%s:%u)", sym(rc, ip, s, sizeof(s)), file,
		 line);
	return buf;
}

static void text_stack(FILE *f, const char *title, const struct tl_stack *st,
		       const struct report_ctx *rc)
{
	char s[256];
	__u32 i;

	if (!st->nr)
		return;
	fprintf(f, "     %s:\n", title);
	for (i = first_frame(st, rc); i < st->nr && i < KMLAB_STACK_DEPTH; i++)
		fprintf(f, "       %s\n", frame(rc, st, i, s, sizeof(s)));
}

static void json_stack(FILE *f, const char *key, const struct tl_stack *st,
		       const struct report_ctx *rc)
{
	char s[256];
	__u32 i;

	__u32 first = first_frame(st, rc);

	fprintf(f, ",\"%s\":[", key);
	for (i = first; i < st->nr && i < KMLAB_STACK_DEPTH; i++) {
		if (i > first)
			fputc(',', f);
		json_str(f, frame(rc, st, i, s, sizeof(s)));
	}
	fputc(']', f);
}

static void text_free(FILE *f, const struct timeline *tl,
		      const struct tl_object *o, const struct report_ctx *rc)
{
	char t[32], s[160];

	fprintf(f, "    %9s ms  freed by %s at %s",
		rel_ms(tl, o->free_ts, t, sizeof(t)),
		kmlab_free_name(o->free_src),
		sym(rc, o->free_site, s, sizeof(s)));
	if (o->free_line)
		fprintf(f, " (line %u)", o->free_line);
	if (o->slub_kept)
		fprintf(f, "; SLUB found it corrupted and refused the free: it stays allocated");
	fprintf(f, "\n");
}

static void text_object(FILE *f, const struct timeline *tl,
			const struct tl_object *o, const struct report_ctx *rc)
{
	char t[32], s[160], n[KMLAB_EV_NAME_LEN + 16], p[KPTR_LEN];
	bool free_shown = false;
	int i, times;

	fprintf(f, "  %s", obj_name(o->name, n, sizeof(n)));
	if (o->line)
		fprintf(f, " (line %u)", o->line);
	fprintf(f, " at %s%s%s\n", kptr(o->ptr, p, sizeof(p)),
		o->cache[0] ? " in cache " : "", o->cache);
	if (o->seen_alloc) {
		fprintf(f, "    %9s ms  allocated %llu bytes (%llu real) by %s at %s", rel_ms(tl, o->alloc_ts, t, sizeof(t)),
			(unsigned long long)o->size_req,
			(unsigned long long)o->size_alloc,
			kmlab_family_name(o->family),
			sym(rc, o->alloc_site, s, sizeof(s)));
		if (o->via)
			fprintf(f, " through %s",
				sym(rc, o->via, s, sizeof(s)));
		fprintf(f, "\n");
	} else {
		fprintf(f, "    %9s ms  allocated %llu bytes by %s (not seen by the observer: no leak or free check)\n",
			rel_ms(tl, o->alloc_ts, t, sizeof(t)),
			(unsigned long long)o->size_req,
			kmlab_family_name(o->family));
	}
	for (i = 0; i < o->nr_steps; i += times) {
		const struct tl_step *st = &o->steps[i];

		/* a run of the same step (a repeat block's): one line */
		for (times = 1; i + times < o->nr_steps &&
		     tl_same_step(st, &o->steps[i + times]) &&
		     !(o->freed && o->free_ts > st->ts &&
		       o->free_ts <= st[times].ts);)
			times++;
		/* the free, in time order among the steps */
		if (o->freed && !free_shown && o->free_ts <= st->ts) {
			text_free(f, tl, o, rc);
			free_shown = true;
		}
		fprintf(f, "    %9s ms  %s", rel_ms(tl, st->ts, t, sizeof(t)),
			kmlab_op_name(st->op));
		if (st->op == KMLAB_OP_READ || st->op == KMLAB_OP_WRITE)
			fprintf(f, " [%llu, %llu)",
				(unsigned long long)st->off,
				(unsigned long long)(st->off + st->len));
		if (st->result && st->reason)
			fprintf(f, " refused: %s", report_reason(st->reason));
		else if (st->op == KMLAB_OP_READ) {
			fprintf(f, " saw ");
			hex(f, st->data, st->len < KMLAB_EV_DATA_LEN ?
				st->len : KMLAB_EV_DATA_LEN);
		}
		if (st->late)
			fprintf(f, "  <- after the free");
		fprintf(f, " (line %u)", st->line);
		if (times > 1)
			fprintf(f, " x%d, the last at %s ms", times,
				rel_ms(tl, st[times - 1].ts, t, sizeof(t)));
		fprintf(f, "\n");
	}
	if (o->freed && !free_shown)
		text_free(f, tl, o, rc);
	else if (o->leaked)
		fprintf(f, "    %9s ms  still allocated when the module went away\n", rel_ms(tl, tl->unload_ts, t, sizeof(t)));
	else if (o->free_unseen && o->missed_ts)
		fprintf(f, "    %9s ms  freed by then, by a free no kmem event showed (its address was handed out again)\n",
			rel_ms(tl, o->missed_ts, t, sizeof(t)));
	else if (o->free_unseen)
		fprintf(f, "    %9s     freed before the module went away (the ring buffer had no room for the record)\n", "");
}

static bool refused_on(const struct timeline *tl, __u32 line)
{
	int i;

	for (i = 0; i < tl->nr_finds; i++)
		if (tl->finds[i].kind == FINDING_REFUSED &&
		    tl->finds[i].observed && tl->finds[i].line == line)
			return true;
	return false;
}

/* The cache the finding's object came from, "its cache" if unknown. */
static const char *cache_of(const struct timeline *tl,
			    const struct tl_finding *fd)
{
	if (fd->object >= 0 && fd->object < tl->nr_objs &&
	    tl->objs[fd->object].cache[0])
		return tl->objs[fd->object].cache;
	return "its cache";
}

/* " by insmod (pid 93)": the task that allocated the finding's object */
static void text_task(FILE *f, const struct timeline *tl,
		      const struct tl_finding *fd)
{
	const struct tl_object *o;

	if (fd->object < 0 || fd->object >= tl->nr_objs)
		return;
	o = &tl->objs[fd->object];
	if (o->alloc_comm[0])
		fprintf(f, " by %s (pid %u)", o->alloc_comm, o->alloc_pid);
	else if (o->alloc_pid)
		fprintf(f, " by pid %u", o->alloc_pid);
}

/* @fd and the @times - 1 findings after it, the same but for when */
static void text_finding(FILE *f, const struct timeline *tl, int nr,
			 const struct tl_finding *fd, int times,
			 const struct report_ctx *rc)
{
	char s[160], s2[160], n[KMLAB_EV_NAME_LEN + 16], why[320], p[KPTR_LEN];

	fprintf(f, "  %d. %s: %s", nr, finding_name(fd->kind),
		obj_name(fd->name, n, sizeof(n)));
	if (fd->size)
		fprintf(f, ", %llu bytes", (unsigned long long)fd->size);
	if (fd->line)
		fprintf(f, ", line %u", fd->line);
	if (times > 1)
		fprintf(f, ", x%d (the first shown, the JSON has each)", times);
	fprintf(f, "\n");
	if (fd->observed) {
		switch (fd->kind) {
		case FINDING_LEAK:
			fprintf(f, "     allocated at %s", sym(rc, fd->site,
							  s, sizeof(s)));
			if (fd->via)
				fprintf(f, " through %s",
					sym(rc, fd->via, s2, sizeof(s2)));
			text_task(f, tl, fd);
			fprintf(f, ", %.3f ms old at unload",
				fd->age_ns / 1e6);
			if (fd->load)
				fprintf(f, " (load %d of %d)", fd->load,
					tl->nr_loads);
			if (fd->object >= 0 && fd->object < tl->nr_objs)
				fprintf(f, ", at %s",
					kptr(tl->objs[fd->object].ptr, p,
					     sizeof(p)));
			fprintf(f, "\n");
			if (fd->dump_len)
				text_dump(f, fd);
			break;
		case FINDING_DOUBLE_FREE:
			fprintf(f, "     first freed at %s\n",
				sym(rc, fd->site2, s2, sizeof(s2)));
			if (fd->site)
				fprintf(f, "     freed again at %s, %.3f ms later\n",
					sym(rc, fd->site, s, sizeof(s)),
					fd->age_ns / 1e6);
			else	/* the plan's record alone */
				fprintf(f, "     freed again by the data plane (line %u), %.3f ms later; no kernel record of this free reached kmlab (see the lost counts)\n",
					fd->line, fd->age_ns / 1e6);
			break;
		case FINDING_LATE_ACCESS:
			if (fd->accessed) {
				fprintf(f, "     %s [%llu, %llu) %.3f ms after its free at %s, by %s (%s saw it)\n",
					fd->rw_unknown ? "read or write" :
					fd->is_read ? "read" : "write",
					(unsigned long long)fd->off,
					(unsigned long long)(fd->off + fd->len),
					fd->age_ns / 1e6,
					sym(rc, fd->site2, s2, sizeof(s2)),
					sym(rc, fd->site, s, sizeof(s)),
					!(fd->seen_by & TL_SEEN_KFENCE) ?
					"a hardware watchpoint" :
					fd->seen_by & TL_SEEN_WATCH ?
					"a hardware watchpoint and KFENCE, on a sampled object," :
					"KFENCE, on a sampled object,");
			} else if (fd->seen_by == TL_SEEN_SLUB)
				fprintf(f, "     write [%llu, %llu) found by SLUB's poison check %.3f ms after its free at %s (written in between)\n",
					(unsigned long long)fd->off,
					(unsigned long long)(fd->off + fd->len),
					fd->age_ns / 1e6,
					sym(rc, fd->site, s, sizeof(s)));
			else
				fprintf(f, "     %s [%llu, %llu) %.3f ms after its free at %s\n", fd->is_read ? "read" : "write",
					(unsigned long long)fd->off,
					(unsigned long long)(fd->off + fd->len),
					fd->age_ns / 1e6,
					sym(rc, fd->site, s, sizeof(s)));
			if (fd->has_data) {
				fprintf(f, "     bytes seen: ");
				hex(f, fd->data, shown(fd));
				fprintf(f, "\n");
			}
			break;
		case FINDING_OVERFLOW:
			/* a left red zone lies before the object: off < 0 */
			fprintf(f, "     %s [%lld, %lld) of a %llu-byte object%s\n", fd->is_read ? "read" : "write",
				(long long)fd->off,
				(long long)(fd->off + fd->len),
				(unsigned long long)fd->size,
				fd->seen_by & TL_SEEN_SLUB ?
				", found by SLUB's red zone check" :
				!(fd->seen_by & TL_SEEN_KFENCE) ? "" :
				fd->accessed ?
				", by KFENCE's guard page (a sampled object)" :
				", found by KFENCE's canary at free (a sampled object)");
			if (fd->accessed)
				fprintf(f, "     at %s\n",
					sym(rc, fd->site, s, sizeof(s)));
			else if (!(fd->seen_by & TL_SEEN_PLAN))
				fprintf(f, "     allocated at %s\n",
					sym(rc, fd->site, s, sizeof(s)));
			if (fd->has_data) {
				fprintf(f, "     bytes found: ");
				hex(f, fd->data, shown(fd));
				fprintf(f, "\n");
			}
			break;
		case FINDING_REFUSED:
			fprintf(f, "     refused: %s\n",
				report_reason(fd->reason));
			break;
		case FINDING_INTERIOR_FREE:
			fprintf(f, "     freed at its start + %llu, at %s\n",
				(unsigned long long)fd->off,
				sym(rc, fd->site, s, sizeof(s)));
			break;
		case FINDING_WRONG_FREE:
			if (fd->src == fd->src2 && fd->src == KMLAB_FAM_CACHE)
				fprintf(f, "     allocated from %s at %s\n     freed into %s at %s\n",
					cache_of(tl, fd),
					sym(rc, fd->site2, s2, sizeof(s2)),
					fd->cache_given[0] ? fd->cache_given :
					"another cache",
					sym(rc, fd->site, s, sizeof(s)));
			else
				fprintf(f, "     allocated by %s at %s\n     freed by %s at %s\n",
					kmlab_family_name(fd->src2),
					sym(rc, fd->site2, s2, sizeof(s2)),
					kmlab_free_name(fd->src),
					sym(rc, fd->site, s, sizeof(s)));
			break;
		case FINDING_FAILED_ALLOC:
			if (fd->site)
				fprintf(f, "     at %s\n",
					sym(rc, fd->site, s, sizeof(s)));
			break;
		default:
			break;
		}
		text_stack(f, fd->kind == FINDING_LEAK ? "allocated here" :
			   fd->accessed ? "accessed here" :
			   fd->kind == FINDING_LATE_ACCESS ? "freed here" :
			   fd->kind == FINDING_OVERFLOW ? "allocated here" :
			   "stack", &fd->stack, rc);
		text_stack(f, fd->kind == FINDING_LATE_ACCESS ? "freed here" :
			   fd->kind == FINDING_OVERFLOW ? "allocated here" :
			   "first freed here", &fd->stack2, rc);
		/* a late access: the third moment, the allocation */
		if (fd->kind == FINDING_LATE_ACCESS && fd->object >= 0 &&
		    fd->object < tl->nr_objs)
			text_stack(f, "allocated here",
				   tl->objs[fd->object].alloc_stack, rc);
	}
	if (rc->plan)
		fprintf(f, "     predicted by the verifier: %s; observed: %s\n", fd->predicted ? "yes" : "no",
			fd->observed ? "yes" : refused_on(tl, fd->line) ?
			"no (the data plane refused it, see above)" :
			"no (the observer did not see it happen)");
	if (fd->predicted && fd->pred_msg[0])
		fprintf(f, "     verifier: %s\n", fd->pred_msg);
	if (!fd->observed && !refused_on(tl, fd->line))
		fprintf(f, "     The observer cannot confirm this one: %s\n",
			report_observable(fd, rc) ? "it did not see it happen." : "on this kernel (no kprobes) it sees only kmalloc and kmem_cache objects.");
	fprintf(f, "     %s%s\n", fd->observed ? "" :
		refused_on(tl, fd->line) ? "Had it run: " : "If it happened: ",
		report_sentence(fd, why, sizeof(why)));
}

/* What the recursion misses could have hidden, in words. */
static void text_misses(FILE *f, const struct timeline *tl)
{
	const struct kmlab_misses *m = &tl->misses;
	bool irq = m->irq_events > 0;

	if (m->alloc)
		fprintf(f, "note: %llu allocation%s in interrupts went unexamined (the observer was running on that CPU): %s\n", (unsigned long long)m->alloc,
			m->alloc == 1 ? "" : "s",
			irq || m->atomic_allocs ?
			"the module allocates where it cannot sleep, so one of its objects may be among them" :
			"every allocation of the module could sleep, so none of them was the module's");
	if (m->free)
		fprintf(f, "note: %llu free%s in interrupts went unexamined: %s\n", (unsigned long long)m->free,
			m->free == 1 ? "" : "s",
			irq ? "the module acts in interrupts, so one of its frees may be among them" :
			timeline_count(tl, FINDING_LEAK) ?
			"a leak above may be one of those frees" :
			"nothing is left unfreed and the module was never seen in an interrupt, so none was the module's");
	if (m->other)
		fprintf(f, "note: %llu module or plan event%s went unexamined\n", (unsigned long long)m->other,
			m->other == 1 ? "" : "s");
}

static void text_kfence(FILE *f, const struct timeline *tl)
{
	if (tl->kfence_unheard)
		fprintf(f, "note: KFENCE began sampling (every %d ms) after kmlab started, which listens to it only when it samples from the start: run kmlab again to add its checks\n",
			tl->kfence_interval);
	else if (tl->kfence_interval > 0)
		fprintf(f, "note: KFENCE sampled one allocation every %d ms and reported %llu time%s%s; the objects it did not sample it cannot see\n",
			tl->kfence_interval,
			(unsigned long long)tl->kfence_reports,
			tl->kfence_reports == 1 ? "" : "s",
			tl->kfence_foreign ? " (some about objects that are not the module's)" : "");
	else if (tl->kfence_interval == 0 && tl->slab_frees)
		fprintf(f, "note: KFENCE is in this kernel but not sampling (boot with kfence.sample_interval=100 to add its checks)\n");
}

/*
 * The records of allocations and frees the ring buffer had no room for:
 * what the timeline lacks, and whether an answer rested on them.
 */
static void text_ring_lost(FILE *f, const struct timeline *tl)
{
	__u64 a = tl->lost[KMLAB_LOST_RING_ALLOC];
	__u64 fr = tl->lost[KMLAB_LOST_RING_FREE];

	if (!a && !fr)
		return;
	fprintf(f, "note: the ring buffer (%llu MiB) had no room for %llu allocation and %llu free records: the timeline lacks them",
		(unsigned long long)(tl->ring_bytes >> 20),
		(unsigned long long)a, (unsigned long long)fr);
	if (timeline_records_needed(tl))
		fprintf(f, ", and %s rested on them, so the verdict cannot be trusted",
			tl->plan_steps ? "the plan's steps" :
			tl->unknown_frees ? "placing a free of an unknown address" :
			"placing a SLUB or KFENCE report");
	else
		fprintf(f, "; the observer's live map followed every object, so the leaks are all here (those whose record was lost without their stack), and a second or wrong free has a record of its own");
	if (tl->frees_unseen)
		fprintf(f, "; %llu object%s shown without a free %s freed, when is not known",
			(unsigned long long)tl->frees_unseen,
			tl->frees_unseen == 1 ? "" : "s",
			tl->frees_unseen == 1 ? "was" : "were");
	fprintf(f, "; --ring %llu gives room for them\n",
		kmlab_ring_enough(tl->ring_bytes, a + fr));
}

static void text_summary(FILE *f, const struct timeline *tl)
{
	fprintf(f, "summary: %d finding%s (%d leak, %d double free, %d late access, %d refused, %d other); lost: %llu ring buffer, %llu live map full, %llu freed map, %llu freed records aged, %llu recursion\n",
		timeline_count(tl, FINDING_MAX),
		timeline_count(tl, FINDING_MAX) == 1 ? "" : "s",
		timeline_count(tl, FINDING_LEAK),
		timeline_count(tl, FINDING_DOUBLE_FREE),
		timeline_count(tl, FINDING_LATE_ACCESS),
		timeline_count(tl, FINDING_REFUSED),
		timeline_count(tl, FINDING_MAX) -
		timeline_count(tl, FINDING_LEAK) -
		timeline_count(tl, FINDING_DOUBLE_FREE) -
		timeline_count(tl, FINDING_LATE_ACCESS) -
		timeline_count(tl, FINDING_REFUSED),
		(unsigned long long)kmlab_ring_lost(tl->lost),
		(unsigned long long)tl->lost[KMLAB_LOST_LIVE_FULL],
		(unsigned long long)tl->lost[KMLAB_LOST_FREED_FULL],
		(unsigned long long)tl->lost[KMLAB_LOST_FREED_AGED],
		(unsigned long long)tl->recursion_misses);
	if (!tl->loaded)
		fprintf(f, "note: the module's load was never seen\n");
	if (tl->attached)
		fprintf(f, "note: kmlab attached to %s after its load: what it allocated before is unknown, so leaks among that go unseen (it freed %llu such object%s while watched: not findings)\n",
			tl->module, (unsigned long long)tl->unknown_frees,
			tl->unknown_frees == 1 ? "" : "s");
	if (tl->loaded && !tl->unloaded)
		fprintf(f, "note: the module's unload was never seen: leaks cannot be told\n");
	text_misses(f, tl);
	if (tl->lost[KMLAB_LOST_LIVE_FULL])
		fprintf(f, "note: the module held more objects at once than the observer's live map has room for (%llu): %llu of its allocations were not followed, and a leak among them would go unseen; --live %llu gives room for all of them\n",
			(unsigned long long)tl->live_max,
			(unsigned long long)tl->lost[KMLAB_LOST_LIVE_FULL],
			kmlab_live_enough(tl->live_max, tl->lost[KMLAB_LOST_LIVE_FULL]));
	if (tl->lost[KMLAB_LOST_RINGBUF] || tl->lost[KMLAB_LOST_FREED_FULL])
		fprintf(f, "note: the observer dropped events (ring buffer or map full): the timeline is incomplete\n");
	text_ring_lost(f, tl);
	if (tl->frees_missed)
		fprintf(f, "note: %llu of the module's objects %s freed by a free no kmem event showed (kmem_cache_free_bulk(), kfree_rcu()'s batches, or a free whose program the kernel skipped as another ran on its CPU): each found freed when its address was handed out again\n",
			(unsigned long long)tl->frees_missed,
			tl->frees_missed == 1 ? "was" : "were");
	if (tl->lost[KMLAB_LOST_FREED_AGED])
		fprintf(f, "note: the module freed more objects than the observer keeps (%llu): the oldest frees' records may have aged out, and a second free of one of those would go unseen; --live %llu keeps them all\n",
			(unsigned long long)tl->freed_max,
			kmlab_freed_enough(tl->freed_max,
					   tl->lost[KMLAB_LOST_FREED_AGED]));
	if (tl->slub_checked[0])
		fprintf(f, "note: SLUB checked the poison and red zones of %s at the end%s\n",
			tl->slub_checked, tl->slub_foreign ?
			" (it also found corruption in objects that are not the module's)" : "");
	if (tl->slub_rounding_blind)
		fprintf(f, "note: this kernel's SLUB (before 6.2) does not check the bytes between what a kmalloc asked for and its bucket: %llu of the module's objects have such bytes (%llu asked for, %llu given), where an overflow goes unseen by it\n",
			(unsigned long long)tl->slub_rounding_blind,
			(unsigned long long)tl->blind_size,
			(unsigned long long)tl->blind_class);
	if (tl->slub_unguarded[0])
		fprintf(f, "note: %s %s no SLUB debug checks: late writes and overflows there go unseen (boot with slub_debug=FZPU to have them)\n",
			tl->slub_unguarded,
			strchr(tl->slub_unguarded, ' ') ? "have" : "has");
	if (tl->watch_slots && tl->slab_frees)
		fprintf(f, "note: %d hardware watchpoint%s per CPU covered the first %d bytes of the module's last free each time: %llu of its %llu slab frees were watched as they came%s\n",
			tl->watch_slots, tl->watch_slots == 1 ? "" : "s",
			tl->watch_slots * KMLAB_WATCH_LEN,
			(unsigned long long)tl->watch_frees,
			(unsigned long long)tl->slab_frees,
			tl->watch_frees < tl->slab_frees ?
			" (a later free moves them on)" : "");
	else if (tl->watch_why[0] && tl->slab_frees)
		fprintf(f, "note: no hardware watchpoints (%s): a late read goes unseen\n",
			tl->watch_why);
	text_kfence(f, tl);
	if (tl->late_unconfirmed)
		fprintf(f, "note: %llu access%s the module flagged late hit memory the observer never saw freed (a family the kmem tracepoints do not show)\n",
			(unsigned long long)tl->late_unconfirmed,
			tl->late_unconfirmed == 1 ? "" : "es");
	fprintf(f, "verdict: %s\n", timeline_verdict(tl));
}

/*
 * Folding: objects that lived the same life (struct tl_lives) print
 * once, with how many there were.  A repeat of 10,000 is then one block,
 * not 30,000 lines.  Objects a finding is about always print alone.  The
 * timeline has folded most of them already as the run went (each kept
 * object counts those in o->folded); this folds the rest the same way.
 */
struct life {
	int rep;		/* the first that lived so; -1: not printed */
	int count;		/* for a first: how many lived so */
	struct tl_last last;	/* ... and the newest of them */
};

/* Fills @lf[i] for each object; -1 in rep: the data plane's own, hidden.
 * Returns 0 or -ENOMEM (then nothing folds). */
static int fold_objects(const struct timeline *tl, bool hide_own,
			struct life *lf)
{
	struct tl_lives lv;
	int i, first;

	if (timeline_lives_init(&lv, tl))
		return -ENOMEM;
	memset(lf, 0, tl->nr_objs * sizeof(*lf));
	for (i = 0; i < tl->nr_objs; i++) {
		const struct tl_object *o = &tl->objs[i];

		lf[i].rep = i;
		/* in a plan run, unnamed objects are the data plane's own
		 * bookkeeping: only worth a line when they go wrong */
		if (hide_own && !o->name[0] && o->freed && !o->leaked) {
			lf[i].rep = -1;
			lf[i].count = 1 + o->folded;
			continue;
		}
		first = lv.about[i] ? i : timeline_lives_first(&lv, tl, i);
		lf[i].rep = first;
		lf[first].count += tl_last_add(&lf[first].last, o);
	}
	timeline_lives_free(&lv);
	return 0;
}

static void text_timeline(FILE *f, const struct timeline *tl,
			  const struct report_ctx *rc)
{
	struct life *lf = malloc((tl->nr_objs ? tl->nr_objs : 1) *
				 sizeof(*lf));
	char t[32], p[KPTR_LEN];
	int i, hidden = 0;

	if (!tl->nr_objs)
		fprintf(f, "  (no objects)\n");
	if (lf && fold_objects(tl, rc->plan, lf)) {
		free(lf);
		lf = NULL;
	}
	for (i = 0; i < tl->nr_objs; i++) {
		const struct tl_object *o = &tl->objs[i];
		const struct life *l = lf ? &lf[i] : NULL;

		if (l && l->rep < 0) {
			hidden += l->count;
			continue;
		}
		if (l && l->rep != i)
			continue;
		text_object(f, tl, o, rc);
		if (!l || l->count == 1)
			continue;
		fprintf(f, "    ... x%d: %d more lived the same way, the last allocated at %s ms at %s\n",
			l->count, l->count - 1,
			rel_ms(tl, l->last.ts, t, sizeof(t)),
			kptr(l->last.ptr, p, sizeof(p)));
	}
	free(lf);
	if (hidden)
		fprintf(f, "  (and %d allocation%s of the data plane's own, all freed)\n", hidden, hidden == 1 ? "" : "s");
}

void report_text(FILE *f, const struct timeline *tl,
		 const struct report_ctx *rc)
{
	char p[KPTR_LEN];
	int i, nr, times;

	fprintf(f, "kmlab: %s\n", rc->title ? rc->title : "");
	fprintf(f, "  kernel %s, module %s%s%s%s", rc->kernel ? rc->kernel :
		"?", tl->module, rc->module_path ? " (" : "",
		rc->module_path ? rc->module_path : "",
		rc->module_path ? ")" : "");
	if (tl->loaded)
		fprintf(f, ", text %s+0x%" PRIx64,
			kptr(tl->text_base, p, sizeof(p)),
			(uint64_t)tl->text_len);
	if (tl->t0_module[0])
		fprintf(f, "\n\ntimeline (ms since kmlab saw the first of the modules watched, %s):\n",
			tl->t0_module);
	else
		fprintf(f, "\n\ntimeline (ms since %s):\n", tl->attached ?
			"kmlab attached to the module" : "the module loaded");
	text_timeline(f, tl, rc);

	fprintf(f, "\nfindings:\n");
	for (i = 0, nr = 0; i < tl->nr_finds; i += times) {
		for (times = 1; i + times < tl->nr_finds &&
		     tl_same_finding(&tl->finds[i], &tl->finds[i + times]);)
			times++;
		text_finding(f, tl, ++nr, &tl->finds[i], times, rc);
	}
	if (!tl->nr_finds)
		fprintf(f, "  none\n");
	fprintf(f, "\n");
	text_summary(f, tl);
}

static void json_site(FILE *f, const char *key, __u64 addr,
		      const struct report_ctx *rc)
{
	char s[160];

	fprintf(f, ",\"%s\":", key);
	if (addr)
		json_str(f, sym(rc, addr, s, sizeof(s)));
	else
		fprintf(f, "null");
}

static const char *const ev_names[] = {
	[KMLAB_EV_ALLOC]	= "alloc",
	[KMLAB_EV_ALLOC_FAIL]	= "alloc_failed",
	[KMLAB_EV_FREE]		= "free",
	[KMLAB_EV_DOUBLE_FREE]	= "double_free",
	[KMLAB_EV_MOD_LOAD]	= "module_load",
	[KMLAB_EV_MOD_FREE]	= "module_free",
	[KMLAB_EV_STEP]		= "step",
};

/* "module": whose event, finding or summary it is (several modules can
 * be watched in one run) */
static void json_module(FILE *f, const struct timeline *tl)
{
	if (!tl->module[0])
		return;
	fprintf(f, ",\"module\":");
	json_strn(f, tl->module, strnlen(tl->module, sizeof(tl->module)));
}

static void json_ev_module(FILE *f, const char *name, size_t size)
{
	fprintf(f, ",\"module\":");
	json_strn(f, name, strnlen(name, size));
}

static void json_ev_mod_load(FILE *f, const struct kmlab_ev_mod_load *e)
{
	char p[KPTR_LEN], p2[KPTR_LEN];

	json_ev_module(f, e->name, sizeof(e->name));
	fprintf(f, ",\"text\":\"%s\",\"text_size\":%llu,\"init_text\":\"%s\",\"init_text_size\":%llu",
		kptr(e->text, p, sizeof(p)),
		(unsigned long long)e->text_size,
		kptr(e->init_text, p2, sizeof(p2)),
		(unsigned long long)e->init_text_size);
	/* found loaded: its load was before kmlab */
	if (e->flags & KMLAB_MOD_ATTACHED)
		fprintf(f, ",\"attached\":true");
}

static void json_ev_step(FILE *f, const struct kmlab_ev_step *e)
{
	const struct kmlab_step_fields *r = &e->step;
	char p[KPTR_LEN];

	fprintf(f, ",\"op\":\"%s\",\"line\":%u,\"object\":",
		kmlab_op_name(r->op), r->line);
	json_strn(f, r->name, strnlen(r->name, sizeof(r->name)));
	fprintf(f, ",\"ptr\":\"%s\",\"off\":%llu,\"len\":%llu,\"result\":%d,\"late\":%s",
		kptr(r->ptr, p, sizeof(p)), (unsigned long long)r->off,
		(unsigned long long)r->len, r->result,
		e->late ? "true" : "false");
	if (r->result && r->reason) {
		fprintf(f, ",\"refused\":");
		json_str(f, report_reason(r->reason));
	}
	if (r->op == KMLAB_OP_READ) {
		fprintf(f, ",\"bytes\":");
		json_hex(f, r->data, r->len < KMLAB_EV_DATA_LEN ? r->len :
				     KMLAB_EV_DATA_LEN);
	}
}

/* an object's event: its address, sizes, cache and sites */
static void json_ev_object(FILE *f, __u64 ptr, __u64 req, __u64 alloc,
			   const char *cache, __u64 site,
			   const struct report_ctx *rc)
{
	char p[KPTR_LEN];

	fprintf(f, ",\"ptr\":\"%s\",\"size\":%llu,\"size_alloc\":%llu",
		kptr(ptr, p, sizeof(p)), (unsigned long long)req,
		(unsigned long long)alloc);
	if (cache && cache[0]) {
		fprintf(f, ",\"cache\":");
		json_strn(f, cache, strnlen(cache, KMLAB_EV_NAME_LEN));
	}
	json_site(f, "site", site, rc);
}

static void json_ev_stack(FILE *f, const struct kmlab_ev_stack *es,
			  const struct report_ctx *rc)
{
	struct tl_stack st;

	if (!es->nr)
		return;
	st.nr = es->nr < KMLAB_STACK_DEPTH ? es->nr : KMLAB_STACK_DEPTH;
	memcpy(st.ip, es->ip, sizeof(st.ip));
	st.exact = false;
	json_stack(f, "stack", &st, rc);
}

void report_json_event(FILE *f, const struct timeline *tl,
		       const union kmlab_ev *e, const struct report_ctx *rc)
{
	const struct kmlab_ev_head *h = &e->h;
	char t[32];

	if (h->type >= sizeof(ev_names) / sizeof(ev_names[0]) ||
	    !ev_names[h->type])
		return;
	fprintf(f, "{\"type\":\"event\",\"event\":\"%s\",\"ms\":%s",
		ev_names[h->type], rel_ms(tl, h->ts, t, sizeof(t)) +
		(h->ts >= tl->t0));	/* JSON numbers have no '+' */
	fprintf(f, ",\"pid\":%u,\"comm\":", h->pid);
	json_strn(f, h->comm, strnlen(h->comm, sizeof(h->comm)));
	/* a module's load and unload name it themselves */
	if (h->type != KMLAB_EV_MOD_LOAD && h->type != KMLAB_EV_MOD_FREE)
		json_module(f, tl);
	switch (h->type) {
	case KMLAB_EV_MOD_LOAD:
		json_ev_mod_load(f, &e->mod_load);
		break;
	case KMLAB_EV_MOD_FREE:
		json_ev_module(f, e->mod_free.name, sizeof(e->mod_free.name));
		fprintf(f, ",\"init_failed\":%s",
			e->mod_free.init_failed ? "true" : "false");
		break;
	case KMLAB_EV_STEP:
		json_ev_step(f, &e->step);
		break;
	case KMLAB_EV_ALLOC:
	case KMLAB_EV_ALLOC_FAIL: {
		const struct kmlab_ev_alloc *a = &e->alloc;

		json_ev_object(f, a->ptr, a->size_req, a->size_alloc,
			       a->cache, a->call_site, rc);
		fprintf(f, ",\"family\":\"%s\"", kmlab_family_name(a->src));
		if (a->via)
			json_site(f, "via", a->via, rc);
		/* the object before at this address: freed unseen, by now */
		if (a->replaced_site)
			json_site(f, "replaced_site", a->replaced_site, rc);
		json_ev_stack(f, &a->stack, rc);
		break;
	}
	case KMLAB_EV_FREE: {
		const struct kmlab_ev_free *fr = &e->free;

		json_ev_object(f, fr->ptr, fr->size_req, fr->size_alloc,
			       fr->cache, fr->call_site, rc);
		fprintf(f, ",\"free\":\"%s\",\"family\":\"%s\"",
			kmlab_free_name(fr->src),
			kmlab_family_name(fr->alloc_src));
		json_site(f, "alloc_site", fr->alloc_site, rc);
		json_ev_stack(f, &fr->stack, rc);
		break;
	}
	case KMLAB_EV_DOUBLE_FREE: {
		const struct kmlab_ev_double_free *d = &e->double_free;

		json_ev_object(f, d->ptr, d->size_req, d->size_alloc, NULL,
			       d->call_site, rc);
		json_site(f, "first_free_site", d->first_site, rc);
		json_ev_stack(f, &d->stack, rc);
		break;
	}
	}
	fprintf(f, "}\n");
}

/* "seen_by":["plan","slub","watchpoint"]: the mechanisms that saw it */
static void json_seen_by(FILE *f, unsigned int seen)
{
	static const char *const names[] = {
		"plan", "slub", "watchpoint", "kfence"
	};
	const char *sep = "";
	unsigned int i;

	fprintf(f, ",\"seen_by\":[");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(seen & (1U << i)))
			continue;
		fprintf(f, "%s\"%s\"", sep, names[i]);
		sep = ",";
	}
	fprintf(f, "]");
}

void report_json_findings(FILE *f, const struct timeline *tl,
			  const struct report_ctx *rc)
{
	char why[320], t[32], p[KPTR_LEN];
	int i;

	/* objects freed while their free record was lost: gone by the
	 * unload (timeline_settle), when exactly is not known */
	for (i = 0; i < tl->nr_objs; i++) {
		const struct tl_object *o = &tl->objs[i];

		if (!o->free_unseen || o->missed_ts)
			continue;
		fprintf(f, "{\"type\":\"event\",\"event\":\"free_unseen\",\"ms\":%s",
			rel_ms(tl, tl->unload_ts, t, sizeof(t)) +
			(tl->unload_ts >= tl->t0));
		json_module(f, tl);
		fprintf(f, ",\"ptr\":\"%s\"}\n", kptr(o->ptr, p, sizeof(p)));
	}
	for (i = 0; i < tl->nr_finds; i++) {
		const struct tl_finding *fd = &tl->finds[i];

		fprintf(f, "{\"type\":\"finding\",\"kind\":\"%s\"", finding_name(fd->kind));
		json_module(f, tl);
		fprintf(f, ",\"object\":");
		if (fd->name[0])
			json_strn(f, fd->name, strnlen(fd->name,
						       sizeof(fd->name)));
		else
			fprintf(f, "null");
		fprintf(f, ",\"line\":%u,\"size\":%llu", fd->line,
			(unsigned long long)fd->size);
		/* where it was, and when (kmlab report puts it on the
		 * object's track) */
		if (fd->object >= 0 && fd->object < tl->nr_objs)
			fprintf(f, ",\"ptr\":\"%s\"",
				kptr(tl->objs[fd->object].ptr, p, sizeof(p)));
		if (fd->ts)
			fprintf(f, ",\"ms\":%s", rel_ms(tl, fd->ts, t,
							 sizeof(t)) +
				(fd->ts >= tl->t0));
		json_site(f, "site", fd->site, rc);
		if (fd->kind == FINDING_DOUBLE_FREE)
			json_site(f, "first_free_site", fd->site2, rc);
		if (fd->kind == FINDING_LATE_ACCESS && fd->accessed)
			json_site(f, "free_site", fd->site2, rc);
		if (fd->kind == FINDING_LEAK && fd->via)
			json_site(f, "via", fd->via, rc);
		if (fd->kind == FINDING_LEAK)
			fprintf(f, ",\"age_ms\":%.3f", fd->age_ns / 1e6);
		if (fd->kind == FINDING_LEAK && fd->dump_len)
			json_dump(f, fd);
		if (fd->kind == FINDING_LEAK && fd->object >= 0 &&
		    fd->object < tl->nr_objs) {
			const struct tl_object *o = &tl->objs[fd->object];

			if (o->alloc_pid)
				fprintf(f, ",\"pid\":%u", o->alloc_pid);
			if (o->alloc_comm[0]) {
				fprintf(f, ",\"comm\":");
				json_str(f, o->alloc_comm);
			}
		}
		if (fd->load)
			fprintf(f, ",\"load\":%d", fd->load);
		if (fd->kind == FINDING_LATE_ACCESS ||
		    fd->kind == FINDING_OVERFLOW) {
			fprintf(f, ",\"access\":\"%s\",\"off\":%lld,\"len\":%llu", fd->rw_unknown ? "read_or_write" :
				fd->is_read ? "read" : "write",
				(long long)fd->off,
				(unsigned long long)fd->len);
			if (fd->kind == FINDING_LATE_ACCESS)
				fprintf(f, ",\"since_free_ms\":%.3f",
					fd->age_ns / 1e6);
			if (fd->has_data) {
				fprintf(f, ",\"bytes\":");
				json_hex(f, fd->data, shown(fd));
			}
		}
		if (fd->kind == FINDING_INTERIOR_FREE)
			fprintf(f, ",\"off\":%llu", (unsigned long long)fd->off);
		if (fd->seen_by)
			json_seen_by(f, fd->seen_by);
		if (fd->kind == FINDING_WRONG_FREE && fd->observed)
			fprintf(f, ",\"allocated_with\":\"%s\",\"freed_with\":\"%s\"",
				kmlab_family_name(fd->src2),
				kmlab_free_name(fd->src));
		if (fd->kind == FINDING_WRONG_FREE && fd->cache_given[0]) {
			fprintf(f, ",\"freed_into\":");
			json_str(f, fd->cache_given);
		}
		if (fd->object >= 0 && fd->object < tl->nr_objs)
			fprintf(f, ",\"family\":\"%s\"", kmlab_family_name(
				tl->objs[fd->object].family));
		if (fd->stack.nr)
			json_stack(f, "stack", &fd->stack, rc);
		if (fd->stack2.nr)
			json_stack(f, fd->kind == FINDING_LATE_ACCESS ?
				   "free_stack" : fd->kind == FINDING_OVERFLOW ?
				   "alloc_stack" : "first_free_stack",
				   &fd->stack2, rc);
		if (fd->kind == FINDING_LATE_ACCESS && fd->object >= 0 &&
		    fd->object < tl->nr_objs &&
		    tl->objs[fd->object].alloc_stack->nr)
			json_stack(f, "alloc_stack",
				   tl->objs[fd->object].alloc_stack, rc);
		if (fd->kind == FINDING_REFUSED) {
			fprintf(f, ",\"reason\":");
			json_str(f, report_reason(fd->reason));
		}
		fprintf(f, ",\"predicted\":%s,\"observed\":%s,\"observable\":%s,\"message\":",
			fd->predicted ? "true" : "false",
			fd->observed ? "true" : "false",
			report_observable(fd, rc) ? "true" : "false");
		json_str(f, report_sentence(fd, why, sizeof(why)));
		fprintf(f, "}\n");
	}
	fprintf(f, "{\"type\":\"summary\"");
	json_module(f, tl);
	fprintf(f, ",\"findings\":%d", timeline_count(tl, FINDING_MAX));
	for (i = 0; i < FINDING_MAX; i++)
		fprintf(f, ",\"%s\":%d", finding_plural(i),
			timeline_count(tl, i));
	/* the room behind lost_live_full and lost_freed_aged */
	fprintf(f, ",\"live_max\":%llu,\"freed_max\":%llu",
		(unsigned long long)tl->live_max,
		(unsigned long long)tl->freed_max);
	/* lost_ringbuf: all records the ring had no room for; of them,
	 * those of allocations and frees that fitted */
	fprintf(f, ",\"lost_ringbuf_allocs\":%llu,\"lost_ringbuf_frees\":%llu,\"frees_unseen\":%llu,\"frees_missed\":%llu,\"ring_bytes\":%llu",
		(unsigned long long)tl->lost[KMLAB_LOST_RING_ALLOC],
		(unsigned long long)tl->lost[KMLAB_LOST_RING_FREE],
		(unsigned long long)tl->frees_unseen,
		(unsigned long long)tl->frees_missed,
		(unsigned long long)tl->ring_bytes);
	fprintf(f, ",\"lost_events\":%llu,\"lost_ringbuf\":%llu,\"lost_live_full\":%llu,\"lost_freed_full\":%llu,\"lost_freed_aged\":%llu,\"recursion_misses\":%llu,\"misses_alloc\":%llu,\"misses_free\":%llu,\"misses_other\":%llu,\"module_atomic_allocs\":%llu,\"module_irq_events\":%llu,\"lost_relevant\":%llu,\"module_loaded\":%s,\"module_unloaded\":%s,\"slub_reports\":%llu,\"slub_foreign\":%llu,\"slub_checked\":",
		(unsigned long long)timeline_lost(tl),
		(unsigned long long)kmlab_ring_lost(tl->lost),
		(unsigned long long)tl->lost[KMLAB_LOST_LIVE_FULL],
		(unsigned long long)tl->lost[KMLAB_LOST_FREED_FULL],
		(unsigned long long)tl->lost[KMLAB_LOST_FREED_AGED],
		(unsigned long long)tl->recursion_misses,
		(unsigned long long)tl->misses.alloc,
		(unsigned long long)tl->misses.free,
		(unsigned long long)tl->misses.other,
		(unsigned long long)tl->misses.atomic_allocs,
		(unsigned long long)tl->misses.irq_events,
		(unsigned long long)timeline_lost_relevant(tl),
		tl->loaded ? "true" : "false",
		tl->unloaded ? "true" : "false",
		(unsigned long long)tl->slub_reports,
		(unsigned long long)tl->slub_foreign);
	json_str(f, tl->slub_checked);
	fprintf(f, ",\"slub_unguarded\":");
	json_str(f, tl->slub_unguarded);
	fprintf(f, ",\"slub_rounding_blind\":%llu",
		(unsigned long long)tl->slub_rounding_blind);
	fprintf(f, ",\"watch_slots\":%d,\"watch_frees\":%llu,\"slab_frees\":%llu,\"watch_hits\":%llu",
		tl->watch_slots, (unsigned long long)tl->watch_frees,
		(unsigned long long)tl->slab_frees,
		(unsigned long long)tl->watch_hits);
	fprintf(f, ",\"kfence_interval_ms\":%d,\"kfence_reports\":%llu,\"kfence_foreign\":%llu",
		tl->kfence_interval, (unsigned long long)tl->kfence_reports,
		(unsigned long long)tl->kfence_foreign);
	if (tl->kfence_unheard)
		fprintf(f, ",\"kfence_unheard\":true");
	fprintf(f, ",\"attached\":%s,\"unknown_frees\":%llu",
		tl->attached ? "true" : "false",
		(unsigned long long)tl->unknown_frees);
	fprintf(f, ",\"verdict\":\"%s\"}\n", timeline_verdict(tl));
}
