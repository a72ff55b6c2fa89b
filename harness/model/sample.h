/*
 * sample: one finished sample, as the journal holds it.
 *
 * A sample is built from an engine's completion (copying every string), is
 * graded by the task's grader (both done by harness/pipeline), and becomes
 * exactly one journal line.  The same struct is read back from a journal
 * for resume, regrading and metrics.  Everything inside is owned by the struct; sample_release frees it.
 */
#ifndef REVAL_SAMPLE_H
#define REVAL_SAMPLE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "harness/base/util.h"
#include "harness/model/grade.h"

struct sample {
	char *task;
	char *problem;
	int index;               /* sample index within the problem */
	uint64_t seed;
	char *fp;                /* the run identity that made it (pipeline/identity.h), or NULL */
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
	char *gold;              /* the gold answer it was graded against; NULL where the
				    task has none (code: the tests are the gold) */
	char *verdict;           /* read back from a journal: grade.detail.verdict where the
				    grader gives one (the code grader's pass, timeout...), else NULL */
};

void sample_init(struct sample *s);
void sample_release(struct sample *s);

/* The journal line (no newline). */
void sample_to_line(const struct sample *s, struct strbuf *out);

/*
 * Read a journal line's object; on a missing field, *why names it.  A line
 * with no error whose "content" is not a string becomes the infrastructure
 * error "malformed": it is never read as an empty answer.
 */
int sample_from_json(struct sample *s, const cJSON *obj, const char **why);

/*
 * 1 for a sample that failed outside the model and is excluded from scores:
 * the request failed (error_kind), or the grader could not judge it for
 * reasons of its own (GRADE_INFRA, such as a sandbox that would not start).
 */
int sample_is_infra(const struct sample *s);

#endif
