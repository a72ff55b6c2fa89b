#include "reports/stats/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"

struct rng {
	uint64_t state;
};

static uint64_t rng_next(struct rng *r)
{
	return mix64(r->state++);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

struct counts {
	double two, worse, better; /* patterns at least as extreme, each way */
};

static void tally_pattern(double s, double obs, double eps, struct counts *c)
{
	c->two += fabs(s) >= fabs(obs) - eps;
	c->worse += s <= obs + eps;
	c->better += s >= obs - eps;
}

/* Every sign pattern, in Gray-code order so each step flips one sign. */
static void enumerate(const double *v, size_t m, double obs, double eps, struct counts *c)
{
	signed char sign[COMPARE_EXACT_MAX];
	memset(sign, 1, sizeof(sign));
	double s = obs;
	tally_pattern(s, obs, eps, c);
	for (uint64_t i = 1; i < ((uint64_t)1 << m); i++) {
		int bit = __builtin_ctzll(i);
		sign[bit] = (signed char)-sign[bit];
		s += 2.0 * sign[bit] * v[bit];
		tally_pattern(s, obs, eps, c);
	}
}

static void draw(const double *v, size_t m, double obs, double eps, struct counts *c)
{
	struct rng r = {COMPARE_SEED};
	for (int d = 0; d < COMPARE_DRAWS; d++) {
		double s = 0;
		uint64_t bits = 0;
		for (size_t i = 0; i < m; i++) {
			if (i % 64 == 0)
				bits = rng_next(&r);
			s += (bits & 1) ? v[i] : -v[i];
			bits >>= 1;
		}
		tally_pattern(s, obs, eps, c);
	}
}

static void bootstrap(const double *a, const double *b, const double *w, size_t n,
		      struct compare_result *out)
{
	double *stat = xmalloc(COMPARE_BOOTSTRAP * sizeof(double));
	struct rng r = {COMPARE_SEED ^ 0xb007};
	for (int k = 0; k < COMPARE_BOOTSTRAP; k++) {
		double num = 0, den = 0;
		for (size_t i = 0; i < n; i++) {
			size_t j = (size_t)(rng_next(&r) % n);
			double wj = w ? w[j] : 1.0;
			num += wj * (b[j] - a[j]);
			den += wj;
		}
		stat[k] = den > 0 ? num / den : 0;
	}
	qsort(stat, COMPARE_BOOTSTRAP, sizeof(double), cmp_double);
	out->ci_low = stat[(int)(0.025 * COMPARE_BOOTSTRAP)];
	out->ci_high = stat[(int)(0.975 * COMPARE_BOOTSTRAP) - 1];
	free(stat);
}

void compare_paired(const double *a, const double *b, const double *w, size_t n,
		    struct compare_result *out)
{
	memset(out, 0, sizeof(*out));
	out->pairs = n;
	out->p_two = out->p_worse = out->p_better = 1;
	out->mean_a = out->mean_b = out->diff = out->ci_low = out->ci_high = NAN;
	double wsum = 0, sa = 0, sb = 0;
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		wsum += wi;
		sa += wi * a[i];
		sb += wi * b[i];
	}
	if (!n || wsum <= 0)
		return;
	out->mean_a = sa / wsum;
	out->mean_b = sb / wsum;
	out->diff = out->mean_b - out->mean_a;

	/* Only non-zero differences change under a sign flip. */
	double *v = xmalloc(n * sizeof(double));
	size_t m = 0;
	double obs = 0, scale = 0;
	for (size_t i = 0; i < n; i++) {
		double d = (w ? w[i] : 1.0) * (b[i] - a[i]) / wsum;
		if (b[i] > a[i])
			out->better++;
		else if (b[i] < a[i])
			out->worse++;
		if (d == 0)
			continue;
		v[m++] = d;
		obs += d;
		scale += fabs(d);
	}
	double eps = 1e-9 * scale; /* sums in another order round differently */
	struct counts c = {0, 0, 0};
	if (m == 0) {
		out->exact = 1;
	} else if (m <= COMPARE_EXACT_MAX) {
		enumerate(v, m, obs, eps, &c);
		double total = (double)((uint64_t)1 << m);
		out->p_two = c.two / total;
		out->p_worse = c.worse / total;
		out->p_better = c.better / total;
		out->exact = 1;
	} else {
		draw(v, m, obs, eps, &c);
		out->p_two = (1 + c.two) / (1 + COMPARE_DRAWS);
		out->p_worse = (1 + c.worse) / (1 + COMPARE_DRAWS);
		out->p_better = (1 + c.better) / (1 + COMPARE_DRAWS);
	}
	free(v);
	bootstrap(a, b, w, n, out);
}
