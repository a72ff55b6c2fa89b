#include "reports/results/scores.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/stats/metrics.h"
#include "reports/stats/rng.h"
#include "harness/base/util.h"

static void add_column(struct task_scores *ts, enum metric_kind kind, int k, const char *fmt)
{
	for (size_t i = 0; i < ts->ncols; i++)
		if (ts->cols[i].kind == kind && ts->cols[i].k == k)
			return; /* a k listed twice */
	struct metric_column *c = &ts->cols[ts->ncols++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), fmt, k);
	c->kind = kind;
	c->k = k;
	c->value = xmalloc((ts->nprobs ? ts->nprobs : 1) * sizeof(double));
	for (size_t j = 0; j < ts->nprobs; j++)
		c->value[j] = NAN;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The curve points: 1..n, or powers of two, the listed k and n. */
static void curve_points(struct curves *cv, const struct task *t, int n)
{
	size_t cap = (size_t)(n <= SCORES_FULL_CURVE ? n : 64) + t->npass_k + t->ncons_k + 1;
	cv->k = xmalloc(cap * sizeof(int));
	cv->nk = 0;
	if (n <= SCORES_FULL_CURVE) {
		for (int k = 1; k <= n; k++)
			cv->k[cv->nk++] = k;
	} else {
		for (long k = 1; k < n; k *= 2)
			cv->k[cv->nk++] = (int)k;
		for (size_t i = 0; i < t->npass_k; i++)
			if (t->pass_k[i] >= 1 && t->pass_k[i] <= n)
				cv->k[cv->nk++] = t->pass_k[i];
		for (size_t i = 0; i < t->ncons_k; i++)
			if (t->cons_k[i] >= 1 && t->cons_k[i] <= n)
				cv->k[cv->nk++] = t->cons_k[i];
		cv->k[cv->nk++] = n;
		qsort(cv->k, cv->nk, sizeof(int), cmp_int);
		size_t w = 0;
		for (size_t i = 0; i < cv->nk; i++)
			if (!w || cv->k[w - 1] != cv->k[i])
				cv->k[w++] = cv->k[i];
		cv->nk = w;
	}
	cv->pass = xcalloc(cv->nk ? cv->nk : 1, sizeof(double));
	cv->cons = xcalloc(cv->nk ? cv->nk : 1, sizeof(double));
}

/* Per-problem work space, sized for n samples and the union of cons points. */
struct scratch {
	int *keys;          /* classes of the graded samples, in sample order */
	int *points;        /* k at which cons@k is needed, ascending */
	size_t npoints;
	double *cons;       /* cons@k at each point */
	double *cons_var;   /* Monte Carlo variance at each point (0 when exact) */
	enum cons_method *method;
	double *exact;      /* exact cons@k for k = 1..kmax */
	double *pass;       /* pass@k for k = 1..n */
};

static void fill_problem(struct problem_score *ps, const struct problem_tally *pt, int n,
			 struct scratch *sc)
{
	memset(ps, 0, sizeof(*ps));
	double sum = 0, sum2 = 0;
	int g = 0;
	for (int i = 0; i < n; i++) {
		const struct slot *sl = &pt->slots[i];
		if (sl->state == SLOT_INFRA)
			ps->infra++;
		if (sl->state != SLOT_GRADED)
			continue;
		sc->keys[g++] = sl->key;
		ps->correct += sl->correct;
		ps->truncated += sl->truncated;
		ps->no_answer += sl->status == GRADE_NO_ANSWER;
		float score = tally_score(pt, i);
		sum += score;
		sum2 += (double)score * score;
	}
	ps->graded = g;
	ps->score_mean = g ? sum / g : NAN;
	ps->score_var = NAN;
	if (g >= 2) {
		double var = (sum2 - sum * sum / g) / (g - 1);
		ps->score_var = var > 0 ? var : 0;
	}
}

/* cons@k at every point, exact where feasible, plain at k = g, sampled otherwise. */
static void cons_points(struct scratch *sc, const struct votes *v, uint64_t seed)
{
	int g = v->n;
	int kmax = 0;
	for (size_t i = sc->npoints; i-- > 0;) {
		int k = sc->points[i];
		if (k >= g)
			continue;
		if (metrics_cons_exact(v, k, SCORES_EXACT_OPS, sc->exact) == 0) {
			kmax = k;
			break;
		}
	}
	int win = metrics_majority(v);
	for (size_t i = 0; i < sc->npoints; i++) {
		int k = sc->points[i];
		sc->cons_var[i] = 0;
		if (k > g || g == 0) {
			sc->cons[i] = NAN;
			sc->method[i] = CONS_PLAIN;
		} else if (k == g) {
			sc->cons[i] = win >= 0 && v->correct[win];
			sc->method[i] = CONS_PLAIN;
		} else if (k <= kmax) {
			sc->cons[i] = sc->exact[k - 1];
			sc->method[i] = CONS_EXACT;
		} else {
			double se;
			sc->cons[i] = metrics_cons_mc(v, k, rng_derive_int(seed, (uint64_t)k),
						      SCORES_MC_DRAWS, &se);
			sc->cons_var[i] = se * se;
			sc->method[i] = CONS_MC;
		}
	}
}

static size_t point_index(const struct scratch *sc, int k)
{
	size_t lo = 0, hi = sc->npoints;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sc->points[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void scores_compute(struct task_scores *ts, const struct task_tally *tt, uint64_t seed)
{
	const struct task *t = tt->task;
	int n = tt->n;
	memset(ts, 0, sizeof(*ts));
	ts->tt = tt;
	ts->nprobs = tt->nprobs;
	ts->probs = xcalloc(ts->nprobs ? ts->nprobs : 1, sizeof(struct problem_score));
	ts->cols = xcalloc(3 + t->npass_k + t->ncons_k, sizeof(struct metric_column));
	add_column(ts, METRIC_AVG, n, "avg@%d");
	for (size_t i = 0; i < t->npass_k; i++)
		if (t->pass_k[i] >= 1 && t->pass_k[i] <= n)
			add_column(ts, METRIC_PASS, t->pass_k[i], "pass@%d");
	/* pass@n and cons@n always: the headline "solved at all" and the plain majority. */
	if (n >= 1)
		add_column(ts, METRIC_PASS, n, "pass@%d");
	int votes = !t->grader_no_vote;
	for (size_t i = 0; votes && i < t->ncons_k; i++)
		if (t->cons_k[i] >= 1 && t->cons_k[i] <= n)
			add_column(ts, METRIC_CONS, t->cons_k[i], "cons@%d");
	if (votes && n >= 2)
		add_column(ts, METRIC_CONS, n, "cons@%d");

	struct curves *cv = &ts->curves;
	curve_points(cv, t, n);
	cv->votes = votes;
	/* The cons points are the curve's, which include every listed k. */
	struct scratch sc = {0};
	size_t nn = (size_t)(n > 0 ? n : 1);
	sc.keys = xmalloc(nn * sizeof(int));
	sc.points = cv->k;
	sc.npoints = cv->nk;
	sc.cons = xmalloc((cv->nk + 1) * sizeof(double));
	sc.cons_var = xmalloc((cv->nk + 1) * sizeof(double));
	sc.method = xmalloc((cv->nk + 1) * sizeof(enum cons_method));
	sc.exact = xmalloc(nn * sizeof(double));
	sc.pass = xmalloc(nn * sizeof(double));
	size_t *pass_used = xcalloc(cv->nk + 1, sizeof(size_t));
	size_t *cons_used = xcalloc(cv->nk + 1, sizeof(size_t));
	double *cons_var = xcalloc(cv->nk + 1, sizeof(double));

	for (size_t j = 0; j < ts->nprobs; j++) {
		const struct problem_tally *pt = &tt->probs[j];
		struct problem_score *ps = &ts->probs[j];
		fill_problem(ps, pt, n, &sc);
		int g = ps->graded;
		struct votes v;
		votes_init(&v, sc.keys, g, pt->classes.correct, pt->classes.n);
		int win = metrics_majority(&v);
		ps->classes = v.nclasses;
		ps->majority_key = -1;
		for (int r = 0; r < v.nclasses; r++)
			ps->voters += v.count[r];
		if (win >= 0) {
			for (int key = 0; key < pt->classes.n; key++)
				if (v.rank_of_key[key] == win)
					ps->majority_key = key;
			ps->majority_votes = v.count[win];
			ps->majority_correct = v.correct[win];
		}
		if (g > 0) {
			metrics_pass_curve(g, ps->correct, sc.pass);
			cons_points(&sc, &v, rng_derive(seed, pt->problem->id));
		}
		for (size_t i = 0; g > 0 && i < cv->nk; i++) {
			int k = cv->k[i];
			if (k > g)
				break;
			cv->pass[i] += sc.pass[k - 1];
			pass_used[i]++;
			cv->cons[i] += sc.cons[i];
			cons_var[i] += sc.cons_var[i];
			cons_used[i]++;
			if (sc.method[i] > cv->cons_method)
				cv->cons_method = sc.method[i];
		}
		for (size_t c = 0; c < ts->ncols; c++) {
			struct metric_column *col = &ts->cols[c];
			if (col->kind == METRIC_AVG) {
				col->value[j] = ps->score_mean;
			} else if (col->k > g) {
				col->value[j] = NAN;
			} else if (col->kind == METRIC_PASS) {
				col->value[j] = metrics_pass_at_k(g, ps->correct, col->k);
			} else {
				size_t i = point_index(&sc, col->k);
				col->value[j] = sc.cons[i];
				col->mc_var += sc.cons_var[i];
				if (sc.method[i] > col->method)
					col->method = sc.method[i];
			}
		}
		votes_release(&v);
	}
	for (size_t i = 0; i < cv->nk; i++) {
		cv->pass[i] = pass_used[i] ? cv->pass[i] / (double)pass_used[i] : NAN;
		cv->cons[i] = cons_used[i] && votes ? cv->cons[i] / (double)cons_used[i] : NAN;
		if (cons_used[i]) {
			double se = sqrt(cons_var[i]) / (double)cons_used[i];
			if (se > cv->cons_mc_se)
				cv->cons_mc_se = se;
		}
	}
	free(pass_used);
	free(cons_used);
	free(cons_var);
	free(sc.keys);
	free(sc.cons);
	free(sc.cons_var);
	free(sc.method);
	free(sc.exact);
	free(sc.pass);
}

void scores_release(struct task_scores *ts)
{
	for (size_t c = 0; c < ts->ncols; c++)
		free(ts->cols[c].value);
	free(ts->cols);
	free(ts->probs);
	free(ts->curves.k);
	free(ts->curves.pass);
	free(ts->curves.cons);
	memset(ts, 0, sizeof(*ts));
}
