/*
 * endpoint: the base URLs serving one model, and which to use next.
 *
 * A request goes to the healthy endpoint with the fewest requests
 * outstanding (ties go round-robin), so a slow server gets less work
 * without any tuning.  An endpoint that refuses connections, or fails
 * several times in a row, is taken out for a while (1 s, doubling to 30 s)
 * and then tried again; one success restores it.  A circuit breaker takes
 * an endpoint out for the rest of the run after trip_after failures in a
 * row, or after trip_window_ms of failures without a success.  The pool owns its URLs and
 * their redacted labels (no user:password@), which are what logs and the
 * journal show.
 */
#ifndef REVAL_ENDPOINT_H
#define REVAL_ENDPOINT_H

#include <stddef.h>

#define ENDPOINT_STREAK_OUT 4      /* failures in a row that take an endpoint out */
#define ENDPOINT_OUT_MIN_MS 1000.0 /* first time out */
#define ENDPOINT_OUT_MAX_MS 30000.0

struct endpoint {
	char *url;         /* base URL without a trailing slash, e.g. http://h:8000/v1 */
	char *label;       /* url without credentials: safe to print and record */
	long outstanding;  /* requests in flight */
	int streak;        /* failures in a row */
	int outs;          /* times taken out in a row, for the doubling */
	double out_until;  /* now_ms() until which it gets no requests */
	long ok;           /* successful responses */
	long failed;       /* failed attempts */
	int in_row;        /* failed attempts since the last success */
	double last_ok;    /* now_ms() of the last success (the pool's start before one) */
	int tripped;       /* the breaker took it out for the rest of the run */
};

struct endpoint_pool {
	struct endpoint *ep;
	size_t n;
	size_t next; /* round-robin start for ties */
	int trip_after;         /* failures in a row that take an endpoint out for good; 0: never */
	double trip_window_ms;  /* ... or no success for this long while failing; 0: never */
};

void endpoint_pool_init(struct endpoint_pool *p, char *const *urls, size_t n);
void endpoint_pool_release(struct endpoint_pool *p);

/*
 * The endpoint for the next request, avoiding `avoid` (an index, or -1)
 * when another is in service; -1 when all are out, with *wait_until set to
 * when the first comes back.
 */
int endpoint_pick(struct endpoint_pool *p, double now, int avoid, double *wait_until);

void endpoint_ok(struct endpoint_pool *p, int i);
/* hard: the endpoint could not be reached at all (connection refused). */
void endpoint_failed(struct endpoint_pool *p, int i, double now, int hard);

/* Endpoints the breaker has not taken out. */
size_t endpoint_alive(const struct endpoint_pool *p);

#endif
