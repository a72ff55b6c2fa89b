/*
 * math_judge: the public API of the math answer checker (grader "math", and `reval check math`).
 *
 * math_judge takes the dataset's gold answer and a prediction (an answer,
 * or a full model output to extract from) and says whether they are the
 * same answer: math_extract finds the answer, math_lex and math_parse read
 * it, math_equiv compares, math_num does the bounded arithmetic.  The
 * conventions are written down in docs/math-conventions.md.
 *
 * Ownership: a struct math_checker holds all scratch state and is reused
 * across judgments (one per thread); math_checker_free releases it.  The
 * strings in a struct math_verdict are heap-allocated and owned by the
 * caller (math_verdict_release).
 */
#ifndef REVAL_MATH_JUDGE_H
#define REVAL_MATH_JUDGE_H

#include <cjson/cJSON.h>

#include "harness/base/util.h"

struct math_opts {
	int fallback_last_number; /* take the last number when nothing else is found */
	int latex_regions;        /* take the last $...$ region when nothing else is found */
	int precision;            /* significant digits a decimal approximation must match */
	int allow_set_relation;   /* an interval gold also matches an inequality pred */
	int strict_vars;          /* f(x) and f(y) differ */
	long budget;              /* evaluation steps per judgment */
};

void math_opts_default(struct math_opts *o);
/*
 * Read grader options from a task's object (NULL: defaults), through the
 * option table in math.c ('reval tasks --grader-options' prints it).
 * Returns 0, or non-zero with a reason appended to err.
 */
int math_opts_from_json(struct math_opts *o, const cJSON *j, struct strbuf *err);
/* Options from a conformance case's "config" (Math-Verify's parameters). */
void math_opts_from_case(struct math_opts *o, const cJSON *config);

struct math_verdict {
	int correct;     /* 1 when pred is the gold answer */
	int no_answer;   /* nothing could be extracted from pred */
	int truncated;   /* ...because it was cut off: unclosed <think> or \boxed{ */
	int undecided;   /* a cap or the step budget was hit */
	char *extracted; /* the answer found in pred, or NULL */
	char *canonical; /* voting key of pred, or NULL */
	const char *extraction; /* how the answer was found: "boxed", "phrase", "region",
				   "last_number", "whole", "letter" or "none" (static) */
};

void math_verdict_release(struct math_verdict *v);

struct math_checker;

struct math_checker *math_checker_new(const struct math_opts *o);
void math_checker_free(struct math_checker *c);

/* Judge pred against gold.  Never fails: bad text is a wrong or no answer. */
void math_judge(struct math_checker *c, const char *gold, const char *pred, int pred_is_full_output,
		struct math_verdict *out);

/*
 * The voting key of an answer text (already extracted), or NULL when it
 * cannot be read.  Equivalent answers (0.5, \frac12, 1/2) share it.
 */
char *math_canonical_key(struct math_checker *c, const char *answer);

#endif
