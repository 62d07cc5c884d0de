/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The .kml lexer: bytes in, tokens with line and column out. */
#ifndef KMLAB_LEXER_H
#define KMLAB_LEXER_H

#include <stddef.h>

enum tok_kind {
	TOK_EOF,
	TOK_NEWLINE,	/* also ';' */
	TOK_IDENT,
	TOK_NUMBER,
	TOK_ASSIGN,	/* = */
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_COMMA,
	TOK_PIPE,
	TOK_PLUS,
	TOK_DOTDOT,
	TOK_BAD,	/* a byte the language has no use for */
};

struct token {
	enum tok_kind kind;
	const char *p;		/* into the source */
	int len;
	int line, col;
	unsigned long long num;	/* TOK_NUMBER */
	int too_big;		/* TOK_NUMBER above 2^64 - 1 */
};

struct lexer {
	const char *src, *end, *cur;
	int line;
	const char *line_start;
};

void lexer_init(struct lexer *lx, const char *src, size_t len);
/* The next token; TOK_EOF forever at the end. Never fails. */
struct token lexer_next(struct lexer *lx);
const char *tok_kind_name(enum tok_kind kind);

#endif /* KMLAB_LEXER_H */
