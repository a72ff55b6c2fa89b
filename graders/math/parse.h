/*
 * math_parse: answer text to an expression tree.
 *
 * The parser reads the tokens of math_lex and builds a tree of struct mnode:
 * numbers (kept as decimal text so no precision is lost), symbols,
 * constants, sums, products, quotients, powers, functions, radicals,
 * relations (chains such as a < x <= b), tuples and intervals (with their
 * bracket characters), sets, bare lists, unions, matrices, percentages,
 * plus-minus and plain text.  What is structural (is (0,1) a point or an
 * interval?) is left to math_equiv, which sees both sides.
 *
 * Ownership: every node and string lives in the struct math_tree's arena
 * and is freed at once by math_tree_release.  Work is bounded: at most
 * MATH_MAX_NODES nodes and MATH_MAX_DEPTH levels of nesting; beyond that
 * math_parse fails.
 */
#ifndef REVAL_MATH_PARSE_H
#define REVAL_MATH_PARSE_H

#include "graders/math/lex.h"

#define MATH_MAX_NODES 4096
#define MATH_MAX_DEPTH 64

enum mkind {
	MK_NUM,     /* text: decimal digits, optional '.' */
	MK_SYM,     /* text: variable name, with subscript as "a_37" */
	MK_CONST,   /* text: "pi", "e", "i", "inf" */
	MK_ADD,     /* n >= 2 terms */
	MK_MUL,     /* n >= 2 factors */
	MK_DIV,     /* kid[0] / kid[1] */
	MK_NEG,     /* -kid[0] */
	MK_POW,     /* kid[0] ^ kid[1] */
	MK_FUNC,    /* text: name (also floor, ceil, det); kid[0] argument, kid[1] log base if n == 2 */
	MK_APPLY,   /* text: name of an unknown function f(x), F_{n-1}, an accent \bar, \norm; n args */
	MK_SQRT,    /* kid[0] radicand, kid[1] index if n == 2 */
	MK_FACT,    /* kid[0]! */
	MK_BINOM,   /* kid[0] choose kid[1] */
	MK_ABS,     /* |kid[0]| */
	MK_PM,      /* kid[0] ± kid[1]; flags MF_MP for ∓ */
	MK_PERCENT, /* kid[0] % */
	MK_TUPLE,   /* bracketed list: open/close hold the characters */
	MK_SET,     /* \{ ... \} or { a, b } */
	MK_LIST,    /* bare a, b, c (and "a and b") */
	MK_UNION,   /* kid[0] ∪ kid[1] ∪ ... */
	MK_INTER,   /* kid[0] ∩ ... */
	MK_REL,     /* n parts, n - 1 relations in rel[] */
	MK_IN,      /* kid[0] ∈ kid[1] */
	MK_MATRIX,  /* rows x cols kids, row-major */
	MK_TEXT,    /* text: lowercased words joined by one space */
	MK_RATIO,   /* a : b : c */
	MK_OPAQUE,  /* text: something we cannot read (a \sum); equal only as text */
	MK_FUNCN,   /* text: gcd lcm max min mod pmod; n arguments */
	MK_DEGREE,  /* kid[0] degrees: kid[0] * pi / 180 */
	MK_FACT2,   /* kid[0]!! */
};

enum mrel { MR_EQ, MR_LT, MR_LE, MR_GT, MR_GE, MR_NE };

#define MF_MP 1      /* MK_PM: ∓ */
#define MF_UNKNOWN 2 /* MK_SYM: an unknown command (see math_lex's unknown) */

struct mnode {
	enum mkind kind;
	int n;              /* number of kids */
	struct mnode **kid; /* arena */
	const char *text;   /* arena, NUL-terminated; see enum mkind */
	enum mrel *rel;     /* MK_REL: n - 1 relations */
	char open, close;   /* MK_TUPLE brackets */
	int rows, cols;     /* MK_MATRIX */
	int flags;
};

struct math_arena_block;

/* Tokens the parser passed over on purpose (docs/math-conventions.md). */
#define ML_UNITS 1        /* unit words after a quantity: "5 cm" */
#define ML_APPROX_TAIL 2  /* "\approx 0.33" after an exact answer */

struct math_tree {
	struct mnode *root;  /* NULL when nothing could be parsed */
	int nodes;           /* nodes allocated, for the cap */
	int lenient;         /* ML_ flags: which leniencies skipped tokens */
	int skipped;         /* how many tokens they skipped */
	const char *units;   /* the unit words dropped, lowercased and joined, or NULL */
	struct math_arena_block *blocks;
};

void math_tree_init(struct math_tree *t);
void math_tree_release(struct math_tree *t);
/* Arena allocation for the tree and for trees built from it (zeroed). */
void *math_tree_alloc(struct math_tree *t, size_t n);
struct mnode *math_node_new(struct math_tree *t, enum mkind kind, int nkids);
const char *math_tree_strdup(struct math_tree *t, const char *s, size_t n);

/*
 * Parse the tokens of lx into t->root.  Returns 0, or -1 when the text is
 * not an expression we can read or a cap was hit (t->root is then NULL).
 * On success every token was read into the tree, except t->skipped tokens
 * passed over by the leniencies named in t->lenient.  A word the parser
 * does not know after a quantity ("45 at most") fails the parse.
 */
int math_parse(struct math_tree *t, const struct math_lex *lx);

/* Write the tree in a compact prefix form, for tests and debugging. */
void math_node_dump(const struct mnode *n, struct strbuf *out);

#endif
