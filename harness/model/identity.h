/*
 * identity: when are two runs the same run, or comparable at all.
 *
 * A run's identity is what its config.json records: the run's fingerprint
 * (engine, model, api, seed, extra body when set) and, per task, the dataset checksum, the
 * prompt fingerprint, the run's own system prompt, template and few-shot
 * count when set, the grader, its version and options, and the effective
 * sampling.  One table (identity.c) says which of these keys must
 * agree for each use, so resume, merge, regrade and the gate can never
 * drift apart:
 *
 *   resume   the same run continued: every key but the sample count n
 *            (more or fewer samples extend or narrow a run)
 *   merge    shards of one run: every key
 *   regrade  the same data under today's graders: the dataset checksum
 *   gate     a baseline and a candidate, usually different models: every
 *            task key (data, prompt, grader, sampling with n), never the
 *            run's fingerprint
 *   report   runs shown side by side: every key, to say where the numbers
 *            come from when they differ
 *
 * A prompt setting is recorded only when the run set it, and its absence
 * means the task file's own: set on one side only, it differs for every use.
 *
 * With force, the keys the table marks as forceable for that use are
 * skipped (a resume or merge with another model or sampling, on purpose).
 * Differences are collected, not printed: each caller words its refusal.
 */
#ifndef REVAL_IDENTITY_H
#define REVAL_IDENTITY_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "harness/base/util.h"

enum identity_use {
	IDENTITY_RESUME,
	IDENTITY_MERGE,
	IDENTITY_REGRADE,
	IDENTITY_GATE,
	IDENTITY_REPORT,
};

struct identity_diff {
	char *what; /* "model", "task 'aime24' grader_version", "task 'x' sampling.temperature" */
	char *key;  /* the same without the task: "model", "grader_version", "sampling.temperature" */
	char *a;    /* the first side's value as JSON text, or "(absent)" */
	char *b;    /* the second side's */
};

struct identity_diffs {
	struct identity_diff *d;
	size_t n, cap;
};

/* Reads one key of a task's record (config.json's task entry, or a report's view of it). */
typedef const cJSON *(*identity_get_fn)(const void *task, const char *key);

/*
 * Compare the run fingerprints of two config.json documents (their
 * "fingerprint" objects) for use; differences are appended to out.
 */
void identity_compare_run(const cJSON *a, const cJSON *b, enum identity_use use, int force,
			  struct identity_diffs *out);

/*
 * Compare two records of task id for use.  get reads a key of a record;
 * NULL reads the record as a cJSON object.  For resume and merge a key
 * recorded on one side only is a difference (one run records the same keys
 * throughout); for regrade and the gate it is not (an older run may have
 * recorded fewer).  A sampling knob set on one side only always differs.
 */
void identity_compare_task(const char *id, const void *a, const void *b, identity_get_fn get,
			   enum identity_use use, int force, struct identity_diffs *out);

void identity_diffs_release(struct identity_diffs *d);

#endif
