// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The picture as Chrome's trace-event JSON ("JSON Object Format"), which
 * ui.perfetto.dev and chrome://tracing open: the run is one process, each
 * object one thread (track) named after it, its life a complete ("X")
 * slice, its accesses, steps and findings thread-scoped instants ("i").
 * Timestamps are microseconds from the earliest event.
 */
#include <errno.h>
#include "json.h"
#include "picture.h"

static const char *const mark_cat[] = {
	[PIC_ACCESS] = "access", [PIC_LATE] = "late_access",
	[PIC_FINDING] = "finding", [PIC_STEP] = "step",
};

static double start_ms(const struct picture *p)
{
	double t0 = 0;
	int i, j;

	for (i = 0; i < p->nr_objs; i++) {
		if (p->objs[i].t_alloc < t0)
			t0 = p->objs[i].t_alloc;
		for (j = 0; j < p->objs[i].nr_marks; j++)
			if (p->objs[i].marks[j].ms < t0)
				t0 = p->objs[i].marks[j].ms;
	}
	return t0;
}

static void meta(FILE *f, const char *what, int tid, const char *key, const char *name, int sort)
{
	fprintf(f, ",\n{\"name\":\"%s\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"%s\":", what, tid, key);
	if (name)
		json_str(f, name);
	else
		fprintf(f, "%d", sort);
	fprintf(f, "}}");
}

static void object(FILE *f, const struct picture *p, int i, double t0)
{
	const struct pic_obj *o = &p->objs[i];
	double end = o->t_free >= 0 ? o->t_free : p->t_end;
	char title[256];
	int j;

	picture_obj_title(o, title, sizeof(title));
	meta(f, "thread_name", i + 1, "name", title, 0);
	meta(f, "thread_sort_index", i + 1, "sort_index", NULL, i + 1);
	fprintf(f, ",\n{\"name\":");
	json_str(f, title);
	fprintf(f, ",\"cat\":\"object\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"ptr\":",
		i + 1, (o->t_alloc - t0) * 1000, (end > o->t_alloc ? end - o->t_alloc : 0) * 1000);
	json_str(f, o->ptr);
	fprintf(f, ",\"size\":%.0f,\"size_alloc\":%.0f,\"family\":", o->size, o->size_alloc);
	json_str(f, o->family);
	fprintf(f, ",\"alloc_site\":");
	json_str(f, o->site);
	fprintf(f, ",\"free_site\":");
	json_str(f, o->free_site[0] ? o->free_site : NULL);
	fprintf(f, ",\"plan_line\":%d,\"free_line\":%d,\"state\":\"%s\"}}", o->line, o->free_line,
		o->t_free >= 0 ? "freed" : o->leaked ? "leaked" : "live at the end");
	for (j = 0; j < o->nr_marks; j++) {
		const struct pic_mark *m = &o->marks[j];

		fprintf(f, ",\n{\"name\":");
		json_str(f, m->label);
		fprintf(f, ",\"cat\":\"%s\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"args\":{\"plan_line\":%d,\"detail\":",
			mark_cat[m->kind], i + 1, (m->ms - t0) * 1000, m->line);
		json_str(f, m->detail);
		fprintf(f, "}}");
	}
}

int picture_write_perfetto(const struct picture *p, FILE *f)
{
	double t0 = start_ms(p);
	char name[512];
	int i;

	snprintf(name, sizeof(name), "kmlab %s %s%s%s: %s", p->command, p->target, p->kernel[0] ? " on " : "",
		 p->kernel, p->verdict);
	fprintf(f, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"tool\":\"kmlab\",\"verdict\":");
	json_str(f, p->verdict);
	fprintf(f, "},\"traceEvents\":[\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":");
	json_str(f, name);
	fprintf(f, "}}");
	meta(f, "thread_name", 0, "name", "findings without an object", 0);
	for (i = 0; i < p->nr_objs; i++)
		object(f, p, i, t0);
	for (i = 0; i < p->nr_finds; i++) {
		if (p->finds[i].obj >= 0)
			continue;
		fprintf(f, ",\n{\"name\":");
		json_str(f, p->finds[i].kind);
		fprintf(f, ",\"cat\":\"finding\",\"ph\":\"i\",\"s\":\"p\",\"pid\":1,\"tid\":0,\"ts\":%.3f,\"args\":{\"site\":",
			(p->t_end - t0) * 1000);
		json_str(f, p->finds[i].site);
		fprintf(f, ",\"detail\":");
		json_str(f, p->finds[i].message);
		fprintf(f, "}}");
	}
	fprintf(f, "\n]}\n");
	return ferror(f) ? -EIO : 0;
}
