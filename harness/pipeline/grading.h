/*
 * grading: where the pipeline meets the graders.
 *
 * grading_bind finds a task's grader by name and builds its state from the
 * task's options; the task then owns that state (task_free releases it).
 * The rules every grader shares -- an infrastructure failure, a truncated
 * output or reasoning that never closed is settled here, before a grader
 * sees the sample -- live in grading_grade_many, and struct grade_queue
 * batches finished samples for it, so a grader that judges in parallel (the
 * code checker) keeps its workers busy, in the run and in a regrade alike.
 */
#ifndef REVAL_GRADING_H
#define REVAL_GRADING_H

#include "harness/base/err.h"
#include "harness/model/sample.h"
#include "harness/model/task.h"

/* Look up t->grader_name and initialise it from t->grader_options. */
enum reval_err grading_bind(struct task *t);

/* A sample waiting for its grade, with the task and problem it belongs to. */
struct sample_job {
	struct sample *s;
	const struct task *task;
	const struct problem *problem;
};

/*
 * Grade n samples (their tasks bound), replacing any earlier grade;
 * consecutive samples of one task go to the grader's grade_batch in one
 * call where it has one.
 */
enum reval_err grading_grade_many(struct sample_job *jobs, size_t n);

#define GRADE_QUEUE_MAX 64 /* samples a queue holds at most */

/*
 * Called once per sample after its batch was graded, in the order the
 * samples were queued; slot is the sample's place in the batch (0-based).
 * The queue releases the sample afterwards.  Non-zero stops the flush.
 */
typedef enum reval_err (*grade_queue_emit_fn)(void *ud, struct sample *s, size_t slot);

struct grade_queue {
	size_t batch;                           /* flush when this many wait (<= GRADE_QUEUE_MAX) */
	grade_queue_emit_fn emit;
	void *ud;
	struct sample items[GRADE_QUEUE_MAX];   /* queued, in order */
	struct sample_job jobs[GRADE_QUEUE_MAX]; /* those of them to grade */
	size_t n;
	size_t njobs;
};

void grade_queue_init(struct grade_queue *q, size_t batch, grade_queue_emit_fn emit, void *ud);

/* The slot to fill next; then grade_queue_push it. */
struct sample *grade_queue_slot(struct grade_queue *q);

/*
 * Queue the sample just filled in.  With t and p it is (re)graded; with
 * t NULL it passes through with the grade it has.  The queue flushes when
 * full, and at once when t's grader judges one sample at a time.
 */
enum reval_err grade_queue_push(struct grade_queue *q, const struct task *t,
				const struct problem *p);

/* Grade what waits and emit it. */
enum reval_err grade_queue_flush(struct grade_queue *q);

#endif
