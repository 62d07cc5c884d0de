// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The .kml lexer.  Works on a length-bounded buffer (NUL bytes are just
 * bad bytes), never allocates, and always moves forward, so any input
 * ends in TOK_EOF.
 */
#include <ctype.h>
#include "lexer.h"

static const char *const kind_names[] = {
	[TOK_EOF]	= "end of file",
	[TOK_NEWLINE]	= "end of line",
	[TOK_IDENT]	= "name",
	[TOK_NUMBER]	= "number",
	[TOK_ASSIGN]	= "'='",
	[TOK_LPAREN]	= "'('",
	[TOK_RPAREN]	= "')'",
	[TOK_LBRACKET]	= "'['",
	[TOK_RBRACKET]	= "']'",
	[TOK_LBRACE]	= "'{'",
	[TOK_RBRACE]	= "'}'",
	[TOK_COMMA]	= "','",
	[TOK_PIPE]	= "'|'",
	[TOK_PLUS]	= "'+'",
	[TOK_DOTDOT]	= "'..'",
	[TOK_BAD]	= "unexpected character",
};

const char *tok_kind_name(enum tok_kind kind)
{
	return (unsigned int)kind <= TOK_BAD ? kind_names[kind] : "?";
}

void lexer_init(struct lexer *lx, const char *src, size_t len)
{
	lx->src = src;
	lx->end = src + len;
	lx->cur = src;
	lx->line = 1;
	lx->line_start = src;
}

static int ident_start(int c)
{
	return isascii(c) && (isalpha(c) || c == '_');
}

static int ident_char(int c)
{
	return isascii(c) && (isalnum(c) || c == '_');
}

static int digit_value(int c, int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < base ? v : -1;
}

static void lex_number(struct lexer *lx, struct token *t)
{
	const char *p = lx->cur;
	int base = 10, v;

	if (p + 1 < lx->end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    p + 2 < lx->end && digit_value((unsigned char)p[2], 16) >= 0) {
		base = 16;
		p += 2;
	}
	for (; p < lx->end; p++) {
		if (*p == '_')		/* 1_000_000 */
			continue;
		v = digit_value((unsigned char)*p, base);
		if (v < 0)
			break;
		if (t->num > (~0ULL - v) / base)
			t->too_big = 1;
		else
			t->num = t->num * base + v;
	}
	t->kind = TOK_NUMBER;
	lx->cur = p;
}

struct token lexer_next(struct lexer *lx)
{
	struct token t = { 0 };
	unsigned char c;

again:
	while (lx->cur < lx->end && (*lx->cur == ' ' || *lx->cur == '\t' ||
				     *lx->cur == '\r' || *lx->cur == '\f' ||
				     *lx->cur == '\v'))
		lx->cur++;
	if (lx->cur < lx->end && *lx->cur == '#')
		while (lx->cur < lx->end && *lx->cur != '\n')
			lx->cur++;
	t.p = lx->cur;
	t.line = lx->line;
	t.col = (int)(lx->cur - lx->line_start) + 1;
	if (lx->cur >= lx->end) {
		t.kind = TOK_EOF;
		return t;
	}
	c = *lx->cur;
	if (c == '\\' && lx->cur + 1 < lx->end && lx->cur[1] == '\n') {
		/* a line continued: keep counting lines */
		lx->cur += 2;
		lx->line++;
		lx->line_start = lx->cur;
		goto again;
	}
	if (ident_start(c)) {
		while (lx->cur < lx->end && ident_char((unsigned char)*lx->cur))
			lx->cur++;
		t.kind = TOK_IDENT;
	} else if (isascii(c) && isdigit(c)) {
		lex_number(lx, &t);
	} else if (c == '.' && lx->cur + 1 < lx->end && lx->cur[1] == '.') {
		t.kind = TOK_DOTDOT;
		lx->cur += 2;
	} else {
		lx->cur++;
		switch (c) {
		case '\n':
			t.kind = TOK_NEWLINE;
			lx->line++;
			lx->line_start = lx->cur;
			break;
		case ';': t.kind = TOK_NEWLINE; break;
		case '=': t.kind = TOK_ASSIGN; break;
		case '(': t.kind = TOK_LPAREN; break;
		case ')': t.kind = TOK_RPAREN; break;
		case '[': t.kind = TOK_LBRACKET; break;
		case ']': t.kind = TOK_RBRACKET; break;
		case '{': t.kind = TOK_LBRACE; break;
		case '}': t.kind = TOK_RBRACE; break;
		case ',': t.kind = TOK_COMMA; break;
		case '|': t.kind = TOK_PIPE; break;
		case '+': t.kind = TOK_PLUS; break;
		default:
			t.kind = TOK_BAD;
			/* one diagnostic per UTF-8 sequence, not per byte */
			while (c >= 0x80 && lx->cur < lx->end &&
			       ((unsigned char)*lx->cur & 0xc0) == 0x80)
				lx->cur++;
		}
	}
	t.len = (int)(lx->cur - t.p);
	return t;
}
