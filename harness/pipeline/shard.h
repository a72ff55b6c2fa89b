/*
 * shard: which slice of a run this process evaluates.
 *
 * `--shard I/N` names the slice; `--shard auto` takes it from the
 * scheduler that started the process: a Slurm job array
 * (SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, or the
 * SLURM_ARRAY_TASK_MIN/MAX pair and SLURM_ARRAY_TASK_STEP) or a
 * Kubernetes Indexed Job (JOB_COMPLETION_INDEX; Kubernetes does not export
 * the count, so it comes from `--shards N`).  With `--shards N` in a Slurm
 * array the task id is the shard itself, so resubmitting one lost task
 * (`sbatch --array=2`) finds shard 2 of N again.  Problem j of a task belongs to
 * shard j mod N.  A shard started by `auto` writes its run directory under
 * the output as shard-I-of-N, so a requeued array task finds its own journal.
 */
#ifndef REVAL_SHARD_H
#define REVAL_SHARD_H

#include "harness/base/err.h"

/* Parse "I/N" strictly (two whole numbers, 0 <= I < N); RV_EUSAGE with a message naming it. */
enum reval_err shard_parse(const char *spec, int *index, int *count);

/*
 * Index and count from the environment (getenv); shards is --shards N or <= 0
 * when not given.  Errors (none set, both set and disagreeing, a count that
 * disagrees with --shards, a non-contiguous array) are one line naming the
 * variables.
 */
enum reval_err shard_from_env(long shards, int *index, int *count);

/* "shard-I-of-N", the run directory of a shard under its output (caller frees). */
char *shard_dir_name(int index, int count);

/* Read "shard-I-of-N"; 0 on success. */
int shard_dir_parse(const char *name, int *index, int *count);

#endif
