/*
 * progress: one status line on stderr for long runs.
 *
 * Shows samples done of total, the rate, an ETA, infrastructure errors and
 * completion tokens per second, redrawn at most a few times a second, and
 * only when enabled (by default when stderr is a terminal).
 */
#ifndef REVAL_PROGRESS_H
#define REVAL_PROGRESS_H

struct progress {
	int enabled;
	long total;          /* samples this invocation will produce */
	long done;
	long errors;         /* infrastructure failures */
	long tokens;         /* completion tokens reported */
	double start_ms;
	double last_draw_ms;
	const char *label;   /* what is being done: "run", "grade" */
};

void progress_init(struct progress *p, int enabled, long total, const char *label);
void progress_add(struct progress *p, int error, long tokens);
void progress_finish(struct progress *p);

#endif
