/*
 * progress: one status line on stderr for long runs.
 *
 * Shows samples done of total, the rate, an ETA, the running accuracy (mean
 * score of the samples graded so far), infrastructure errors, retries and
 * completion tokens per second, and, from an engine that reports its load,
 * the samples in flight, the limit its limiter chose and what the server
 * says it is decoding and queueing; redrawn at most a few times a second, and
 * only when enabled (by default when stderr is a terminal).  The line is
 * built by progress_line, so it can be checked without a terminal.
 */
#ifndef REVAL_PROGRESS_H
#define REVAL_PROGRESS_H

#include <stddef.h>
#include "harness/engine/engine.h"

struct progress {
	int enabled;
	long total;          /* samples this invocation will produce */
	long done;
	long errors;         /* infrastructure failures */
	long graded;         /* samples graded (errors excluded) */
	double score;        /* sum of their scores */
	long retries;        /* attempts beyond the first, over all samples */
	long tokens;         /* completion tokens reported */
	double start_ms;
	double last_draw_ms;
	const char *label;   /* what is being done: "run", "grade" */
	const struct engine_load *load; /* the engine's, or NULL */
};

void progress_init(struct progress *p, int enabled, long total, const char *label);
/* One finished sample: error for an infrastructure failure (score then unused). */
void progress_add(struct progress *p, int error, double score, int attempts, long tokens);
/* The status line as drawn, without the terminal's control codes. */
void progress_line(const struct progress *p, int final, char *out, size_t n);
void progress_finish(struct progress *p);

#endif
