/*
 * metrics: the reward server's counters, rendered as Prometheus text
 * (GET /metrics).  Requests are counted per route and status code, their
 * latency goes into one histogram per route, and scored items are counted
 * per verdict.  One mutex guards everything; the struct is embedded in the
 * server and released with metrics_release.
 */
#ifndef REVAL_SERVE_METRICS_H
#define REVAL_SERVE_METRICS_H

#include <pthread.h>

#include "harness/base/util.h"

#define METRICS_ROUTES 8    /* routes counted */
#define METRICS_STATUSES 8  /* distinct status codes per route */
#define METRICS_VERDICTS 32 /* distinct verdict names */
#define METRICS_BUCKETS 14  /* latency buckets, +Inf included */

struct metrics_route {
	const char *name;
	int status[METRICS_STATUSES];
	unsigned long count[METRICS_STATUSES];
	unsigned long bucket[METRICS_BUCKETS]; /* cumulative in rendering, not here */
	double sum_s;
	unsigned long n;
};

struct metrics {
	pthread_mutex_t lock;
	struct metrics_route route[METRICS_ROUTES];
	size_t nroutes;
	char verdict[METRICS_VERDICTS][32];
	unsigned long verdict_n[METRICS_VERDICTS];
	size_t nverdicts;
	unsigned long rejected_full; /* 429s */
};

/* routes: NULL-terminated names; index i is what metrics_request takes. */
void metrics_init(struct metrics *m, const char *const *routes);
void metrics_release(struct metrics *m);
void metrics_request(struct metrics *m, size_t route, int status, double seconds);
/* Count the verdicts of a request's n items (one lock for all). */
void metrics_verdicts(struct metrics *m, const char *const *verdicts, size_t n);

struct metrics_gauges {
	long queued;      /* items waiting for a worker */
	long running;     /* items being scored */
	long requests;    /* requests read and not yet answered */
	long workers;     /* grading threads */
	long code_workers;
};

void metrics_render(struct metrics *m, const struct metrics_gauges *g, struct strbuf *out);

#endif
