/*
 * dataset: reading a task's data file into problems.
 *
 * Formats: JSONL (one object per line) and CSV with a header row (each row
 * becomes an object of strings).  The task's "filter", "fields" map and
 * "answer_transform" apply here; every malformed line is reported with the
 * file, line and field, and stops the load.  Problems are owned by the task.
 */
#ifndef REVAL_DATASET_H
#define REVAL_DATASET_H

#include "harness/model/task.h"

/* Set t->dataset: the bundled file, or the user's copy for user-supplied data. */
enum reval_err dataset_resolve(struct task *t, const char *data_dir, const cJSON *user_paths);

/*
 * Read t->dataset into t->problems (ids, answers, metadata, records).  A
 * JSONL file is parsed once per catalog and kept there, so the 27 BIG-Bench
 * Hard subtasks that filter one file do not parse it 27 times.
 */
enum reval_err dataset_read(struct task *t, struct task_catalog *cat);
void dataset_files_free(struct dataset_file *f);

/* Apply a named answer transform; returns a new string or NULL with *err set. */
char *dataset_transform_answer(const char *how, const char *raw, const char **err);

#endif
