/*
 * run: one evaluation run in a run directory.
 *
 * run_setup resolves the configuration into loaded tasks with their
 * effective sampling.  run_execute checks or writes DIR/config.json,
 * reads the journal to find what is already finished, sends what is left
 * through the engine, grades and journals each sample as it arrives, and
 * writes the results.  run_results recomputes results from the journal
 * alone, which is how resume, regrade and merge reach the same numbers as
 * an uninterrupted run.  struct run owns its tasks and catalog.
 */
#ifndef REVAL_RUN_H
#define REVAL_RUN_H

#include <cjson/cJSON.h>

#include "harness/engine/engine.h"
#include "harness/pipeline/config.h"
#include "harness/base/err.h"
#include "harness/model/task.h"

struct run {
	struct config *cfg;        /* borrowed */
	char *dir;                 /* the run directory */
	struct task_catalog cat;
	struct task **tasks;
	size_t ntasks;
	struct sampling *sampling; /* effective sampling per task */
	int *n;                    /* samples per problem per task */
	char **fp;                 /* per task: the identity of its samples (identity.h) */
	cJSON *warnings;           /* deviations from a preset and similar notes, a list of strings */
	const char *command;       /* the command that started it (borrowed), for "resume with" */
};

enum reval_err run_setup(struct run *r, struct config *cfg);

/* What the engine is told of the run; strings borrowed from cfg. */
void run_engine_options(struct engine_options *opt, const struct config *cfg);
void run_release(struct run *r);

/* Is problem j of task i in this run (after --limit and --shard)? */
int run_planned(const struct run *r, size_t i, size_t j);

/*
 * The per-sample seed: a hash of (run seed, task, problem) plus the sample
 * index, so the seeds of one problem's samples are consecutive.  The rule is
 * part of a run's identity (config.json's fingerprint "seed_scheme", and the
 * journal lines' "seed" part): a run begun under another rule is not resumed
 * or merged with samples of this one.
 */
#define RUN_SEED_SCHEME 2
uint64_t run_sample_seed(long run_seed, const char *task, const char *problem, int sample);

/* The fingerprint written to config.json. */
cJSON *run_config_json(const struct run *r);

/* Write dir/config.json for this run. */
enum reval_err run_save_config(const struct run *r, const char *dir);

/*
 * Compare a stored config.json with this run's; on a difference that would
 * change results, print what differs and return RV_EMISMATCH.
 */
enum reval_err run_check_resume(const struct run *r, const cJSON *stored, const char *path);

/*
 * Hold the run directory for this process: an exclusive flock on DIR/.lock,
 * kept until run_unlock (or the process ends, however it ends), with this
 * process's pid written in it.  A second process is refused with one line
 * naming the holder's pid.  *fd is -1 on failure.
 */
enum reval_err run_lock(const char *dir, int *fd);
void run_unlock(int fd);

enum reval_err run_execute(struct run *r);
enum reval_err run_results(struct run *r);

/* Rebuild a config from a run directory's config.json (for grade and merge). */
enum reval_err run_load_config(const char *dir, struct config *cfg, cJSON **stored);

#endif
