/*
 * leaderboard: the runs x tasks table every report renders.
 *
 * Columns are the tasks of all runs, in order of first appearance.  Each
 * cell holds the run's primary score on the task (avg@n) with its 95%
 * interval, and the paired comparison (compare.h, problem by problem) with
 * the best run of that column; a cell is marked when it is significantly
 * below the best at LEADERBOARD_ALPHA (two-sided).  Runs are ordered by
 * their mean score over the tasks every run has ("shared"), and that mean
 * is compared the same way, with the problems of each task weighted so that
 * every task counts once.  The leaderboard borrows the runset and owns its
 * arrays; leaderboard_release frees them.
 */
#ifndef REVAL_LEADERBOARD_H
#define REVAL_LEADERBOARD_H

#include "reports/stats/compare.h"
#include "reports/results/runset.h"

#define LEADERBOARD_ALPHA 0.05

struct lb_cell {
	const struct rs_task *task;  /* NULL when the run lacks the task */
	double value, lo, hi;        /* primary score and 95% interval; NAN when unknown */
	struct compare_result vs_best; /* this run (b) against the column's best (a) */
	int is_best;
	int worse;                   /* significantly below the best */
};

struct leaderboard {
	const struct runset *rs;
	const char **tasks;     /* column ids, borrowed from the runset */
	size_t ntasks;
	int *shared;            /* per column: every run has the task */
	size_t nshared;
	size_t *order;          /* run indices, best first */
	struct lb_cell *cells;  /* [run * ntasks + task], by run index (not rank) */
	double *overall;        /* per run: mean score over the shared tasks (NAN if none) */
	struct compare_result *overall_vs_best; /* per run, against the top run */
	int *overall_worse;
};

void leaderboard_build(struct leaderboard *lb, const struct runset *rs);
void leaderboard_release(struct leaderboard *lb);

static inline const struct lb_cell *lb_cell(const struct leaderboard *lb, size_t run,
					    size_t task)
{
	return &lb->cells[run * lb->ntasks + task];
}

#endif
