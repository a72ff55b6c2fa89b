/*
 * fake_support: what the engine suites share: starting and stopping the
 * fake OpenAI server ($REVAL_FAKE) on a free loopback port, reading its
 * request log, and running an engine over synthetic requests while
 * recording every done() call.
 */
#ifndef REVAL_TEST_FAKE_H
#define REVAL_TEST_FAKE_H

#include <cjson/cJSON.h>
#include <sys/types.h>

#include "harness/pipeline/config.h"
#include "harness/engine/engine.h"
#include "harness/model/task.h"

struct fake {
	pid_t pid;
	int port;
	char dir[64];  /* a private temporary directory */
	char log[96];  /* the request log */
	char url[64];  /* http://127.0.0.1:PORT/v1 */
};

/* Start the fake with extra flags (NULL-terminated); aborts the test on failure. */
void fake_start(struct fake *f, const char *const *args);
void fake_stop(struct fake *f);
/* The request log as a JSON array (caller frees). */
cJSON *fake_log(const struct fake *f);
/* Completion requests in the log. */
int fake_requests(const struct fake *f);

/* A config with test-friendly defaults for one or more base URLs. */
void test_config(struct config *cfg, const char *const *urls);

struct got {
	int calls;           /* done() calls for this request */
	char *content, *reasoning, *finish, *error_kind, *error_message, *endpoint;
	long prompt_tokens, completion_tokens, reasoning_tokens;
	double latency_ms, ttft_ms;
	int attempts;
};

struct plan {
	struct sampling s;
	struct engine_request *reqs;
	size_t n;
	char **strings; /* owned ids and prompts */
	size_t nstrings;
	struct got *got;
};

/* problems x samples requests in plan order, api "chat" or "completions". */
void plan_make(struct plan *p, int problems, int samples, const char *api);
void plan_release(struct plan *p);

/* Open the engine named by spec with cfg, run the plan, close; returns run()'s error. */
enum reval_err plan_run(struct plan *p, const char *spec, const struct config *cfg);

#endif
