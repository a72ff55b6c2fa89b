/*
 * progress: one status line on stderr for long runs.
 *
 * Shows samples done of total, the rate, an ETA, infrastructure errors and
 * completion tokens per second, and, from an engine that reports its load,
 * the samples in flight, the limit its limiter chose and what the server
 * says it is decoding and queueing; redrawn at most a few times a second, and
 * only when enabled (by default when stderr is a terminal).
 */
#ifndef REVAL_PROGRESS_H
#define REVAL_PROGRESS_H

#include "harness/engine/engine.h"

struct progress {
	int enabled;
	long total;          /* samples this invocation will produce */
	long done;
	long errors;         /* infrastructure failures */
	long tokens;         /* completion tokens reported */
	double start_ms;
	double last_draw_ms;
	const char *label;   /* what is being done: "run", "grade" */
	const struct engine_load *load; /* the engine's, or NULL */
};

void progress_init(struct progress *p, int enabled, long total, const char *label);
void progress_add(struct progress *p, int error, long tokens);
void progress_finish(struct progress *p);

#endif
