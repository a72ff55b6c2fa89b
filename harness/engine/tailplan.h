/*
 * tailplan: which request of the plan goes out next, so that a batching
 * server's run does not end on a tail of long generations started late.
 *
 * The plan (the pipeline's order, see harness/pipeline/schedule.h) keeps
 * each problem's samples together.  A problem whose length a previous run
 * recorded (engine_request.expect_tokens > 0) is already known; for the others,
 * one sample of each goes out first, in the plan's order (a probe), and the
 * rest of their samples follow longest-first by what their finished samples
 * measured -- a problem's samples are much alike in length, far more than
 * problems are.  A problem whose probe is still running has the longest
 * claim of all: it has already outlasted the ones that finished.  Ties keep
 * the plan's order; a problem's samples keep their order.
 *
 * Pure bookkeeping: no I/O and no clock.  The order never changes what a
 * sample is (its seed is its own), only when it is asked for.
 */
#ifndef REVAL_TAILPLAN_H
#define REVAL_TAILPLAN_H

#include <stddef.h>

#include "harness/engine/engine.h"

#define TAILPLAN_NONE ((size_t)-1)

struct tailplan;

struct tailplan *tailplan_new(const struct engine_request *reqs, size_t n);
void tailplan_free(struct tailplan *p);

/* The index of the next request to send, or TAILPLAN_NONE when all went. */
size_t tailplan_next(struct tailplan *p);

/* Request i is over, with this many completion tokens (< 0: unknown, or failed). */
void tailplan_done(struct tailplan *p, size_t i, long tokens);

#endif
