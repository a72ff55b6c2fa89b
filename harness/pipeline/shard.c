#include "harness/pipeline/shard.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"

enum reval_err shard_parse(const char *spec, int *index, int *count)
{
	/* Strictly two whole numbers (sscanf's %d would take " +1" and overflow without a word). */
	const char *slash = strchr(spec, '/');
	char *left = slash ? xstrndup(spec, (size_t)(slash - spec)) : NULL;
	long i = -1, n = 0;
	int bad = !slash || parse_long(left, &i) || parse_long(slash + 1, &n) || n < 1 ||
		  n > INT_MAX || i < 0 || i >= n || !isdigit((unsigned char)spec[0]) ||
		  !isdigit((unsigned char)slash[1]);
	free(left);
	if (bad) {
		diag("--shard wants I/N with 0 <= I < N, or auto, not '%s'", spec);
		return RV_EUSAGE;
	}
	*index = (int)i;
	*count = (int)n;
	return RV_OK;
}

/* A variable of the environment as a whole number; 0 absent, 1 read, -1 bad (said). */
static int env_long(const char *name, long *v)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return 0;
	if (parse_long(s, v) || *v < 0 || *v > INT_MAX) {
		diag("--shard auto: %s is '%s', not a whole number", name, s);
		return -1;
	}
	return 1;
}

/* Slurm: 0 not in an array, 1 found, -1 error (said). */
static int from_slurm(long *index, long *count)
{
	long id, n = -1, lo, hi, step = 1;
	int has_id = env_long("SLURM_ARRAY_TASK_ID", &id);
	if (has_id <= 0)
		return has_id;
	int has_n = env_long("SLURM_ARRAY_TASK_COUNT", &n);
	int has_lo = env_long("SLURM_ARRAY_TASK_MIN", &lo);
	int has_hi = env_long("SLURM_ARRAY_TASK_MAX", &hi);
	int has_step = env_long("SLURM_ARRAY_TASK_STEP", &step);
	if (has_n < 0 || has_lo < 0 || has_hi < 0 || has_step < 0)
		return -1;
	if (!has_step || step < 1)
		step = 1;
	if (has_lo != has_hi) {
		diag("--shard auto: SLURM_ARRAY_TASK_%s is set without SLURM_ARRAY_TASK_%s",
		     has_lo ? "MIN" : "MAX", has_lo ? "MAX" : "MIN");
		return -1;
	}
	if (has_lo) {
		if (hi < lo || (hi - lo) % step || id < lo || id > hi || (id - lo) % step) {
			diag("--shard auto: SLURM_ARRAY_TASK_ID=%ld does not fit the array %ld-%ld:%ld",
			     id, lo, hi, step);
			return -1;
		}
		long range = (hi - lo) / step + 1;
		if (has_n && n != range) {
			diag("--shard auto: the array is not one range (SLURM_ARRAY_TASK_COUNT=%ld but "
			     "%ld-%ld:%ld holds %ld tasks); submit it as --array=0-%ld",
			     n, lo, hi, step, range, n - 1);
			return -1;
		}
		*index = (id - lo) / step;
		*count = range;
		return 1;
	}
	if (!has_n) {
		diag("--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor "
		     "SLURM_ARRAY_TASK_MIN/MAX");
		return -1;
	}
	if (id >= n) {
		diag("--shard auto: SLURM_ARRAY_TASK_ID=%ld is not below SLURM_ARRAY_TASK_COUNT=%ld",
		     id, n);
		return -1;
	}
	*index = id;
	*count = n;
	return 1;
}

enum reval_err shard_from_env(long shards, int *index, int *count)
{
	long si = 0, sn = 0, ki = 0;
	int slurm = from_slurm(&si, &sn);
	int k8s = env_long("JOB_COMPLETION_INDEX", &ki);
	if (slurm < 0 || k8s < 0)
		return RV_EUSAGE;
	if (!slurm && !k8s) {
		diag("--shard auto: no shard index in the environment (SLURM_ARRAY_TASK_ID of a Slurm "
		     "job array or JOB_COMPLETION_INDEX of a Kubernetes Indexed Job)");
		return RV_EUSAGE;
	}
	if (k8s && shards <= 0) {
		diag("--shard auto: JOB_COMPLETION_INDEX=%ld comes without a count; give --shards N "
		     "(the Indexed Job's completions)", ki);
		return RV_EUSAGE;
	}
	if (k8s && ki >= shards) {
		diag("--shard auto: JOB_COMPLETION_INDEX=%ld is not below --shards %ld", ki, shards);
		return RV_EUSAGE;
	}
	if (slurm && shards > 0) {
		/* A resubmitted part of the array (--array=2 of 0-3) counts fewer tasks than the
		 * run: with --shards N the task id is the shard itself. */
		long id = 0;
		env_long("SLURM_ARRAY_TASK_ID", &id);
		if (id >= shards || sn > shards) {
			diag("--shard auto: the Slurm array (SLURM_ARRAY_TASK_ID=%ld, %ld tasks) does not "
			     "fit --shards %ld; number the tasks 0 to %ld",
			     id, sn, shards, shards - 1);
			return RV_EUSAGE;
		}
		si = id;
		sn = shards;
	}
	if (slurm && k8s && ki != si) {
		diag("--shard auto: SLURM_ARRAY_TASK_ID gives shard %ld/%ld but JOB_COMPLETION_INDEX "
		     "gives %ld/%ld",
		     si, sn, ki, shards);
		return RV_EUSAGE;
	}
	*index = (int)(slurm ? si : ki);
	*count = (int)(slurm ? sn : shards);
	return RV_OK;
}

char *shard_dir_name(int index, int count)
{
	return xasprintf("shard-%d-of-%d", index, count);
}

int shard_dir_parse(const char *name, int *index, int *count)
{
	int i, n, used = 0;
	if (strncmp(name, "shard-", 6) || !isdigit((unsigned char)name[6]) ||
	    sscanf(name, "shard-%d-of-%d%n", &i, &n, &used) != 2 || name[used] || i < 0 || n < 1 ||
	    i >= n)
		return -1;
	*index = i;
	*count = n;
	return 0;
}
