/*
 * reports/stats/sketch.c: exact percentiles for small counts; beyond, every
 * percentile within the documented relative error of the exact order
 * statistic, computed here by sorting; the same figures in any order.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "reports/stats/rng.h"
#include "reports/stats/sketch.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest rank over a sorted copy, as docs/results-schema.md defines it. */
static double nearest_rank(const double *sorted, size_t n, double q)
{
	size_t r = (size_t)ceil(q * (double)n);
	return sorted[(r < 1 ? 1 : r) - 1];
}

static const double qs[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1};

/* Token-like, latency-like and rate-like values: integers, zeros, decimals, wide range. */
static void fill(double *x, size_t n, uint64_t seed)
{
	struct rng g;
	rng_init(&g, seed);
	for (size_t i = 0; i < n; i++) {
		double u = (double)(rng_next(&g) >> 11) / 9007199254740992.0;
		switch (i % 4) {
		case 0: x[i] = (double)rng_below(&g, 40000); break;
		case 1: x[i] = u < 0.1 ? 0 : floor(exp(12 * u)); break;
		case 2: x[i] = round(exp(3 + 9 * u) * 10) / 10; break;
		default: x[i] = 0.002 + 1e6 * u * u * u; break;
		}
	}
}

Test(sketch, small_counts_are_exact_order_statistics)
{
	double v[] = {5, 1, 4, 1, 3, 9, 0, 2.5};
	double sorted[8];
	struct sketch s;
	sketch_init(&s);
	cr_assert(isnan(sketch_quantile(&s, 0.5)));
	for (int i = 0; i < 8; i++) {
		sketch_add(&s, v[i]);
		sorted[i] = v[i];
	}
	qsort(sorted, 8, sizeof(double), cmp_double);
	cr_assert(sketch_is_exact(&s));
	/* Nearest rank by hand: p50 of 8 is the 4th smallest (2.5), p90 the 8th (9). */
	cr_assert_eq(sketch_quantile(&s, 0.5), 2.5);
	cr_assert_eq(sketch_quantile(&s, 0.9), 9);
	cr_assert_eq(s.max, 9);
	cr_assert_eq(s.min, 0);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		cr_assert_eq(sketch_quantile(&s, qs[i]), nearest_rank(sorted, 8, qs[i]));
	sketch_release(&s);
}

Test(sketch, exact_up_to_the_threshold)
{
	size_t n = SKETCH_EXACT;
	double *x = malloc(n * sizeof(double));
	fill(x, n, 3);
	struct sketch s;
	sketch_init(&s);
	for (size_t i = 0; i < n; i++)
		sketch_add(&s, x[i]);
	qsort(x, n, sizeof(double), cmp_double);
	cr_assert(sketch_is_exact(&s));
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		cr_assert_eq(sketch_quantile(&s, qs[i]), nearest_rank(x, n, qs[i]));
	sketch_add(&s, 1.0);
	cr_assert(!sketch_is_exact(&s));
	sketch_release(&s);
	free(x);
}

Test(sketch, large_counts_within_the_documented_relative_error)
{
	/* The bound, stated independently of the code: half a bucket of 1/64 of an octave. */
	const double bound = 1.0 / 128;
	cr_assert_float_eq(SKETCH_REL_ERROR, bound, 1e-18);
	size_t n = 200000;
	double *x = malloc(n * sizeof(double));
	fill(x, n, 11);
	struct sketch fwd, rev;
	sketch_init(&fwd);
	sketch_init(&rev);
	for (size_t i = 0; i < n; i++) {
		sketch_add(&fwd, x[i]);
		sketch_add(&rev, x[n - 1 - i]);
	}
	qsort(x, n, sizeof(double), cmp_double);
	cr_assert(!sketch_is_exact(&fwd));
	cr_assert_eq(fwd.n, (long)n);
	cr_assert_eq(fwd.max, x[n - 1]);
	cr_assert_eq(fwd.min, x[0]);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		double want = nearest_rank(x, n, qs[i]), got = sketch_quantile(&fwd, qs[i]);
		cr_assert(fabs(got - want) <= bound * want, "q %g: %.17g for %.17g", qs[i], got,
			  want);
		cr_assert_eq(got, sketch_quantile(&rev, qs[i]), "order changed q %g", qs[i]);
	}
	/* Every rank, not only the usual ones. */
	for (size_t r = 1; r <= n; r += 97) {
		double q = (double)r / (double)n, want = nearest_rank(x, n, q);
		double got = sketch_quantile(&fwd, q);
		cr_assert(fabs(got - want) <= bound * want, "rank %zu: %.17g for %.17g", r, got,
			  want);
	}
	/* The maximum is exact. */
	cr_assert_eq(sketch_quantile(&fwd, 1), x[n - 1]);
	sketch_release(&fwd);
	sketch_release(&rev);
	free(x);
}

Test(sketch, a_bucket_of_equal_values_is_exact)
{
	/* Small token counts: every value alone in its bucket, so every percentile is exact. */
	size_t n = 100000;
	double *x = malloc(n * sizeof(double));
	struct sketch s;
	sketch_init(&s);
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)((i * 7919) % 100);
		sketch_add(&s, x[i]);
	}
	qsort(x, n, sizeof(double), cmp_double);
	cr_assert(!sketch_is_exact(&s));
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		cr_assert_eq(sketch_quantile(&s, qs[i]), nearest_rank(x, n, qs[i]), "q %g", qs[i]);
	sketch_release(&s);
	free(x);
}

Test(sketch, memory_does_not_grow_with_the_count)
{
	struct sketch s;
	sketch_init(&s);
	for (long i = 0; i < 1000000; i++)
		sketch_add(&s, (double)(i % 50000));
	int powers = 0;
	for (size_t p = 0; p < sizeof(s.bins) / sizeof(s.bins[0]); p++)
		powers += s.bins[p] != NULL;
	/* 1 .. 49999 spans 16 powers of two. */
	cr_assert_eq(powers, 16);
	cr_assert_null(s.exact);
	cr_assert_eq(s.zeros, 20);
	sketch_release(&s);
}
