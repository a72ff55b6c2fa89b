#include "reports/stats/bootstrap.h"

#include <math.h>
#include <stdlib.h>

#include "reports/stats/rng.h"
#include "harness/base/util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The nearest-rank q-quantile of sorted v[0..n). */
static double quantile(const double *v, size_t n, double q)
{
	size_t r = (size_t)ceil(q * (double)n);
	if (r < 1)
		r = 1;
	if (r > n)
		r = n;
	return v[r - 1];
}

void bootstrap_mean(const double *x, size_t n, uint64_t seed, int reps, struct estimate *out)
{
	out->value = out->se = out->lo = out->hi = NAN;
	double *v = xmalloc((n ? n : 1) * sizeof(double));
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			v[m++] = x[i];
	out->problems = m;
	if (!m) {
		free(v);
		return;
	}
	double sum = 0;
	for (size_t i = 0; i < m; i++)
		sum += v[i];
	double mean = sum / (double)m;
	out->value = mean;
	if (m < 2) {
		free(v);
		return;
	}
	double ss = 0;
	for (size_t i = 0; i < m; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	out->se = sqrt(ss / (double)(m - 1) / (double)m);
	if (reps < 1)
		reps = BOOTSTRAP_REPS;
	double *means = xmalloc((size_t)reps * sizeof(double));
	struct rng g;
	rng_init(&g, seed);
	for (int b = 0; b < reps; b++) {
		double s = 0;
		for (size_t i = 0; i < m; i++)
			s += v[rng_below(&g, m)];
		means[b] = s / (double)m;
	}
	qsort(means, (size_t)reps, sizeof(double), cmp_double);
	out->lo = quantile(means, (size_t)reps, 0.025);
	out->hi = quantile(means, (size_t)reps, 0.975);
	free(means);
	free(v);
}
