/*
 * summary: the closing lines of 'reval run', from the results.json it just
 * wrote.  summary_scores is a plain-text table for stdout, one row per task:
 * the primary score (avg@n) in percent, its 95% interval, the problems and
 * graded samples it stands on, and the task's infrastructure errors.
 * summary_infra says, for stderr, how many samples failed outside the model,
 * grouped by kind with one example message each, or nothing when none did.
 */
#ifndef REVAL_SUMMARY_H
#define REVAL_SUMMARY_H

#include <cjson/cJSON.h>

#include "harness/base/util.h"

void summary_scores(struct strbuf *out, const cJSON *results);
void summary_infra(struct strbuf *out, const cJSON *results);

#endif
