/*
 * tally: the journal folded into per-problem outcomes, ready for metrics.
 *
 * Only what the estimators and statistics need is kept per sample (a slot
 * of a few dozen bytes); contents are not.  When a journal holds several
 * lines for one sample (an infrastructure error retried on resume, a
 * regrade), a graded line wins over an error and a later line over an
 * earlier one of the same kind.  Samples beyond the planned n, problems
 * outside the plan and tasks not in the run are ignored.
 */
#ifndef REVAL_TALLY_H
#define REVAL_TALLY_H

#include "err.h"
#include "task.h"

enum slot_state { SLOT_EMPTY = 0, SLOT_INFRA, SLOT_GRADED };

struct slot {
	unsigned char state;     /* enum slot_state */
	unsigned char status;    /* enum grade_status of a graded sample */
	unsigned char correct;
	unsigned char truncated; /* finish_reason "length" */
	unsigned char has_reasoning;
	unsigned char reasoning_closed;
	float score;
	int key;                 /* answer class within the problem, -1: no answer */
	int infra_kind;          /* index into the task's infra kinds, for SLOT_INFRA */
	int completion_tokens;   /* -1 unknown */
	int reasoning_tokens;    /* -1 unknown */
	int prompt_tokens;       /* -1 unknown */
	float latency_ms;        /* -1 unknown */
	float ttft_ms;           /* -1 unknown */
	unsigned content_chars;  /* length of the final content, for approximate token counts */
	unsigned reasoning_chars;
};

struct problem_tally {
	const struct problem *problem;
	struct slot *slots;      /* n planned samples */
	char **keys;             /* answer classes by first appearance */
	unsigned char *key_correct;
	int nkeys;
	int keycap;
};

struct kind_count {
	char *kind;
	long count;
};

struct task_tally {
	const struct task *task;
	int n;                        /* planned samples per problem */
	struct problem_tally *probs;  /* planned problems, in dataset order */
	size_t nprobs;
	struct kind_count *infra;     /* infrastructure errors by kind, counted over final states */
	size_t ninfra;
};

struct tally {
	struct task_tally *tasks;
	size_t ntasks;
	long lines;      /* journal lines read */
	long torn;       /* torn last lines skipped */
	long ignored;    /* lines for tasks, problems or samples outside the plan */
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

/* Graded samples, correct samples and score sum of a problem. */
void tally_counts(const struct problem_tally *pt, int n, int *graded, int *correct,
		  double *score);

#endif
