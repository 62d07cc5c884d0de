// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Compiler diagnostics: collect, sort by position, print with a caret. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"

#define SHOW_COLS	120	/* a longer source line is shown in part */

static const char *const level_names[] = {
	[DIAG_ERROR]	= "error",
	[DIAG_WARNING]	= "warning",
	[DIAG_NOTE]	= "note",
};

void diag_init(struct diag_list *dl)
{
	memset(dl, 0, sizeof(*dl));
}

void diag_free(struct diag_list *dl)
{
	free(dl->v);
	free(dl->path);
	free(dl->src);
	memset(dl, 0, sizeof(*dl));
}

void diag_set_source(struct diag_list *dl, const char *path,
		     const char *src, size_t len)
{
	free(dl->path);
	free(dl->src);
	dl->path = strdup(path ? path : "<plan>");
	dl->src = malloc(len + 1);
	dl->src_len = dl->src ? len : 0;
	if (dl->src) {
		memcpy(dl->src, src, len);
		dl->src[len] = '\0';
	}
}

void diag_add(struct diag_list *dl, enum diag_level level, int line, int col,
	      int len, const char *hint, const char *fmt, ...)
{
	struct diag *d;
	va_list ap;

	if (level == DIAG_ERROR)
		dl->errors++;
	else if (level == DIAG_WARNING)
		dl->warnings++;
	if (dl->n >= DIAG_MAX) {
		dl->dropped++;
		return;
	}
	if (dl->n == dl->cap) {
		int cap = dl->cap ? dl->cap * 2 : 8;
		struct diag *v = realloc(dl->v, cap * sizeof(*v));

		if (!v)
			return;
		dl->v = v;
		dl->cap = cap;
	}
	d = &dl->v[dl->n++];
	memset(d, 0, sizeof(*d));
	d->level = level;
	d->line = line;
	d->col = col;
	d->len = len > 0 ? len : 1;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	if (hint)
		snprintf(d->hint, sizeof(d->hint), "%s", hint);
}

/* Find line @line of the source; returns its start and sets *@len. */
static const char *source_line(const struct diag_list *dl, int line,
			       size_t *len)
{
	const char *p = dl->src, *end = dl->src + dl->src_len, *nl;
	int n = 1;

	if (!p || line < 1)
		return NULL;
	while (n < line) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			return NULL;
		p = nl + 1;
		n++;
	}
	nl = memchr(p, '\n', end - p);
	*len = (nl ? nl : end) - p;
	return p;
}

static size_t put(char *buf, size_t size, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t put(char *buf, size_t size, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at >= size)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, size - at, fmt, ap);
	va_end(ap);
	return n < 0 ? at : at + n;
}

int diag_format(const struct diag_list *dl, const struct diag *d, char *buf,
		size_t size)
{
	const char *line;
	size_t at = 0, len = 0, from = 0, i;
	size_t col = d->col > 0 ? d->col - 1 : 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (d->line <= 0)
		at = put(buf, size, at, "%s: %s: %s\n", dl->path,
			 level_names[d->level], d->msg);
	else if (d->col > 0)
		at = put(buf, size, at, "%s:%d:%d: %s: %s\n", dl->path,
			 d->line, d->col, level_names[d->level], d->msg);
	else
		at = put(buf, size, at, "%s:%d: %s: %s\n", dl->path, d->line,
			 level_names[d->level], d->msg);
	line = source_line(dl, d->line, &len);
	if (line) {
		/* show a window of a long line, around the column */
		if (col > SHOW_COLS / 2 && len > SHOW_COLS)
			from = col - SHOW_COLS / 2;
		at = put(buf, size, at, "  %s", from ? "..." : "");
		for (i = from; i < len && i < from + SHOW_COLS; i++) {
			unsigned char c = line[i];

			at = put(buf, size, at, "%c",
				 c == '\t' || (c >= 0x20 && c < 0x7f) ? c : '?');
		}
		at = put(buf, size, at, "%s\n", i < len ? "..." : "");
		if (d->col > 0) {
			at = put(buf, size, at, "  %s", from ? "   " : "");
			for (i = from; i < col && i < len; i++)
				at = put(buf, size, at, "%c",
					 line[i] == '\t' ? '\t' : ' ');
			at = put(buf, size, at, "^");
			for (i = 1; i < (size_t)d->len && i < SHOW_COLS; i++)
				at = put(buf, size, at, "~");
			at = put(buf, size, at, "\n");
		}
	}
	if (d->hint[0])
		at = put(buf, size, at, "hint: %s\n", d->hint);
	return at < size ? (int)at : (int)size - 1;
}

static int by_position(const void *a, const void *b)
{
	const struct diag *x = *(const struct diag *const *)a;
	const struct diag *y = *(const struct diag *const *)b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x < y ? -1 : x > y;	/* keep the order they came in */
}

void diag_print(const struct diag_list *dl, FILE *f)
{
	const struct diag **order;
	char buf[2048];
	int i;

	if (!dl->n)
		return;
	order = malloc(dl->n * sizeof(*order));
	if (!order)
		return;
	for (i = 0; i < dl->n; i++)
		order[i] = &dl->v[i];
	qsort(order, dl->n, sizeof(*order), by_position);
	for (i = 0; i < dl->n; i++) {
		diag_format(dl, order[i], buf, sizeof(buf));
		fputs(buf, f);
	}
	if (dl->dropped)
		fprintf(f, "%s: %d more diagnostics not shown; fix the ones above first\n",
			dl->path, dl->dropped);
	free(order);
}
