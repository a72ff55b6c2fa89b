/*
 * The estimators of reports/stats/metrics.c against values computed
 * independently: pass@k with exact rational arithmetic (GMP), cons@k by
 * enumerating every subset and voting with a separate implementation of
 * the tie rule, and a few values worked out by hand.
 */
#include <criterion/criterion.h>
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/stats/metrics.h"

/* 1 - C(n-c, k) / C(n, k) as an exact rational, then rounded. */
static double exact_pass(unsigned n, unsigned c, unsigned k)
{
	mpz_t a, b;
	mpq_t q;
	mpz_inits(a, b, NULL);
	mpq_init(q);
	if (n - c >= k)
		mpz_bin_uiui(a, n - c, k);
	mpz_bin_uiui(b, n, k);
	mpz_sub(a, b, a);
	mpq_set_num(q, a);
	mpq_set_den(q, b);
	mpq_canonicalize(q);
	double d = mpq_get_d(q);
	mpq_clear(q);
	mpz_clears(a, b, NULL);
	return d;
}

static void assert_close(double got, double want, const char *what, int n, int c, int k)
{
	double tol = 1e-12 * (fabs(want) > 1e-3 ? fabs(want) : 1e-3);
	cr_assert(fabs(got - want) <= tol, "%s n=%d c=%d k=%d: got %.17g, want %.17g", what, n, c,
		  k, got, want);
}

Test(metrics, pass_at_k_equals_exact_rationals_on_every_small_case)
{
	for (int n = 1; n <= 24; n++)
		for (int c = 0; c <= n; c++)
			for (int k = 1; k <= n; k++)
				assert_close(metrics_pass_at_k(n, c, k),
					     exact_pass((unsigned)n, (unsigned)c, (unsigned)k),
					     "pass@k", n, c, k);
}

Test(metrics, pass_at_k_is_stable_for_large_n)
{
	static const int cases[][3] = {
		{1024, 1, 1},    {1024, 1, 512},   {1024, 3, 1000},  {1024, 512, 1},
		{1024, 512, 8},  {1024, 1000, 64}, {1024, 0, 64},    {1024, 1024, 1024},
		{2048, 2, 1},    {2048, 1024, 2047}, {1500, 7, 3},   {4096, 1, 4096},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = cases[i][0], c = cases[i][1], k = cases[i][2];
		assert_close(metrics_pass_at_k(n, c, k),
			     exact_pass((unsigned)n, (unsigned)c, (unsigned)k), "pass@k", n, c, k);
	}
}

Test(metrics, pass_at_k_edges)
{
	cr_assert_eq(metrics_pass_at_k(10, 0, 3), 0.0);   /* c = 0 */
	cr_assert_eq(metrics_pass_at_k(10, 10, 3), 1.0);  /* c = n */
	cr_assert_eq(metrics_pass_at_k(10, 1, 10), 1.0);  /* k = n: any correct sample */
	cr_assert_eq(metrics_pass_at_k(10, 0, 10), 0.0);
	cr_assert_eq(metrics_pass_at_k(1, 1, 1), 1.0);    /* n = 1 */
	cr_assert_eq(metrics_pass_at_k(1, 0, 1), 0.0);
	cr_assert_float_eq(metrics_pass_at_k(4, 1, 2), 0.5, 1e-15); /* 1 - C(3,2)/C(4,2) */
	cr_assert(isnan(metrics_pass_at_k(3, 1, 4)));  /* k > n */
	cr_assert(isnan(metrics_pass_at_k(3, 1, 0)));
}

Test(metrics, pass_curve_matches_exact_rationals)
{
	static const int cases[][2] = {{1, 0}, {1, 1}, {7, 3}, {50, 7}, {50, 0}, {50, 50}, {300, 2}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = cases[i][0], c = cases[i][1];
		double *curve = malloc((size_t)n * sizeof(double));
		metrics_pass_curve(n, c, curve);
		for (int k = 1; k <= n; k++)
			assert_close(curve[k - 1], exact_pass((unsigned)n, (unsigned)c, (unsigned)k),
				     "curve", n, c, k);
		free(curve);
	}
}

/* ---- Voting ---- */

/*
 * The reference vote, written apart from metrics.c: label[i] is the class of
 * sample i (-1: none); a class's rank is its first index in the whole list;
 * among the classes with most votes in the subset the lowest rank wins.
 */
static int reference_vote(const int *label, int n, unsigned mask, const unsigned char *correct)
{
	int votes[32] = {0}, first[32];
	for (int c = 0; c < 32; c++)
		first[c] = n;
	for (int i = 0; i < n; i++)
		if (label[i] >= 0 && first[label[i]] == n)
			first[label[i]] = i;
	for (int i = 0; i < n; i++)
		if ((mask >> i & 1) && label[i] >= 0)
			votes[label[i]]++;
	int best = -1;
	for (int c = 0; c < 32; c++) {
		if (!votes[c])
			continue;
		if (best < 0 || votes[c] > votes[best] ||
		    (votes[c] == votes[best] && first[c] < first[best]))
			best = c;
	}
	return best >= 0 && correct[best];
}

/* Exact cons@k by enumerating all subsets of size k, as a GMP rational. */
static double brute_cons(const int *label, int n, const unsigned char *correct, int k)
{
	unsigned long won = 0, all = 0;
	for (unsigned mask = 0; mask < 1u << n; mask++) {
		if (__builtin_popcount(mask) != k)
			continue;
		all++;
		won += (unsigned long)reference_vote(label, n, mask, correct);
	}
	mpq_t q;
	mpq_init(q);
	mpq_set_ui(q, won, all);
	mpq_canonicalize(q);
	double d = mpq_get_d(q);
	mpq_clear(q);
	return d;
}

struct vote_case {
	const char *name;
	int n;
	int label[16];          /* class per sample, -1: no answer */
	unsigned char correct[8];
};

static const struct vote_case vote_cases[] = {
	{"tie, wrong class first", 4, {0, 1, 1, 0}, {0, 1}},
	{"tie, right class first", 4, {1, 0, 0, 1}, {0, 1}},
	{"no answers do not vote", 6, {-1, -1, 0, 1, -1, 1}, {1, 0}},
	{"nobody votes", 3, {-1, -1, -1}, {0}},
	{"single sample right", 1, {0}, {1}},
	{"single sample wrong", 1, {0}, {0}},
	{"single sample silent", 1, {-1}, {0}},
	{"all right", 5, {0, 0, 0, 0, 0}, {1}},
	{"all wrong, many classes", 6, {0, 1, 2, 3, 4, 5}, {0, 0, 0, 0, 0, 0}},
	{"plurality of wrong", 9, {1, 2, 1, 0, 0, 2, 1, 3, -1}, {1, 0, 0, 0}},
	{"two correct classes", 8, {0, 1, 2, 2, 1, 0, 0, -1}, {0, 1, 1}},
	{"many classes with ties", 12, {3, 0, 1, 2, 0, 1, 2, 3, 3, -1, 0, 1}, {0, 1, 0, 0}},
	{"right class late", 14, {0, 1, 2, 0, 1, 2, 3, 3, 3, 3, -1, -1, 0, 3}, {0, 0, 0, 1}},
};

/*
 * The caller's class ids are not ranks: metrics.c must rank classes by
 * first sample, so the ids are handed over permuted.
 */
static void make_votes(struct votes *v, const struct vote_case *vc)
{
	int keys[16];
	unsigned char key_correct[8];
	for (int i = 0; i < vc->n; i++)
		keys[i] = vc->label[i] < 0 ? -1 : 7 - vc->label[i];
	for (int c = 0; c < 8; c++)
		key_correct[7 - c] = vc->correct[c];
	votes_init(v, keys, vc->n, key_correct, 8);
}

Test(metrics, cons_exact_equals_enumeration_of_all_subsets)
{
	for (size_t i = 0; i < sizeof(vote_cases) / sizeof(vote_cases[0]); i++) {
		const struct vote_case *vc = &vote_cases[i];
		struct votes v;
		make_votes(&v, vc);
		double out[16];
		cr_assert_eq(metrics_cons_exact(&v, vc->n, 1e9, out), 0, "%s", vc->name);
		for (int k = 1; k <= vc->n; k++) {
			double want = brute_cons(vc->label, vc->n, vc->correct, k);
			cr_assert_float_eq(out[k - 1], want, 1e-13, "%s: cons@%d = %.15g, want %.15g",
					   vc->name, k, out[k - 1], want);
		}
		/* k = n is the plain vote. */
		int win = metrics_majority(&v);
		cr_assert_eq(win >= 0 && v.correct[win],
			     reference_vote(vc->label, vc->n, (1u << vc->n) - 1, vc->correct), "%s",
			     vc->name);
		votes_release(&v);
	}
}

Test(metrics, cons_by_hand)
{
	/* Samples W A A W: subsets of 2 are AA (A), WW (W) and four AW ties won by W (first). */
	const struct vote_case *vc = &vote_cases[0];
	struct votes v;
	make_votes(&v, vc);
	double out[16];
	cr_assert_eq(metrics_cons_exact(&v, 4, 1e9, out), 0);
	cr_assert_float_eq(out[0], 0.5, 1e-15);       /* cons@1 = avg */
	cr_assert_float_eq(out[1], 1.0 / 6.0, 1e-15);
	cr_assert_float_eq(out[2], 0.5, 1e-15);       /* 2-1 splits, half each way */
	cr_assert_float_eq(out[3], 0.0, 1e-15);       /* 2-2 tie, W voted first */
	votes_release(&v);
	/* Silent samples: cons@1 = share of right answers among all samples. */
	make_votes(&v, &vote_cases[2]);
	cr_assert_eq(metrics_cons_exact(&v, 6, 1e9, out), 0);
	cr_assert_float_eq(out[0], 1.0 / 6.0, 1e-15);
	cr_assert_eq(metrics_majority(&v), v.rank_of_key[7 - 1]); /* class 1 has 2 votes */
	votes_release(&v);
}

Test(metrics, cons_exact_refuses_what_it_cannot_do)
{
	int keys[2000];
	unsigned char kc[2] = {1, 0};
	for (int i = 0; i < 2000; i++)
		keys[i] = i % 3 == 0;
	struct votes v;
	votes_init(&v, keys, 2000, kc, 2);
	static double out[2000];
	/* C(2000, 1000) is beyond double range. */
	cr_assert_eq(metrics_cons_exact(&v, 1999, 1e18, out), -1);
	/* A small k stays within range and budget. */
	cr_assert_eq(metrics_cons_exact(&v, 4, 1e9, out), 0);
	/* cons@1 is the share of the correct class. */
	int right = 0;
	for (int i = 0; i < 2000; i++)
		right += keys[i] == 0;
	cr_assert_float_eq(out[0], right / 2000.0, 1e-14);
	/* Over budget. */
	cr_assert_eq(metrics_cons_exact(&v, 300, 10, out), -1);
	votes_release(&v);
}

Test(metrics, cons_monte_carlo_agrees_and_repeats)
{
	const struct vote_case *vc = &vote_cases[11];
	struct votes v;
	make_votes(&v, vc);
	double out[16];
	cr_assert_eq(metrics_cons_exact(&v, vc->n, 1e9, out), 0);
	for (int k = 1; k < vc->n; k++) {
		double se, se2;
		double mc = metrics_cons_mc(&v, k, 42 + (unsigned)k, 20000, &se);
		double again = metrics_cons_mc(&v, k, 42 + (unsigned)k, 20000, &se2);
		cr_assert_eq(mc, again, "the same seed must give the same estimate");
		/* Five standard errors, or a tiny slack where the value is 0 or 1. */
		cr_assert(fabs(mc - out[k - 1]) <= 5 * se + 1e-3, "k=%d: mc %.4f exact %.4f se %.4f",
			  k, mc, out[k - 1], se);
	}
	votes_release(&v);
}
