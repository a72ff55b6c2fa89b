/*
 * settings: which settings differ between the runs of one report, so a
 * reader knows where the numbers come from.
 *
 * Every run is compared with the first one given (the report's reference)
 * by the identity table (harness/model/identity.h, IDENTITY_REPORT): the
 * run's fingerprint (engine, model, api, seed, extra body) and, for each
 * task both ran, the dataset, the prompt and the run's prompt settings, the
 * grader, its version and options, and the sampling.  A difference that
 * repeats over tasks with the same two values is one entry counting the
 * tasks; the prompt's checksum is left out where a prompt setting that
 * explains it differs, and checksums show 12 digits.  Runs without a config.json show only what results.json records.
 * The lists own their strings; settings_diffs_release frees them.
 */
#ifndef REVAL_SETTINGS_H
#define REVAL_SETTINGS_H

#include <stddef.h>

#include "harness/base/util.h"
#include "reports/results/runset.h"

struct setting_diff {
	size_t run;    /* the run that differs from the first (an index into the runset) */
	char *key;     /* "model", "sampling.temperature", "system_prompt" */
	char *a, *b;   /* the first run's value and this run's, as JSON text, clipped */
	char *task;    /* the one task it differs in; NULL for a run key or several tasks */
	size_t ntasks; /* tasks it differs in; 0 for a run key */
};

struct setting_diffs {
	struct setting_diff *d;
	size_t n, cap;
};

/* Compare every run of rs with the first; differences are appended to out in run order. */
void settings_compare(const struct runset *rs, struct setting_diffs *out);

/*
 * The differences of one run as one line of plain text, appended to sb:
 * model "a" vs "b"; sampling.temperature 0.6 vs 1 (3 tasks).  Nothing when it
 * has none.
 */
void settings_describe_run(const struct setting_diffs *d, size_t run, struct strbuf *sb);

void settings_diffs_release(struct setting_diffs *d);

#endif
