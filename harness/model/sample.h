/*
 * sample: one finished sample, as the journal holds it.
 *
 * A sample is built from an engine's completion (copying every string), is
 * graded by the task's grader, and becomes exactly one journal line.  The
 * same struct is read back from a journal for resume, regrading and
 * metrics.  Everything inside is owned by the struct; sample_release frees it.
 */
#ifndef REVAL_SAMPLE_H
#define REVAL_SAMPLE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "harness/engine/engine.h"
#include "graders/grader.h"
#include "harness/model/task.h"

struct sample {
	char *task;
	char *problem;
	int index;               /* sample index within the problem */
	uint64_t seed;
	char *content;           /* final content, reasoning removed */
	char *reasoning;         /* NULL when none */
	int reasoning_closed;    /* reasoning present and properly closed */
	char *finish_reason;     /* NULL when unknown */
	long prompt_tokens;      /* -1 unknown */
	long completion_tokens;  /* -1 unknown */
	long reasoning_tokens;   /* -1 unknown */
	double latency_ms;       /* -1 unknown */
	double ttft_ms;          /* -1 unknown */
	char *endpoint;
	int attempts;
	char *error_kind;        /* NULL unless an infrastructure failure */
	char *error_message;
	struct grade grade;
	char *grader;            /* "name/version" that produced grade */
	char *verdict;           /* read back from a journal: grade.detail.verdict where the
				    grader gives one (the code grader's pass, timeout...), else NULL */
};

void sample_init(struct sample *s);
void sample_release(struct sample *s);

/* Copy a completion; reasoning inside <think> tags is split from the content. */
void sample_from_completion(struct sample *s, const struct engine_request *req,
			    const struct completion *c);

/* Grade with the task's grader, replacing any earlier grade. */
enum reval_err sample_grade(struct sample *s, const struct task *t, const struct problem *p);

/*
 * The halves of sample_grade.  sample_grade_begin settles what needs no
 * grader (infrastructure failure, truncation, reasoning never closed) and
 * returns 1, with *in filled, when the grader must judge the content;
 * sample_grade_end applies the common rules to the grader's verdict.
 */
int sample_grade_begin(struct sample *s, const struct task *t, const struct problem *p,
		       struct grade_input *in);
void sample_grade_end(struct sample *s);

/* A sample waiting for its grade, with the task and problem it belongs to. */
struct sample_job {
	struct sample *s;
	const struct task *task;
	const struct problem *problem;
};

/*
 * Grade many samples; consecutive samples of one task go to the grader's
 * grade_batch in one call where it has one (the code checker judges them in
 * parallel over its sandbox workers).
 */
enum reval_err sample_grade_many(struct sample_job *jobs, size_t n);

/* The journal line (no newline). */
void sample_to_line(const struct sample *s, struct strbuf *out);

/* Read a journal line's object; on a missing field, *why names it. */
int sample_from_json(struct sample *s, const cJSON *obj, const char **why);

/* 1 for an infrastructure failure (excluded from scores). */
int sample_is_infra(const struct sample *s);

#endif
