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
 * "grader_options" object; grade() fills a struct grade (harness/model/grade.h)
 * whose strings are heap-allocated and owned by the caller, who frees them
 * with grade_release().  The input strings are borrowed for the call only.
 */
#ifndef REVAL_GRADER_H
#define REVAL_GRADER_H

#include <cjson/cJSON.h>

#include "harness/base/util.h"
#include "harness/model/grade.h"

struct grader_option;

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
	const struct grader_option *options; /* the options init accepts (graders/options.h) */
	size_t noptions;
};

/* Look a grader up by name in the registry; NULL when unknown. */
const struct grader_ops *grader_find(const char *name);
/* The registry, NULL-terminated, for listings. */
extern const struct grader_ops *const grader_table[];

#endif
