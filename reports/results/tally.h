/*
 * tally: the journal folded into per-problem outcomes, ready for metrics.
 *
 * Per sample only what voting and the estimators need is kept: a slot of 8
 * bytes (the answer class, correctness, grade status, truncation), plus the
 * score when a grader gives partial credit.  Everything else a sample
 * carries (token counts, latencies, format flags) goes into the task's
 * streaming generation statistics (genstats) as the journal is read, and
 * contents are not kept at all.
 *
 * When a journal holds several lines for one sample (an infrastructure
 * error retried on resume, a regrade), a graded line wins over an error and
 * a later line over an earlier one of the same kind.  The statistics count
 * each sample once, in its final state: they are accumulated from every
 * graded line on the first read, and if some sample had more than one
 * graded line, they are reset and accumulated again on a second read from
 * the final lines only.  Samples beyond the planned n, problems outside the
 * plan and tasks not in the run are ignored.
 */
#ifndef REVAL_TALLY_H
#define REVAL_TALLY_H

#include "harness/base/err.h"
#include "reports/results/fold.h"
#include "reports/results/genstats.h"
#include "harness/model/task.h"

enum slot_state { SLOT_EMPTY = 0, SLOT_INFRA, SLOT_GRADED };

struct slot {
	int key;	     /* SLOT_GRADED: answer class in the problem, -1: no answer;
				SLOT_INFRA: index into the task's infra kinds */
	unsigned state : 2;  /* enum slot_state */
	unsigned status : 3; /* enum grade_status of a graded sample */
	unsigned correct : 1;
	unsigned truncated : 1; /* finish_reason "length" */
	unsigned unfinished : 1; /* finish_reason "unfinished": timed out, counted wrong */
	unsigned pending : 24;	/* while reading: graded lines the statistics have yet to see */
};

#define TALLY_MAX_LINES ((1u << 24) - 1) /* graded lines per sample that can be told apart */

struct problem_tally {
	const struct problem *problem;
	struct slot *slots; /* n planned samples */
	float *scores;	    /* per sample once one score differed from its correctness, else NULL */
	struct answer_classes classes; /* the canonical answers voted for (fold.h) */
	struct genstats_means gen; /* for problems.jsonl */
};

struct task_tally {
	const struct task *task;
	int n;			     /* planned samples per problem */
	struct problem_tally *probs; /* planned problems, in dataset order */
	size_t nprobs;
	struct kind_count *infra; /* infrastructure errors by kind, counted over final states */
	size_t ninfra;
	struct kind_count *verdicts; /* graders' verdicts (grade.detail.verdict: the code
					grader's pass, wrong_answer, timeout...) over final
					graded samples; a count may be 0 */
	size_t nverdicts;
	struct genstats gen; /* over final graded samples */
};

struct tally {
	struct task_tally *tasks;
	size_t ntasks;
	long lines;	 /* journal lines read */
	long torn;	 /* torn last lines skipped */
	long ignored;	 /* lines for tasks, problems or samples outside the plan */
	long superseded; /* graded lines replaced by a later graded line for the same sample */
};

/*
 * planned(ud, task index, problem index) says whether a problem is in the
 * run (limit, shard); n[i] is the planned samples per problem of task i.
 */
typedef int (*tally_planned_fn)(void *ud, size_t task, size_t problem);

void tally_init(struct tally *tl, struct task **tasks, size_t ntasks, const int *n,
		tally_planned_fn planned, void *ud);
enum reval_err tally_read_journal(struct tally *tl, const char *path);
void tally_release(struct tally *tl);

/*
 * Heap bytes the tally holds (slots, scores, answer classes, per-problem and
 * per-task records, statistics), without allocator overhead; for benchmarks.
 */
size_t tally_bytes(const struct tally *tl);

/* The score of sample i of a problem (graded slots only). */
float tally_score(const struct problem_tally *pt, int i);

#endif
