// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Recursive-descent parser for .kml.  Statements end at a newline (or
 * ';'); blocks are { }.  After an error it skips to the end of the line,
 * still parsing any block opened there so that braces stay matched.
 * Recursion is bounded by PARSE_MAX_NEST, memory by PARSE_MAX_STMTS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kmlab/ir.h"
#include "lexer.h"
#include "parser.h"

#define HINT_STMT "statements look like `buf = kmalloc(64)`, `write buf[0..8] = 0xff`, `free buf`"

struct parser {
	struct lexer lx;
	struct token tok, next;	/* current and lookahead */
	struct diag_list *dl;
	int nr_stmts;
	int full;		/* PARSE_MAX_STMTS reached: stop */
};

struct unit {
	const char *name;
	unsigned long long mul;
};

static const struct unit size_units[] = {
	{ "B", 1 }, { "K", 1ULL << 10 }, { "k", 1ULL << 10 },
	{ "KB", 1ULL << 10 }, { "KiB", 1ULL << 10 }, { "M", 1ULL << 20 },
	{ "MB", 1ULL << 20 }, { "MiB", 1ULL << 20 }, { "G", 1ULL << 30 },
	{ "GB", 1ULL << 30 }, { "GiB", 1ULL << 30 }, { NULL, 0 },
};

static const struct unit time_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { NULL, 0 },
};

static void advance(struct parser *p)
{
	p->tok = p->next;
	p->next = lexer_next(&p->lx);
}

static void describe(const struct token *t, char *buf, size_t size)
{
	if (t->kind == TOK_IDENT)
		snprintf(buf, size, "'%.*s'", t->len > 40 ? 40 : t->len, t->p);
	else if (t->kind == TOK_BAD && t->p[0] >= 0x20 &&
		 (unsigned char)t->p[0] < 0x7f)
		snprintf(buf, size, "'%c'", t->p[0]);
	else if (t->kind == TOK_BAD)
		snprintf(buf, size, "byte 0x%02x", (unsigned char)t->p[0]);
	else
		snprintf(buf, size, "%s", tok_kind_name(t->kind));
}

static void error_at(struct parser *p, const struct token *t,
		     const char *hint, const char *what)
{
	char found[64];

	describe(t, found, sizeof(found));
	if (t->kind == TOK_BAD)
		diag_add(p->dl, DIAG_ERROR, t->line, t->col, 1,
			 "a plan has names, numbers, = ( ) [ ] { } , | + .. and # comments",
			 "unexpected %s", found);
	else
		diag_add(p->dl, DIAG_ERROR, t->line, t->col,
			 t->kind == TOK_NEWLINE || t->kind == TOK_EOF ? 1 :
			 t->len, hint, "expected %s, found %s", what, found);
}

static int tok_is(const struct token *t, const char *word)
{
	size_t len = strlen(word);

	return t->kind == TOK_IDENT && (size_t)t->len == len &&
	       !memcmp(t->p, word, len);
}

static int expect(struct parser *p, enum tok_kind kind, const char *what,
		  const char *hint)
{
	if (p->tok.kind != kind) {
		error_at(p, &p->tok, hint, what);
		return -1;
	}
	advance(p);
	return 0;
}

/* NAME: [A-Za-z_][A-Za-z0-9_]* */
static int name_of(struct parser *p, struct ast_name *n, const char *what,
		   const char *hint)
{
	if (p->tok.kind != TOK_IDENT) {
		error_at(p, &p->tok, hint, what);
		return -1;
	}
	n->p = p->tok.p;
	n->len = p->tok.len;
	n->line = p->tok.line;
	n->col = p->tok.col;
	advance(p);
	return 0;
}

/* NUMBER [unit]: the unit must be one of @units when a name follows. */
static int number(struct parser *p, const struct unit *units,
		  unsigned long long *val, int *too_big, const char *what)
{
	const struct unit *u;
	struct token t = p->tok;

	if (t.kind != TOK_NUMBER) {
		error_at(p, &t, units == time_units ?
			 "durations look like `100 ms` or `2 s`" :
			 "numbers look like 64, 0x40 or 4 KiB", what);
		return -1;
	}
	advance(p);
	*val = t.num;
	*too_big = t.too_big;
	if (!units || p->tok.kind != TOK_IDENT || p->tok.line != t.line)
		goto check;
	if (t.len == 1 && t.p[0] == '0' && p->tok.p == t.p + 1 &&
	    (p->tok.p[0] == 'x' || p->tok.p[0] == 'X')) {
		diag_add(p->dl, DIAG_ERROR, t.line, t.col, t.len + p->tok.len,
			 "hex numbers use the digits 0-9 and a-f, e.g. 0xAB",
			 "bad hex number '0%.*s'",
			 p->tok.len > 40 ? 40 : p->tok.len, p->tok.p);
		advance(p);
		return -1;
	}
	for (u = units; u->name; u++)
		if (tok_is(&p->tok, u->name))
			break;
	if (!u->name) {
		diag_add(p->dl, DIAG_ERROR, p->tok.line, p->tok.col,
			 p->tok.len, units == time_units ?
			 "durations take ms or s, e.g. `pause 100 ms`" :
			 "sizes take B, KiB (or K) and MiB (or M), e.g. `4 KiB`",
			 "unknown unit '%.*s'", p->tok.len > 40 ? 40 : p->tok.len,
			 p->tok.p);
		advance(p);
		return -1;
	}
	advance(p);
	if (*val > ~0ULL / u->mul)
		*too_big = 1;
	else
		*val *= u->mul;
check:
	if (*too_big) {
		diag_add(p->dl, DIAG_ERROR, t.line, t.col, t.len,
			 "numbers must fit in 64 bits; the lab's limits are far lower",
			 "number too large");
		return -1;
	}
	return 0;
}

/* One call argument: a size, a | list of flags, or pointer + offset. */
static int argument(struct parser *p, struct ast_arg *a)
{
	const char *start = p->tok.p;
	int line = p->tok.line;

	a->line = p->tok.line;
	a->col = p->tok.col;
	if (p->tok.kind == TOK_NUMBER) {
		a->kind = ARG_NUMBER;
		if (number(p, size_units, &a->num, &a->too_big, "a number"))
			return -1;
	} else {
		a->kind = ARG_FLAGS;
		if (name_of(p, &a->names[a->nr_names++],
			    "a size, a flag or a name", HINT_STMT))
			return -1;
		if (p->tok.kind == TOK_PLUS) {
			advance(p);
			a->kind = ARG_POINTER;
			if (number(p, size_units, &a->num, &a->too_big,
				   "an offset after '+'"))
				return -1;
		}
		while (a->kind == ARG_FLAGS && p->tok.kind == TOK_PIPE) {
			advance(p);
			if (a->nr_names == AST_MAX_FLAGS) {
				diag_add(p->dl, DIAG_ERROR, p->tok.line,
					 p->tok.col, p->tok.len,
					 "combine fewer flags; each flag counts once",
					 "too many flags (at most %d)",
					 AST_MAX_FLAGS);
				return -1;
			}
			if (name_of(p, &a->names[a->nr_names++],
				    "a flag after '|'",
				    "combine flags like `GFP_KERNEL | __GFP_ZERO`"))
				return -1;
		}
	}
	/* a span only when it stays on one line */
	if (p->tok.line == line && p->tok.p > start)
		a->len = (int)(p->tok.p - start);
	else
		a->len = 1;
	while (a->len > 1 && (start[a->len - 1] == ' ' ||
			      start[a->len - 1] == '\t'))
		a->len--;
	return 0;
}

/* call: NAME '(' [argument {',' argument}] ')' */
static int call(struct parser *p, struct stmt *s)
{
	if (name_of(p, &s->fn, "a function name",
		    "allocate with a call, e.g. `buf = kmalloc(64, GFP_KERNEL)`"))
		return -1;
	if (expect(p, TOK_LPAREN, "'(' after the function name",
		   "calls look like `kmalloc(64, GFP_KERNEL)`"))
		return -1;
	if (p->tok.kind == TOK_RPAREN) {
		advance(p);
		return 0;
	}
	for (;;) {
		if (s->nr_args == AST_MAX_ARGS) {
			diag_add(p->dl, DIAG_ERROR, p->tok.line, p->tok.col,
				 p->tok.len, "no kmlab function takes more",
				 "too many arguments (at most %d)",
				 AST_MAX_ARGS);
			return -1;
		}
		if (argument(p, &s->args[s->nr_args++]))
			return -1;
		if (p->tok.kind == TOK_RPAREN)
			break;
		if (expect(p, TOK_COMMA, "',' or ')' in the argument list",
			   "separate arguments with ','"))
			return -1;
	}
	advance(p);
	return 0;
}

/* range: NAME '[' NUMBER ['..' NUMBER] ']' (sizes may carry units) */
static int range(struct parser *p, struct stmt *s)
{
	const char *start;
	int too_big = 0;

	if (name_of(p, &s->target, "the name of an object",
		    "accesses look like `write buf[0..64] = 0xAB` or `read buf[8]`"))
		return -1;
	if (expect(p, TOK_LBRACKET, "'[' and a byte range after the name",
		   "give the bytes, e.g. `buf[0..64]` (64 bytes) or `buf[8]`"))
		return -1;
	start = p->tok.p;
	s->range_col = p->tok.col;
	if (number(p, size_units, &s->lo, &too_big, "a byte offset"))
		return -1;
	s->hi = s->lo + 1;
	if (p->tok.kind == TOK_DOTDOT) {
		advance(p);
		if (number(p, size_units, &s->hi, &too_big,
			   "the end of the range after '..'"))
			return -1;
	}
	s->range_len = (int)(p->tok.p - start);
	return expect(p, TOK_RBRACKET, "']' to close the byte range",
		      "ranges look like `[0..64]`: from 0 up to, not including, 64");
}

static struct stmt *block_body(struct parser *p, int depth,
			       const struct token *open);

static struct stmt *new_stmt(struct parser *p, enum stmt_kind kind)
{
	struct stmt *s;

	if (p->nr_stmts >= PARSE_MAX_STMTS) {
		if (!p->full)
			diag_add(p->dl, DIAG_ERROR, p->tok.line, 0, 1,
				 "split the plan; it cannot fit KMLAB_MAX_OPS ops anyway",
				 "too many statements (more than %d)",
				 PARSE_MAX_STMTS);
		p->full = 1;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		p->full = 1;
		return NULL;
	}
	p->nr_stmts++;
	s->kind = kind;
	s->line = p->tok.line;
	s->col = p->tok.col;
	s->arg_obj = -1;
	return s;
}

/* block: '{' block_body '}' */
static int block(struct parser *p, struct stmt *s, int depth,
		 const char *hint)
{
	struct token open = p->tok;

	if (expect(p, TOK_LBRACE, "'{' to open the block", hint))
		return -1;
	s->body = block_body(p, depth + 1, &open);
	return 0;
}

static const char *const phase_words[][2] = {
	[KMLAB_PHASE_LOAD]	= { "at", "load" },
	[KMLAB_PHASE_DEMAND]	= { "on", "demand" },
	[KMLAB_PHASE_UNLOAD]	= { "at", "unload" },
};

/*
 * statement: NAME '=' call | call
 *	| 'plan' NAME
 *	| ('at' 'load' | 'on' 'demand' | 'at' 'unload') block
 *	| 'atomic' ('spinlock' | 'irq') block
 *	| 'repeat' NUMBER ['times'] block
 *	| 'pause' NUMBER [time unit]
 *	| 'free' NAME ['+' NUMBER [size unit]] | 'forget' NAME
 *	| 'write' range '=' NUMBER | 'read' range
 */
static int statement(struct parser *p, struct stmt *s, int depth)
{
	struct token t = p->tok;
	int i;

	if (t.kind != TOK_IDENT) {
		error_at(p, &t, HINT_STMT, "a statement");
		return -1;
	}
	if (p->next.kind == TOK_ASSIGN) {
		s->kind = STMT_ASSIGN;
		name_of(p, &s->target, "", NULL);
		advance(p);
		return call(p, s);
	}
	if (p->next.kind == TOK_LPAREN) {
		s->kind = STMT_CALL;
		return call(p, s);
	}
	advance(p);
	if (tok_is(&t, "plan")) {
		s->kind = STMT_PLAN;
		return name_of(p, &s->target, "the plan's name after 'plan'",
			       "write `plan my_lesson` on the first line");
	}
	if (tok_is(&t, "at") || tok_is(&t, "on")) {
		s->kind = STMT_PHASE;
		for (i = 0; i < KMLAB_PHASE_MAX; i++)
			if (tok_is(&t, phase_words[i][0]) &&
			    tok_is(&p->tok, phase_words[i][1]))
				break;
		if (i == KMLAB_PHASE_MAX) {
			error_at(p, &p->tok,
				 "phases are `at load {`, `on demand {` and `at unload {`",
				 tok_is(&t, "at") ? "'load' or 'unload' after 'at'" :
				 "'demand' after 'on'");
			return -1;
		}
		s->sub = i;
		advance(p);
		return block(p, s, depth, "a phase is a block: `at unload {`");
	}
	if (tok_is(&t, "atomic")) {
		s->kind = STMT_ATOMIC;
		if (tok_is(&p->tok, "spinlock")) {
			s->sub = KMLAB_ATOMIC_SPINLOCK;
		} else if (tok_is(&p->tok, "irq")) {
			s->sub = KMLAB_ATOMIC_IRQOFF;
		} else {
			error_at(p, &p->tok,
				 "write `atomic spinlock {` (spin_lock) or `atomic irq {` (spin_lock_irqsave)",
				 "'spinlock' or 'irq' after 'atomic'");
			return -1;
		}
		advance(p);
		return block(p, s, depth, "`atomic spinlock {` opens a block");
	}
	if (tok_is(&t, "repeat")) {
		s->kind = STMT_REPEAT;
		s->num_col = p->tok.col;
		if (number(p, NULL, &s->num, &s->too_big,
			   "a count after 'repeat'"))
			return -1;
		if (tok_is(&p->tok, "times"))
			advance(p);
		return block(p, s, depth, "write `repeat 10 {`");
	}
	if (tok_is(&t, "pause")) {
		s->kind = STMT_PAUSE;
		s->num_col = p->tok.col;
		return number(p, time_units, &s->num, &s->too_big,
			      "a duration after 'pause'");
	}
	if (tok_is(&t, "free")) {
		s->kind = STMT_FREE;
		if (name_of(p, &s->target, "the name to free after 'free'",
			    "write `free buf`"))
			return -1;
		if (p->tok.kind != TOK_PLUS)
			return 0;
		advance(p);
		s->num_col = p->tok.col;
		return number(p, size_units, &s->num, &s->too_big,
			      "an offset after '+'");
	}
	if (tok_is(&t, "forget")) {
		s->kind = STMT_FORGET;
		return name_of(p, &s->target, "the name to forget after 'forget'",
			       "write `forget buf` to drop the pointer (a leak)");
	}
	if (tok_is(&t, "write")) {
		s->kind = STMT_WRITE;
		if (range(p, s))
			return -1;
		if (expect(p, TOK_ASSIGN, "'=' and the byte to write",
			   "writes look like `write buf[0..64] = 0xAB`"))
			return -1;
		s->num_col = p->tok.col;
		return number(p, size_units, &s->num, &s->too_big,
			      "the byte to write");
	}
	if (tok_is(&t, "read")) {
		s->kind = STMT_READ;
		return range(p, s);
	}
	diag_add(p->dl, DIAG_ERROR, t.line, t.col, t.len, HINT_STMT,
		 "unknown statement '%.*s'", t.len > 40 ? 40 : t.len, t.p);
	return -1;
}

/* Skip the rest of a bad line; a block opened on it is still parsed. */
static void recover(struct parser *p, int depth)
{
	struct stmt *junk;

	while (p->tok.kind != TOK_NEWLINE && p->tok.kind != TOK_EOF &&
	       p->tok.kind != TOK_RBRACE) {
		if (p->tok.kind == TOK_LBRACE) {
			struct token open = p->tok;

			advance(p);
			junk = block_body(p, depth + 1, &open);
			ast_free_stmts(junk);
			continue;
		}
		advance(p);
	}
}

/* Too deep to recurse: skip the block, counting braces. */
static void skip_block(struct parser *p, const struct token *open)
{
	long level = 1;

	diag_add(p->dl, DIAG_ERROR, open->line, open->col, 1,
		 "a plan nests repeat and atomic blocks at most 4 deep",
		 "blocks nested too deeply");
	while (p->tok.kind != TOK_EOF) {
		if (p->tok.kind == TOK_LBRACE)
			level++;
		else if (p->tok.kind == TOK_RBRACE && !--level)
			break;
		advance(p);
	}
}

/* block_body: {statement (NEWLINE | ';')}, up to '}' or the end */
static struct stmt *block_body(struct parser *p, int depth,
			       const struct token *open)
{
	struct stmt *first = NULL, **tail = &first, *s;

	if (depth > PARSE_MAX_NEST) {
		skip_block(p, open);
		goto close;
	}
	for (;;) {
		while (p->tok.kind == TOK_NEWLINE)
			advance(p);
		if (p->tok.kind == TOK_EOF || p->full)
			break;
		if (p->tok.kind == TOK_RBRACE) {
			if (open)
				break;
			diag_add(p->dl, DIAG_ERROR, p->tok.line, p->tok.col, 1,
				 "remove it, or open the block it should close",
				 "unmatched '}'");
			advance(p);
			continue;
		}
		s = new_stmt(p, STMT_PLAN);
		if (!s)
			break;
		*tail = s;
		tail = &s->next;
		if (statement(p, s, depth)) {
			s->kind = STMT_PLAN;	/* parsed in part: drop it */
			s->target.p = NULL;
			s->ok = -1;
			recover(p, depth);
			continue;
		}
		if (p->tok.kind != TOK_NEWLINE && p->tok.kind != TOK_EOF &&
		    p->tok.kind != TOK_RBRACE) {
			error_at(p, &p->tok,
				 "put one statement per line, or separate them with ';'",
				 "end of line after the statement");
			recover(p, depth);
		}
	}
close:
	if (!open)
		return first;
	if (p->tok.kind == TOK_RBRACE) {
		advance(p);
	} else if (!p->full) {
		diag_add(p->dl, DIAG_ERROR, open->line, open->col, 1,
			 "add '}' after the block's last statement",
			 "this '{' is never closed");
	}
	return first;
}

/* plan: block_body to the end of the text */
struct stmt *parse_plan(const char *src, size_t len, struct diag_list *dl)
{
	struct parser p = { .dl = dl };

	lexer_init(&p.lx, src, len);
	p.next = lexer_next(&p.lx);
	advance(&p);
	return block_body(&p, 0, NULL);
}
