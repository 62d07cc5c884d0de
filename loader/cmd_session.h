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

struct session {
	struct observer *ob;
	struct timeline tl;
	struct ksyms *ks;
	bool ksyms_at_load;	/* snapshot symbols when the module loads */
	FILE *json;
	struct report_ctx rc;
	char kernel[128];
	int err;		/* first error from the event callback */
};

/* Open @json_path (may be NULL), open and attach the observer. */
int session_open(struct session *s, const char *target, bool step,
		 const char *json_path);
/* Deliver events until the module's unload or @timeout_ms passed;
 * @stop (may be NULL) ends it early when set. 0 when the unload was seen. */
int session_wait_unload(struct session *s, int timeout_ms,
			volatile int *stop);
/* Drain, collect lost counts and leaks, print the report; the exit code. */
int session_finish(struct session *s);
void session_close(struct session *s);

#endif /* KMLAB_CMD_SESSION_H */
