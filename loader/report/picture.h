/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A run drawn from its --json stream: each object's life (allocated,
 * touched, freed or leaked) on one time axis, with the findings on it.
 * perfetto.c and html.c draw it; `kmlab report` reads it back from a
 * file, `run`/`watch --perfetto/--html` from their own stream.
 */
#ifndef KMLAB_PICTURE_H
#define KMLAB_PICTURE_H

#include <stdbool.h>
#include <stdio.h>

enum pic_mark_kind {
	PIC_ACCESS,		/* a plan's read or write */
	PIC_LATE,		/* ... of a freed object */
	PIC_FINDING,		/* a finding on this object */
	PIC_STEP,		/* another plan step on it (refused, ...) */
};

struct pic_mark {
	double ms;
	enum pic_mark_kind kind;
	int line;		/* plan line, 0 if none */
	char label[64];		/* "write [0..64]", "double_free" */
	char detail[320];	/* the finding's message, the bytes read */
};

struct pic_obj {
	char name[64];		/* the plan's name, "" for a module's */
	char ptr[24];
	char family[32];
	char site[160], free_site[160];
	double size, size_alloc;
	int line, free_line;	/* plan lines, 0 if unknown */
	double t_alloc, t_free;	/* ms; t_free < 0: never freed */
	bool leaked;
	char bytes[72];		/* hex of bytes a finding showed, "" if none */
	struct pic_mark *marks;
	int nr_marks, cap_marks;
};

struct pic_finding {
	char kind[24], object[64], site[160], message[320];
	char stack[1024], free_stack[1024];	/* frames, '\n' between */
	char bytes[72];		/* hex: up to a leak's 32 bytes */
	double size;
	int line, obj;		/* obj: index in objs, -1 if none */
	bool predicted, observed;
};

struct picture {
	char command[16], target[128], kernel[128], verdict[24];
	double t_end;		/* ms of the last event */
	double lost;		/* summary's lost events */
	struct pic_obj *objs;
	int nr_objs, cap_objs;
	struct pic_finding *finds;
	int nr_finds, cap_finds;
};

/*
 * Read a kmlab --json stream (schema 1).  0; -EINVAL with @err saying
 * which line is wrong and how; -ENOMEM.
 */
int picture_read(FILE *f, struct picture *p, char *err, size_t errlen);
void picture_free(struct picture *p);
/* "buffer", or "0xffff...  (kmalloc-64)" for a module's object */
const char *picture_obj_title(const struct pic_obj *o, char *buf, size_t len);

/* Chrome's trace-event JSON, which ui.perfetto.dev and chrome://tracing
 * open: a track per object, its life a slice, marks as instants. */
int picture_write_perfetto(const struct picture *p, FILE *f);
/* One self-contained HTML page: summary, findings, SVG timeline, bytes. */
int picture_write_html(const struct picture *p, FILE *f);
/* Both, to files created 0600 (json_open()); either path may be NULL.
 * 0, or -errno after saying on stderr which file failed. */
int picture_save(const struct picture *p, const char *perfetto,
		 const char *html);

#endif /* KMLAB_PICTURE_H */
