/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The .kml parser: tokens in, a syntax tree out, several errors per run. */
#ifndef KMLAB_PARSER_H
#define KMLAB_PARSER_H

#include <stddef.h>
#include "ast.h"
#include "diag.h"

#define PARSE_MAX_STMTS	4096	/* far above KMLAB_MAX_OPS, bounds memory */
#define PARSE_MAX_NEST	16	/* sema enforces KMLAB_MAX_DEPTH */

/*
 * Parse @len bytes of @src.  Returns the statements (free them with
 * ast_free_stmts()), possibly partial; errors go to @dl.
 */
struct stmt *parse_plan(const char *src, size_t len, struct diag_list *dl);

#endif /* KMLAB_PARSER_H */
