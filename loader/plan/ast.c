// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>
#include "ast.h"

void ast_free_stmts(struct stmt *s)
{
	struct stmt *next;

	/* bodies recurse, but only as deep as the parser let blocks nest */
	for (; s; s = next) {
		next = s->next;
		ast_free_stmts(s->body);
		free(s);
	}
}

int ast_name_is(const struct ast_name *n, const char *s)
{
	size_t len = strlen(s);

	return n->p && (size_t)n->len == len && !memcmp(n->p, s, len);
}
