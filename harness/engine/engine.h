/*
 * engine: how a rendered prompt becomes a completion.
 *
 * Every engine (openai, local, exec, replay) is a `const struct engine_ops`
 * listed in engines.c.  The runner hands an engine the whole list of
 * requests still to do; the engine works through them at whatever
 * concurrency it likes and calls `done` once per request, on the caller's
 * thread, as each finishes.  A request that fails for reasons outside the
 * model (network, server error, timeout, missing recording) is still
 * reported through `done`, with error_kind set: it is never dropped and
 * never turned into a wrong answer.  run() itself returns an error only when
 * the whole run must stop (bad credentials, unknown model, interrupted).
 *
 * Ownership: the requests and the strings they point at belong to the
 * runner and outlive run(); the completion passed to `done` belongs to the
 * engine and is valid only during the call (the runner copies what it keeps).
 */
#ifndef REVAL_ENGINE_H
#define REVAL_ENGINE_H

#include <signal.h>
#include <stdint.h>

#include "harness/base/err.h"
#include "harness/model/task.h"

/*
 * What an engine needs to know of the run, built by the pipeline from its
 * configuration (pipeline/run.h: run_engine_options).  Strings are
 * borrowed and outlive the engine.  How a request is shaped is data here
 * (fold_system), never a preset's name.
 */
/* What an engine in flight reports of its load, for progress; owned by the runner. */
struct engine_load {
	long inflight;       /* samples in flight */
	long limit;          /* samples the limiter allows now, over all endpoints */
	long server_running; /* sequences the servers say they decode, -1 unknown */
	long server_waiting; /* sequences they say are queued, -1 unknown */
	const char *phase;   /* the limiter's state: "growing", "held", "sized", "fixed" */
};

struct engine_options {
	const char *model;        /* model name sent to the server, or NULL */
	const char *api_key;      /* bearer token, or NULL; never written anywhere */
	char *const *base_urls;   /* one or more OpenAI-compatible base URLs */
	size_t nbase_urls;
	long concurrency;         /* samples in flight, fixed; 0: found by the limiter */
	long max_concurrency;     /* ceiling for the limiter; 0: its default */
	int split_n;              /* 1: one request per sample, freeing each slot as it finishes;
				     0: server-side n where the server honours it */
	long timeout_s;           /* whole request attempt; 0: none (a streamed generation) */
	long connect_timeout_s;   /* to connect */
	long first_byte_timeout_s; /* from sending to the first byte (queueing) */
	long idle_timeout_s;      /* silence between bytes once the response began */
	long breaker_failures;    /* failed attempts in a row that take an endpoint out; 0: never */
	long breaker_window_s;    /* ... or failing with no success for this long; 0: never */
	long max_attempts;        /* per sample */
	long seed;                /* run seed (jitter, server-side seeds) */
	const char *extra_body;   /* JSON object text merged into every request body, or NULL */
	int stream;               /* 1: ask for a streamed response */
	int fold_system;          /* send the system message folded into the user message */
	const char *out;          /* the run directory (a local server's log goes there), or NULL */
	long ready_timeout_s;     /* --engine local: seconds for the server to answer; <0: default */
	/*
	 * Set (by a signal handler) when the run must stop: send nothing more,
	 * let what is in flight finish for up to stop_grace_s, then return
	 * RV_EINTERRUPTED.  NULL: never.
	 */
	volatile const sig_atomic_t *stop;
	long stop_grace_s;
	struct engine_load *load; /* updated as the engine runs, or NULL */
};

struct engine_request {
	size_t item;                     /* the runner's index, echoed back */
	const char *task_id;
	const char *problem_id;
	int sample;                      /* 0-based sample index within the problem */
	uint64_t seed;                   /* per-sample seed; one problem's are consecutive */
	const char *system;              /* system message, or NULL */
	const char *prompt;              /* the user message */
	const struct sampling *sampling; /* effective sampling: task defaults, then flags */
	const char *api;                 /* "chat" or "completions" */
	double expect_tokens;            /* its problem's mean length in a previous run; 0 unknown */
};

struct completion {
	const char *content;       /* the text returned (may still hold <think> tags) */
	const char *reasoning;     /* a separate reasoning field, or NULL */
	const char *finish_reason; /* "stop", "length", ... or NULL */
	long prompt_tokens;        /* -1 when the server did not say */
	long completion_tokens;    /* -1 when the server did not say */
	long reasoning_tokens;     /* -1 when the server did not say */
	double latency_ms;         /* request start to last byte, over all attempts of the sample */
	double ttft_ms;            /* time to first token when streaming, else -1 */
	const char *endpoint;      /* base URL (no credentials) or engine name */
	int attempts;              /* requests made for this sample */
	const char *error_kind;    /* NULL on success; e.g. "http_500", "timeout", "no_recording" */
	const char *error_message; /* the server's or engine's own words */
};

void completion_init(struct completion *c);

/*
 * Called once per request.  Returns 0 to go on; non-zero (an enum
 * reval_err) asks the engine to stop starting requests and return that
 * error from run() as soon as what is in flight has been abandoned.
 */
typedef int (*engine_done_fn)(void *ud, const struct engine_request *req,
			      const struct completion *c);

struct engine_ops {
	const char *name; /* "openai", "replay", ... as in --engine NAME[:ARG] */
	const char *help; /* one line for --help */
	/* arg is what follows "NAME:" in --engine, or NULL. */
	enum reval_err (*open)(void **state, const char *arg, const struct engine_options *opt);
	enum reval_err (*run)(void *state, const struct engine_request *reqs, size_t n,
			      engine_done_fn done, void *ud);
	void (*close)(void *state);
};

/* Find the engine for a spec "name" or "name:arg"; *arg points into spec. */
const struct engine_ops *engine_find(const char *spec, const char **arg);
extern const struct engine_ops *const engine_table[];

#endif
