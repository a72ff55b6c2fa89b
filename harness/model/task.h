/*
 * task: task files, their datasets, and the rendered prompts.
 *
 * A catalog holds every task definition found in the tasks directory,
 * with "subtasks" already expanded into tasks of their own ("bbh/navigate").
 * Selecting tasks from the catalog by id (or by a prefix naming a family,
 * "bbh") gives struct task objects; task_load reads the dataset, applies the
 * field map and the answer transform, and renders every prompt.  The catalog
 * owns its definitions; each struct task owns its problems and records.
 */
#ifndef REVAL_TASK_H
#define REVAL_TASK_H

#include <cjson/cJSON.h>

#include "harness/base/err.h"
#include "harness/base/util.h"

struct grader_ops; /* graders/grader.h; the model holds a bound grader without calling it */

struct sampling {
	int n;                    /* samples per problem */
	double temperature;       /* NAN: leave to the server */
	double top_p;             /* NAN: leave to the server */
	double top_k;             /* NAN: unset */
	double min_p;             /* NAN: unset */
	double presence_penalty;  /* NAN: unset */
	double frequency_penalty; /* NAN: unset */
	long max_tokens;          /* -1: leave to the server */
	char **stop;              /* owned; nstop entries */
	size_t nstop;
	char *reasoning_effort;   /* owned, or NULL */
};

void sampling_init(struct sampling *s);
void sampling_release(struct sampling *s);
void sampling_copy(struct sampling *dst, const struct sampling *src);
/* Read the keys present in a "sampling" object over *s. */
enum reval_err sampling_from_json(struct sampling *s, const cJSON *obj, const char *where);
cJSON *sampling_to_json(const struct sampling *s);

struct problem {
	char *id;        /* unique within the task */
	char *answer;    /* gold answer after the task's transform; may be NULL (code tasks) */
	char *prompt;    /* the rendered user message */
	cJSON *record;   /* the dataset record as read */
	char **meta;     /* values of the task's metadata keys (NULL where absent) */
};

struct task {
	char *id;            /* "gsm8k", "bbh/navigate" */
	char *family;        /* the task file's id: "bbh" */
	char *file;          /* the task file */
	char *description;
	char *dataset;       /* absolute path of the data file */
	char dataset_sha256[65];
	char *grader_name;      /* the task file's "grader" */
	cJSON *grader_options;  /* owned, may be NULL */
	/*
	 * Bound by the pipeline (harness/pipeline/grading.h) before anything is
	 * graded; NULL until then.  task_free releases the state through
	 * grader_free.
	 */
	const struct grader_ops *grader;
	const char *grader_version;       /* the bound grader's version (static) */
	int grader_no_vote;               /* the bound grader's answers cannot be voted on */
	void *grader_state;               /* from grader->init */
	void (*grader_free)(void *state); /* the bound grader's free */
	struct sampling sampling; /* the task's defaults, before flags */
	int *pass_k;            /* pass@k list from the task */
	size_t npass_k;
	int *cons_k;            /* cons@k list from the task */
	size_t ncons_k;
	char **meta_keys;       /* metadata field names */
	size_t nmeta;
	char **breakdown;       /* metadata keys to report by */
	size_t nbreakdown;
	char *system;           /* system message, or NULL */
	char prompt_sha256[65]; /* fingerprint of system, template and few-shot text */
	struct problem *problems;
	size_t nproblems;
	size_t *index;          /* open-addressing table of problem ids; see task_problem */
	size_t index_cap;       /* a power of two, at least twice nproblems */
	cJSON *def;             /* the expanded definition (owned) */
};

struct dataset_file; /* a parsed JSONL file shared by the tasks that read it (dataset.c) */

struct task_catalog {
	char *data_dir;  /* the datasets/ directory */
	struct dataset_file *files_read; /* parsed data files, so subtasks parse a file once */
	cJSON **defs;    /* expanded definitions, owned */
	char **files;    /* task file of each definition */
	size_t ndefs;
};

/* Where bundled data lives: the flag, $REVAL_DATA, next to the binary, or installed. */
char *task_find_data_dir(const char *flag_value);

enum reval_err task_catalog_load(struct task_catalog *cat, const char *data_dir);
void task_catalog_release(struct task_catalog *cat);

/*
 * Resolve a comma-separated list of task ids or family names into new
 * tasks (definitions only: no data read yet).  Unknown names are an error.
 */
enum reval_err task_select(const struct task_catalog *cat, const char *spec, struct task ***out,
			   size_t *count);

/*
 * Read the dataset and build problems and prompts.  The grader is not
 * touched: the pipeline binds it (harness/pipeline/grading.h).
 * user_paths maps user-supplied datasets ("gpqa" -> path) as a cJSON object;
 * may be NULL.
 */
enum reval_err task_load(struct task *t, const struct task_catalog *cat, const cJSON *user_paths);

void task_free(struct task *t);

/* (Re)build the id index of t->problems; returns an id that appears twice, or NULL. */
const char *task_index_problems(struct task *t);

/* The problem with this id, or NULL. */
const struct problem *task_problem(const struct task *t, const char *id);

#endif
