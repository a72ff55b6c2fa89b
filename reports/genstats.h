/*
 * genstats: generation statistics of a task, from its tally.
 *
 * Token counts (server-reported, else approximated from characters),
 * truncation and the accuracy of samples that were not truncated, format
 * compliance in the R1 sense, latency, time to first token, throughput,
 * cost when prices are given, and infrastructure errors by kind.  Over
 * graded samples only; infrastructure failures are counted apart.  The
 * result is the "generation" object of results.json, documented in
 * docs/results-schema.md; the caller owns it.
 */
#ifndef REVAL_GENSTATS_H
#define REVAL_GENSTATS_H

#include <cjson/cJSON.h>

#include "tally.h"

#define GENSTATS_CHARS_PER_TOKEN 4 /* the approximation where a server reports no usage */

struct prices {
	double input_per_mtok;  /* USD per million prompt tokens; NAN: not set */
	double output_per_mtok; /* USD per million completion tokens; NAN: not set */
};

/* Approximate tokens of a text of this many characters (rounded up). */
long genstats_approx_tokens(unsigned long chars);

/* Completion and reasoning tokens of one slot, approximated where unknown; *approx set if so. */
long genstats_completion_tokens(const struct slot *sl, int *approx);
long genstats_reasoning_tokens(const struct slot *sl, int *approx);

cJSON *genstats_build(const struct task_tally *tt, const struct prices *prices);

#endif
