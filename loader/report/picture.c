// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "kmlab/ops.h"
#include "json.h"
#include "json_read.h"
#include "kptr.h"
#include "picture.h"

#define LINE_MAX_LEN	(1 << 20)	/* a line with 64 stack frames is ~4 KiB */

/*
 * --hide-pointers on a stream written without it: each kernel address
 * ("0x" and 16 hex digits) becomes its pseudonym, which is shorter, so
 * in place.
 */
static void hide_addrs(char *s)
{
	char *p = s, *end, name[KPTR_LEN];
	unsigned long long v;
	size_t n;

	while ((p = strstr(p, "0x"))) {
		v = strtoull(p + 2, &end, 16);
		if (end - p != 18) {
			p += 2;
			continue;
		}
		kptr(v, name, sizeof(name));
		n = strlen(name);
		memcpy(p, name, n);
		memmove(p + n, end, strlen(end) + 1);
		p += n;
	}
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
	if (kptr_hidden())
		hide_addrs(dst);
}

static int op_code(const char *name)
{
	int c;

	for (c = 0; name && c < KMLAB_OP_MAX; c++)
		if (kmlab_op_known(c) && !strcmp(kmlab_op_name(c), name))
			return c;
	return -1;
}

/* the latest object at @ptr (a live one only if @live) */
static struct pic_obj *by_ptr(struct picture *p, const char *ptr, bool live)
{
	int i;

	for (i = p->nr_objs - 1; ptr && i >= 0; i--)
		if (!strcmp(p->objs[i].ptr, ptr) && (!live || p->objs[i].t_free < 0))
			return &p->objs[i];
	return NULL;
}

static struct pic_obj *by_name(struct picture *p, const char *name)
{
	int i;

	for (i = p->nr_objs - 1; name && *name && i >= 0; i--)
		if (!strcmp(p->objs[i].name, name))
			return &p->objs[i];
	return NULL;
}

/* A new, zeroed last element of the array *@v (*@n used, *@cap held, @size
 * bytes each), which doubles when full; NULL without memory. */
static void *push(void *v, int *n, int *cap, size_t size)
{
	void **arr = v;
	char *e;

	if (*n == *cap) {
		int c = *cap ? 2 * *cap : 16;

		e = realloc(*arr, c * size);
		if (!e)
			return NULL;
		*arr = e;
		*cap = c;
	}
	e = (char *)*arr + (*n)++ * size;
	memset(e, 0, size);
	return e;
}

static struct pic_mark *add_mark(struct pic_obj *o, double ms, enum pic_mark_kind kind, int line)
{
	struct pic_mark *m = push(&o->marks, &o->nr_marks, &o->cap_marks, sizeof(*m));

	if (!m)
		return NULL;
	m->ms = ms;
	m->kind = kind;
	m->line = line;
	return m;
}

/* the object a free's record never reached: freed by @ms */
static void free_unseen(struct picture *p, const char *ptr, double ms)
{
	struct pic_obj *ob = by_ptr(p, ptr, true);

	if (!ob)
		return;
	ob->t_free = ms;
	copy(ob->free_site, sizeof(ob->free_site), "(no record of the free)");
}

static int on_alloc(struct picture *p, const struct jobj *o, double ms)
{
	struct pic_obj *ob;

	/* the object before at this address was freed, unseen */
	if (jobj_str(o, "replaced_site"))
		free_unseen(p, jobj_str(o, "ptr"), ms);
	ob = push(&p->objs, &p->nr_objs, &p->cap_objs, sizeof(*ob));
	if (!ob)
		return -ENOMEM;
	copy(ob->ptr, sizeof(ob->ptr), jobj_str(o, "ptr"));
	copy(ob->family, sizeof(ob->family), jobj_str(o, "family"));
	copy(ob->site, sizeof(ob->site), jobj_str(o, "site"));
	ob->size = jobj_num(o, "size", 0);
	ob->size_alloc = jobj_num(o, "size_alloc", ob->size);
	ob->t_alloc = ms;
	ob->t_free = -1;
	return 0;
}

/* a plan step: names its object, or marks it */
static int on_step(struct picture *p, const struct jobj *o, double ms)
{
	const char *name = jobj_str(o, "object"), *refused = jobj_str(o, "refused");
	int code = op_code(jobj_str(o, "op")), line = jobj_num(o, "line", 0);
	double off = jobj_num(o, "off", 0), len = jobj_num(o, "len", 0);
	struct pic_obj *ob;
	struct pic_mark *m;

	if (code < 0)
		return 0;
	if (kmlab_op_class(code) == KMLAB_OPC_ALLOC && !refused) {
		ob = by_ptr(p, jobj_str(o, "ptr"), true);
		if (ob && !ob->name[0]) {
			copy(ob->name, sizeof(ob->name), name);
			ob->line = line;
		}
		return 0;
	}
	ob = by_name(p, name);
	if (!ob)
		return 0;
	if (kmlab_op_class(code) == KMLAB_OPC_FREE && !refused) {
		ob->free_line = line;
		return 0;
	}
	if (kmlab_op_class(code) == KMLAB_OPC_ACCESS && !refused) {
		bool late = jobj_num(o, "late", 0);

		m = add_mark(ob, ms, late ? PIC_LATE : PIC_ACCESS, line);
		if (!m)
			return -ENOMEM;
		snprintf(m->label, sizeof(m->label), "%s [%.0f..%.0f]%s", kmlab_op_name(code), off, off + len,
			 late ? " after free" : "");
		copy(m->detail, sizeof(m->detail), jobj_str(o, "bytes"));
		return 0;
	}
	m = add_mark(ob, ms, PIC_STEP, line);
	if (!m)
		return -ENOMEM;
	snprintf(m->label, sizeof(m->label), "%s%s", kmlab_op_name(code), refused ? " refused" : "");
	copy(m->detail, sizeof(m->detail), refused);
	return 0;
}

static int on_event(struct picture *p, const struct jobj *o)
{
	const char *ev = jobj_str(o, "event");
	double ms = jobj_num(o, "ms", 0);
	struct pic_obj *ob;

	if (ms > p->t_end)
		p->t_end = ms;
	if (!ev)
		return 0;
	if (!strcmp(ev, "alloc"))
		return on_alloc(p, o, ms);
	if (!strcmp(ev, "free")) {
		ob = by_ptr(p, jobj_str(o, "ptr"), true);
		if (ob) {
			ob->t_free = ms;
			copy(ob->free_site, sizeof(ob->free_site), jobj_str(o, "site"));
		}
		return 0;
	}
	if (!strcmp(ev, "free_unseen")) {
		free_unseen(p, jobj_str(o, "ptr"), ms);
		return 0;
	}
	if (!strcmp(ev, "step"))
		return on_step(p, o, ms);
	return 0;
}

static int on_finding(struct picture *p, const struct jobj *o)
{
	struct pic_finding *f = push(&p->finds, &p->nr_finds, &p->cap_finds, sizeof(*f));
	struct pic_obj *ob;
	struct pic_mark *m;
	double ms;

	if (!f)
		return -ENOMEM;
	copy(f->kind, sizeof(f->kind), jobj_str(o, "kind"));
	copy(f->object, sizeof(f->object), jobj_str(o, "object"));
	copy(f->site, sizeof(f->site), jobj_str(o, "site"));
	copy(f->message, sizeof(f->message), jobj_str(o, "message"));
	copy(f->stack, sizeof(f->stack), jobj_str(o, "stack"));
	copy(f->free_stack, sizeof(f->free_stack), jobj_str(o, "first_free_stack"));
	copy(f->bytes, sizeof(f->bytes), jobj_str(o, "bytes"));
	f->size = jobj_num(o, "size", 0);
	f->line = jobj_num(o, "line", 0);
	f->predicted = jobj_num(o, "predicted", 0);
	f->observed = jobj_num(o, "observed", 0);
	/* the object: by its address, else by its plan name */
	ob = by_ptr(p, jobj_str(o, "ptr"), false);
	if (!ob)
		ob = by_name(p, f->object);
	f->obj = ob ? ob - p->objs : -1;
	if (!ob)
		return 0;
	if (!strcmp(f->kind, "leak"))
		ob->leaked = true;
	if (f->bytes[0])
		copy(ob->bytes, sizeof(ob->bytes), f->bytes);
	/* a leak happens at the end; the rest when the observer saw it */
	ms = !strcmp(f->kind, "leak") ? p->t_end :
	     jobj_num(o, "ms", ob->t_free >= 0 ? ob->t_free : p->t_end);
	m = add_mark(ob, ms, PIC_FINDING, f->line);
	if (!m)
		return -ENOMEM;
	copy(m->label, sizeof(m->label), f->kind);
	copy(m->detail, sizeof(m->detail), f->message);
	return 0;
}

static int on_object(struct picture *p, const struct jobj *o, int n, char *err, size_t errlen)
{
	const char *type = jobj_str(o, "type");

	if (!type) {
		snprintf(err, errlen, "line %d has no \"type\": not a kmlab --json stream", n);
		return -EINVAL;
	}
	if (n == 1 && strcmp(type, "header")) {
		snprintf(err, errlen, "line 1 is of type \"%s\", not the header: give the file kmlab run --json or kmlab watch --json wrote (schema 1)",
			 type);
		return -EINVAL;
	}
	if (!strcmp(type, "header")) {
		if (jobj_num(o, "version", 0) != 1) {
			snprintf(err, errlen, "schema version %g: this kmlab reads version 1", jobj_num(o, "version", 0));
			return -EINVAL;
		}
		copy(p->command, sizeof(p->command), jobj_str(o, "command"));
		copy(p->target, sizeof(p->target), jobj_str(o, "target"));
		copy(p->kernel, sizeof(p->kernel), jobj_str(o, "kernel"));
		return 0;
	}
	if (!strcmp(type, "event"))
		return on_event(p, o);
	if (!strcmp(type, "finding"))
		return on_finding(p, o);
	if (!strcmp(type, "summary")) {
		copy(p->verdict, sizeof(p->verdict), jobj_str(o, "verdict"));
		p->lost = jobj_num(o, "lost_events", 0);
	}
	return 0;
}

int picture_read(FILE *f, struct picture *p, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct jobj o;
	int n = 0, ret = 0;

	memset(p, 0, sizeof(*p));
	while (!ret && (len = getline(&line, &cap, f)) > 0) {
		n++;
		if (len > LINE_MAX_LEN) {
			snprintf(err, errlen, "line %d is %zd bytes: not a kmlab --json stream", n, len);
			ret = -EINVAL;
			break;
		}
		ret = json_read_line(line, &o);
		if (ret == -EINVAL)
			snprintf(err, errlen, "line %d is not one JSON object: %.60s", n, line);
		else if (!ret)
			ret = on_object(p, &o, n, err, errlen);
		jobj_free(&o);
	}
	free(line);
	if (!ret && !n) {
		snprintf(err, errlen, "it is empty");
		ret = -EINVAL;
	}
	if (!ret && !p->verdict[0]) {
		snprintf(err, errlen, "no summary at its end: the run was cut short, or this is not its whole stream");
		ret = -EINVAL;
	}
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return ret;
}

void picture_free(struct picture *p)
{
	int i;

	for (i = 0; i < p->nr_objs; i++)
		free(p->objs[i].marks);
	free(p->objs);
	free(p->finds);
	memset(p, 0, sizeof(*p));
}

static int save(const struct picture *p, const char *path,
		int (*fn)(const struct picture *, FILE *))
{
	FILE *f = json_open(path);
	int err, cerr;

	if (!f) {
		err = -errno;
		fprintf(stderr, "kmlab: cannot write %s: %s\n", path, strerror(-err));
		return err;
	}
	err = fn(p, f);
	cerr = json_close(f);
	if (!err)
		err = cerr;
	if (err)
		fprintf(stderr, "kmlab: writing %s failed: %s\n", path, strerror(-err));
	return err;
}

int picture_save(const struct picture *p, const char *perfetto,
		 const char *html)
{
	int err = perfetto ? save(p, perfetto, picture_write_perfetto) : 0;

	if (!err && html)
		err = save(p, html, picture_write_html);
	return err;
}

const char *picture_obj_title(const struct pic_obj *o, char *buf, size_t len)
{
	if (o->name[0])
		snprintf(buf, len, "%s", o->name);
	else
		snprintf(buf, len, "%s %.0f B at %s", o->family[0] ? o->family : "object", o->size, o->site);
	return buf;
}
