// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "findings.h"

static const char *const names[FINDING_MAX] = {
	[FINDING_LEAK]		= "leak",
	[FINDING_DOUBLE_FREE]	= "double_free",
	[FINDING_LATE_ACCESS]	= "late_access",
	[FINDING_WRONG_FREE]	= "wrong_free",
	[FINDING_INTERIOR_FREE]	= "interior_free",
	[FINDING_OVERFLOW]	= "overflow",
	[FINDING_STALE_FREE]	= "stale_free",
	[FINDING_FAILED_ALLOC]	= "failed_alloc",
	[FINDING_REFUSED]	= "refused",
};

const char *finding_name(enum finding_kind kind)
{
	return (unsigned int)kind < FINDING_MAX ? names[kind] : "unknown";
}

int finding_from_name(const char *name)
{
	int i;

	for (i = 0; i < FINDING_MAX; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}
