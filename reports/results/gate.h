/*
 * gate: does a candidate run regress against a baseline?
 *
 * Per task, the candidate is compared with the baseline problem by problem
 * (compare.h: the mean difference of per-problem pass rates, a sign-flip
 * permutation test and a paired bootstrap interval).  A task fails when
 *   - its score dropped by more than max_drop percentage points (or the
 *     task's own tolerance from drops) AND the
 *     one-sided p-value for "the candidate is worse" is below alpha, or
 *   - a metric of the candidate is under a floor given with --min, or
 *   - more than max_infra of the candidate's planned samples are
 *     infrastructure failures.
 * Before comparing, gate_check refuses (RV_EINPUT, RV_EMISMATCH, printing
 * what is wrong) runs that cannot be compared honestly: a run without a
 * journal, a run with samples still missing, and - unless force is set -
 * runs whose tasks, dataset checksums, grader, sampling or problem sets
 * differ.  docs/gate.md gives the procedure and an example CI job.  The
 * result owns its strings; gate_result_release frees them.
 */
#ifndef REVAL_GATE_H
#define REVAL_GATE_H

#include "reports/stats/compare.h"
#include "harness/base/err.h"
#include "reports/results/runset.h"

struct gate_floor {
	char *task;   /* NULL: every gated task that reports the metric */
	char *metric; /* "avg@8", "pass@1", "cons@64", or "score" for the primary metric */
	double value; /* a fraction in [0, 1] */
};

struct gate_drop {
	char *task;   /* the task this tolerance is for */
	double points;
};

struct gate_opts {
	char **tasks;              /* tasks to gate; NULL: every task of the baseline */
	size_t ntasks;
	double max_drop;           /* tolerated drop, percentage points */
	struct gate_drop *drops;   /* per-task tolerances, overriding max_drop */
	size_t ndrops;
	double alpha;              /* significance level of the one-sided test */
	double max_infra;          /* tolerated fraction of infrastructure failures */
	struct gate_floor *floors;
	size_t nfloors;
	int force;                 /* compare even when tasks, data or sampling differ */
};

#define GATE_DEFAULT_MAX_DROP 1.0
#define GATE_DEFAULT_ALPHA 0.05

struct gate_task {
	char *id;
	char *metric;               /* the primary metric, e.g. "avg@1" */
	struct compare_result cmp;  /* candidate (b) against baseline (a) */
	double base_score;          /* the primary metric as results.json reports it */
	double cand_score;
	double infra_rate;          /* candidate infrastructure failures / planned samples */
	double base_unfinished;     /* samples that never finished (counted wrong), baseline */
	double cand_unfinished;     /* the same in the candidate */
	double max_drop;            /* the tolerated drop for this task, percentage points */
	int failed;                 /* GATE_* bits: why the task failed; 0 when it passed */
	char *verdict;              /* "pass", or why it failed; Markdown-safe text */
};

/* Why a task failed (gate_task.failed): a regression is only the first. */
#define GATE_REGRESSED 1 /* a significant drop beyond the tolerance */
#define GATE_FLOOR 2     /* a --min floor missed */
#define GATE_INFRA 4     /* more infrastructure errors than --max-infra-errors */

struct gate_result {
	char *baseline;             /* labels of the two runs */
	char *candidate;
	struct gate_task *tasks;
	size_t ntasks;
	size_t failures;            /* tasks that failed */
	size_t failed_by[3];        /* tasks failed by regression, floor, infrastructure errors */
	char **notes;               /* differences tolerated with force, and similar remarks */
	size_t nnotes;
	struct gate_opts opts;      /* the thresholds used (floors and tasks borrowed) */
};

enum reval_err gate_check(const struct rs_run *base, const struct rs_run *cand,
			  const struct gate_opts *opts, struct gate_result *out);
void gate_result_release(struct gate_result *g);

/* Parse "[TASK:]METRIC=VALUE" (VALUE a fraction, or a percentage with '%'). */
enum reval_err gate_parse_floor(const char *spec, struct gate_floor *out);

/* Parse "[TASK:]POINTS" (0 to 100); out->task is NULL without a task. */
enum reval_err gate_parse_drop(const char *spec, struct gate_drop *out);

#endif
