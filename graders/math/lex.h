/*
 * math_lex: the tokenizer and normaliser of the math checker.
 *
 * One pass over an answer string turns LaTeX, plain text and unicode math
 * into a flat token array, normalising on the way: \frac/\dfrac/\tfrac and
 * TeX's one-digit arguments (\frac12), \left/\right and spacing commands,
 * \text/\mathrm/\mbox groups, ^\circ and the degree sign, unicode operators
 * (√ π ∞ − × ÷ ≤ ≥ ≠ ±), thousands separators (1,000  1{,}000  1\,000
 * 1 000, never inside a tuple), the leading-dot decimal .5, $ and \( \)
 * wrappers, and doubled backslashes (\\frac) from over-escaped data.
 *
 * Strict by construction: what the scanner does not know (an unknown
 * command or environment, a character outside the grammar, brackets that do
 * not balance, words that hedge) is never dropped or guessed.  It sets
 * lx->opaque, and the judge then compares that answer only as normalised
 * text, never by value.  An unknown command is pushed as a symbol marked
 * unknown and counted in lx->unknown: the judge treats the answer as
 * opaque unless the command sits in a part of an equation chain that is
 * never compared (1 = \zzz = x = 0 reads as x = 0).  What is skipped on purpose (spacing, \left, $
 * wrappers, \text around a unit) is listed in docs/math-conventions.md.
 *
 * Ownership: struct math_lex owns its token array and the text buffer the
 * tokens point into; math_lex_release frees both.  The input is borrowed.
 * Work is bounded: at most MATH_LEX_MAX_TOKENS tokens; more is an error.
 */
#ifndef REVAL_MATH_LEX_H
#define REVAL_MATH_LEX_H

#include "harness/base/util.h"

#define MATH_LEX_MAX_TOKENS 4096 /* longer answers are not parsed */
#define MATH_LEX_MAX_INPUT 16384 /* bytes of answer text looked at */
#define MATH_LEX_MAX_EXP10 400   /* largest |exponent| of 1.9e4 notation spelled out */

enum mtok {
	MT_END = 0,
	MT_NUM,      /* digits with at most one '.', separators removed */
	MT_SYM,      /* one-letter variable, greek name, unknown \command */
	MT_WORD,     /* a word of text: units, names, "odd" */
	MT_FUNC,     /* sin cos tan sec csc cot arc* sinh cosh tanh ln log exp */
	MT_OP,       /* one of + - * / ^ _ ! , ; : = < > | ' */
	MT_LE, MT_GE, MT_NE, MT_APPROX, MT_PM, MT_MP,
	MT_LP, MT_RP,     /* ( ) and \langle \rangle */
	MT_LB, MT_RB,     /* [ ] */
	MT_LC, MT_RC,     /* { } TeX groups */
	MT_LSET, MT_RSET, /* \{ \} */
	MT_FRAC, MT_SQRT, MT_INF, MT_PI,
	MT_CUP, MT_CAP, MT_IN, MT_PERCENT, MT_DEGREE,
	MT_BEGIN_MAT, MT_END_MAT, MT_AMP, MT_ROWSEP,
	MT_AND,      /* "and", "or", \text{ and }: list separators */
	MT_SUM,      /* \sum and \prod (named), \int (no name): not evaluated */
	MT_BINOM,    /* \binom, \dbinom, \tbinom: two arguments follow */
	MT_LFLOOR, MT_RFLOOR, MT_LCEIL, MT_RCEIL,
	MT_NORM,     /* \| and \Vert */
	MT_ACCENT,   /* \bar \overline \hat \vec \tilde \dot ...: the name is the accent */
	MT_DOTS,     /* \ldots \cdots \dots ... */
	MT_EMPTY,    /* \emptyset \varnothing \O */
	MT_OVER,     /* {a \over b} */
	MT_CHOOSE,   /* {n \choose k} */
	MT_MOD,      /* a \bmod b, a \mod b, a mod b */
	MT_PMOD,     /* \pmod{n} */
};

struct mtoken {
	enum mtok type;
	char op;      /* MT_OP: the operator character; MT_BEGIN_MAT: 'v' for a determinant */
	int space;    /* white space came before the token */
	size_t off;   /* name or digits: offset into math_lex.text */
	size_t len;
};

struct math_lex {
	struct mtoken *tok; /* ends with an MT_END token */
	size_t n, cap;
	struct strbuf text; /* names and digits the tokens refer to */
	struct strbuf uni;  /* the input with unicode math rewritten (scratch) */
	const char *opaque; /* why the text was not understood, or NULL */
	int unknown;        /* unknown commands, pushed as MT_SYM with op '?' */
};

void math_lex_init(struct math_lex *lx);
void math_lex_release(struct math_lex *lx);
/* Tokenize v.  Returns 0, or -1 when the input is too long or too big. */
int math_lex_run(struct math_lex *lx, struct strview v);
/* The name or digits of a token, borrowed from lx. */
struct strview math_tok_text(const struct math_lex *lx, const struct mtoken *t);

#endif
