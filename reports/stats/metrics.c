#include "reports/stats/metrics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/stats/rng.h"
#include "harness/base/util.h"

double metrics_pass_at_k(int n, int c, int k)
{
	if (k <= 0 || k > n || c < 0 || c > n)
		return NAN;
	if (n - c < k)
		return 1.0;
	/*
	 * C(n-c, k) / C(n, k) = prod_{i=n-c+1}^{n} (1 - k / i).  Summing logs and
	 * taking expm1 keeps full relative precision when the result is tiny.
	 */
	double lg = 0;
	for (int i = n - c + 1; i <= n; i++)
		lg += log1p(-(double)k / (double)i);
	return -expm1(lg);
}

void metrics_pass_curve(int n, int c, double *out)
{
	/* q_k = C(n-c, k) / C(n, k); q_{k+1} = q_k (n-c-k) / (n-k). */
	double q = 1.0;
	for (int k = 1; k <= n; k++) {
		q *= k - 1 < n - c ? (double)(n - c - (k - 1)) / (double)(n - (k - 1)) : 0.0;
		out[k - 1] = 1.0 - q;
	}
}

void votes_init(struct votes *v, const int *keys, int n, const unsigned char *key_correct,
		int nkeys)
{
	memset(v, 0, sizeof(*v));
	v->n = n;
	v->nkeys = nkeys;
	v->rank_of_key = xmalloc((size_t)(nkeys > 0 ? nkeys : 1) * sizeof(int));
	for (int i = 0; i < nkeys; i++)
		v->rank_of_key[i] = -1;
	v->count = xcalloc((size_t)(nkeys > 0 ? nkeys : 1), sizeof(int));
	v->correct = xcalloc((size_t)(nkeys > 0 ? nkeys : 1), 1);
	for (int i = 0; i < n; i++) {
		int key = keys[i];
		if (key < 0 || key >= nkeys)
			continue;
		if (v->rank_of_key[key] < 0) {
			v->rank_of_key[key] = v->nclasses;
			v->correct[v->nclasses] = key_correct[key];
			v->nclasses++;
		}
		v->count[v->rank_of_key[key]]++;
	}
}

void votes_release(struct votes *v)
{
	free(v->count);
	free(v->correct);
	free(v->rank_of_key);
	memset(v, 0, sizeof(*v));
}

static int winner(const int *cnt, int nclasses);

int metrics_majority(const struct votes *v)
{
	return winner(v->count, v->nclasses);
}

/* ---- Exact expected cons@k ---- */

static double log_binom(int n, int k)
{
	return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

/* row[b] = C(m, b) for b = 0..lim. */
static void binom_row(int m, int lim, double *row)
{
	row[0] = 1;
	for (int b = 0; b < lim; b++)
		row[b + 1] = row[b] * (double)(m - b) / (double)(b + 1);
}

/* poly[0..*deg] *= sum_{b=0}^{lim} row[b] x^b, truncated at degree cap. */
static void poly_mul(double *poly, int *deg, const double *row, int lim, int cap, double *tmp)
{
	int nd = *deg + lim < cap ? *deg + lim : cap;
	for (int j = 0; j <= nd; j++)
		tmp[j] = 0;
	for (int i = 0; i <= *deg; i++) {
		if (poly[i] == 0)
			continue;
		int top = lim < nd - i ? lim : nd - i;
		for (int b = 0; b <= top; b++)
			tmp[i + b] += poly[i] * row[b];
	}
	memcpy(poly, tmp, (size_t)(nd + 1) * sizeof(double));
	*deg = nd;
}

static double exact_cost(const struct votes *v, int kmax)
{
	double ops = 0;
	for (int r = 0; r < v->nclasses; r++) {
		if (!v->correct[r])
			continue;
		int amax = v->count[r] < kmax ? v->count[r] : kmax;
		ops += (double)amax * (double)(kmax + 1) * (double)(v->n - v->count[r] + v->nclasses);
	}
	return ops;
}

int metrics_cons_exact(const struct votes *v, int kmax, double max_ops, double *out)
{
	int n = v->n;
	if (kmax < 1 || kmax > n)
		return -1;
	/* Every count below is at most max_j C(n, j) over j <= kmax. */
	int jpeak = kmax < n / 2 ? kmax : n / 2;
	if (log_binom(n, jpeak) > log(DBL_MAX) - 20)
		return -1;
	if (exact_cost(v, kmax) > max_ops)
		return -1;
	int voters = 0;
	for (int r = 0; r < v->nclasses; r++)
		voters += v->count[r];
	int silent = n - voters;
	double *wins = xcalloc((size_t)kmax + 1, sizeof(double));
	double *poly = xmalloc(((size_t)kmax + 1) * sizeof(double));
	double *tmp = xmalloc(((size_t)kmax + 1) * sizeof(double));
	double *row = xmalloc(((size_t)n + 1) * sizeof(double));
	double *arow = xmalloc(((size_t)n + 1) * sizeof(double));
	for (int A = 0; A < v->nclasses; A++) {
		if (!v->correct[A])
			continue;
		int mA = v->count[A];
		int amax = mA < kmax ? mA : kmax;
		binom_row(mA, amax, arow);
		for (int a = 1; a <= amax; a++) {
			int cap = kmax - a;
			int deg = 0;
			poly[0] = 1;
			for (int B = 0; B < v->nclasses && deg >= 0; B++) {
				if (B == A)
					continue;
				/* A wins a tie only against classes ranked after it. */
				int lim = B < A ? a - 1 : a;
				if (lim > v->count[B])
					lim = v->count[B];
				if (lim < 0)
					lim = 0;
				binom_row(v->count[B], lim, row);
				poly_mul(poly, &deg, row, lim, cap, tmp);
			}
			if (silent > 0) {
				int lim = silent < cap ? silent : cap;
				binom_row(silent, lim, row);
				poly_mul(poly, &deg, row, lim, cap, tmp);
			}
			for (int j = 0; j <= deg; j++)
				wins[a + j] += arow[a] * poly[j];
		}
	}
	double total = 1; /* C(n, k) */
	for (int k = 1; k <= kmax; k++) {
		total = total * (double)(n - k + 1) / (double)k;
		out[k - 1] = wins[k] / total;
	}
	free(wins);
	free(poly);
	free(tmp);
	free(row);
	free(arow);
	return 0;
}

/* ---- Monte Carlo ---- */

/* The winner of a subset from its vote counts: most votes, ties to the lower rank. */
static int winner(const int *cnt, int nclasses)
{
	int best = -1;
	for (int r = 0; r < nclasses; r++)
		if (cnt[r] > 0 && (best < 0 || cnt[r] > cnt[best]))
			best = r;
	return best;
}

double metrics_cons_mc(const struct votes *v, int k, uint64_t seed, int draws, double *se)
{
	int n = v->n;
	*se = 0;
	if (k < 1 || k > n || draws < 1)
		return NAN;
	int *label = xmalloc((size_t)n * sizeof(int));
	int at = 0;
	for (int r = 0; r < v->nclasses; r++)
		for (int j = 0; j < v->count[r]; j++)
			label[at++] = r;
	while (at < n)
		label[at++] = -1;
	/* Draw the smaller side: the k kept, or the n - k left out. */
	int drop = k > n / 2;
	int m = drop ? n - k : k;
	int nc = v->nclasses > 0 ? v->nclasses : 1;
	int *cnt = xcalloc((size_t)nc, sizeof(int));
	struct rng g;
	rng_init(&g, seed);
	long won = 0;
	for (int d = 0; d < draws; d++) {
		/* A partial Fisher-Yates shuffle: label[0..m) is a uniform m-subset. */
		for (int i = 0; i < m; i++) {
			int j = i + (int)rng_below(&g, (uint64_t)(n - i));
			int t = label[i];
			label[i] = label[j];
			label[j] = t;
		}
		if (drop)
			memcpy(cnt, v->count, (size_t)v->nclasses * sizeof(int));
		else
			memset(cnt, 0, (size_t)nc * sizeof(int));
		for (int i = 0; i < m; i++)
			if (label[i] >= 0)
				cnt[label[i]] += drop ? -1 : 1;
		int best = winner(cnt, v->nclasses);
		won += best >= 0 && v->correct[best];
	}
	free(label);
	free(cnt);
	double p = (double)won / draws;
	*se = draws > 1 ? sqrt(p * (1 - p) / (draws - 1)) : 0;
	return p;
}
