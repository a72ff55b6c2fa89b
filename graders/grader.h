/*
 * grader: the contract between the pipeline and every checker.
 *
 * A grader is a pure function of (problem, completion) -> verdict.  The
 * pipeline separates reasoning from the final content before calling it
 * (see think.h), decides truncation and infrastructure failures itself, and
 * only hands real completions to grade().  Each grader is one file with a
 * `const struct grader_ops` and one line in the table in registry.c.
 *
 * Ownership: init() allocates the grader's private state from the task's
 * "grader_options" object; grade() fills a struct grade whose strings are
 * heap-allocated and owned by the caller, who frees them with
 * grade_release().  The input strings are borrowed for the call only.
 */
#ifndef REVAL_GRADER_H
#define REVAL_GRADER_H

#include <cjson/cJSON.h>

#include "harness/base/util.h"

enum grade_status {
	GRADE_OK = 0,      /* an answer was found and judged; see correct */
	GRADE_NO_ANSWER,   /* nothing could be extracted: counts as wrong */
	GRADE_TRUNCATED,   /* finish_reason "length": wrong, counted separately */
	GRADE_UNDECIDED,   /* the checker ran out of budget: wrong, counted separately */
	GRADE_INFRA,       /* infrastructure failure: excluded from every score */
};

struct grade {
	int correct;        /* 1 when the sample counts as solved */
	double score;       /* in [0, 1]; equals correct for binary graders */
	char *extracted;    /* the answer as found in the output, or NULL */
	char *canonical;    /* voting key: equivalent answers share it; NULL = no vote */
	char *reason;       /* short explanation for reports, or NULL */
	char *detail;       /* grader-specific JSON object text (per-test results...), or NULL */
	enum grade_status status;
};

struct grade_input {
	const char *problem_id;    /* for messages */
	const char *gold;          /* the gold answer as text, from the task's answer field */
	const cJSON *record;       /* the whole dataset record: tests, entry_point, choices, ... */
	const char *content;       /* completion with the reasoning removed; never NULL */
	const char *reasoning;     /* the reasoning text, or NULL */
	const char *finish_reason; /* "stop", "length", ... or NULL when unknown */
};

struct grader_ops {
	const char *name;    /* as written in task files: "math", "code", "choice", ... */
	const char *version; /* bump whenever a verdict may change; journals record it */
	int no_vote;         /* 1: grade() never sets a canonical answer, so cons@k is undefined */
	/*
	 * Build the state from the task's options (may be NULL).  On bad options
	 * append a one-line reason to err and return non-zero.
	 */
	int (*init)(void **state, const cJSON *opts, struct strbuf *err);
	/* Judge one completion.  Returns 0, or non-zero on an internal failure. */
	int (*grade)(void *state, const struct grade_input *in, struct grade *out);
	/*
	 * Optional (NULL when absent): judge n completions at once, out[i] as
	 * grade() would fill it -- for graders that work in parallel.
	 */
	int (*grade_batch)(void *state, const struct grade_input *in, struct grade *out, size_t n);
	void (*free)(void *state);
};

/* Look a grader up by name in the registry; NULL when unknown. */
const struct grader_ops *grader_find(const char *name);
/* The registry, NULL-terminated, for listings. */
extern const struct grader_ops *const grader_table[];

void grade_release(struct grade *g);
const char *grade_status_name(enum grade_status s);

#endif
