// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A .ko's functions and source lines (loader/dataplane/modsyms.c and
 * modlines.c), on an object compiled here with -g as a module is
 * (tests/unit/fixtures/lines.c: relocatable, DWARF 5), on the lab's own
 * kmlab_late.ko when it is built, and on corrupted copies (no crash, no
 * invented line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "modsyms.h"
#include "tap.h"

#ifndef FIXTURE
#define FIXTURE "build/tests/fixture_lines.o"
#endif

/* the offset into the init text where @fn starts, -1 if none */
static long init_fn(const struct modsyms *ms, const char *fn)
{
	unsigned long off, fo;
	const char *name;

	for (off = 0; off < 65536; off++) {
		name = modsyms_init(ms, off, &fo);
		if (name && !strcmp(name, fn) && fo == 0)
			return (long)off;
	}
	return -1;
}

/* the lines the instructions of @fn (init text) come from, as a mask */
static unsigned long lines_of(const struct modsyms *ms, long start,
			      const char **file)
{
	unsigned long mask = 0, fo, off;
	unsigned int line;
	const char *f;

	for (off = start; modsyms_init(ms, off, &fo) && fo == off - start;
	     off++) {
		f = modsyms_init_source(ms, off, &line);
		if (f)
			*file = f;
		if (f && line < 64)
			mask |= 1UL << line;
	}
	return mask;
}

static void fixture(void)
{
	struct modsyms *ms = modsyms_load(FIXTURE);
	const char *file = NULL;
	unsigned long mask;
	long start;

	TAP_OK(ms, "the fixture loads");
	start = ms ? init_fn(ms, "lines_init") : -1;
	TAP_OK(start >= 0, "lines_init found in the init text");
	mask = start >= 0 ? lines_of(ms, start, &file) : 0;
	TAP_OK(file && !strcmp(file, "lines.c"), "its source file, by base name");
	TAP_OK((mask & (1UL << 9)) && (mask & (1UL << 11)),
	       "its instructions come from lines 9 and 11");
	TAP_OK(!(mask & ~((1UL << 8) | (1UL << 9) | (1UL << 11) | (1UL << 12))),
	       "and from no line outside the function");
	/* a header's inline body (kmalloc's, in a module) is reported at
	 * the line that used it, in the unit's own file */
	start = ms ? init_fn(ms, "lines_inlined") : -1;
	file = NULL;
	mask = start >= 0 ? lines_of(ms, start, &file) : 0;
	TAP_OK(start >= 0 && file && !strcmp(file, "lines.c") &&
	       (mask & (1UL << 26)),
	       "code inlined from a header: the line of its use (lines.c:26)");
	TAP_OK(!(mask & ~((1UL << 24) | (1UL << 25) | (1UL << 26) |
			   (1UL << 27))),
	       "and never the header's lines (lines_inline.h:7..10)");
	modsyms_free(ms);
}

/* the lab's module, when built: late_init's lines are in kmlab_late.c */
static void real_ko(void)
{
	const char *file = NULL, *ko = getenv("KMLAB_TEST_KO");
	struct modsyms *ms;
	long start;

	if (!ko || access(ko, R_OK)) {
		printf("ok %d - # SKIP no kmlab_late.ko built (KMLAB_TEST_KO)\n",
		       ++tap_n);
		return;
	}
	ms = modsyms_load(ko);
	start = ms ? init_fn(ms, "late_init") : -1;
	if (start >= 0)
		lines_of(ms, start, &file);
	TAP_OK(file && !strcmp(file, "kmlab_late.c"),
	       "kmlab_late.ko: late_init's lines are in kmlab_late.c");
	modsyms_free(ms);
}

/* corrupted copies of the fixture: lines may go, nothing may crash */
static void corrupted(void)
{
	FILE *f = fopen(FIXTURE, "rb");
	char tmp[] = "/tmp/kmlab-modsyms-XXXXXX";
	unsigned char *buf = NULL;
	long size = 0;
	int i, fd, loaded = 0;

	if (f && !fseek(f, 0, SEEK_END))
		size = ftell(f);
	if (f && size > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(size);
		if (buf && fread(buf, 1, size, f) != (size_t)size)
			size = 0;
	}
	if (f)
		fclose(f);
	fd = mkstemp(tmp);
	srand(7);
	for (i = 0; buf && size > 64 && fd >= 0 && i < 300; i++) {
		unsigned char *c = malloc(size);
		struct modsyms *ms;
		unsigned int line;
		int k;

		if (!c)
			break;
		memcpy(c, buf, size);
		for (k = 0; k < 1 + i % 8; k++)
			c[64 + rand() % (size - 64)] = rand();
		if (pwrite(fd, c, size, 0) == size && !ftruncate(fd, size)) {
			ms = modsyms_load(tmp);
			loaded += ms != NULL;
			for (k = 0; ms && k < 256; k++)
				modsyms_init_source(ms, k, &line);
			modsyms_free(ms);
		}
		free(c);
	}
	TAP_OK(buf && loaded > 0, "300 corrupted copies read without a crash");
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(buf);
}

int main(void)
{
	fixture();
	real_ko();
	corrupted();
	return tap_done();
}
