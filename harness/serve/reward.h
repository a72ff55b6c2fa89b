/*
 * reward: the R1 rule-based reward of one response (docs/rewards.md).
 *
 *   reward = w_accuracy * accuracy + w_format * format
 *
 * accuracy is 1 when the grader judges the final answer (the text after the
 * last </think>) correct and 0 otherwise; with partial credit it is the
 * share of tests passed (code) or the grader's score.  format is 1 when the
 * response is one closed <think> block followed by a non-empty answer (or
 * matches the configured pattern instead), else 0.
 *
 * A struct reward_rule is shared, read-only, by every thread.  A struct
 * reward_ctx is one thread's scratch: its own compiled pattern and one
 * grader state per (grader, options) pair it has met, kept in a small
 * table -- except the code grader, whose state (and sandbox pool) all
 * threads share through the rule.  Everything a struct reward_out holds is owned by it
 * (reward_out_release).
 */
#ifndef REVAL_SERVE_REWARD_H
#define REVAL_SERVE_REWARD_H

#include <cjson/cJSON.h>

#include "graders/grader.h"
#include "harness/base/util.h"

struct reward_rule {
	double w_accuracy;          /* weight of the accuracy part; default 1 */
	double w_format;            /* weight of the format part; default 1 */
	int partial;                /* accuracy as partial credit by default */
	const char *format_pattern; /* PCRE2 replacing the built-in format rule, or NULL */
	const char *grader;         /* grader of items that name none: "math", "code", ... */
	const cJSON *options;       /* that grader's options, or NULL */
	void *code_state;           /* the code grader's state, shared by every thread (its
				       sandbox pool is), or NULL: code items are refused */
};

/* One item to score; every pointer is borrowed for the call. */
struct reward_item {
	const char *response;      /* the model's whole output, <think> block included */
	const char *prompt;        /* the prompt, or NULL: one ending in <think> opens the block */
	const char *gold;          /* gold answer, or NULL (code) */
	const cJSON *record;       /* the record a grader reads (code tests), or NULL */
	const char *finish_reason; /* "length" scores as truncated; NULL when unknown */
	const char *grader;        /* NULL: the rule's */
	const cJSON *options;      /* grader options for this item, or NULL: the rule's */
	int partial;               /* -1: the rule's; 0 or 1 */
};

struct reward_out {
	double reward;
	double accuracy;  /* in [0, 1] */
	double format;    /* 0 or 1 */
	char verdict[32]; /* correct, wrong, no_answer, truncated, undecided, infra_error,
			     or the code grader's verdict (pass, wrong_answer, timeout, ...) */
	char *extracted;  /* the answer the grader found, or NULL */
	char *error;      /* why the item could not be scored (bad grader options...), or NULL */
};

void reward_rule_default(struct reward_rule *r);

struct reward_ctx;

/* NULL with a reason in err when the rule's grader or pattern is bad. */
struct reward_ctx *reward_ctx_new(const struct reward_rule *r, struct strbuf *err);
void reward_ctx_free(struct reward_ctx *c);

/* The format part alone: 1 or 0. */
int reward_format(struct reward_ctx *c, const char *response, const char *prompt);

/* Score one item; never fails as a whole: a bad item gets out->error. */
void reward_score(struct reward_ctx *c, const struct reward_item *it, struct reward_out *out);
void reward_out_release(struct reward_out *o);

/*
 * The response part of an OpenRLHF query (prompt + response): what follows
 * the prompt when the query starts with it, what follows its first
 * occurrence otherwise, and the whole query when the prompt is absent.
 */
const char *reward_response_of_query(const char *query, const char *prompt);

#endif
