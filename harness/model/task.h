/*
 * task: task files, their datasets, and the rendered prompts.
 *
 * A catalog holds every task definition a command can see, with
 * "subtasks" already expanded into tasks of their own ("bbh/navigate"):
 * the bundled tasks (datasets/tasks/), the tasks of a --data-dir laid out
 * the same way, and task files named by path.  An id defined twice is an
 * error naming both files.  Each definition keeps the directory its
 * relative paths (dataset, few-shot file) resolve against: the data
 * directory for a catalogue's tasks, the file's own directory for a task
 * file named by path.
 *
 * Selecting tasks from the catalog by id (or by a prefix naming a family,
 * "bbh"), or by the path of their task file, gives struct task objects;
 * task_load reads the dataset, applies the field map and the answer
 * transform, and renders every prompt.  The catalog owns its definitions;
 * each struct task owns its problems and records.
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

/*
 * Prompt settings that replace the task file's for a run (--system-prompt,
 * --prompt-template, --num-fewshot), set by the pipeline before task_load.
 * The strings are borrowed.
 */
struct prompt_options {
	const char *system;        /* replaces prompt.system ("": none); NULL: the task's own */
	const char *template_text; /* replaces prompt.template; NULL: the task's own */
	const char *template_file; /* the file template_text came from, for messages */
	long num_fewshot;          /* exemplars taken from the few-shot pool; -1: the file as is */
};

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
	char *base_dir;      /* where its relative paths (dataset, few-shot file) resolve */
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
	struct prompt_options prompt_opt; /* the run's replacements for the task file's prompt */
	char prompt_sha256[65]; /* fingerprint of system, template, few-shot text and count */
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
	char **bases;    /* the directory each definition's relative paths resolve against */
	size_t ndefs, cap;
	int every_error; /* go on past an error to report the next (tasks --check): every
			    bad key of a task file, every bad dataset line */
	long errors;     /* errors reported and gone past under every_error */
};

/* Where bundled data lives: the flag, $REVAL_DATA, next to the binary, or installed. */
char *task_find_data_dir(const char *flag_value);

/* Load the tasks of data_dir/tasks/ *.json; relative paths resolve against data_dir. */
enum reval_err task_catalog_load(struct task_catalog *cat, const char *data_dir);

/* Add the tasks of dir/tasks/ (laid out as datasets/ is); the catalogue's own dir is a no-op. */
enum reval_err task_catalog_add_dir(struct task_catalog *cat, const char *dir);

/*
 * Add one task file by path (its subtasks too); its relative paths resolve
 * against the file's directory.  A file already in the catalogue is a no-op.
 */
enum reval_err task_catalog_add_file(struct task_catalog *cat, const char *path);

/*
 * The catalogue a command sees: the bundled tasks, then those of extra_dir
 * (--data-dir; may be NULL), then every task file named in spec (a --task
 * list; may be NULL).  Without bundled tasks, extra_dir alone will do.
 * On an error too the catalogue is to be released.
 */
enum reval_err task_catalog_open(struct task_catalog *cat, const char *extra_dir,
				 const char *spec);
void task_catalog_release(struct task_catalog *cat);

/*
 * An entry of a --task list that ends in ".json" is the path of a task
 * file; anything else is a task id or family name from the catalogue.
 */
int task_spec_is_path(const char *entry);

/* spec with every path entry made absolute, so a run can be resumed from anywhere. */
char *task_spec_absolute(const char *spec);

/*
 * Resolve a comma-separated list of task ids, family names or task file
 * paths (task_spec_is_path) into new tasks (definitions only: no data
 * read yet).  Unknown names are an error.
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
