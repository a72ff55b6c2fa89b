/*
 * schedule: the order in which a run's requests go out.
 *
 * A batching server finishes a run when its longest generations do, so the
 * long ones should start first: problems are sent longest-first, each
 * problem's samples together and in sample order (they may share one
 * request with server-side n).  How long a problem runs is known best from
 * a previous run of the same model (--schedule-from RUN: the mean
 * completion_tokens its journal recorded for the problem; problems that run
 * did not have go first, as they may be long).  Without history the
 * estimate is the task's difficulty metadata ("difficulty" or "level",
 * higher first), then the prompt's length; with one request per sample the
 * engine then learns the lengths as the run goes (harness/engine/tailplan.h).
 * The order never changes what a sample is: its seed comes from its task,
 * problem and index.
 */
#ifndef REVAL_SCHEDULE_H
#define REVAL_SCHEDULE_H

#include <stddef.h>

#include "harness/base/err.h"
#include "harness/engine/engine.h"

struct schedule_history; /* mean completion tokens per (task, problem) */

/*
 * Read a previous run's samples.jsonl (path is the run directory or the
 * file).  Lines without usage or with an infrastructure error are skipped.
 */
enum reval_err schedule_history_load(const char *path, struct schedule_history **out);
void schedule_history_free(struct schedule_history *h);

/* Problems the history knows, and the mean tokens of one (-1 unknown). */
size_t schedule_history_problems(const struct schedule_history *h);
double schedule_history_tokens(const struct schedule_history *h, const char *task,
			       const char *problem);

/*
 * A problem's difficulty from its metadata, for the order without history:
 * NAN when the request's problem has none.
 */
typedef double (*schedule_difficulty_fn)(void *ud, const struct engine_request *r);

/* Reorder reqs longest-first (h may be NULL; difficulty may be NULL). */
void schedule_order(struct engine_request *reqs, size_t n, const struct schedule_history *h,
		    schedule_difficulty_fn difficulty, void *ud);

/* A number in a metadata value: "Level 5" -> 5, "3" -> 3, "hard" -> NAN. */
double schedule_parse_difficulty(const char *value);

#endif
