/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The .kml syntax tree.  The parser fills the syntax fields; sema.c
 * resolves names and functions into the "resolved" fields that lower.c
 * turns into IR ops.
 */
#ifndef KMLAB_AST_H
#define KMLAB_AST_H

#include <linux/types.h>
#include "kmlab/ir.h"

#define AST_MAX_ARGS	6
#define AST_MAX_FLAGS	8

/* A name in the source: points into the source text. */
struct ast_name {
	const char *p;
	int len;
	int line, col;
};

enum arg_kind {
	ARG_NUMBER,	/* 64, 0x40, 4 KiB */
	ARG_FLAGS,	/* GFP_KERNEL | __GFP_ZERO, or a lone pointer name */
	ARG_POINTER,	/* name + offset */
};

struct ast_arg {
	enum arg_kind kind;
	int line, col, len;	/* where the whole argument is */
	unsigned long long num;	/* ARG_NUMBER: value with the unit applied;
				 * ARG_POINTER: offset */
	int too_big;		/* the value does not fit 64 bits */
	struct ast_name names[AST_MAX_FLAGS];	/* ARG_FLAGS, ARG_POINTER */
	int nr_names;
};

enum stmt_kind {
	STMT_PLAN,	/* plan NAME */
	STMT_PHASE,	/* at load { }, on demand { }, at unload { } */
	STMT_ATOMIC,	/* atomic spinlock|irq { } */
	STMT_REPEAT,	/* repeat N { } */
	STMT_PAUSE,	/* pause N ms */
	STMT_ASSIGN,	/* NAME = call(args) */
	STMT_CALL,	/* call(args): the explicit frees */
	STMT_FREE,	/* free NAME [+ off] */
	STMT_FORGET,	/* forget NAME */
	STMT_WRITE,	/* write NAME[lo..hi] = fill */
	STMT_READ,	/* read NAME[lo..hi] */
};

struct stmt {
	enum stmt_kind kind;
	int line, col;
	struct stmt *next;
	struct stmt *body;	/* PHASE, ATOMIC, REPEAT */

	struct ast_name target;	/* ASSIGN: the name; FREE/FORGET/WRITE/READ:
				 * the object; PLAN: the plan name */
	struct ast_name fn;	/* ASSIGN, CALL: the function */
	struct ast_arg args[AST_MAX_ARGS];
	int nr_args;
	unsigned long long num;	/* REPEAT: count; PAUSE: ms; FREE: offset;
				 * WRITE: fill */
	int num_col;		/* column of num, for diagnostics */
	int too_big;
	unsigned long long lo, hi;	/* WRITE/READ: [lo, hi) */
	int range_col, range_len;
	int sub;		/* PHASE: enum kmlab_phase; ATOMIC: kind */

	/* resolved by sema */
	int ok;			/* sema accepted it: lower it */
	__u16 code;		/* enum kmlab_opcode */
	int obj;		/* object index */
	int arg_obj;		/* cache index, or -1 */
	__u32 gfp;
	__u32 slab;		/* CACHE_CREATE: KMLAB_SLAB_* */
	unsigned long long size, off, len;
	__u32 count;
};

struct ast {
	struct stmt *first;
};

/* What sema knows about a plan name: one IR object. */
struct symbol {
	char name[KMLAB_NAME_LEN];
	int family;		/* enum kmlab_family, fixed at first use */
	int line, col;		/* first assignment */
	int cache;		/* FAM_CACHE: cache of the latest alloc */
	unsigned long long size; /* latest requested size (order for pages) */
};

struct sema {
	struct symbol syms[KMLAB_MAX_OBJS];
	int nr_syms;
	char plan[KMLAB_NAME_LEN];	/* from `plan NAME`, or empty */
};

struct diag_list;
struct kmlab_ir_op;

/* Resolve names and calls; returns the number of errors reported. */
int sema_check(struct stmt *first, struct sema *sm, struct diag_list *dl);
/*
 * Lower checked statements to ops in *@ops (room for @max), phase by
 * phase.  Returns the number of ops, or -1 (reported) if too many.
 */
int lower_plan(const struct stmt *first, struct kmlab_ir_op *ops, int max,
	       struct diag_list *dl);

void ast_free_stmts(struct stmt *s);
int ast_name_is(const struct ast_name *n, const char *s);

#endif /* KMLAB_AST_H */
