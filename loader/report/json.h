/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Just enough JSON to write one object per line (--json FILE). */
#ifndef KMLAB_JSON_H
#define KMLAB_JSON_H

#include <stdio.h>

/* Write @s as a JSON string literal (quotes included); NULL -> null. */
void json_str(FILE *f, const char *s);
/* Write @len bytes of @s as a JSON string literal. */
void json_strn(FILE *f, const char *s, size_t len);
/* Write @len bytes as a lower-case hex JSON string, "6b6b..." */
void json_hex(FILE *f, const unsigned char *buf, size_t len);

#endif /* KMLAB_JSON_H */
