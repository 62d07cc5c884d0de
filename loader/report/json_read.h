/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading back what json.c writes: one flat JSON object per line, whose
 * values are strings, numbers, booleans, null and arrays of strings (the
 * stacks).  For `kmlab report`, which draws a run from its --json file.
 */
#ifndef KMLAB_JSON_READ_H
#define KMLAB_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#define JOBJ_FIELDS_MAX	64

enum jval_kind { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR };

struct jfield {
	const char *key;
	enum jval_kind kind;
	const char *str;	/* JV_STR; JV_ARR: its strings, '\n' between */
	double num;		/* JV_NUM; JV_BOOL: 0 or 1 */
};

struct jobj {
	struct jfield f[JOBJ_FIELDS_MAX];
	int n;
	char *buf;		/* the keys and strings, unescaped */
};

/*
 * Parse @line into @o (jobj_free() it after, on success or not).
 * 0, or -EINVAL when it is not one such object, -ENOMEM.
 */
int json_read_line(const char *line, struct jobj *o);
void jobj_free(struct jobj *o);
/* The field's string (JV_STR or JV_ARR), or NULL when absent or not one. */
const char *jobj_str(const struct jobj *o, const char *key);
/* The field's number (or boolean as 0/1), or @def. */
double jobj_num(const struct jobj *o, const char *key, double def);

#endif /* KMLAB_JSON_READ_H */
