/*
 * math_num: bounded evaluation of scalar expression trees.
 *
 * A value is either exact (a GMP rational) or approximate (a complex number
 * of MATH_NUM_BITS-bit GMP floats).  Rational arithmetic, integer powers,
 * perfect roots and factorials stay exact; radicals that are not perfect,
 * pi, e, i and the elementary functions (computed here by series with a
 * fixed number of terms, so every machine gets the same bits) are
 * approximate.  Variables take deterministic rational values that depend on
 * their index and on the evaluation point, so polynomial and rational
 * identities are tested exactly at several points.
 *
 * Every operation is bounded: operand sizes, exponents and factorials have
 * caps, and each evaluation step is charged to a budget.  Running past a cap
 * or the budget is MATH_NUM_UNDECIDED, never a hang.
 *
 * Comparison cannot be fooled near zero or by huge magnitudes: two exact
 * values compare exactly; an approximate value agrees with another only
 * within 2^-180 of the larger magnitude (no absolute slack, so e^{-200} is
 * not 0), a sum whose terms cancel below that precision is exactly 0 (so
 * sin(pi) is 0), and a sum in which a non-zero term vanished below the
 * precision (e^{400} + 1) sets m->lost, which the comparison takes as "not
 * shown equal".  Variables take pseudo-random rational values (seeded,
 * MATH_NUM_POINTS points), so a polynomial cannot be built to vanish at them.
 *
 * Ownership: struct math_num owns its constants and a pool of temporaries
 * (math_num_init / math_num_release).  Values handed out by math_val_new
 * belong to the pool and are returned with math_val_free, last out first.
 */
#ifndef REVAL_MATH_NUM_H
#define REVAL_MATH_NUM_H

#include <gmp.h>

#include "graders/math/parse.h"

#define MATH_NUM_BITS 224         /* precision of approximate values */
#define MATH_NUM_MAX_BITS 65536   /* largest exact operand, in bits */
#define MATH_NUM_MAX_EXP 10000    /* largest |exponent| of a power */
#define MATH_NUM_MAX_VARS 16      /* distinct variables in one comparison */
#define MATH_NUM_POINTS 4         /* evaluation points when there are variables */
#define MATH_NUM_SEED 0x5eed15u   /* seeds the variables' pseudo-random values */
#define MATH_NUM_TOL_BITS 180     /* approximate values agree within 2^-180 relatively */

enum { MATH_NUM_OK = 0, MATH_NUM_FAIL = -1, MATH_NUM_UNDECIDED = -2 };

struct mval {
	int exact; /* 1: q holds the value; 0: re + i im */
	mpq_t q;
	mpf_t re, im;
};

struct math_num {
	mpf_t pi, ln2, e;        /* constants at MATH_NUM_BITS */
	struct mval **pool;      /* temporaries; pool[0..used) are in use */
	size_t used, cap;
	long steps, budget;      /* work done and allowed for this judgment */
	const char *vars[MATH_NUM_MAX_VARS]; /* variable names, borrowed */
	int nvars;
	int point;               /* which evaluation point */
	int alias;               /* variable 1 takes variable 0's values (non-strict names) */
	int lost;                /* an addend vanished below the precision: a sum cannot be trusted */
};

void math_num_init(struct math_num *m);
void math_num_release(struct math_num *m);

struct mval *math_val_new(struct math_num *m);
void math_val_free(struct math_num *m, struct mval *v);

/* Register a variable name (kept borrowed); returns -1 when there are too many. */
int math_num_add_var(struct math_num *m, const char *name);

/* Evaluate n at the current point into out.  Returns a MATH_NUM_ code. */
int math_num_eval(struct math_num *m, const struct mnode *n, struct mval *out);

/* a and b agree: exactly, or within 2^-MATH_NUM_TOL_BITS relatively when either is approximate. */
int math_num_equal(struct math_num *m, const struct mval *a, const struct mval *b);

/*
 * The decimal d, written with frac_digits digits after the point, stands
 * for x: it agrees with x to `sig` significant digits.
 */
int math_num_approximates(struct math_num *m, const struct mval *d, const struct mval *x, int sig);
/* x rounds to the decimal d at frac_digits decimals: |x - d| <= 0.5 * 10^-frac_digits. */
int math_num_rounds_to(struct math_num *m, const struct mval *x, const struct mval *d, int frac_digits);
/* True when v is real and not an integer multiple of a power of ten fraction. */
int math_num_is_terminating(const struct mval *v);

/* Append a canonical text of v: "p/q" when exact, else 24 significant digits. */
void math_num_key(const struct mval *v, struct strbuf *out);

/* Set v from a decimal string "123.45", or "0.1|6" whose digits after '|' repeat; a MATH_NUM_ code. */
int math_num_set_decimal(struct mval *v, const char *s);

#endif
