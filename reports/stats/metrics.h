/*
 * metrics: the per-problem estimators.
 *
 * Pure functions of counts and votes; nothing here reads files or knows
 * about tasks.  Each returns one problem's value; averaging over problems,
 * standard errors and intervals are the job of reports/bootstrap.
 *
 * pass@k is the unbiased estimator of Chen et al. (2021),
 * 1 - C(n-c, k) / C(n, k), with n graded samples of which c are correct.
 *
 * cons@k votes over answer classes (struct votes).  Tie rule "class_rank":
 * classes are ranked by the smallest sample index that voted for them, and
 * among classes tied for the most votes the lower rank wins.  The winner of
 * a subset then depends only on its vote counts, so the rule is defined for
 * every subset, and for the full set it is "the first vote wins a tie".  A
 * sample without an answer does not vote; a subset without votes is wrong.
 * For k < n the value is the expectation over all C(n, k) subsets of size k.
 */
#ifndef REVAL_METRICS_H
#define REVAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Unbiased pass@k for one problem; NAN unless 1 <= k <= n. */
double metrics_pass_at_k(int n, int c, int k);

/* out[k - 1] = pass@k for k = 1..n (a recurrence; agrees with metrics_pass_at_k to rounding). */
void metrics_pass_curve(int n, int c, double *out);

/* One problem's votes, classes in rank order. */
struct votes {
	int n;                  /* graded samples, voters or not */
	int nclasses;
	int *count;             /* votes per class, by rank */
	unsigned char *correct; /* per class, by rank */
	int *rank_of_key;       /* caller's class id -> rank, or -1 (nkeys entries) */
	int nkeys;
};

/*
 * Build votes from the classes of a problem's graded samples in sample-index
 * order: keys[i] is the caller's class id of the i-th graded sample (-1: no
 * answer), key_correct[id] whether that class is correct.
 */
void votes_init(struct votes *v, const int *keys, int n, const unsigned char *key_correct,
		int nkeys);
void votes_release(struct votes *v);

/* The plain majority over all n samples: the winning rank, or -1 when nobody voted. */
int metrics_majority(const struct votes *v);

/*
 * Exact expected cons@k for every k = 1..kmax (kmax <= n) into out[k - 1],
 * by counting: for each correct class A and each count a of its votes in a
 * subset, the number of subsets in which every other class stays below a
 * (or at a, if it ranks after A) is a coefficient of a product of truncated
 * binomial polynomials.  Returns 0, or -1 when that is not feasible within
 * max_ops operations or in double range (then out is untouched).
 */
int metrics_cons_exact(const struct votes *v, int kmax, double max_ops, double *out);

/*
 * Monte Carlo cons@k: the mean accuracy over `draws` uniform random size-k
 * subsets from a generator seeded with seed; *se gets its standard error.
 */
double metrics_cons_mc(const struct votes *v, int k, uint64_t seed, int draws, double *se);

#endif
