/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Compiler diagnostics: collected while compiling, printed afterwards as
 *
 *	file:line:col: error: message
 *	  source line
 *	  ^~~~
 *	hint: what to do
 *
 * The list keeps its own copy of the path and source so that callers can
 * print it after a failed plan_compile() (which returns no plan).
 */
#ifndef KMLAB_DIAG_H
#define KMLAB_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define DIAG_MAX	50	/* errors kept; more only count */
#define DIAG_MSG_LEN	200

enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
	DIAG_NOTE,
};

struct diag {
	enum diag_level level;
	int line, col;		/* 1-based; col 0 = whole line */
	int len;		/* columns the caret covers, >= 1 */
	char msg[DIAG_MSG_LEN];
	char hint[DIAG_MSG_LEN];
};

struct diag_list {
	struct diag *v;
	int n, cap;
	int errors, warnings;	/* all reported, kept or not */
	int dropped;		/* past DIAG_MAX, not kept */
	char *path;
	char *src;
	size_t src_len;
};

void diag_init(struct diag_list *dl);
void diag_free(struct diag_list *dl);
/* Remember the file the following diagnostics are about. */
void diag_set_source(struct diag_list *dl, const char *path,
		     const char *src, size_t len);
void diag_add(struct diag_list *dl, enum diag_level level, int line, int col,
	      int len, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Print every diagnostic, in line order, with source and caret lines. */
void diag_print(const struct diag_list *dl, FILE *f);
/* Format one diagnostic like diag_print() does, for tests. */
int diag_format(const struct diag_list *dl, const struct diag *d, char *buf,
		size_t size);

#endif /* KMLAB_DIAG_H */
