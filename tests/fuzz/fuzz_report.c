// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: any bytes as a --json stream through `kmlab report`:
 * the JSON-lines reader, the picture built from it, and both writers.
 * The file comes from users (another machine, an older kmlab), so a bad
 * one must be an error, never a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include "picture.h"

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct picture p;
	char err[256];
	FILE *in;

	if (!sink)
		sink = fopen("/dev/null", "w");
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	if (!picture_read(in, &p, err, sizeof(err))) {
		picture_write_perfetto(&p, sink);
		picture_write_html(&p, sink);
	}
	picture_free(&p);
	fclose(in);
	return 0;
}
