// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The parser: the tree of each statement, every syntax diagnostic (text
 * and line:col), recovery, the caret format, and hostile inputs.
 */
#include <stdlib.h>
#include <string.h>
#include "parser.h"
#include "plan_util.h"

static struct stmt *parse(const char *src)
{
	diag_free(&util_dl);
	diag_init(&util_dl);
	return parse_plan(src, strlen(src), &util_dl);
}

static void tree(void)
{
	struct stmt *s = parse("plan demo\n"
			       "b = kmalloc(4 KiB, GFP_KERNEL | __GFP_ZERO)\n"
			       "write b[8..1 K] = 0xAB; read b[3]\n"
			       "kfree(b + 16)\n"
			       "free b\nforget b\npause 2 s\n"
			       "repeat 3 times { atomic irq { } }\n"
			       "on demand {\n}\n");
	struct stmt *t;

	TAP_EQ_INT(util_dl.errors, 0, "tree: no errors");
	TAP_OK(s && s->kind == STMT_PLAN && ast_name_is(&s->target, "demo"),
	       "tree: plan NAME");
	t = s->next;
	TAP_OK(t->kind == STMT_ASSIGN && ast_name_is(&t->target, "b") &&
	       ast_name_is(&t->fn, "kmalloc") && t->nr_args == 2 &&
	       t->args[0].kind == ARG_NUMBER && t->args[0].num == 4096 &&
	       t->args[1].kind == ARG_FLAGS && t->args[1].nr_names == 2,
	       "tree: assignment with size unit and flag list");
	TAP_EQ_INT(t->args[1].col, 20, "tree: argument column");
	TAP_EQ_INT(t->args[1].len, 23, "tree: argument span");
	t = t->next;
	TAP_OK(t->kind == STMT_WRITE && t->lo == 8 && t->hi == 1024 &&
	       t->num == 0xab, "tree: write range and fill");
	t = t->next;
	TAP_OK(t->kind == STMT_READ && t->lo == 3 && t->hi == 4 &&
	       t->line == 3, "tree: ';' separates, [i] is one byte");
	t = t->next;
	TAP_OK(t->kind == STMT_CALL && t->args[0].kind == ARG_POINTER &&
	       t->args[0].num == 16, "tree: call with name + offset");
	t = t->next;
	TAP_OK(t->kind == STMT_FREE && t->next->kind == STMT_FORGET,
	       "tree: free and forget");
	t = t->next->next;
	TAP_OK(t->kind == STMT_PAUSE && t->num == 2000, "tree: pause 2 s");
	t = t->next;
	TAP_OK(t->kind == STMT_REPEAT && t->num == 3 && t->body &&
	       t->body->kind == STMT_ATOMIC &&
	       t->body->sub == KMLAB_ATOMIC_IRQOFF, "tree: nested blocks");
	t = t->next;
	TAP_OK(t->kind == STMT_PHASE && t->sub == KMLAB_PHASE_DEMAND &&
	       !t->body && !t->next, "tree: empty phase block, end");
	ast_free_stmts(s);
}

static const struct {
	const char *src;
	int line, col;
	const char *msg;
} errors[] = {
	{ "x = kmalloc(8) @\n", 1, 16, "unexpected '@'" },
	{ "x = kmalloc(8)\n\x01\n", 2, 1, "unexpected byte 0x01" },
	{ "64\n", 1, 1, "expected a statement, found number" },
	{ "x = 5\n", 1, 5, "expected a function name, found number" },
	{ "frobnicate x\n", 1, 1, "unknown statement 'frobnicate'" },
	{ "x = kmalloc 8\n", 1, 13, "expected '(' after the function name" },
	{ "x = kmalloc(8 16)\n", 1, 15, "expected ',' or ')' in the argument list, found number" },
	{ "x = kmalloc(8; 16)\n", 1, 14, "expected ',' or ')'" },
	{ "x = kmalloc(8, )\n", 1, 16, "expected a size, a flag or a name" },
	{ "x = kmalloc(8, GFP_KERNEL |)\n", 1, 28, "expected a flag after '|'" },
	{ "x = kmalloc(8 XB)\n", 1, 15, "unknown unit 'XB'" },
	{ "write x[0] = 0xZZ\n", 1, 14, "bad hex number '0xZZ'" },
	{ "pause 3 min\n", 1, 9, "unknown unit 'min'" },
	{ "x = kmalloc(18446744073709551616)\n", 1, 13, "number too large" },
	{ "x = kmalloc(17179869184 GiB)\n", 1, 13, "number too large" },
	{ "x = kmalloc(1, A|B|C|D|E|F|G|H|I)\n", 1, 32, "too many flags (at most 8)" },
	{ "x = kmalloc(1, 2, 3, 4, 5, 6, 7)\n", 1, 31, "too many arguments (at most 6)" },
	{ "plan 5\n", 1, 6, "expected the plan's name after 'plan'" },
	{ "at home {\n}\n", 1, 4, "expected 'load' or 'unload' after 'at'" },
	{ "on load {\n}\n", 1, 4, "expected 'demand' after 'on'" },
	{ "atomic mutex {\n}\n", 1, 8, "expected 'spinlock' or 'irq' after 'atomic'" },
	{ "repeat x {\n}\n", 1, 8, "expected a count after 'repeat'" },
	{ "repeat 3\n", 1, 9, "expected '{' to open the block" },
	{ "pause\n", 1, 6, "expected a duration after 'pause'" },
	{ "free 3\n", 1, 6, "expected the name to free after 'free'" },
	{ "free x +\n", 1, 9, "expected an offset after '+'" },
	{ "forget\n", 1, 7, "expected the name to forget after 'forget'" },
	{ "write x = 1\n", 1, 9, "expected '[' and a byte range after the name" },
	{ "read x[]\n", 1, 8, "expected a byte offset" },
	{ "read x[1..]\n", 1, 11, "expected the end of the range after '..'" },
	{ "read x[1..2\n", 1, 12, "expected ']' to close the byte range" },
	{ "write x[0..1] 7\n", 1, 15, "expected '=' and the byte to write" },
	{ "write x[0..1] =\n", 1, 16, "expected the byte to write" },
	{ "write [0..1] = 1\n", 1, 7, "expected the name of an object" },
	{ "x = kmalloc(8) y\n", 1, 16, "expected end of line after the statement, found 'y'" },
	{ "}\n", 1, 1, "unmatched '}'" },
	{ "repeat 2 {\n  x = kmalloc(8)\n", 1, 10, "this '{' is never closed" },
};

static void diagnostics(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		expect_error(errors[i].src, errors[i].line, errors[i].col,
			     errors[i].msg);
}

static void recovery(void)
{
	struct stmt *s;
	char buf[512];

	/* one error per bad line; good lines and blocks still parse */
	s = parse("a = kmalloc(8 @\nb = kmalloc(8)\nc = = 1\n"
		  "repeat 2 { d ? e }\nf = kmalloc(8)\n");
	TAP_EQ_INT(util_dl.errors, 3, "recovery: three bad lines, three errors");
	TAP_OK(find_diag(4, 12, "unknown statement 'd'"),
	       "recovery: error inside a block on one line");
	TAP_OK(s && s->next && s->next->kind == STMT_ASSIGN &&
	       ast_name_is(&s->next->target, "b"),
	       "recovery: the next line parses");
	ast_free_stmts(s);

	/* a bad block header still consumes its block */
	s = parse("repeat x {\n  free a\n}\nfree b\n");
	TAP_EQ_INT(util_dl.errors, 1, "recovery: braces stay matched");
	ast_free_stmts(s);

	/* the caret format */
	s = parse("x = kmalloc(8) y\n");
	diag_set_source(&util_dl, "t.kml", "x = kmalloc(8) y\n", 17);
	diag_format(&util_dl, &util_dl.v[0], buf, sizeof(buf));
	TAP_OK(!strcmp(buf, "t.kml:1:16: error: expected end of line after the statement, found 'y'\n"
		       "  x = kmalloc(8) y\n"
		       "                 ^\n"
		       "hint: put one statement per line, or separate them with ';'\n"),
	       "caret: file:line:col, source, caret, hint");
	ast_free_stmts(s);
	s = parse("x = kmalloc(8 KBB)\n");
	diag_set_source(&util_dl, "t.kml", "x = kmalloc(8 KBB)\n", 19);
	diag_format(&util_dl, &util_dl.v[0], buf, sizeof(buf));
	TAP_STR_HAS(buf, "\n                ^~~\n", "caret: ~ under the whole token");
	ast_free_stmts(s);
}

static void hostile(void)
{
	size_t n = 1 << 20, i;
	char *src = malloc(n + 64);
	struct stmt *s;

	/* deep nesting: bounded recursion, one error */
	for (i = 0; i < 100000; i++)
		memcpy(src + i * 2, "{\n", 2);
	src[200000] = '\0';
	s = parse(src);
	TAP_OK(find_diag(17, 1, "blocks nested too deeply"),
	       "100000 nested blocks: one error, no stack overflow");
	ast_free_stmts(s);

	/* a 1 MB line of garbage: one error */
	memset(src, '@', n);
	src[n] = '\0';
	s = parse(src);
	TAP_EQ_INT(util_dl.errors, 1, "1 MB line: one error");
	ast_free_stmts(s);

	/* a caret far out in a long line shows a window */
	{
		char buf[1024];

		memset(src, ' ', n);
		src[900001] = '@';
		src[n] = '\0';
		s = parse(src);
		diag_set_source(&util_dl, "t.kml", src, n);
		diag_format(&util_dl, &util_dl.v[0], buf, sizeof(buf));
		TAP_OK(strlen(buf) < 400 && strstr(buf, "...") &&
		       strstr(buf, "1:900002:"), "long line: a window around the caret");
		ast_free_stmts(s);
	}

	/* many statements: bounded */
	for (i = 0; i < 5000; i++)
		memcpy(src + i * 7, "free x\n", 7);
	src[5000 * 7] = '\0';
	s = parse(src);
	TAP_OK(find_diag(4097, 0, "too many statements (more than 4096)"),
	       "5000 statements: stops at 4096");
	ast_free_stmts(s);

	/* too many errors: kept bounded, counted */
	for (i = 0; i < 200; i++)
		memcpy(src + i * 2, "@\n", 2);
	src[400] = '\0';
	s = parse(src);
	TAP_OK(util_dl.errors == 200 && util_dl.n == DIAG_MAX &&
	       util_dl.dropped == 200 - DIAG_MAX, "200 errors: 50 kept");
	ast_free_stmts(s);
	free(src);
}

int main(void)
{
	tree();
	diagnostics();
	recovery();
	hostile();
	diag_free(&util_dl);
	return tap_done();
}
