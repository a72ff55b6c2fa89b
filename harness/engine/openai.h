/*
 * engine_openai: the OpenAI-compatible engine, and its entry points for
 * engines built on it (local starts a server, then runs through this).
 *
 * One event loop drives every request: adjacent samples of one problem go
 * as one request with server-side n where the server honours it (falling
 * back to one request per sample when it returns fewer choices or rejects
 * n), spread over the base URLs by least outstanding requests, retried per
 * the retry module's policy with Retry-After honoured, and delivered to the
 * runner's done callback exactly once each.  How many samples each base URL
 * gets at once is its own limiter's choice (limiter.h), fed by throughput,
 * latency, 429s and the server's own load pages (serverload.h) when it has them.  The state owns its HTTP
 * client, endpoint pool and copies of what it needs from the config.
 */
#ifndef REVAL_ENGINE_OPENAI_H
#define REVAL_ENGINE_OPENAI_H

#include "harness/engine/engine.h"

#define OA_MAX_N 128             /* choices asked for in one request */
#define OA_MAX_BODY (64u << 20)  /* bytes of one response; more is an error */
#define OA_BACKOFF_BASE_MS 250.0 /* first retry waits about this long */
#define OA_BACKOFF_CAP_MS 30000.0
#define OA_HINT_CAP_MS 600000.0  /* longest server-requested wait we honour */
#define OA_MAX_THROTTLES 1000    /* 429s a sample rides out before they count as failures */
#define OA_LOAD_POLL_MS 250.0    /* how often a server's load page is read */
#define OA_LOAD_POLL_GROW_MS 50.0 /* ... while its limit is still growing */
#define OA_LOAD_TIMEOUT_MS 2000L
#define OA_LOAD_MAX_BODY (1u << 20)

struct openai;

/*
 * A new engine state for these base URLs (the config's own are ignored).
 * When opt->model is unset the first model the server lists is used.
 */
enum reval_err openai_new(const struct engine_options *opt, char *const *urls, size_t nurls,
			  struct openai **out);
void openai_free(struct openai *e);

/*
 * A check run between network waits; returning non-zero stops the run with
 * RV_EINFRA (the local engine uses it to notice its server has died).
 */
void openai_set_watch(struct openai *e, int (*watch)(void *ud), void *ud);

enum reval_err openai_run(struct openai *e, const struct engine_request *reqs, size_t n,
			  engine_done_fn done, void *ud);

#endif
