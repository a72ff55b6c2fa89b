/*
 * bootstrap: a mean over problems with its clustered standard error and a
 * reproducible problem-level bootstrap interval.
 *
 * Samples are nested in problems, so every metric is first reduced to one
 * value per problem and the problem is the unit of resampling.  The
 * standard error is analytic (the standard deviation of the per-problem
 * values over sqrt(P)); the 95% interval is the percentile interval of
 * `reps` bootstrap means.  The resamples come from rng seeded with `seed`
 * and visit the values in the order given, so the same values and seed give
 * the same interval on every machine.
 */
#ifndef REVAL_BOOTSTRAP_H
#define REVAL_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#define BOOTSTRAP_REPS 2000 /* default number of bootstrap replicates */

struct estimate {
	double value;    /* mean of the values that are not NAN; NAN when none */
	size_t problems; /* how many were not NAN */
	double se;       /* clustered standard error; NAN below 2 problems */
	double lo, hi;   /* 95% percentile bootstrap interval; NAN below 2 problems */
};

/* Estimate the mean of x[0..n), skipping NAN entries. */
void bootstrap_mean(const double *x, size_t n, uint64_t seed, int reps, struct estimate *out);

#endif
