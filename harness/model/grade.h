/*
 * grade: a verdict on one sample, as data.
 *
 * Graders (graders/grader.h) fill a struct grade from a struct grade_input;
 * the journal stores it with the sample, and the reports fold it.  It lives
 * in the model, below the graders, so that samples and reports can hold a
 * verdict without knowing who produced it.
 *
 * Ownership: the strings of a struct grade are heap-allocated and owned by
 * whoever holds the struct, who frees them with grade_release().  The
 * strings of a struct grade_input are borrowed.
 */
#ifndef REVAL_GRADE_H
#define REVAL_GRADE_H

#include <cjson/cJSON.h>

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

void grade_release(struct grade *g);

/* "ok", "no_answer", "truncated", "undecided", "infra_error". */
const char *grade_status_name(enum grade_status s);

#endif
