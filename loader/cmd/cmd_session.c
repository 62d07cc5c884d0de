// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "cmd.h"
#include "cmd_session.h"
#include "kmlab/families.h"
#include "json.h"
#include "picture.h"
#include "kcore.h"
#include "kptr.h"
#include "ksyms.h"
#include "modsyms.h"
#include "slub_check.h"

/*
 * A module unloaded before kmlab could read its symbols (insmod; rmmod in
 * a script) has none in the snapshot: name its sites by section offset
 * rather than let the nearest older symbol claim them.
 */
/*
 * An address in the module's freed init text: kallsyms named it only if
 * the snapshot was taken while init ran (and the symbol lies there too),
 * else the .ko's own symbol table does, else ".init.text+0x1c".
 */
static const char *init_sym(struct session *s, const struct tl_load *l,
			    __u64 addr, char *buf, size_t len)
{
	const char *mod = NULL, *name;
	unsigned long off;

	if (s->ks && ksyms_lookup(s->ks, addr, &off, &mod) && mod &&
	    !strcmp(mod, s->tl.module) && addr - off >= l->init_base)
		return ksyms_format(s->ks, addr, buf, len);
	if (!s->modsyms_tried) {
		s->modsyms = modsyms_load(s->rc.module_path);
		s->modsyms_tried = true;
	}
	name = modsyms_init(s->modsyms, addr - l->init_base, &off);
	if (name)
		snprintf(buf, len, "%s+0x%lx [%s]", name, off, s->tl.module);
	else
		snprintf(buf, len, ".init.text+0x%llx [%s]",
			 (unsigned long long)(addr - l->init_base),
			 s->tl.module);
	return buf;
}

static const char *sym(void *ctx, __u64 addr, char *buf, size_t len)
{
	struct session *s = ctx;
	const struct timeline *tl = &s->tl;
	const struct tl_load *l;
	const char *mod = NULL;
	unsigned long off;
	bool ours;
	int i;

	if (s->modsyms_bound) {
		const char *name = modsyms_lookup(s->modsyms, addr, &off);

		if (name) {
			snprintf(buf, len, "%s+0x%lx [%s]", name, off,
				 tl->module);
			return buf;
		}
	}
	ours = s->ks && ksyms_lookup(s->ks, addr, &off, &mod) && mod &&
	       !strcmp(mod, tl->module);
	/* the latest load first: an earlier one's range may be reused */
	for (i = (tl->nr_loads < TL_LOADS_MAX ? tl->nr_loads :
		  TL_LOADS_MAX) - 1; i >= 0; i--) {
		l = &tl->loads[i];
		if (addr - l->text_base < l->text_len) {
			if (ours)
				return ksyms_format(s->ks, addr, buf, len);
			snprintf(buf, len, ".text+0x%llx [%s]",
				 (unsigned long long)(addr - l->text_base),
				 tl->module);
			return buf;
		}
		if (addr - l->init_base < l->init_len)
			return init_sym(s, l, addr, buf, len);
	}
	if (s->ks)
		return ksyms_format(s->ks, addr, buf, len);
	return kptr(addr, buf, len);
}

/*
 * The module's source line of a stack frame, from its .ko's DWARF.  A
 * frame is a return address, or the instruction after a watchpoint's
 * access: the line is the one of the byte before it.
 */
static const char *where(void *ctx, __u64 addr, unsigned int *line)
{
	struct session *s = ctx;
	const struct timeline *tl = &s->tl;
	const struct tl_load *l;
	int i;

	if (!s->modsyms || !addr)
		return NULL;
	if (s->modsyms_bound) {
		const char *file = modsyms_source(s->modsyms, addr - 1, line);

		if (file)
			return file;
	}
	for (i = (tl->nr_loads < TL_LOADS_MAX ? tl->nr_loads :
		  TL_LOADS_MAX) - 1; i >= 0; i--) {
		l = &tl->loads[i];
		if (addr - 1 - l->init_base < l->init_len)
			return modsyms_init_source(s->modsyms,
						   addr - 1 - l->init_base,
						   line);
	}
	return NULL;
}

/*
 * Whose event @e is, of the group's modules: the observer names the
 * module of an object (its allocation's); a report by address (SLUB,
 * KFENCE, a watchpoint) goes to the module that has the object, else
 * to the one the observer named (the first, for SLUB and KFENCE: it
 * counts them as about nobody's object).
 */
static struct session *owner(struct session *g, const union kmlab_ev *e)
{
	int i;

	if (g->nr_group < 2)
		return g;
	switch (e->h.type) {
	case KMLAB_EV_SLUB:
	case KMLAB_EV_KFENCE:
	case KMLAB_EV_WATCH_HIT:
		for (i = 0; i < g->nr_group; i++)
			if (timeline_owns(&g->group[i].tl, e))
				return &g->group[i];
	}
	return e->h.mod < g->nr_group ? &g->group[e->h.mod] : g;
}

static int on_event(void *ctx, const union kmlab_ev *e)
{
	const struct kmlab_ev_free *fr = &e->free;
	struct session *g = ctx, *s = owner(g, e);
	int err;

	if (e->h.type == KMLAB_EV_STEP)
		s->steps++;
	/* several modules: one clock for all, from the first one's load */
	if (g->nr_group > 1 && !g->tl.t0_module[0]) {
		for (int i = 0; i < g->nr_group; i++) {
			g[i].tl.t0 = e->h.ts;
			snprintf(g[i].tl.t0_module, sizeof(g[i].tl.t0_module),
				 "%s", s->tl.module);
		}
	}
	/* the module's own slab objects: watchpoints can cover those */
	if (e->h.type == KMLAB_EV_FREE && !fr->rcu_readers &&
	    (fr->alloc_src == KMLAB_FAM_KMALLOC ||
	     fr->alloc_src == KMLAB_FAM_CACHE)) {
		g->watch_ptr = fr->ptr;
		g->watch_size = fr->size_req;
	}
	err = timeline_add(&s->tl, e);
	if (err && !s->err)
		s->err = err;
	/* module symbols exist between load and unload only: from the .ko
	 * and its sections' addresses when kmlab loaded it (fast, so the
	 * events of its init are read as they come), else kallsyms; one
	 * already loaded is in the snapshot taken as kmlab attached */
	if (e->h.type == KMLAB_EV_MOD_LOAD && s->ksyms_at_load &&
	    !(e->mod_load.flags & KMLAB_MOD_ATTACHED)) {
		if (!s->modsyms_tried) {
			s->modsyms = modsyms_load(s->rc.module_path);
			s->modsyms_tried = true;
		}
		s->modsyms_bound = modsyms_bind(s->modsyms, s->tl.module) > 0;
		if (!s->modsyms_bound) {
			ksyms_free(s->ks);
			s->ks = ksyms_load();
		}
	}
	if (s->json)
		report_json_event(s->json, &s->tl, e, &s->rc);
	if (s->pic)
		report_json_event(s->pic, &s->tl, e, &s->rc);
	return 0;
}

int session_pictures(struct session *s, const char *perfetto,
		     const char *html, const char *command,
		     const char *subject)
{
	if (!perfetto && !html)
		return 0;
	/* a file, not memory: a long run's events would be most of ours */
	s->pic = tmpfile();
	if (!s->pic) {
		fprintf(stderr, "kmlab: cannot keep the run for --perfetto/--html (a temporary file in /tmp): %s\n", strerror(errno));
		return -errno;
	}
	s->perfetto = perfetto;
	s->html = html;
	for (int i = 1; i < s->nr_group; i++)
		s[i].pic = s->pic;
	json_header(s->pic, command, subject, s->kernel);
	return 0;
}

/* The stream kept aside, read back and drawn, as kmlab report would. */
static int draw_pictures(struct session *s)
{
	struct picture p;
	char why[256] = "";
	FILE *in = s->pic;
	int err;

	s->pic = NULL;
	if (fflush(in) || fseek(in, 0, SEEK_SET)) {
		err = -errno;
		fclose(in);
		return err;
	}
	err = picture_read(in, &p, why, sizeof(why));
	fclose(in);
	if (err)
		fprintf(stderr, "kmlab: cannot draw the run: %s\n", why);
	if (!err)
		err = picture_save(&p, s->perfetto, s->html);
	picture_free(&p);
	return err;
}

int session_open(struct session *s, const char *target, bool step,
		 const char *json_path)
{
	return session_open_families(s, target, step, json_path, 0, target);
}

static bool watch_off;

void session_no_watchpoints(void)
{
	watch_off = true;
}

/* @s, of @g, for @target: its timeline and report context */
static void session_init(struct session *s, struct session *g, int n,
			 const char *target)
{
	struct utsname u;

	memset(s, 0, sizeof(*s));
	s->group = g;
	s->nr_group = n;
	timeline_init(&s->tl, target);
	if (!uname(&u))
		snprintf(s->kernel, sizeof(s->kernel), "%s", u.release);
	s->rc.kernel = s->kernel;
	s->rc.sym = sym;
	s->rc.where = where;
	s->rc.sym_ctx = s;
}

static bool freed_gone(void *ob, __u64 ptr)
{
	return observer_freed_gone(ob, ptr);
}

static __u64 drains(void *ob)
{
	return observer_drains(ob);
}

/* For @g's first session, its members set up: the observer of them all. */
static int open_observer(struct session *g, bool step, const char *json_path,
			 unsigned int families, const char *subject)
{
	struct observer_opts opts = {
		.nr_targets = g->nr_group,
		.step = step,
		.families = families,
		/* a plan's own accesses are reported by the data plane */
		.watchpoints = !step && !watch_off,
		.live_max = kmlab_live_max,
		.ring_mib = kmlab_ring_mib,
	};
	int err, i;

	for (i = 0; i < g->nr_group; i++)
		opts.targets[i] = g[i].tl.module;
	if (json_path) {
		g->json = json_open(json_path);
		if (!g->json) {
			fprintf(stderr, "kmlab: cannot write --json %s: %s\n",
				json_path, strerror(errno));
			return -errno;
		}
		json_header(g->json, step ? "run" : "watch", subject,
			    g->kernel);
	}
	observer_verbose(kmlab_verbose);
	err = observer_open(&g->ob, &opts, on_event, g);
	if (err)
		return err;
	for (i = 0; i < g->nr_group; i++) {
		g[i].ob = g->ob;
		g[i].tl.oracle.freed_gone = freed_gone;
		g[i].tl.oracle.drains = drains;
		g[i].tl.oracle.ctx = g->ob;
		g[i].json = g->json;
		g[i].rc.families = observer_has_families(g->ob);
	}
	return 0;
}

int session_open_families(struct session *s, const char *target, bool step,
			  const char *json_path, unsigned int families,
			  const char *subject)
{
	session_init(s, s, 1, target);
	return open_observer(s, step, json_path, families, subject);
}

int session_open_group(struct session *g, int n, const char *const *targets,
		       const char *json_path)
{
	char subject[KMLAB_MODS_MAX * KMLAB_MOD_NAME_LEN] = "";
	int i;

	if (n < 1 || n > KMLAB_MODS_MAX) {
		fprintf(stderr, "kmlab: %d modules: one observer watches 1 to %d at once\n",
			n, KMLAB_MODS_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		session_init(&g[i], g, n, targets[i]);
		/* the JSON header's target: the modules, space-separated */
		snprintf(subject + strlen(subject),
			 sizeof(subject) - strlen(subject), "%s%s",
			 i ? " " : "", targets[i]);
	}
	return open_observer(g, false, json_path, 0, subject);
}

/*
 * Read what the observer has, then point the watchpoints at the last
 * free among it: once per batch, not per free, so that a module freeing
 * fast costs a few ioctls per batch.
 */
static int session_poll(struct session *s, int timeout_ms)
{
	int n;

	s = s->group;
	n = observer_poll(s->ob, timeout_ms);

	if (s->watch_ptr) {
		observer_watch_free(s->ob, s->watch_ptr, s->watch_size);
		s->watch_ptr = 0;
	} else {
		observer_watch_check(s->ob);
	}
	return n;
}

struct blocking {
	int (*fn)(void *arg);
	void *arg;
	int ret;
	volatile int done;
};

static void *blocking_run(void *p)
{
	struct blocking *b = p;

	b->ret = b->fn(b->arg);
	b->done = 1;
	return NULL;
}

int session_while(struct session *s, int (*fn)(void *arg), void *arg)
{
	struct blocking b = { .fn = fn, .arg = arg };
	pthread_t t;

	if (pthread_create(&t, NULL, blocking_run, &b))
		return fn(arg);
	while (!b.done)
		session_poll(s, 5);
	pthread_join(t, NULL);
	return b.ret;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

#define RETRY_MS	2000

/* @m[0..n): all unloaded?  One whose init failed, and when it went? */
static bool all_unloaded(const struct session *m, int n, bool *init_failed)
{
	bool all = true;
	int i;

	*init_failed = false;
	for (i = 0; i < n; i++) {
		if (!m[i].tl.unloaded)
			all = false;
		else if (m[i].tl.init_failed)
			*init_failed = true;
	}
	return all;
}

/* Until the modules of @m[0..n) are unloaded: session_wait_unload(). */
/*
 * Stopped (Ctrl-C): what the observer already holds still counts, the
 * attach's own event among it when the stop came before the first read;
 * a module that keeps allocating cannot keep kmlab from ending.
 */
#define DRAIN_MS	500

static void drain(struct session *m)
{
	long long end = now_ms() + DRAIN_MS;

	while (session_poll(m, 0) > 0 && now_ms() < end)
		;
}

static int wait_for(struct session *m, int n, int timeout_ms,
		    volatile int *stop)
{
	long long end = now_ms() + timeout_ms, retry_end = 0;
	bool unloaded, failed;
	int err;

	/*
	 * A module whose init failed may be loaded again at once: busybox
	 * insmod retries a failed finit_module() with init_module().  Give
	 * that attempt RETRY_MS to show up, and report both.
	 */
	for (;;) {
		unloaded = all_unloaded(m, n, &failed);
		if (unloaded && failed && !retry_end)
			retry_end = now_ms() + RETRY_MS;
		else if (!unloaded)
			retry_end = 0;
		if (unloaded && (!failed || now_ms() >= retry_end))
			return 0;
		if (stop && *stop) {
			drain(m);
			return -EINTR;
		}
		if (timeout_ms >= 0 && now_ms() >= end)
			return unloaded ? 0 : -ETIMEDOUT;
		err = session_poll(m, 100);
		if (err < 0) {
			fprintf(stderr, "kmlab: reading the observer's ring buffer failed: %s\n", strerror(-err));
			return err;
		}
	}
}

int session_wait_unload(struct session *s, int timeout_ms,
			volatile int *stop)
{
	if (s == s->group)
		return wait_for(s, s->nr_group, timeout_ms, stop);
	return wait_for(s, 1, timeout_ms, stop);
}

int session_wait_module(struct session *s, int timeout_ms,
			volatile int *stop)
{
	return wait_for(s, 1, timeout_ms, stop);
}

/* a live object of a module gone: its leak, in its module's timeline */
static int add_leak(void *ctx, __u64 ptr, const struct kmlab_live *v)
{
	struct session *g = ctx;
	struct session *s = (int)v->mod < g->nr_group ? &g->group[v->mod] : g;

	if (!s->tl.unloaded)	/* still loaded: not a leak yet */
		return 0;
	return timeline_leak(&s->tl, ptr, v);
}

/*
 * Each leak's first bytes, read now (its memory is still allocated: that
 * is the leak), as kmemleak dumps them.  Without /proc/kcore (or root)
 * the leaks are reported without.
 */
static void leak_dumps(struct timeline *tl)
{
	struct kcore *kc = NULL;
	struct tl_finding *f;
	struct tl_object *o;
	long n;
	int i;

	for (i = 0; i < tl->nr_finds; i++) {
		f = &tl->finds[i];
		if (f->kind != FINDING_LEAK || f->object < 0 ||
		    f->object >= tl->nr_objs)
			continue;
		o = &tl->objs[f->object];
		if (!kmlab_family_has_bytes(o->family) || !o->size_req)
			continue;
		if (!kc && !(kc = kcore_open(NULL)))
			return;
		n = kcore_read(kc, o->ptr, f->dump, o->size_req < TL_DUMP_LEN ?
			       o->size_req : TL_DUMP_LEN);
		f->dump_len = n > 0 ? n : 0;
	}
	kcore_close(kc);
}

void session_note(struct session *s, const char *fmt, ...)
{
	size_t n = strlen(s->notes);
	va_list ap;

	if (n + 8 >= sizeof(s->notes))
		return;
	n += snprintf(s->notes + n, sizeof(s->notes) - n, "note: ");
	va_start(ap, fmt);
	n += vsnprintf(s->notes + n, sizeof(s->notes) - n, fmt, ap);
	va_end(ap);
	if (n + 1 < sizeof(s->notes))
		strcat(s->notes, "\n");
	else
		s->notes[sizeof(s->notes) - 2] = '\n';
}

/* Where the last line starting with @key begins in @buf, or NULL. */
static char *last_line(char *buf, const char *key)
{
	char *p = buf, *found = NULL;
	size_t klen = strlen(key);

	while (p && *p) {
		if (!strncmp(p, key, klen))
			found = p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return found;
}

/*
 * The text report, with the run's notes just above its verdict line,
 * and that verdict "interrupted" when a signal cut the run short: what
 * the plan would have done after that point was never seen, so it can
 * be neither clean nor conclusive.
 */
static void print_text(struct session *s, FILE *out)
{
	char *buf = NULL, *verdict;
	size_t len = 0;
	FILE *m;

	m = open_memstream(&buf, &len);
	if (!m) {
		report_text(out, &s->tl, &s->rc);
		fputs(s->notes, out);
		if (s->interrupted)
			fprintf(out, "verdict: interrupted\n");
		return;
	}
	report_text(m, &s->tl, &s->rc);
	fclose(m);
	verdict = last_line(buf, "verdict: ");
	if (!verdict)
		verdict = buf + len;
	fwrite(buf, 1, verdict - buf, out);
	fputs(s->notes, out);
	if (s->interrupted)
		fprintf(out, "verdict: interrupted\n");
	else
		fputs(verdict, out);
	free(buf);
}

/* The JSON findings and summary; an interrupted run's summary says so. */
static void print_json(struct session *s, FILE *out)
{
	static const char key[] = "\"verdict\":\"";
	char *buf = NULL, *v, *end, *line, *next;
	size_t len = 0;
	FILE *m;

	m = s->interrupted ? open_memstream(&buf, &len) : NULL;
	if (!m) {
		report_json_findings(out, &s->tl, &s->rc);
		return;
	}
	report_json_findings(m, &s->tl, &s->rc);
	fclose(m);
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		v = strstr(line, "\"type\":\"summary\"") ?
		    strstr(line, key) : NULL;
		end = v ? strchr(v + sizeof(key) - 1, '"') : NULL;
		if (!end) {
			fprintf(out, "%s\n", line);
			continue;
		}
		fprintf(out, "%.*s%sinterrupted\",\"interrupted\":",
			(int)(v - line), line, key);
		json_str(out, s->interrupted);
		fprintf(out, "%s\n", end + 1);
	}
	free(buf);
}

/*
 * SLUB debug finds a late write when it next checks the free object, an
 * overflow when it checks the red zone: have it check the caches of the
 * module's slab objects now, so that both are in this report.
 */
/*
 * Before 6.2 SLUB's red zone starts at the kmalloc bucket's end: the
 * bytes between a kmalloc's size and its bucket's are nobody's check.
 */
static void count_rounding_blind(struct timeline *tl, bool plan)
{
	int i;

	for (i = 0; i < tl->nr_objs; i++) {
		const struct tl_object *o = &tl->objs[i];
		__u64 class = kmlab_kmalloc_class(o->size_req);

		if (o->family != KMLAB_FAM_KMALLOC || o->size_req >= class)
			continue;
		if (plan && !o->name[0])	/* the data plane's own */
			continue;
		if (!tl->slub_rounding_blind) {
			tl->blind_size = o->size_req;
			tl->blind_class = class;
		}
		/* and those folded into it, of the same size */
		tl->slub_rounding_blind += 1 + o->folded;
	}
}

static void slub_check_objects(struct session *s)
{
	struct timeline *tl = &s->tl;
	struct slub_check sc = {};
	char tag[16];
	int i;

	for (i = 0; i < tl->nr_objs; i++) {
		const struct tl_object *o = &tl->objs[i];

		if (o->family == KMLAB_FAM_KMALLOC)
			slub_check_cache(&sc, slub_kmalloc_tag(o->size_req,
				tag, sizeof(tag)), true);
		else if (o->family == KMLAB_FAM_CACHE)
			slub_check_cache(&sc, o->cache, false);
	}
	tl->slub_asked = true;
	memcpy(tl->slub_checked, sc.checked, sizeof(tl->slub_checked));
	if (sc.checked[0] && !observer_kmalloc_redzone(s->ob))
		count_rounding_blind(tl, s->rc.plan);
	memcpy(tl->slub_unguarded, sc.unguarded, sizeof(tl->slub_unguarded));
}

/* What the observer counted, for @s's report: losses, misses, sizes. */
static void collect(struct session *s)
{
	struct timeline *tl = &s->tl;
	const char *why;
	__u64 stale;

	observer_lost(s->ob, tl->lost, &tl->recursion_misses);
	why = observer_watch_stats(s->ob, &tl->watch_frees, &tl->watch_slots,
				   &stale);
	if (why)
		snprintf(tl->watch_why, sizeof(tl->watch_why), "%s", why);
	if (watch_off)
		snprintf(tl->watch_why, sizeof(tl->watch_why),
			 "turned off with --no-watchpoints");
	observer_misses(s->ob, &tl->misses);
	observer_map_sizes(s->ob, &tl->live_max, &tl->freed_max,
			   &tl->ring_bytes);
	tl->kfence_interval = observer_kfence_interval();
	/* turned on since kmlab started: its reports went unheard */
	tl->kfence_unheard = tl->kfence_interval > 0 &&
			     !observer_kfence_heard(s->ob);
}

/* @s's report, text and JSON; its exit code */
static int report(struct session *s)
{
	struct timeline *tl = &s->tl;
	int err;

	err = timeline_match(tl, s->rc.plan);
	if (err && !s->err)
		s->err = err;
	if (s->err) {
		fprintf(stderr, "kmlab: out of memory while building the report: %s\n", strerror(-s->err));
		return KMLAB_EXIT_ENV;
	}
	/* --json -: stdout carries JSON only, the text goes to stderr */
	print_text(s, s->json == stdout ? stderr : stdout);
	if (s->json) {
		print_json(s, s->json);
		fflush(s->json);
	}
	if (s->pic)
		print_json(s, s->pic);
	if (timeline_count(tl, FINDING_MAX))
		return KMLAB_EXIT_FINDINGS;
	/* without both ends of the module's life nothing can be said */
	if (!tl->loaded || !tl->unloaded)
		return KMLAB_EXIT_ENV;
	/* no findings seen, but a lost event could have been one */
	if (!strcmp(timeline_verdict(tl), "inconclusive"))
		return KMLAB_EXIT_INCONCLUSIVE;
	return KMLAB_EXIT_CLEAN;
}

/* Of two exit codes, the one that says more: findings, then an error,
 * then inconclusive, then clean. */
static int worst(int a, int b)
{
	static const int rank[] = {
		[KMLAB_EXIT_CLEAN] = 0, [KMLAB_EXIT_INCONCLUSIVE] = 1,
		[KMLAB_EXIT_ENV] = 2, [KMLAB_EXIT_FINDINGS] = 3,
	};

	return rank[b] > rank[a] ? b : a;
}

/* @s's verdict, as its report's last line says it */
static const char *verdict_word(const struct session *s)
{
	if (!s->tl.loaded)
		return "not loaded";
	return s->interrupted ? "interrupted" : timeline_verdict(&s->tl);
}

/*
 * What a module leaves to core code may be freed a grace period after
 * the unload: idr_destroy() and xa_destroy() free their nodes with
 * call_rcu().  Before a module's live objects are called leaks, wait for
 * two grace periods (membarrier()'s MEMBARRIER_CMD_GLOBAL is
 * synchronize_rcu(); the callbacks run just after the first ends), so
 * that the drain that follows reads those frees.  Only when a module
 * gone has objects not seen freed.  Without membarrier (a nohz_full
 * kernel refuses it), 100 ms.
 */
static void rcu_settle(const struct session *g)
{
	int i, k;

	for (i = 0; i < g->nr_group; i++)
		if (g[i].tl.unloaded && timeline_any_unfreed(&g[i].tl))
			break;
	if (i == g->nr_group)
		return;
	for (k = 0; k < 2; k++)
		if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0) {
			usleep(100 * 1000);
			return;
		}
}

int session_finish(struct session *g)
{
	int i, n = g->nr_group, ret = KMLAB_EXIT_CLEAN, code;
	FILE *out = g->json == stdout ? stderr : stdout;
	struct session *s;
	int err;

	/* their reports arrive as events: before the last drain */
	for (i = 0; i < n; i++)
		if (g[i].tl.loaded)
			slub_check_objects(&g[i]);

	rcu_settle(g);
	/* whatever is still in the ring buffer belongs to this run */
	while (observer_poll(g->ob, 0) > 0)
		;
	for (i = 0; i < n; i++)
		collect(&g[i]);
	/* live objects are leaks only once their module is gone */
	err = observer_for_each_live(g->ob, add_leak, g);
	if (err && !g->err)
		g->err = err;
	for (i = 0; i < n; i++) {
		s = &g[i];
		if (!err)
			timeline_settle(&s->tl);
		s->interrupted = g->interrupted;
		if (g->err && !s->err)
			s->err = g->err;
		if (s->tl.unloaded)
			leak_dumps(&s->tl);
		/* one module never loaded among several: nothing of it */
		if (n > 1 && !s->tl.loaded) {
			fprintf(stderr, "kmlab: %s was not loaded while watching: nothing to report of it\n",
				s->tl.module);
			code = KMLAB_EXIT_ENV;
		} else {
			if (i && n > 1)
				fputc('\n', out);
			code = report(s);
		}
		ret = worst(ret, code);
	}
	if (n > 1) {
		fprintf(out, "\n%d modules:", n);
		for (i = 0; i < n; i++)
			fprintf(out, "%s %s %s", i ? "," : "", g[i].tl.module,
				verdict_word(&g[i]));
		fprintf(out, "\n");
	}
	if (g->pic && draw_pictures(g))
		return KMLAB_EXIT_ENV;
	return ret;
}

/* @s alone: what a group's member has of its own */
static void close_member(struct session *s)
{
	ksyms_free(s->ks);
	modsyms_free(s->modsyms);
	timeline_free(&s->tl);
}

void session_close(struct session *g)
{
	int i;

	/* a group's first session owns the observer and the files */
	for (i = 1; i < g->nr_group && g->group == g; i++)
		close_member(&g[i]);
	close_member(g);
	observer_close(g->ob);
	if (g->json)
		json_close(g->json);
	if (g->pic)
		fclose(g->pic);
}
