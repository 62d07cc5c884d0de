/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The kinds of defect kmlab predicts (verifier) and observes (BPF). */
#ifndef KMLAB_FINDINGS_H
#define KMLAB_FINDINGS_H

enum finding_kind {
	FINDING_LEAK = 0,	/* still allocated when the module went away */
	FINDING_DOUBLE_FREE,	/* freed twice */
	FINDING_LATE_ACCESS,	/* read or written after the free */
	FINDING_WRONG_FREE,	/* freed with another family's function */
	FINDING_INTERIOR_FREE,	/* freed at an address inside the object */
	FINDING_OVERFLOW,	/* access past the end of the object */
	FINDING_STALE_FREE,	/* freed an address reused by another object */
	FINDING_FAILED_ALLOC,	/* the allocator returned NULL */
	FINDING_REFUSED,	/* the data plane refused a hazard */
	FINDING_MAX
};

/* "leak", "double_free", ... as used in --json and reports. */
const char *finding_name(enum finding_kind kind);
/* "leaks", "double_frees", ...: the JSON summaries' count keys. */
const char *finding_plural(enum finding_kind kind);
/* Parse a name back; returns -1 if unknown. */
int finding_from_name(const char *name);

#endif /* KMLAB_FINDINGS_H */
