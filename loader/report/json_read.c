// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "json_read.h"

struct reader {
	const char *p;
	char *out;		/* next free byte of the jobj's buffer */
};

static void skip_ws(struct reader *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n')
		r->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX as UTF-8 (no surrogate pairs: json.c writes none) */
static int put_unicode(struct reader *r)
{
	unsigned int v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		h = hexval(r->p[i]);
		if (h < 0)
			return -EINVAL;
		v = v << 4 | h;
	}
	r->p += 4;
	if (v < 0x80) {
		*r->out++ = v;
	} else if (v < 0x800) {
		*r->out++ = 0xc0 | v >> 6;
		*r->out++ = 0x80 | (v & 0x3f);
	} else {
		*r->out++ = 0xe0 | v >> 12;
		*r->out++ = 0x80 | (v >> 6 & 0x3f);
		*r->out++ = 0x80 | (v & 0x3f);
	}
	return 0;
}

/* A string literal, unescaped into the buffer, without its NUL. */
static int read_chars(struct reader *r)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const char *e;

	if (*r->p++ != '"')
		return -EINVAL;
	while (*r->p != '"') {
		if (!*r->p || (unsigned char)*r->p < 0x20)
			return -EINVAL;
		if (*r->p != '\\') {
			*r->out++ = *r->p++;
			continue;
		}
		r->p++;
		if (*r->p == 'u') {
			r->p++;
			if (put_unicode(r))
				return -EINVAL;
			continue;
		}
		for (e = esc; *e && *e != *r->p; e += 2)
			;
		if (!*e || !*r->p)
			return -EINVAL;
		*r->out++ = e[1];
		r->p++;
	}
	r->p++;
	return 0;
}

static int read_string(struct reader *r, const char **s)
{
	*s = r->out;
	if (read_chars(r))
		return -EINVAL;
	*r->out++ = '\0';
	return 0;
}

/* ["a","b"] as "a\nb" */
static int read_array(struct reader *r, struct jfield *f)
{
	bool first = true;

	f->kind = JV_ARR;
	f->str = r->out;
	r->p++;
	skip_ws(r);
	while (*r->p != ']') {
		if (!first) {
			if (*r->p++ != ',')
				return -EINVAL;
			skip_ws(r);
			*r->out++ = '\n';
		}
		if (read_chars(r))
			return -EINVAL;
		skip_ws(r);
		first = false;
	}
	r->p++;
	*r->out++ = '\0';
	return 0;
}

static int read_value(struct reader *r, struct jfield *f)
{
	char *end;

	if (*r->p == '"') {
		f->kind = JV_STR;
		return read_string(r, &f->str);
	}
	if (*r->p == '[')
		return read_array(r, f);
	if (!strncmp(r->p, "true", 4) || !strncmp(r->p, "false", 5)) {
		f->kind = JV_BOOL;
		f->num = *r->p == 't';
		r->p += f->num ? 4 : 5;
		return 0;
	}
	if (!strncmp(r->p, "null", 4)) {
		f->kind = JV_NULL;
		r->p += 4;
		return 0;
	}
	f->kind = JV_NUM;
	f->num = strtod(r->p, &end);
	if (end == r->p)
		return -EINVAL;
	r->p = end;
	return 0;
}

int json_read_line(const char *line, struct jobj *o)
{
	struct reader r = { .p = line };

	o->n = 0;
	/* unescaped text is never longer than its literal */
	o->buf = malloc(strlen(line) + 1);
	if (!o->buf)
		return -ENOMEM;
	r.out = o->buf;
	skip_ws(&r);
	if (*r.p++ != '{')
		return -EINVAL;
	skip_ws(&r);
	while (*r.p != '}') {
		struct jfield *f;

		if (o->n && *r.p++ != ',')
			return -EINVAL;
		if (o->n == JOBJ_FIELDS_MAX)
			return -EINVAL;
		f = &o->f[o->n];
		skip_ws(&r);
		if (read_string(&r, &f->key))
			return -EINVAL;
		skip_ws(&r);
		if (*r.p++ != ':')
			return -EINVAL;
		skip_ws(&r);
		if (read_value(&r, f))
			return -EINVAL;
		o->n++;
		skip_ws(&r);
	}
	r.p++;
	skip_ws(&r);
	return *r.p ? -EINVAL : 0;
}

void jobj_free(struct jobj *o)
{
	free(o->buf);
	o->buf = NULL;
	o->n = 0;
}

static const struct jfield *field(const struct jobj *o, const char *key)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->f[i].key, key))
			return &o->f[i];
	return NULL;
}

const char *jobj_str(const struct jobj *o, const char *key)
{
	const struct jfield *f = field(o, key);

	return f && (f->kind == JV_STR || f->kind == JV_ARR) ? f->str : NULL;
}

double jobj_num(const struct jobj *o, const char *key, double def)
{
	const struct jfield *f = field(o, key);

	return f && (f->kind == JV_NUM || f->kind == JV_BOOL) ? f->num : def;
}
