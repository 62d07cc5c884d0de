/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One observing session, shared by `kmlab run` and `kmlab watch`: the
 * observer, the timeline its events build, the symbol snapshot, the
 * --json file; and the end: drain, leaks, report, exit code.
 */
#ifndef KMLAB_CMD_SESSION_H
#define KMLAB_CMD_SESSION_H

#include <stdio.h>
#include "observer.h"
#include "report.h"
#include "timeline.h"

struct ksyms;
struct modsyms;

#define SESSION_NOTES_LEN	1024

struct session {
	/*
	 * Several modules watched at once (kmlab watch A B): one session
	 * each, all in one array, @group its first: that one owns the
	 * observer, the --json file and the pictures, which the others
	 * share, reads the events and hands each to its module's session.
	 * One module: @group is the session itself.
	 */
	struct session *group;
	int nr_group;
	struct observer *ob;
	struct timeline tl;
	struct ksyms *ks;
	struct modsyms *modsyms;	/* the .ko's init functions, on demand */
	bool modsyms_tried;
	bool modsyms_bound;	/* ... placed where this load put them */
	bool ksyms_at_load;	/* snapshot symbols when the module loads */
	FILE *json;
	/* --perfetto, --html: the JSON stream kept in memory, drawn at the end */
	FILE *pic;
	const char *perfetto, *html;
	struct report_ctx rc;
	char kernel[128];
	int err;		/* first error from the event callback */
	__u64 steps;		/* kmlab_step events received */
	/* the run was cut short by this signal ("SIGINT"): the verdict
	 * says "interrupted", whatever was seen until then */
	const char *interrupted;
	char notes[SESSION_NOTES_LEN];	/* "note: ..." lines of the run */
	/* the module's last slab free, for the watchpoints once the events
	 * at hand are read (kmlab watch) */
	__u64 watch_ptr, watch_size;
};

/* Before session_open*(): no hardware watchpoints (kmlab watch
 * --no-watchpoints), and the report says so. */
void session_no_watchpoints(void);

/* Open @json_path (may be NULL), open and attach the observer. */
int session_open(struct session *s, const char *target, bool step,
		 const char *json_path);
/* The same, watching only the allocator @families beyond kmalloc and
 * kmem_cache (bits 1u << KMLAB_FAM_*; 0: all of them); the JSON header
 * names @subject (a plan) as what was looked at. */
int session_open_families(struct session *s, const char *target, bool step,
			  const char *json_path, unsigned int families,
			  const char *subject);
/* Open @n sessions @g[0..n) watching one module each, @targets[i] by
 * @g[i], through one observer: session_open() for several modules. */
int session_open_group(struct session *g, int n, const char *const *targets,
		       const char *json_path);
/* Draw the run at its end: a Perfetto trace to @perfetto, an HTML page to
 * @html (either may be NULL).  Call right after session_open*(). */
int session_pictures(struct session *s, const char *perfetto,
		     const char *html, const char *command,
		     const char *subject);
/* Add a line to the report, just above its verdict: "note: " @fmt. */
void session_note(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Deliver events until the module's unload (every module's, for a
 * group's first session) or @timeout_ms passed; @stop (may be NULL) ends
 * it early when set.  0 when the unload was seen. */
int session_wait_unload(struct session *s, int timeout_ms,
			volatile int *stop);
/* The same for one module of a group: @s's own. */
int session_wait_module(struct session *s, int timeout_ms,
			volatile int *stop);
/* Run @fn(@arg) (a module's load or unload: its init or exit runs in
 * it) while reading the observer's events; @fn's return value. */
int session_while(struct session *s, int (*fn)(void *arg), void *arg);
/* Drain, collect lost counts and leaks, print the report (each loaded
 * module's, for a group); the exit code (the worst of them). */
int session_finish(struct session *s);
void session_close(struct session *s);

#endif /* KMLAB_CMD_SESSION_H */
