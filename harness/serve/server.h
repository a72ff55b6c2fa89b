/*
 * server: `reval serve`, the graders served as rewards over HTTP
 * (libmicrohttpd).  Routes:
 *
 *   POST /get_reward  OpenRLHF's remote reward model: {"query", "prompts",
 *                     "labels"} -> {"rewards", "scores", "extra_logs"}
 *   POST /v1/rewards  our batch API: {"items": [...]} -> {"results": [...]},
 *                     one result (and perhaps an error) per item
 *   POST /run_code    SandboxFusion's run_code (runcode.h)
 *   GET  /health      {"status": "ok" | "draining", ...}
 *   GET  /metrics     Prometheus text (metrics.h)
 *
 * Every item of a request is queued on its own: text graders go to a pool
 * of grading threads (one per CPU by default), code and /run_code to a pool
 * of code threads in front of the sandbox workers.  A request whose items
 * would overflow the queue is refused with 429 and Retry-After; a body over
 * the cap gets 413 before it is read, and one that would take the bodies
 * held over all connections past max_buffered gets 429.  Each item has a deadline counted
 * from the request's arrival: an item not scored by then gets the verdict
 * "timeout" and the request is answered with the others' real rewards.
 * Connections wait suspended, so idle and slow clients cost a socket, not
 * a thread.  serve_stop refuses new requests, answers every request in
 * flight, then ends the threads and frees everything.
 */
#ifndef REVAL_SERVE_SERVER_H
#define REVAL_SERVE_SERVER_H

#include "harness/serve/reward.h"
#include "harness/serve/runcode.h"

struct serve_opts {
	const char *host;         /* numeric IPv4 address to bind; "127.0.0.1" by default */
	int port;                 /* 0 picks a free one (serve_port tells it) */
	const char *token;        /* bearer token every route but /health requires, or NULL */
	int workers;              /* grading threads; 0 = one per CPU */
	int code_workers;         /* code threads and sandbox workers; 0 = one per CPU */
	long queue_items;         /* items waiting at most before 429 */
	long max_items;           /* items in one request at most (413 above) */
	long max_body;            /* request body bytes at most (413 above) */
	long max_buffered;        /* body bytes held over all connections (429 above) */
	long max_connections;     /* open connections at most */
	double deadline_s;        /* per item, from the request's arrival */
	double idle_timeout_s;    /* a connection silent this long is closed */
	double body_timeout_s;    /* a body not read within this is dropped (slow clients) */
	double retry_after_s;     /* the Retry-After of a 429 */
	struct reward_rule rule;  /* code_state is set by the server */
	struct runcode_caps caps;
};

void serve_opts_default(struct serve_opts *o);

struct serve;

/* Start listening and serving; NULL with a reason in err. */
struct serve *serve_start(const struct serve_opts *o, struct strbuf *err);
int serve_port(const struct serve *s);
/* Graceful: refuse new requests, answer those in flight (waiting at most
 * deadline_s + 10 s for them), stop, free.  NULL is a no-op. */
void serve_stop(struct serve *s);

#endif
