/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The report of a run or watch: header, a timeline per object, findings
 * each ending with one plain sentence, a verdict line; and the same as
 * JSON lines for --json.  Pure: symbols come through a callback.
 */
#ifndef KMLAB_REPORT_H
#define KMLAB_REPORT_H

#include <stdio.h>
#include "timeline.h"

struct plan;

/* "sym+0x1a [mod]" for @addr into @buf; returns @buf */
typedef const char *(*report_sym_fn)(void *ctx, __u64 addr, char *buf,
				     size_t len);
/* the source file and *line of the call or access that returns to, or
 * follows, @addr (a stack frame); NULL when unknown */
typedef const char *(*report_where_fn)(void *ctx, __u64 addr,
				       unsigned int *line);

struct report_ctx {
	const char *title;	/* "plan tests/x.kml" or "module foo" */
	const char *kernel;	/* uname -r */
	const char *module_path;	/* NULL if unknown */
	const struct plan *plan;	/* NULL in watch mode */
	bool families;		/* the observer sees vmalloc, pages, percpu,
				 * caches themselves (kprobes), not only
				 * kmalloc and kmem_cache objects */
	report_sym_fn sym;	/* NULL: raw addresses */
	report_where_fn where;	/* NULL: no source lines */
	void *sym_ctx;
};

void report_text(FILE *f, const struct timeline *tl,
		 const struct report_ctx *rc);
/* {"type":"event",...} for one ring buffer event */
void report_json_event(FILE *f, const struct timeline *tl,
		       const union kmlab_ev *e, const struct report_ctx *rc);
/* {"type":"finding",...} lines, then {"type":"summary",...} */
void report_json_findings(FILE *f, const struct timeline *tl,
			  const struct report_ctx *rc);

/* Could the observer have seen @fd on this kernel? */
bool report_observable(const struct tl_finding *fd,
		       const struct report_ctx *rc);
/* One sentence a student understands, about @fd. */
const char *report_sentence(const struct tl_finding *fd, char *buf,
			    size_t len);
const char *report_reason(unsigned int reason);

#endif /* KMLAB_REPORT_H */
