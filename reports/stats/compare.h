/*
 * compare: paired statistics between two runs on the same problems.
 *
 * The unit is the problem: for each problem both runs solved, d = b - a is
 * the difference of its pass rates (mean score over its graded samples),
 * optionally weighted (w, e.g. 1 / problems of its task when tasks are
 * pooled).  The statistic is the weighted mean difference.
 *
 * p-values come from a sign-flip permutation test: under the null
 * hypothesis that the two runs are exchangeable on every problem, each d
 * is as likely to be -d.  With at most COMPARE_EXACT_MAX non-zero
 * differences every sign pattern is enumerated (an exact test); beyond, a
 * fixed number of random patterns from a fixed seed are drawn and p is
 * (1 + hits) / (1 + draws), which never reports 0.  The interval of the
 * difference is a paired percentile bootstrap over problems, also seeded,
 * so the same runs always give the same numbers.  Nothing here allocates
 * beyond the call.
 */
#ifndef REVAL_COMPARE_H
#define REVAL_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#define COMPARE_EXACT_MAX 20    /* non-zero pairs up to which the test enumerates */
#define COMPARE_DRAWS 20000     /* random sign patterns beyond that */
#define COMPARE_BOOTSTRAP 2000  /* bootstrap resamples for the interval */
#define COMPARE_SEED 0x5eed2025 /* fixed: reports and gates are reproducible */

struct compare_result {
	size_t pairs;    /* problems compared */
	double mean_a;   /* weighted mean rate of run a over the pairs */
	double mean_b;
	double diff;     /* mean_b - mean_a, a fraction */
	double ci_low;   /* 95% paired bootstrap interval of diff */
	double ci_high;
	double p_two;    /* two-sided: P(|D| >= |d|) under the null */
	double p_worse;  /* one-sided: P(D <= d) under the null; small when b is worse */
	double p_better; /* one-sided: P(D >= d) under the null; small when b is better */
	int exact;       /* p-values by full enumeration */
	size_t better;   /* problems where b > a */
	size_t worse;    /* problems where b < a */
};

/*
 * Compare rates a[i] and b[i] of n paired problems; w may be NULL (equal
 * weights).  With n == 0 every figure is NAN and p-values are 1.
 */
void compare_paired(const double *a, const double *b, const double *w, size_t n,
		    struct compare_result *out);

#endif
