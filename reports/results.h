/*
 * results: turning a tally into results.json and results.csv.
 *
 * results.json follows the schema "reval.results/1" documented in
 * docs/results-schema.md: run metadata, then per task the problem and sample
 * counts, outcome counts, infrastructure errors by kind, and metrics named
 * like avg@64, pass@8, cons@64, each {"value": v} with v a fraction in
 * [0, 1].  results.csv has one row per (task, metric).  Both are written
 * atomically.
 */
#ifndef REVAL_RESULTS_H
#define REVAL_RESULTS_H

#include <cjson/cJSON.h>

#include "err.h"
#include "tally.h"

/* Build the results document; run (borrowed, copied in) is the "run" object. */
cJSON *results_build(const struct tally *tl, const cJSON *run);

/* Write dir/results.json and dir/results.csv from a results document. */
enum reval_err results_write(const char *dir, const cJSON *results);

#endif
