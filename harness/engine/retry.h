/*
 * retry: when to try a request again, and how long to wait first.
 *
 * Pure policy, no I/O, so every rule is a unit test: classifying an
 * outcome (transport failure or HTTP status) as retryable, permanent or
 * fatal for the run; reading a server's wait hint (Retry-After in seconds or
 * as an HTTP date, x-ratelimit-reset-* as "1s", "6m0s", "250ms", seconds or
 * an epoch time); and exponential backoff with jitter and a cap.  How many
 * requests to keep in flight, 429s included, is limiter.h's business.
 */
#ifndef REVAL_RETRY_H
#define REVAL_RETRY_H

#include <stdint.h>
#include <time.h>

enum retry_class {
	RETRY_NONE,      /* success */
	RETRY_AGAIN,     /* transient: wait and try again, within the attempt limit */
	RETRY_PERMANENT, /* cannot succeed on retry: record on the sample */
	RETRY_FATAL,     /* credentials, permission or model unknown: stop the run if nothing worked yet */
};

/* Classify an HTTP status (0 = the transport failed before any status). */
enum retry_class retry_classify_status(long status);

/*
 * Milliseconds a server asks us to wait, from a Retry-After value; -1 when
 * absent or unreadable.  now is the wall clock, for HTTP dates.
 */
double retry_after_ms(const char *value, time_t now);

/* Milliseconds from an x-ratelimit-reset-* value; -1 when absent or unreadable. */
double retry_reset_ms(const char *value, time_t now);

/*
 * Backoff before attempt number `failures + 1`: base * 2^(failures-1),
 * capped, with "equal jitter" (half fixed, half random) so synchronized
 * failures spread out.  *rng is a splitmix64 state.
 */
double retry_backoff_ms(int failures, double base_ms, double cap_ms, uint64_t *rng);

/* Does an error message say the prompt is too long for the model? */
int retry_is_context_length(const char *message);

#endif
