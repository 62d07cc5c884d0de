// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "findings.h"

/* a finding's name, and the summary's key that counts them */
static const char *const names[FINDING_MAX][2] = {
	[FINDING_LEAK]		= { "leak", "leaks" },
	[FINDING_DOUBLE_FREE]	= { "double_free", "double_frees" },
	[FINDING_LATE_ACCESS]	= { "late_access", "late_accesses" },
	[FINDING_WRONG_FREE]	= { "wrong_free", "wrong_frees" },
	[FINDING_INTERIOR_FREE]	= { "interior_free", "interior_frees" },
	[FINDING_OVERFLOW]	= { "overflow", "overflows" },
	[FINDING_STALE_FREE]	= { "stale_free", "stale_frees" },
	[FINDING_FAILED_ALLOC]	= { "failed_alloc", "failed_allocs" },
	[FINDING_REFUSED]	= { "refused", "refused" },
};

const char *finding_name(enum finding_kind kind)
{
	return (unsigned int)kind < FINDING_MAX ? names[kind][0] : "unknown";
}

const char *finding_plural(enum finding_kind kind)
{
	return (unsigned int)kind < FINDING_MAX ? names[kind][1] : "unknown";
}

int finding_from_name(const char *name)
{
	int i;

	for (i = 0; i < FINDING_MAX; i++)
		if (!strcmp(names[i][0], name))
			return i;
	return -1;
}
