// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The .kml lexer: kinds, positions, numbers, bad bytes, the end. */
#include <stdlib.h>
#include <string.h>
#include "lexer.h"
#include "tap.h"

static struct token toks[64];
static int nr;

static void lex(const char *src, size_t len)
{
	struct lexer lx;

	lexer_init(&lx, src, len);
	for (nr = 0; nr < 64; nr++) {
		toks[nr] = lexer_next(&lx);
		if (toks[nr].kind == TOK_EOF)
			break;
	}
}

int main(void)
{
	const char *src = "buf = kmalloc(0x40, GFP_KERNEL | __GFP_ZERO) # hi\n"
			  "\twrite buf[0..64] = 0xAB; }{ +,";
	static const enum tok_kind want[] = {
		TOK_IDENT, TOK_ASSIGN, TOK_IDENT, TOK_LPAREN, TOK_NUMBER,
		TOK_COMMA, TOK_IDENT, TOK_PIPE, TOK_IDENT, TOK_RPAREN,
		TOK_NEWLINE, TOK_IDENT, TOK_IDENT, TOK_LBRACKET, TOK_NUMBER,
		TOK_DOTDOT, TOK_NUMBER, TOK_RBRACKET, TOK_ASSIGN, TOK_NUMBER,
		TOK_NEWLINE, TOK_RBRACE, TOK_LBRACE, TOK_PLUS, TOK_COMMA,
		TOK_EOF,
	};
	unsigned int i, same = 1;
	char *big;

	lex(src, strlen(src));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		same &= toks[i].kind == want[i];
	TAP_OK(same && nr == 25, "token kinds of a two-line plan");
	TAP_EQ_INT(toks[4].num, 0x40, "hex number value");
	TAP_EQ_INT(toks[2].col, 7, "column of kmalloc");
	TAP_EQ_INT(toks[11].line, 2, "line of the second line");
	TAP_EQ_INT(toks[11].col, 2, "a tab counts as one column");
	TAP_EQ_INT(toks[19].num, 0xab, "0xAB");
	TAP_EQ_INT(toks[16].num, 64, "range end");

	lex("1_000_000 18446744073709551615 18446744073709551616", 51);
	TAP_EQ_INT(toks[0].num, 1000000, "underscores in numbers");
	TAP_OK(toks[1].num == ~0ULL && !toks[1].too_big, "2^64-1 fits");
	TAP_OK(toks[2].too_big, "2^64 is too big");

	lex("4KiB", 4);
	TAP_OK(toks[0].kind == TOK_NUMBER && toks[1].kind == TOK_IDENT &&
	       toks[1].len == 3, "4KiB is a number then a unit");

	lex("a\0b", 3);
	TAP_OK(toks[1].kind == TOK_BAD && toks[1].col == 2 &&
	       toks[2].kind == TOK_IDENT, "a NUL byte is one bad token");
	lex("\xc3\xa9x", 3);
	TAP_OK(toks[0].kind == TOK_BAD && toks[0].len == 2 &&
	       toks[1].kind == TOK_IDENT, "a UTF-8 character is one bad token");
	lex("x.y", 3);
	TAP_OK(toks[1].kind == TOK_BAD, "a single '.' is bad");
	lex("# only a comment", 16);
	TAP_OK(nr == 0 && toks[0].kind == TOK_EOF, "comment then EOF");
	lex("a \\\nb", 5);
	TAP_OK(toks[1].kind == TOK_IDENT && toks[1].line == 2 &&
	       toks[1].col == 1, "backslash-newline continues the line");

	/* a 1 MB identifier: one token, length right, no overflow */
	big = malloc(1 << 20);
	memset(big, 'a', 1 << 20);
	lex(big, 1 << 20);
	TAP_OK(toks[0].kind == TOK_IDENT && toks[0].len == 1 << 20 &&
	       toks[1].kind == TOK_EOF, "1 MB name is one token");
	free(big);
	{
		struct lexer lx;
		struct token t;

		lexer_init(&lx, "", 0);
		t = lexer_next(&lx);
		t = lexer_next(&lx);
		TAP_OK(t.kind == TOK_EOF, "EOF repeats at the end");
	}
	TAP_OK(!strcmp(tok_kind_name(TOK_DOTDOT), "'..'"), "token names");
	return tap_done();
}
