/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Minimal TAP for host unit tests: every check prints "ok N - name" or
 * "not ok N - name # why"; tap_done() prints the summary line and returns
 * the exit status.  tests/run counts the ok / not ok lines.
 */
#ifndef KMLAB_TAP_H
#define KMLAB_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *name, const char *why)
{
	tap_n++;
	if (cond) {
		printf("ok %d - %s\n", tap_n, name);
	} else {
		tap_failed++;
		printf("not ok %d - %s # %s\n", tap_n, name, why ? why : "");
	}
	fflush(stdout);
	return cond;
}

#define TAP_OK(cond, name) tap_ok(!!(cond), (name), #cond)

#define TAP_EQ_INT(got, want, name) ({					\
	long long _g = (got), _w = (want);				\
	char _why[96];							\
	snprintf(_why, sizeof(_why), "got %lld, want %lld", _g, _w);	\
	tap_ok(_g == _w, (name), _why);					\
})

#define TAP_STR_HAS(hay, needle, name) ({				\
	const char *_h = (hay), *_n = (needle);				\
	char _why[256];							\
	snprintf(_why, sizeof(_why), "'%.180s' lacks '%s'",		\
		 _h ? _h : "(null)", _n);				\
	tap_ok(_h && strstr(_h, _n), (name), _why);			\
})

static inline int tap_done(void)
{
	printf("1..%d\n# %d passed, %d failed\n", tap_n, tap_n - tap_failed,
	       tap_failed);
	return tap_failed ? 1 : 0;
}

#endif /* KMLAB_TAP_H */
