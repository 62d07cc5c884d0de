/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Just enough JSON to write one object per line (--json FILE).  The
 * schema is docs/json.md; every stream starts with a "header" object
 * that carries its version.
 */
#ifndef KMLAB_JSON_H
#define KMLAB_JSON_H

#include <stdio.h>

/* bump on any change a reader could trip on: a field renamed, removed
 * or given another meaning (added fields and types do not bump it) */
#define KMLAB_JSON_VERSION	1

/*
 * Open a report for writing: "-" is stdout.  A file is created 0600,
 * and an existing regular file loses group and other access: reports
 * hold kernel addresses, which the kernel shows only to root.  NULL
 * with errno set when it cannot be written.
 */
FILE *json_open(const char *path);
/* Close what json_open() gave (stdout is flushed); 0 or -errno. */
int json_close(FILE *f);
/* The stream's first object: the schema version, the command, what it
 * looked at (@target, NULL for none) and the kernel (NULL: not one). */
void json_header(FILE *f, const char *command, const char *target,
		 const char *kernel);

/* Write @s as a JSON string literal (quotes included); NULL -> null. */
void json_str(FILE *f, const char *s);
/* Write @len bytes of @s as a JSON string literal. */
void json_strn(FILE *f, const char *s, size_t len);
/* Write @len bytes as a lower-case hex JSON string, "6b6b..." */
void json_hex(FILE *f, const unsigned char *buf, size_t len);

#endif /* KMLAB_JSON_H */
