/*
 * results: a tally turned into results.json, problems.jsonl and results.csv.
 *
 * The schema, "reval.results/2", is documented in docs/results-schema.md:
 * run metadata; per task the counts, the metrics (value, clustered standard
 * error, bootstrap interval), pass@k and cons@k curves, breakdowns by
 * metadata, generation statistics; macro averages per task family.
 * problems.jsonl has one line per (task, problem); results.csv one row per
 * (task, metric).  Every seed derives from opts->seed and the task id, and
 * problems are visited in dataset order, so resumed, sharded+merged and
 * uninterrupted runs write the same numbers.  All files are written
 * atomically.
 */
#ifndef REVAL_RESULTS_H
#define REVAL_RESULTS_H

#include <cjson/cJSON.h>

#include "harness/base/err.h"
#include "reports/results/genstats.h"
#include "reports/results/tally.h"
#include "harness/base/util.h"

#define RESULTS_SCHEMA "reval.results/2"

struct results_opts {
	long seed;          /* the run seed */
	int bootstrap_reps; /* 0: BOOTSTRAP_REPS */
	struct prices prices;
};

/* Seed 0, default replicates, no prices. */
void results_opts_init(struct results_opts *o);

/*
 * Build the results document (the caller frees it); run (borrowed, copied
 * in) is the "run" object.  The lines of problems.jsonl are appended to
 * *problems.
 */
cJSON *results_build(const struct tally *tl, const cJSON *run, const struct results_opts *o,
		     struct strbuf *problems);

/* Write dir/results.json, dir/problems.jsonl and dir/results.csv. */
enum reval_err results_write(const char *dir, const cJSON *results, const struct strbuf *problems);

#endif
