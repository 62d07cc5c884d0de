// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include "cmd.h"
#include "cmd_session.h"
#include "ksyms.h"

/*
 * A module unloaded before kmlab could read its symbols (insmod; rmmod in
 * a script) has none in the snapshot: name its sites by section offset
 * rather than let the nearest older symbol claim them.
 */
static const char *sym(void *ctx, __u64 addr, char *buf, size_t len)
{
	struct session *s = ctx;
	const struct timeline *tl = &s->tl;
	const struct tl_load *l;
	const char *mod = NULL;
	unsigned long off;
	int i;

	if (s->ks && ksyms_lookup(s->ks, addr, &off, &mod) && mod &&
	    !strcmp(mod, tl->module))
		return ksyms_format(s->ks, addr, buf, len);
	/* the latest load first: an earlier one's range may be reused */
	for (i = (tl->nr_loads < TL_LOADS_MAX ? tl->nr_loads :
		  TL_LOADS_MAX) - 1; i >= 0; i--) {
		l = &tl->loads[i];
		if (addr - l->text_base < l->text_len) {
			snprintf(buf, len, ".text+0x%llx [%s]",
				 (unsigned long long)(addr - l->text_base),
				 tl->module);
			return buf;
		}
		if (addr - l->init_base < l->init_len) {
			snprintf(buf, len, ".init.text+0x%llx [%s]",
				 (unsigned long long)(addr - l->init_base),
				 tl->module);
			return buf;
		}
	}
	if (s->ks)
		return ksyms_format(s->ks, addr, buf, len);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return buf;
}

static int on_event(void *ctx, const struct kmlab_event *e)
{
	struct session *s = ctx;
	int err;

	err = timeline_add(&s->tl, e);
	if (err && !s->err)
		s->err = err;
	/* module symbols exist between load and unload only */
	if (e->type == KMLAB_EV_MOD_LOAD && s->ksyms_at_load) {
		ksyms_free(s->ks);
		s->ks = ksyms_load();
	}
	if (s->json)
		report_json_event(s->json, &s->tl, e, &s->rc);
	return 0;
}

int session_open(struct session *s, const char *target, bool step,
		 const char *json_path)
{
	struct observer_opts opts = {
		.target = target,
		.step = step,
	};
	struct utsname u;
	int err;

	memset(s, 0, sizeof(*s));
	timeline_init(&s->tl, target);
	if (!uname(&u))
		snprintf(s->kernel, sizeof(s->kernel), "%s", u.release);
	s->rc.kernel = s->kernel;
	s->rc.sym = sym;
	s->rc.sym_ctx = s;
	if (json_path) {
		s->json = strcmp(json_path, "-") ? fopen(json_path, "w") :
						   stdout;
		if (!s->json) {
			fprintf(stderr, "kmlab: cannot write --json %s: %s\n",
				json_path, strerror(errno));
			return -errno;
		}
	}
	observer_verbose(kmlab_verbose);
	err = observer_open(&s->ob, &opts, on_event, s);
	if (err)
		return err;
	s->rc.families = observer_has_families(s->ob);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

#define RETRY_MS	2000

int session_wait_unload(struct session *s, int timeout_ms,
			volatile int *stop)
{
	long long end = now_ms() + timeout_ms, retry_end = 0;
	int err;

	/*
	 * A module whose init failed may be loaded again at once: busybox
	 * insmod retries a failed finit_module() with init_module().  Give
	 * that attempt RETRY_MS to show up, and report both.
	 */
	while (!s->tl.unloaded || (s->tl.init_failed &&
				   now_ms() < retry_end)) {
		if (stop && *stop)
			return -EINTR;
		if (timeout_ms >= 0 && now_ms() >= end)
			return s->tl.unloaded ? 0 : -ETIMEDOUT;
		err = observer_poll(s->ob, 100);
		if (err < 0) {
			fprintf(stderr, "kmlab: reading the observer's ring "
				"buffer failed: %s\n", strerror(-err));
			return err;
		}
		if (s->tl.unloaded && s->tl.init_failed && !retry_end)
			retry_end = now_ms() + RETRY_MS;
		else if (!s->tl.unloaded)
			retry_end = 0;
	}
	return 0;
}

static int add_leak(void *ctx, __u64 ptr, const struct kmlab_live *v)
{
	return timeline_leak(ctx, ptr, v);
}

int session_finish(struct session *s)
{
	struct timeline *tl = &s->tl;
	int err;

	/* whatever is still in the ring buffer belongs to this run */
	while (observer_poll(s->ob, 0) > 0)
		;
	observer_lost(s->ob, tl->lost, &tl->recursion_misses);
	observer_misses(s->ob, &tl->misses);
	/* live objects are leaks only once the module is gone */
	if (tl->unloaded) {
		err = observer_for_each_live(s->ob, add_leak, tl);
		if (err && !s->err)
			s->err = err;
	}
	err = timeline_match(tl, s->rc.plan);
	if (err && !s->err)
		s->err = err;
	if (s->err) {
		fprintf(stderr, "kmlab: out of memory while building the "
			"report: %s\n", strerror(-s->err));
		return KMLAB_EXIT_ENV;
	}
	report_text(stdout, tl, &s->rc);
	if (s->json) {
		report_json_findings(s->json, tl, &s->rc);
		fflush(s->json);
	}
	if (timeline_count(tl, FINDING_MAX))
		return KMLAB_EXIT_FINDINGS;
	/* without both ends of the module's life nothing can be said */
	if (!tl->loaded || !tl->unloaded)
		return KMLAB_EXIT_ENV;
	/* lost events: no findings seen, verdict "inconclusive" says the
	 * rest (status 0 keeps a rare interrupt from failing a clean run) */
	return KMLAB_EXIT_CLEAN;
}

void session_close(struct session *s)
{
	observer_close(s->ob);
	ksyms_free(s->ks);
	if (s->json && s->json != stdout)
		fclose(s->json);
	timeline_free(&s->tl);
}
