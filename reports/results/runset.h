/*
 * runset: run directories loaded for reports and the gate.
 *
 * runset_load reads, for every run directory, DIR/results.json (required),
 * DIR/config.json (optional: model, endpoint, sampling and checksums when
 * present) and DIR/samples.jsonl, the journal, folded into per-problem
 * outcomes with the journal's own precedence (a graded line wins over an
 * infrastructure failure, a later line over an earlier one of the same
 * kind).  Per problem it keeps the outcome of every sample index, the answer
 * classes for voting, and at most max_failures wrong samples with their
 * texts clipped to clip_chars, so a report of a 100,000-sample run embeds a
 * bounded amount of text.  With prompts set, the rendered prompt of every
 * problem that kept a failure is read from its task (best effort: a task
 * whose dataset is gone leaves prompts NULL), and so is its gold answer.
 *
 * Fields absent from an older or newer results.json read as unknown (NAN,
 * -1, NULL), never as an error.  The runset owns everything inside;
 * runset_release frees it.
 */
#ifndef REVAL_RUNSET_H
#define REVAL_RUNSET_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "harness/base/err.h"
#include "reports/results/fold.h"

/* One wrong sample kept for the drill-down; every string is owned and clipped. */
struct rs_sample {
	int index;           /* sample index within the problem */
	char *content;       /* final answer text, reasoning removed */
	char *reasoning;     /* NULL when none */
	char *extracted;     /* NULL when nothing was extracted */
	char *status;        /* grade status name: ok, no_answer, truncated, undecided */
	char *reason;        /* the grader's explanation, or NULL */
	char *finish_reason; /* NULL when unknown */
	char *verdict;       /* the grader's verdict (code: wrong_answer, timeout...), else the
				status: wrong_answer, no_answer, truncated, undecided */
	char *detail;        /* the grader's detail object as JSON text (failing test...), or NULL */
};

/* The final state of one sample index, after the journal's precedence rules. */
struct rs_slot {
	unsigned char state;     /* 0 missing, 1 infrastructure failure, 2 graded */
	unsigned char correct;
	unsigned char truncated; /* finish_reason "length" */
	unsigned char no_answer; /* grade status no_answer */
	float score;             /* in [0, 1] */
	int key;                 /* answer class, -1: no answer */
	float tokens;            /* completion tokens, or an estimate (chars / 4); -1 unknown */
};

#define RS_MISSING 0
#define RS_INFRA 1
#define RS_GRADED 2

struct rs_problem {
	char *id;
	struct rs_slot *slots;      /* n slots, one per planned sample index */
	int graded;                 /* graded samples (infrastructure failures excluded) */
	int correct;
	double score;               /* sum of scores over graded samples */
	int truncated;
	int no_answer;
	int infra;                  /* samples whose final state is an infrastructure failure */
	struct answer_classes classes; /* the canonical answers voted for (fold.h) */
	int majority;               /* winning class of all graded votes, -1 when nobody voted */
	struct rs_sample *fails;    /* at most max_failures */
	int nfails;
	char *prompt;               /* system and user message, clipped; NULL when unavailable */
	char *gold;                 /* the gold answer from the task, clipped; NULL when unknown */
};

struct rs_task {
	char *id;
	int n;                     /* samples per problem */
	const cJSON *result;       /* the task's object in results.json (borrowed) */
	const cJSON *config;       /* its entry in config.json "tasks", or NULL (borrowed) */
	struct rs_problem *probs;  /* problems seen in the journal, in natural id order */
	size_t nprobs;
	float *len_ok;             /* token lengths of correct samples */
	size_t nlen_ok;
	float *len_bad;            /* token lengths of wrong samples */
	size_t nlen_bad;
	int len_estimated;         /* some lengths are estimated from characters */
	char *primary;             /* the avg@n metric's name, e.g. "avg@64" */
};

struct rs_run {
	char *dir;
	char *label;         /* short unique name: the directory's base name, or more if needed */
	cJSON *results;      /* results.json (owned) */
	cJSON *config;       /* config.json (owned), or NULL */
	struct rs_task *tasks;
	size_t ntasks;
	int has_journal;     /* samples.jsonl was found */
	long torn;           /* torn journal lines skipped */
};

struct runset {
	struct rs_run *runs;
	size_t nruns;
};

struct runset_opts {
	int max_failures;  /* wrong samples kept per problem */
	size_t clip_chars; /* cap on each kept text; head and tail are kept */
	int prompts;       /* read prompts from the tasks */
};

#define RUNSET_OPTS_INIT {2, 3000, 0}

enum reval_err runset_load(struct runset *rs, char *const *dirs, size_t ndirs,
			   const struct runset_opts *opts);
void runset_release(struct runset *rs);

/* A task of a run by id, or NULL. */
const struct rs_task *runset_task(const struct rs_run *run, const char *id);
/* A problem of a task by id, or NULL. */
const struct rs_problem *runset_problem(const struct rs_task *t, const char *id);

/*
 * Pair two runs' problems of one task: the rates of problems graded in
 * both, in a's order, into new arrays (caller frees); *n gets their number.
 */
void runset_pair(const struct rs_task *a, const struct rs_task *b, double **ra, double **rb,
		 size_t *n);

/* Mean score of a problem's graded samples, NAN when none was graded. */
double rs_problem_rate(const struct rs_problem *p);

/* A metric's value from results.json, NAN when absent. */
double rs_metric(const struct rs_task *t, const char *metric);
/*
 * A key of the task's identity (identity.h) as results.json records it, else
 * as config.json does; NULL when neither does.  Fits identity_get_fn.
 */
const cJSON *rs_task_identity(const void *task, const char *key);
/* A count from the task's "counts" in results.json, -1 when absent. */
double rs_count(const struct rs_task *t, const char *name);

/*
 * A metric's stored interval as results.json spells it (ci95: [lo, hi] in
 * reval.results/2, or older names).  Returns 0, or -1 when it has none.
 */
int rs_metric_interval(const cJSON *m, double *lo, double *hi);

/*
 * The primary score (avg@n) with a 95% interval: the interval results.json
 * gives when it has one, else a normal interval over per-problem rates
 * (problems are the independent units).  Returns 0, or -1 when unknown.
 */
int rs_task_score(const struct rs_task *t, double *value, double *lo, double *hi);

/* A string from the run's metadata ("model", "engine", ...), or NULL. */
const char *rs_run_meta(const struct rs_run *r, const char *key);

/* Compare problem ids the way people number them: "p2" before "p10". */
int rs_natural_cmp(const char *a, const char *b);

#endif
