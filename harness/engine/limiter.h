/*
 * limiter: how many samples to keep in flight at one server.
 *
 * Pure policy, no I/O or clock of its own (the caller passes now_ms), so
 * every decision is a unit test over a scripted sequence.  The unit is the
 * sample (one decoding sequence at the server): a request with server-side
 * n counts n.
 *
 * Adaptive (the default): start small and, as TCP's slow start does, add
 * one for every sample done, doubling the limit every window (a turnover of
 * what is in flight) while throughput (completion tokens per second, or
 * samples per second when the server gives no usage) grows by more than
 * GROW_GAIN; when a window shows no such gain and latency rose, the server
 * is full, so the limit stops growing there ("Vegas": more in flight only
 * queues).  A held
 * limit is probed upwards every few windows, as a server's load changes.
 * When the server states its capacity (decode slots, running and waiting
 * requests), the limit goes straight to that capacity plus a small queue so
 * no slot idles between one answer and the next request, and stays there.
 *
 * Fixed (--concurrency N): the limit is N.
 *
 * Either way a 429 means the server's queue is full at the level in
 * flight when it was sent: the limit drops to just below that level (not
 * to half, which would leave the server idle) once per storm -- the 429s
 * of requests sent before the cut -- and again only if a request sent after
 * it is turned away too (TCP's one cut per window); it climbs
 * back by small steps per window of successes, by quarters once the server
 * has been quiet for LIMITER_QUIET_MS, so it probes the edge again -- a
 * sized limit only up to just below a rejection level above the server's
 * size (that level is its queue's edge).  While the limit still grows, a
 * 429 for a request sent just after the server showed free slots and no
 * queue is a burst that arrived between two of its scheduling steps: it
 * costs that request its Retry-After, not the run its limit.
 * The caller honours each 429's Retry-After for that request alone.
 */
#ifndef REVAL_LIMITER_H
#define REVAL_LIMITER_H

#define LIMITER_START 16        /* adaptive: samples in flight at first */
#define LIMITER_CEILING 1024    /* adaptive: default --max-concurrency */
#define LIMITER_GROW_GAIN 0.08  /* a window's throughput gain that is growth */
#define LIMITER_LAT_RISE 0.15   /* a latency rise that, without gain, means full */
#define LIMITER_PROBE_EVERY 8   /* held windows between probes upwards */
#define LIMITER_QUIET_MS 1000.0 /* without 429s this long, climb back by quarters */
#define LIMITER_BURST_MS 100.0  /* a 429 this soon after the server showed no queue: a burst */

enum limiter_phase {
	LIMITER_FIXED, /* --concurrency N */
	LIMITER_GROW,  /* still finding the knee */
	LIMITER_HOLD,  /* found it: more gave latency, not throughput */
	LIMITER_SIZED, /* the server said its capacity */
};

struct limiter {
	enum limiter_phase phase;
	int slow_start;        /* growing by one per sample done, until the knee or a 429 */
	double limit;          /* samples allowed in flight now */
	double ceiling;        /* --max-concurrency, or N when fixed */
	double reject_level;   /* samples in flight when 429s began; 0: none seen */
	double cut_at_ms;      /* last 429 cut */
	long throttles;        /* 429s seen */
	long capacity;         /* decode slots the server stated or showed; 0: unknown */
	int queued_readings;   /* readings in a row with a queue and the same running count */
	long last_running;     /* the running count of the last reading */
	double no_queue_ms;    /* when a reading last showed free slots and nothing queued */

	/* The window being measured, and the last finished one. */
	double win_start_ms;
	long win_done;         /* samples finished in the window */
	long win_need;         /* samples that end it: the limit when it began; 0: not yet set */
	double win_limit;      /* the limit when it began */
	double win_tokens;     /* their completion tokens (or 1 each without usage) */
	double win_latency;    /* sum of their latencies per token (per sample without usage), ms */
	double last_rate;      /* tokens per second of the last window; 0: none yet */
	double last_latency;   /* mean latency per token of the last window, ms */
	double probe_from;     /* the held limit a probe upwards started from; 0: no probe */
	int held;              /* windows since the limit last moved */
	long windows;          /* windows measured */
};

/* fixed > 0: --concurrency fixed; else adaptive up to ceiling (<= 0: the default). */
void limiter_init(struct limiter *l, long fixed, long ceiling, double now_ms);

/*
 * A sample finished: latency from send to last byte, its completion tokens
 * (-1 unknown) and how many samples were in flight when it finished.
 */
void limiter_done(struct limiter *l, double now_ms, double latency_ms, long tokens,
		  long inflight);

/*
 * A 429 arrived for a request sent at sent_ms, with `inflight` samples in
 * flight now.  Only a request sent after the last cut can show that the cut
 * was not deep enough: the others are the storm that caused it.
 */
void limiter_throttled(struct limiter *l, double now_ms, double sent_ms, long inflight);

/*
 * The server's own account of its load: sequences decoding and queued
 * (-1 unknown), and its slot count when it states one (0 unknown).
 */
void limiter_server_load(struct limiter *l, double now_ms, long running, long waiting, long slots);

/* The whole number of samples allowed in flight (at least 1). */
long limiter_limit(const struct limiter *l);

const char *limiter_phase_name(enum limiter_phase p);

#endif
