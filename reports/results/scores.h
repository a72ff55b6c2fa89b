/*
 * scores: a task's tally reduced to one value per problem and metric.
 *
 * Every reported metric is a mean over problems of a per-problem value
 * (avg@n: the mean score; pass@k; cons@k), so the per-problem columns built
 * here feed the task's figures, the breakdowns by metadata, the bootstrap
 * and problems.jsonl alike.  Columns are the task's metrics: avg@n, pass@k
 * for each listed k <= n and pass@n, cons@k for each listed k <= n and
 * cons@n when n > 1 -- no cons@k at all when the grader does not vote
 * (code: a program has no canonical answer).  Curves of pass@k
 * and cons@k over k are averaged over problems as they are computed, so
 * their per-problem values are never stored.  Monte Carlo seeds derive from
 * the seed given (the run seed and the task) and the problem id, so the
 * values do not depend on which other problems are in the run.
 * struct task_scores owns its arrays; it borrows the tally.
 */
#ifndef REVAL_SCORES_H
#define REVAL_SCORES_H

#include <stddef.h>
#include <stdint.h>

#include "reports/results/tally.h"

enum metric_kind { METRIC_AVG, METRIC_PASS, METRIC_CONS };

/* How a cons@k value was obtained; a column reports the least exact of its problems. */
enum cons_method { CONS_PLAIN = 0, CONS_EXACT, CONS_MC };

struct metric_column {
	char name[32];        /* "avg@64", "pass@8", "cons@8" */
	enum metric_kind kind;
	int k;                /* the planned n for avg */
	double *value;        /* per problem; NAN where the problem does not count */
	enum cons_method method;
	double mc_var;        /* sum over problems of Monte Carlo variances of the values */
};

struct problem_score {
	int graded, correct, infra, no_answer, truncated;
	double score_mean;    /* NAN when nothing was graded */
	double score_var;     /* unbiased variance of the scores within the problem; NAN below 2 */
	int majority_key;     /* the tally's class id of the plain-majority winner; -1: no vote */
	int majority_votes;
	int majority_correct;
	int voters;           /* graded samples with an answer */
	int classes;          /* distinct answer classes */
};

struct curves {
	int *k;               /* the points, ascending */
	size_t nk;
	double *pass;         /* task means at each point; NAN where no problem has k samples */
	double *cons;         /* NAN throughout when the grader does not vote */
	int votes;            /* 0: the task's answers are never voted on; no cons@k at all */
	enum cons_method cons_method; /* least exact method over all points */
	double cons_mc_se;    /* largest Monte Carlo standard error among the points */
};

struct task_scores {
	const struct task_tally *tt;
	size_t nprobs;
	struct problem_score *probs;
	struct metric_column *cols;
	size_t ncols;
	struct curves curves;
};

#define SCORES_FULL_CURVE 256   /* every k = 1..n up to this n; beyond, powers of two */
#define SCORES_EXACT_OPS 5e6    /* work allowed per problem for the exact cons@k */
#define SCORES_MC_DRAWS 1000    /* subsets drawn per Monte Carlo cons@k point */

void scores_compute(struct task_scores *ts, const struct task_tally *tt, uint64_t seed);
void scores_release(struct task_scores *ts);

#endif
