/*
 * math_equiv: are two parsed answers the same answer?
 *
 * Structure first, then values.  Relations: "x = 5" matches 5, two
 * equations match when one is a non-zero multiple of the other, and a
 * solved inequality matches its interval.  Collections: tuples and points
 * are ordered, sets and bare lists unordered (with ± expanded), intervals
 * compare their ends and whether each is open.  Matrices compare cell by
 * cell, text case- and space-insensitively.  Scalars are evaluated by
 * math_num, exactly where possible, at several points when they have
 * variables; a decimal literal on one side matches an exact value on the
 * other when it agrees to `precision` significant digits (pred) or when
 * the exact value rounds to it (gold).  A % sign lets its side be read as
 * X or as X/100.
 *
 * The canonical key maps equivalent answers to one string for voting:
 * exact values print as reduced fractions, others as 24 significant
 * digits (at fixed points for expressions in variables), sets sorted.
 *
 * Ownership: struct math_equiv borrows a struct math_num and owns a scratch
 * tree for the nodes it builds; both are reset per judgment by the caller.
 */
#ifndef REVAL_MATH_EQUIV_H
#define REVAL_MATH_EQUIV_H

#include "graders/math/num.h"
#include "graders/math/parse.h"

struct math_equiv_opts {
	int precision;           /* significant digits for decimal approximations */
	int allow_set_relation;  /* an interval gold also matches an inequality */
	int strict_vars;         /* variable names must agree (f(x) vs f(y)) */
};

struct math_equiv {
	struct math_num *num;          /* borrowed */
	struct math_tree scratch;      /* nodes built while comparing */
	const struct math_equiv_opts *opts;
	int undecided;                 /* a budget or cap was hit */
};

void math_equiv_init(struct math_equiv *e, struct math_num *num, const struct math_equiv_opts *o);
void math_equiv_release(struct math_equiv *e);

/* 1 equal, 0 different; e->undecided is set when the budget ran out. */
int math_equiv_cmp(struct math_equiv *e, const struct mnode *gold, const struct mnode *pred);

/* Append the voting key of n to out. */
void math_equiv_key(struct math_equiv *e, const struct mnode *n, struct strbuf *out);

/*
 * 1 when every unknown command (MF_UNKNOWN) in n sits where a comparison
 * never looks: a middle part of an equation chain, which reads as its
 * first name and last value (1 = \zzz = x = 0 is x = 0).
 */
int math_equiv_unknown_unread(const struct mnode *n);

/* Shape of an answer: 1 when it is a collection of several items. */
int math_equiv_is_collection(const struct mnode *n);

#endif
