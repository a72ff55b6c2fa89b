/* Helpers for the engine suites; see fake.h.  No tests here. */
#include "tests/support/fake.h"

#include "harness/pipeline/run.h"

#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/model/journal.h"
#include "harness/base/json.h"
#include "harness/base/util.h"
#include "tests/support/support.h"

void fake_start(struct fake *f, const char *const *args)
{
	const char *bin = getenv("REVAL_FAKE");
	cr_assert(bin, "REVAL_FAKE is not set (run through make test)");
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/reval-fake-XXXXXX", support_scratch());
	cr_assert(mkdtemp(f->dir));
	snprintf(f->log, sizeof(f->log), "%s/requests.jsonl", f->dir);
	const char *argv[64];
	int n = 0;
	argv[n++] = bin;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--log";
	argv[n++] = f->log;
	for (size_t i = 0; args && args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int fds[2];
	cr_assert(!pipe(fds));
	f->pid = fork();
	cr_assert(f->pid >= 0);
	if (!f->pid) {
		/* A failed assertion ends the test process: the fake must not outlive it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	FILE *out = fdopen(fds[0], "r");
	char line[64] = "";
	cr_assert(fgets(line, sizeof(line), out), "the fake server did not start");
	fclose(out);
	cr_assert(sscanf(line, "port %d", &f->port) == 1, "fake said '%s'", line);
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d/v1", f->port);
}

void fake_stop(struct fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = 0;
	}
	unlink(f->log);
	rmdir(f->dir);
}

static enum reval_err add_entry(void *ud, const cJSON *obj, long line)
{
	(void)line;
	cJSON_AddItemToArray(ud, cJSON_Duplicate(obj, 1));
	return RV_OK;
}

cJSON *fake_log(const struct fake *f)
{
	cJSON *a = cJSON_CreateArray();
	long torn = 0;
	cr_assert(!journal_read(f->log, add_entry, a, &torn));
	return a;
}

int fake_requests(const struct fake *f)
{
	cJSON *a = fake_log(f);
	int n = cJSON_GetArraySize(a);
	cJSON_Delete(a);
	return n;
}

void test_config(struct config *cfg, const char *const *urls)
{
	config_init(cfg);
	size_t n = 0;
	while (urls[n])
		n++;
	cfg->base_urls = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		cfg->base_urls[i] = xstrdup(urls[i]);
	cfg->nbase_urls = n;
	cfg->model = xstrdup("fake-model");
	cfg->engine = xstrdup("openai");
	cfg->api = xstrdup("chat");
	cfg->seed = 0;
	cfg->concurrency = 8;
	cfg->timeout_s = 10;
	cfg->max_attempts = 6;
	cfg->stream = 0;
	cfg->progress = 0;
}

static char *keep(struct plan *p, char *s)
{
	p->strings = xrealloc(p->strings, (p->nstrings + 1) * sizeof(char *));
	p->strings[p->nstrings++] = s;
	return s;
}

void plan_make(struct plan *p, int problems, int samples, const char *api)
{
	memset(p, 0, sizeof(*p));
	sampling_init(&p->s);
	p->s.n = samples;
	p->n = (size_t)problems * (size_t)samples;
	p->reqs = xcalloc(p->n, sizeof(*p->reqs));
	p->got = xcalloc(p->n, sizeof(*p->got));
	for (int i = 0; i < problems; i++) {
		char *id = keep(p, xasprintf("p%d", i));
		char *prompt = keep(p, xasprintf("Question %d: what is 6 times 7?", i));
		for (int k = 0; k < samples; k++) {
			struct engine_request *r = &p->reqs[(size_t)i * (size_t)samples + (size_t)k];
			r->item = (size_t)i * (size_t)samples + (size_t)k;
			r->task_id = "t";
			r->problem_id = id;
			r->sample = k;
			/* Consecutive within a problem, as run_sample_seed makes them. */
			r->seed = 1000u + (uint64_t)i * 7919u + (uint64_t)k;
			r->prompt = prompt;
			r->sampling = &p->s;
			r->api = api;
		}
	}
}

static char *dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void got_release(struct got *g)
{
	free(g->content);
	free(g->reasoning);
	free(g->finish);
	free(g->error_kind);
	free(g->error_message);
	free(g->endpoint);
}

void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		got_release(&p->got[i]);
	for (size_t i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p->reqs);
	free(p->got);
	sampling_release(&p->s);
}

static int on_done(void *ud, const struct engine_request *req, const struct completion *c)
{
	struct plan *p = ud;
	cr_assert(req->item < p->n);
	struct got *g = &p->got[req->item];
	got_release(g);
	g->calls++;
	g->content = dup0(c->content);
	g->reasoning = dup0(c->reasoning);
	g->finish = dup0(c->finish_reason);
	g->error_kind = dup0(c->error_kind);
	g->error_message = dup0(c->error_message);
	g->endpoint = dup0(c->endpoint);
	g->prompt_tokens = c->prompt_tokens;
	g->completion_tokens = c->completion_tokens;
	g->reasoning_tokens = c->reasoning_tokens;
	g->latency_ms = c->latency_ms;
	g->ttft_ms = c->ttft_ms;
	g->attempts = c->attempts;
	return 0;
}

enum reval_err plan_run(struct plan *p, const char *spec, const struct config *cfg)
{
	const char *arg;
	const struct engine_ops *ops = engine_find(spec, &arg);
	cr_assert(ops, "no engine '%s'", spec);
	void *state = NULL;
	struct engine_options opt;
	run_engine_options(&opt, cfg);
	enum reval_err err = ops->open(&state, arg, &opt);
	if (err)
		return err;
	err = ops->run(state, p->reqs, p->n, on_done, p);
	ops->close(state);
	return err;
}
