/*
 * The openai engine: scheduling, retries and delivery.  Transport is in
 * http.c, bodies in openai_body.c, parsing in openai_parse.c and sse.c,
 * the retry rules in retry.c, how many samples go in flight in limiter.c
 * and endpoint choice in endpoint.c; this file
 * only ties them together.
 */
#include "harness/engine/openai.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include "harness/engine/endpoint.h"
#include "harness/net/http.h"
#include "harness/base/heap.h"
#include "harness/base/json.h"
#include "harness/engine/openai_body.h"
#include "harness/engine/openai_parse.h"
#include "harness/engine/limiter.h"
#include "harness/engine/retry.h"
#include "harness/engine/serverload.h"
#include "harness/engine/tailplan.h"
#include "harness/net/redact.h"
#include "harness/net/sse.h"

enum n_support { N_UNKNOWN, N_HONOURED, N_IGNORED };

struct job {
	struct openai *e;
	size_t first;        /* index of the first sample in the run's requests */
	int count;           /* samples this request asks for (server-side n) */
	int ep;              /* endpoint of the attempt in flight, or -1 */
	int last_ep;         /* endpoint of the previous attempt, -1 */
	double ready_at;     /* now_ms() before which it is not sent */
	double sent_ms;      /* when its last attempt went out */
	uint64_t seq;        /* FIFO order among jobs ready at the same time */
	double t_token;      /* first streamed token of this attempt, -1 */
	int stream_bad;      /* a stream chunk could not be read */
	struct http_xfer x;
	struct strbuf body;
	struct sse sse;
	struct oa_result res;
	struct job *prev, *next; /* in flight, for cancelling on a fatal stop */
};

/* Each endpoint's own account of its load, polled while the run lasts. */
struct load_probe {
	enum serverload_page page; /* the page being tried, or kept once it answered */
	int found;                 /* the page answered usefully: keep polling it */
	int dead;                  /* no page answered: the server says nothing */
	int busy;                  /* a GET in flight */
	double next_ms;            /* when to poll next */
	char *root;                /* the base URL without its /v1 */
	char *url;                 /* root + the page's path */
	struct http_xfer x;
	struct server_load load;   /* the last reading */
	struct openai *e;
	int ep;
};

struct sample_state {
	int attempts;    /* requests made */
	int failures;    /* failed attempts, against --max-attempts */
	int throttles;   /* 429s, which do not count as failures up to OA_MAX_THROTTLES */
	double t_first;  /* start of the first attempt, -1 */
	int delivered;
};

struct openai {
	const struct engine_options *opt;
	char *model;
	struct endpoint_pool pool;
	char **chat_url, **compl_url; /* per endpoint */
	struct http_client *http;
	cJSON *extra;
	struct oa_body_opts body;
	enum n_support n_support;
	int n_cap;                  /* most choices the server gave when it gave fewer */
	struct limiter *lim;        /* per endpoint: servers are sized separately */
	long *ep_inflight;          /* per endpoint, samples in flight */
	struct load_probe *probe;   /* per endpoint */
	uint64_t rng;
	long ok_total;              /* successful responses, over all endpoints */
	int (*watch)(void *ud);
	void *watch_ud;

	/* One run. */
	const struct engine_request *reqs;
	size_t nreqs;
	engine_done_fn done;
	void *ud;
	struct sample_state *st;
	size_t cursor;   /* next request not yet in a job, in the plan's order */
	struct tailplan *plan; /* or, one request per job, the order that learns lengths */
	size_t finished;
	struct heap waiting; /* jobs (struct job *) waiting to be sent, first by (ready_at, seq) */
	struct job *live;  /* jobs in flight */
	long inflight;     /* samples in flight (a request with server-side n counts n) */
	uint64_t seq;
	enum reval_err fatal;
	struct job **spare; /* finished jobs for reuse */
	size_t nspare, spare_cap;
};

/* ---- Jobs ---- */

static int job_first(const void *pa, const void *pb)
{
	const struct job *a = *(struct job *const *)pa, *b = *(struct job *const *)pb;
	return a->ready_at < b->ready_at || (a->ready_at == b->ready_at && a->seq < b->seq);
}

static void waiting_push(struct openai *e, struct job *j)
{
	heap_push(&e->waiting, &j);
}

/* The job that can go first, or NULL when none waits. */
static struct job *waiting_top(const struct openai *e)
{
	struct job **top = heap_top(&e->waiting);
	return top ? *top : NULL;
}

static struct job *waiting_pop(struct openai *e)
{
	struct job *j;
	heap_pop(&e->waiting, &j);
	return j;
}

static struct job *job_get(struct openai *e, size_t first, int count)
{
	struct job *j;
	if (e->nspare) {
		j = e->spare[--e->nspare];
	} else {
		j = xcalloc(1, sizeof(*j));
		j->e = e;
		http_xfer_init(&j->x);
		strbuf_init(&j->body);
		oa_result_init(&j->res);
	}
	j->first = first;
	j->count = count;
	j->ep = j->last_ep = -1;
	j->ready_at = 0;
	j->seq = e->seq++;
	return j;
}

static void job_put(struct openai *e, struct job *j)
{
	oa_result_release(&j->res);
	GROW(e->spare, e->spare_cap, e->nspare + 1);
	e->spare[e->nspare++] = j;
}

static void job_free(struct job *j)
{
	http_xfer_release(&j->x);
	sse_release(&j->sse);
	strbuf_release(&j->body);
	oa_result_release(&j->res);
	free(j);
}

static void live_add(struct openai *e, struct job *j)
{
	j->prev = NULL;
	j->next = e->live;
	if (e->live)
		e->live->prev = j;
	e->live = j;
}

static void live_remove(struct openai *e, struct job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		e->live = j->next;
	if (j->next)
		j->next->prev = j->prev;
	j->prev = j->next = NULL;
}

/* ---- Delivery ---- */

static void deliver(struct openai *e, size_t i, struct completion *c)
{
	struct sample_state *s = &e->st[i];
	assert(!s->delivered);
	s->delivered = 1;
	e->finished++;
	if (e->plan)
		tailplan_done(e->plan, i, c->error_kind ? -1 : c->completion_tokens);
	int rc = e->done(e->ud, &e->reqs[i], c);
	if (rc && !e->fatal)
		e->fatal = (enum reval_err)rc;
}

/* Server text as it may be stored or printed: without the key or anything shaped like one. */
static char *server_text(const struct openai *e, const char *msg)
{
	return redact_text(msg, msg ? strlen(msg) : 0, e->opt->api_key);
}

/* Record an infrastructure failure on every sample of the job. */
static void fail_job(struct openai *e, struct job *j, const char *kind, const char *raw)
{
	double now = now_ms();
	char *msg = server_text(e, raw);
	for (int k = 0; k < j->count; k++) {
		size_t i = j->first + (size_t)k;
		struct completion c;
		completion_init(&c);
		c.error_kind = kind;
		c.error_message = msg;
		c.attempts = e->st[i].attempts;
		c.latency_ms = e->st[i].t_first >= 0 ? now - e->st[i].t_first : -1;
		c.endpoint = j->ep >= 0 ? e->pool.ep[j->ep].label : NULL;
		deliver(e, i, &c);
	}
	free(msg);
	job_put(e, j);
}

static void stop_run(struct openai *e, const char *fmt, const char *a, long status,
		     const char *raw)
{
	/* Requests still in flight may fail the same way: say it once. */
	if (!e->fatal) {
		char *msg = server_text(e, raw);
		diag(fmt, a, status, e->model ? e->model : "(none)", msg);
		free(msg);
	}
	e->fatal = RV_EINFRA;
}

/*
 * A failed attempt on j's endpoint.  The breaker may take the endpoint out
 * for the rest of the run; when none is left the run stops, saying which
 * endpoint, its last error and how to resume.
 */
static void ep_failed(struct openai *e, struct job *j, int hard, const char *kind, const char *raw)
{
	struct endpoint *ep = &e->pool.ep[j->ep];
	int was = ep->tripped;
	endpoint_failed(&e->pool, j->ep, now_ms(), hard);
	if (was || !ep->tripped)
		return;
	char *msg = server_text(e, raw);
	double quiet_s = (now_ms() - ep->last_ok) / 1000;
	if (endpoint_alive(&e->pool))
		diag("taking '%s' out of the run: %d failed attempts in a row, no success for %.0f s "
		     "(last: %s: %s)",
		     ep->label, ep->in_row, quiet_s, kind, msg);
	else if (!e->fatal)
		diag("stopping: '%s' failed %d attempts in a row with no success for %.0f s (last: %s: "
		     "%s); finished samples are saved: rerun the same command to resume once it answers",
		     ep->label, ep->in_row, quiet_s, kind, msg);
	if (!endpoint_alive(&e->pool))
		e->fatal = RV_EINFRA;
	free(msg);
}

/* Send the job again later; the samples' failure counts decide whether it may. */
static void retry_job(struct openai *e, struct job *j, const char *kind, const char *msg,
		      double hint_ms)
{
	int failures = 0;
	for (int k = 0; k < j->count; k++) {
		struct sample_state *s = &e->st[j->first + (size_t)k];
		if (++s->failures > failures)
			failures = s->failures;
	}
	if (failures >= e->opt->max_attempts) {
		if (!e->ok_total && !strcmp(kind, "connect")) {
			stop_run(e, "cannot reach '%s' (tried %ld times) for model '%s': %s",
				 e->pool.ep[j->ep].label, (long)failures, msg);
			job_put(e, j);
			return;
		}
		fail_job(e, j, kind, msg);
		return;
	}
	double delay = hint_ms >= 0 ? fmin(hint_ms, OA_HINT_CAP_MS)
				    : retry_backoff_ms(failures, OA_BACKOFF_BASE_MS,
						       OA_BACKOFF_CAP_MS, &e->rng);
	j->ready_at = now_ms() + delay;
	j->last_ep = j->ep;
	j->seq = e->seq++;
	waiting_push(e, j);
}

/*
 * A 429: the server is full, not failing.  The request waits for its own
 * Retry-After (or a backoff) and goes again without spending an attempt,
 * so overload never costs a sample; only a server that refuses for very
 * long falls through to the failure count.
 */
static void throttle_job(struct openai *e, struct job *j, const char *msg, double hint_ms)
{
	limiter_throttled(&e->lim[j->ep], now_ms(), j->sent_ms, e->ep_inflight[j->ep] + j->count);
	int throttles = 0;
	for (int k = 0; k < j->count; k++) {
		struct sample_state *s = &e->st[j->first + (size_t)k];
		if (++s->throttles > throttles)
			throttles = s->throttles;
	}
	if (throttles > OA_MAX_THROTTLES) {
		retry_job(e, j, "http_429", msg, hint_ms);
		return;
	}
	double delay = hint_ms >= 0 ? fmin(hint_ms, OA_HINT_CAP_MS)
				    : retry_backoff_ms(throttles, OA_BACKOFF_BASE_MS,
						       OA_BACKOFF_CAP_MS, &e->rng);
	j->ready_at = now_ms() + delay;
	j->last_ep = -1; /* any endpoint may take it */
	j->seq = e->seq++;
	waiting_push(e, j);
}

/* Send the samples of j from `from` on again at once, as a new request. */
static void requeue_rest(struct openai *e, struct job *j, int from, int singles)
{
	if (singles) {
		for (int k = from; k < j->count; k++) {
			struct job *s = job_get(e, j->first + (size_t)k, 1);
			s->last_ep = j->ep;
			waiting_push(e, s);
		}
	} else {
		struct job *r = job_get(e, j->first + (size_t)from, j->count - from);
		r->last_ep = j->ep;
		waiting_push(e, r);
	}
}

static void deliver_choices(struct openai *e, struct job *j)
{
	const struct oa_result *r = &j->res;
	int m = 0;
	for (size_t i = 0; i < r->nchoices; i++)
		m += r->choices[i].seen;
	int take = m < j->count ? m : j->count;
	if (j->count > 1) {
		if (m >= j->count)
			e->n_support = N_HONOURED;
		else if (m == 1)
			e->n_support = N_IGNORED;
		else
			e->n_cap = m;
	}
	/* With server-side n, usage is the request's total: each sample gets its share. */
	long share_c = r->completion_tokens >= 0 && m ? r->completion_tokens / m : -1;
	long share_r = r->reasoning_tokens >= 0 && m ? r->reasoning_tokens / m : -1;
	int k = 0;
	for (size_t i = 0; i < r->nchoices && k < take; i++) {
		const struct oa_choice *ch = &r->choices[i];
		if (!ch->seen)
			continue;
		size_t si = j->first + (size_t)k++;
		struct completion c;
		completion_init(&c);
		c.content = ch->content.buf;
		c.reasoning = ch->has_reasoning ? ch->reasoning.buf : NULL;
		c.finish_reason = ch->finish_reason;
		c.prompt_tokens = r->prompt_tokens;
		c.completion_tokens = m == 1 ? r->completion_tokens : share_c;
		c.reasoning_tokens = m == 1 ? r->reasoning_tokens : share_r;
		c.latency_ms = j->x.t_end - e->st[si].t_first;
		c.ttft_ms = e->body.stream && j->t_token >= 0 ? j->t_token - j->x.t_start : -1;
		c.endpoint = e->pool.ep[j->ep].label;
		c.attempts = e->st[si].attempts;
		deliver(e, si, &c);
	}
	if (take < j->count)
		requeue_rest(e, j, take, e->n_support == N_IGNORED);
	job_put(e, j);
}

/*
 * A streamed request for n choices that ended early (stalled, cut): the
 * choices that finished are whole answers and are kept; each of the others
 * is asked for again on its own, or fails once out of attempts.  Returns 0
 * when no choice finished (the caller retries the request as a whole).
 */
static int salvage(struct openai *e, struct job *j, const char *kind, const char *msg)
{
	const struct oa_result *r = &j->res;
	if (!e->body.stream || j->count < 2)
		return 0;
	int finished = 0;
	for (size_t i = 0; i < r->nchoices && i < (size_t)j->count; i++)
		finished += r->choices[i].seen && r->choices[i].finish_reason != NULL;
	if (!finished)
		return 0;
	for (int k = 0; k < j->count; k++) {
		size_t si = j->first + (size_t)k;
		const struct oa_choice *ch = (size_t)k < r->nchoices ? &r->choices[k] : NULL;
		if (ch && ch->seen && ch->finish_reason) {
			struct completion c;
			completion_init(&c);
			c.content = ch->content.buf;
			c.reasoning = ch->has_reasoning ? ch->reasoning.buf : NULL;
			c.finish_reason = ch->finish_reason;
			c.prompt_tokens = r->prompt_tokens;
			c.latency_ms = j->x.t_end - e->st[si].t_first;
			c.ttft_ms = j->t_token >= 0 ? j->t_token - j->x.t_start : -1;
			c.endpoint = e->pool.ep[j->ep].label;
			c.attempts = e->st[si].attempts;
			deliver(e, si, &c);
			continue;
		}
		struct job *one = job_get(e, si, 1);
		one->ep = j->ep;
		if (++e->st[si].failures >= e->opt->max_attempts) {
			fail_job(e, one, kind, msg);
			continue;
		}
		one->last_ep = j->ep;
		one->ready_at = now_ms();
		waiting_push(e, one);
	}
	job_put(e, j);
	return 1;
}

/* ---- Outcomes ---- */

static double hint_ms(const struct http_xfer *x)
{
	time_t now = time(NULL);
	double h = retry_after_ms(x->retry_after, now);
	if (h < 0) {
		double a = retry_reset_ms(x->reset_requests, now);
		double b = retry_reset_ms(x->reset_tokens, now);
		h = a > b ? a : b;
	}
	return h;
}

/* A 4xx that retrying cannot fix: maybe the request was the problem, not the sample. */
static void on_rejected(struct openai *e, struct job *j, long status, const char *msg)
{
	if (j->count > 1) {
		/* Probably n > 1 (llama.cpp refuses it): ask for each sample on its own. */
		if (strcasestr(msg, "choice") || strcasestr(msg, "'n'") || strcasestr(msg, "\"n\"") ||
		    strcasestr(msg, " n "))
			e->n_support = N_IGNORED;
		requeue_rest(e, j, 0, 1);
		job_put(e, j);
		return;
	}
	if (status == 400 && !e->body.max_completion_tokens && strcasestr(msg, "max_completion_tokens")) {
		e->body.max_completion_tokens = 1;
		requeue_rest(e, j, 0, 0);
		job_put(e, j);
		return;
	}
	char kind[32];
	if (retry_is_context_length(msg))
		snprintf(kind, sizeof(kind), "context_length");
	else
		snprintf(kind, sizeof(kind), "http_%ld", status);
	fail_job(e, j, kind, msg);
}

static void on_http_error(struct openai *e, struct job *j)
{
	struct http_xfer *x = &j->x;
	char *msg = oa_error_text(x->resp.buf, x->resp.len);
	char kind[32];
	snprintf(kind, sizeof(kind), "http_%ld", x->status);
	enum retry_class cls = retry_classify_status(x->status);
	if (cls == RETRY_AGAIN) {
		if (x->status == 429) {
			throttle_job(e, j, msg, hint_ms(x));
			free(msg);
			return;
		}
		if (x->status >= 500)
			ep_failed(e, j, 0, kind, msg);
		retry_job(e, j, kind, msg, hint_ms(x));
	} else if (cls == RETRY_FATAL && !e->ok_total) {
		/* Before anything worked: wrong key, URL or model; stop before burning the dataset. */
		stop_run(e, "'%s' answered HTTP %ld for model '%s': %s", e->pool.ep[j->ep].label,
			 x->status, msg);
		job_put(e, j);
	} else {
		on_rejected(e, j, x->status, msg);
	}
	free(msg);
}

/* Each sample of a successful request is one observation for the limiter. */
static void limiter_note_success(struct openai *e, const struct job *j)
{
	const struct oa_result *r = &j->res;
	long m = 0;
	for (size_t i = 0; i < r->nchoices; i++)
		m += r->choices[i].seen;
	long tokens = r->completion_tokens >= 0 && m ? r->completion_tokens / m : -1;
	double now = now_ms();
	for (long k = 0; k < m; k++)
		limiter_done(&e->lim[j->ep], now, j->x.t_end - j->x.t_start, tokens,
			     e->ep_inflight[j->ep]);
}

static void on_success(struct openai *e, struct job *j)
{
	struct http_xfer *x = &j->x;
	int completions = !strcmp(e->reqs[j->first].api, "completions");
	int bad;
	if (e->body.stream)
		bad = j->stream_bad || j->res.server_error || !oa_stream_complete(&j->res);
	else
		bad = oa_parse_body(&j->res, x->resp.buf, x->resp.len, completions) != 0;
	if (bad) {
		const char *kind = j->res.server_error ? "server_error"
				   : e->body.stream && !j->stream_bad ? "stream_truncated"
								       : "malformed";
		const char *why = j->res.error ? j->res.error : "the stream ended before the answer did";
		char *msg = xstrdup(why);
		ep_failed(e, j, 0, kind, msg);
		retry_job(e, j, kind, msg, -1);
		free(msg);
		return;
	}
	e->ok_total++;
	endpoint_ok(&e->pool, j->ep);
	limiter_note_success(e, j);
	deliver_choices(e, j);
}

static void job_done(void *ud, struct http_xfer *x)
{
	struct job *j = ud;
	struct openai *e = j->e;
	live_remove(e, j);
	e->inflight -= j->count;
	e->ep_inflight[j->ep] -= j->count;
	e->pool.ep[j->ep].outstanding--;
	if (x->result == HTTP_OK && x->status >= 200 && x->status < 300) {
		on_success(e, j);
	} else if (x->result == HTTP_OK) {
		on_http_error(e, j);
	} else if (x->result == HTTP_ETOOBIG) {
		fail_job(e, j, "too_big", x->error);
	} else if (x->result == HTTP_EABORTED && j->res.text_bytes > OA_MAX_TEXT) {
		fail_job(e, j, "too_big", j->res.error); /* a stream's answer over its cap */
	} else {
		const char *kind = x->result == HTTP_EABORTED ? "malformed" : http_result_name(x->result);
		/* A streamed request that never began was waiting in the server's queue. */
		if (x->result == HTTP_ETIMEOUT && e->body.stream && x->t_last_byte < 0)
			kind = "queue_timeout";
		char *msg = xstrdup(x->result == HTTP_EABORTED && j->res.error ? j->res.error : x->error);
		ep_failed(e, j, x->result == HTTP_ECONNECT, kind, msg);
		if (!salvage(e, j, kind, msg))
			retry_job(e, j, kind, msg, -1);
		free(msg);
	}
}

/* ---- Sending ---- */

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
	struct job *j = ud;
	(void)event;
	long before = j->res.tokens;
	int completions = !strcmp(j->e->reqs[j->first].api, "completions");
	if (oa_parse_chunk(&j->res, data, len, completions)) {
		j->stream_bad = 1;
		return 1;
	}
	if (!before && j->res.tokens && j->t_token < 0)
		j->t_token = now_ms();
	return 0;
}

static int on_data(void *ud, const char *p, size_t n)
{
	struct job *j = ud;
	int rc = sse_feed(&j->sse, p, n);
	if (rc == -1 && !j->res.error)
		j->res.error = xasprintf("a stream event is over %u bytes", SSE_MAX_EVENT);
	return rc != 0;
}

static int same_problem(const struct engine_request *a, const struct engine_request *b)
{
	return a->sampling == b->sampling && !strcmp(a->task_id, b->task_id) &&
	       !strcmp(a->problem_id, b->problem_id) && !strcmp(a->api, b->api) &&
	       (a->prompt == b->prompt || !strcmp(a->prompt, b->prompt)) &&
	       (a->system == b->system || (a->system && b->system && !strcmp(a->system, b->system)));
}

/*
 * The next request from the plan: adjacent samples of one problem whose
 * seeds follow one another, together, sent with the first one's seed.  A
 * server that gives choice i the seed + i (vLLM) then answers each sample
 * as it would have alone, so grouping never changes what a sample is: not
 * when n is split, capped or salvaged, nor when a resumed problem asks only
 * for the samples it lacks.
 */
static struct job *next_job(struct openai *e)
{
	if (e->plan) {
		size_t i = tailplan_next(e->plan);
		return i == TAILPLAN_NONE ? NULL : job_get(e, i, 1);
	}
	if (e->cursor >= e->nreqs)
		return NULL;
	size_t i = e->cursor;
	const struct engine_request *r = &e->reqs[i];
	int k = 1;
	if (r->sampling->n > 1 && e->n_support != N_IGNORED && !e->opt->split_n) {
		int cap = e->n_cap > 1 ? e->n_cap : OA_MAX_N;
		while (i + (size_t)k < e->nreqs && k < cap &&
		       same_problem(r, &e->reqs[i + (size_t)k]) &&
		       oa_wire_seed(e->reqs[i + (size_t)k].seed) == oa_wire_seed(r->seed) + (uint64_t)k)
			k++;
	}
	e->cursor += (size_t)k;
	return job_get(e, i, k);
}

static void send_job(struct openai *e, struct job *j, int ep)
{
	const struct engine_request *r = &e->reqs[j->first];
	double now = now_ms();
	j->ep = ep;
	j->sent_ms = now;
	e->pool.ep[ep].outstanding++;
	e->inflight += j->count;
	e->ep_inflight[ep] += j->count;
	for (int k = 0; k < j->count; k++) {
		struct sample_state *s = &e->st[j->first + (size_t)k];
		s->attempts++;
		if (s->t_first < 0)
			s->t_first = now;
	}
	int completions = !strcmp(r->api, "completions");
	struct oa_body_opts o = e->body;
	o.completions = completions;
	oa_body_build(&j->body, &o, r, j->count);
	oa_result_release(&j->res);
	j->t_token = -1;
	j->stream_bad = 0;
	sse_release(&j->sse);
	sse_init(&j->sse, on_event, j);
	struct http_xfer *x = &j->x;
	x->url = completions ? e->compl_url[ep] : e->chat_url[ep];
	x->body = j->body.buf;
	x->body_len = j->body.len;
	x->timeout_ms = e->opt->timeout_s * 1000;
	x->connect_ms = e->opt->connect_timeout_s * 1000;
	x->first_byte_ms = e->opt->first_byte_timeout_s * 1000;
	x->idle_ms = e->opt->idle_timeout_s * 1000;
	x->max_body = OA_MAX_BODY;
	x->on_data = e->body.stream ? on_data : NULL;
	x->on_done = job_done;
	x->ud = j;
	live_add(e, j);
	http_submit(e->http, x);
}

static long total_limit(const struct openai *e)
{
	long t = 0;
	for (size_t i = 0; i < e->pool.n; i++)
		t += limiter_limit(&e->lim[i]);
	return t;
}

/*
 * The endpoint with the fewest requests outstanding, or when that one is
 * at its own limit another in service with room; -2 when all are full.
 */
static int pick_endpoint(struct openai *e, double now, int avoid, double *wait)
{
	int ep = endpoint_pick(&e->pool, now, avoid, wait);
	if (ep < 0 || e->ep_inflight[ep] < limiter_limit(&e->lim[ep]))
		return ep;
	for (size_t i = 0; i < e->pool.n; i++)
		if (e->pool.ep[i].out_until <= now && e->ep_inflight[i] < limiter_limit(&e->lim[i]))
			return (int)i;
	return -2;
}

static void dispatch(struct openai *e)
{
	double now = now_ms();
	while (!e->fatal && e->inflight < total_limit(e)) {
		struct job *j;
		if (waiting_top(e) && waiting_top(e)->ready_at <= now)
			j = waiting_pop(e);
		else if (!(j = next_job(e)))
			break;
		double wait = 0;
		int ep = pick_endpoint(e, now, j->last_ep, &wait);
		if (ep < 0) {
			j->ready_at = ep == -2 ? now : wait;
			waiting_push(e, j);
			break;
		}
		send_job(e, j, ep);
	}
}

static long wait_ms(struct openai *e)
{
	if (waiting_top(e) && e->inflight < total_limit(e)) {
		double d = waiting_top(e)->ready_at - now_ms();
		if (d < 1)
			return d > 0 ? 1 : 0;
		return d < 1000 ? (long)ceil(d) : 1000;
	}
	return 1000;
}

/* ---- The servers' own account of their load ---- */

static void probe_done(void *ud, struct http_xfer *x)
{
	struct load_probe *p = ud;
	struct openai *e = p->e;
	double now = now_ms();
	struct server_load l;
	p->busy = 0;
	if (x->result == HTTP_OK && x->status == 200 &&
	    !serverload_parse(p->page, x->resp.buf, x->resp.len, &l)) {
		p->found = 1;
		p->load = l;
		limiter_server_load(&e->lim[p->ep], now, l.running, l.waiting, l.slots);
		/* Read often while the limit is still growing: each reading may double it. */
		double every = e->lim[p->ep].phase == LIMITER_GROW ? OA_LOAD_POLL_GROW_MS : OA_LOAD_POLL_MS;
		p->next_ms = now + (p->page == SL_METRICS || p->page == SL_SLOTS ? every : 1e18);
		return;
	}
	if (p->found) {
		p->next_ms = now + 4 * OA_LOAD_POLL_MS; /* it answered before: try again later */
		return;
	}
	if (++p->page >= SL_NPAGES) {
		p->dead = 1;
		return;
	}
	p->next_ms = now;
}

static void poll_load(struct openai *e)
{
	double now = now_ms();
	for (size_t i = 0; i < e->pool.n; i++) {
		struct load_probe *p = &e->probe[i];
		if (p->dead || p->busy || now < p->next_ms)
			continue;
		free(p->url);
		p->url = xasprintf("%s%s", p->root, serverload_path(p->page));
		strbuf_reset(&p->x.resp);
		p->x.url = p->url;
		p->x.body = NULL;
		p->x.timeout_ms = OA_LOAD_TIMEOUT_MS;
		p->x.max_body = OA_LOAD_MAX_BODY;
		p->x.on_data = NULL;
		p->x.on_done = probe_done;
		p->x.ud = p;
		p->busy = 1;
		http_submit(e->http, &p->x);
	}
}

static void report_load(struct openai *e)
{
	struct engine_load *l = e->opt->load;
	if (!l)
		return;
	l->inflight = e->inflight;
	l->limit = total_limit(e);
	l->server_running = l->server_waiting = -1;
	for (size_t i = 0; i < e->pool.n; i++) {
		const struct load_probe *p = &e->probe[i];
		if (!p->found)
			continue;
		if (p->load.running >= 0)
			l->server_running = (l->server_running > 0 ? l->server_running : 0) + p->load.running;
		if (p->load.waiting >= 0)
			l->server_waiting = (l->server_waiting > 0 ? l->server_waiting : 0) + p->load.waiting;
	}
	l->phase = limiter_phase_name(e->lim[0].phase);
}

enum reval_err openai_run(struct openai *e, const struct engine_request *reqs, size_t n,
			  engine_done_fn done, void *ud)
{
	e->reqs = reqs;
	e->nreqs = n;
	e->done = done;
	e->ud = ud;
	e->st = xcalloc(n ? n : 1, sizeof(*e->st));
	for (size_t i = 0; i < n; i++)
		e->st[i].t_first = -1;
	e->cursor = e->finished = 0;
	/* One request per sample: the order learns the problems' lengths as it goes. */
	e->plan = e->opt->split_n ? tailplan_new(reqs, n) : NULL;
	e->fatal = RV_OK;
	double stop_at = -1;
	while (e->finished < n && !e->fatal) {
		if (e->watch && e->watch(e->watch_ud)) {
			e->fatal = RV_EINFRA;
			break;
		}
		if (e->opt->stop && *e->opt->stop && stop_at < 0)
			stop_at = now_ms();
		if (stop_at >= 0) {
			/* Stopping: nothing new goes out; what is in flight may still finish. */
			if (!e->live || now_ms() - stop_at > (double)e->opt->stop_grace_s * 1000) {
				e->fatal = RV_EINTERRUPTED;
				break;
			}
			http_client_run(e->http, 200);
			continue;
		}
		poll_load(e);
		dispatch(e);
		report_load(e);
		if (e->fatal)
			break;
		long w = wait_ms(e);
		http_client_run(e->http, w < OA_LOAD_POLL_GROW_MS ? w : (long)OA_LOAD_POLL_GROW_MS);
	}
	while (e->live) {
		struct job *j = e->live;
		live_remove(e, j);
		http_cancel(&j->x);
		e->pool.ep[j->ep].outstanding--;
		e->inflight -= j->count;
		e->ep_inflight[j->ep] -= j->count;
		job_put(e, j);
	}
	while (waiting_top(e))
		job_put(e, waiting_pop(e));
	for (size_t i = 0; i < e->pool.n; i++)
		if (e->probe[i].busy) {
			http_cancel(&e->probe[i].x);
			e->probe[i].busy = 0;
		}
	free(e->st);
	e->st = NULL;
	tailplan_free(e->plan);
	e->plan = NULL;
	return e->fatal;
}

/* ---- Setup ---- */

static char *first_model(const char *base, const char *const *headers)
{
	char *url = xasprintf("%s/models", base);
	struct strbuf body = STRBUF_INIT;
	long status = http_get(url, headers, 30000, &body);
	char *model = NULL;
	cJSON *doc = status == 200 ? cJSON_ParseWithLength(body.buf, body.len) : NULL;
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
	const char *id = json_str(cJSON_GetArrayItem(data, 0), "id");
	if (id)
		model = xstrdup(id);
	cJSON_Delete(doc);
	strbuf_release(&body);
	free(url);
	return model;
}

/* One socket per request in flight: make sure the descriptor limit allows it. */
static void raise_fd_limit(long concurrency)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)concurrency + 256;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

enum reval_err openai_new(const struct engine_options *opt, char *const *urls, size_t nurls,
			  struct openai **out)
{
	if (!nurls) {
		diag("the openai engine needs --base-url URL (or OPENAI_BASE_URL)");
		return RV_EUSAGE;
	}
	raise_fd_limit(opt->concurrency > 0 ? opt->concurrency
			   : opt->max_concurrency > 0 ? opt->max_concurrency : LIMITER_CEILING);
	struct openai *e = xcalloc(1, sizeof(*e));
	heap_init(&e->waiting, sizeof(struct job *), job_first);
	e->opt = opt;
	endpoint_pool_init(&e->pool, urls, nurls);
	e->pool.trip_after = (int)opt->breaker_failures;
	e->pool.trip_window_ms = (double)opt->breaker_window_s * 1000;
	e->chat_url = xcalloc(nurls, sizeof(char *));
	e->compl_url = xcalloc(nurls, sizeof(char *));
	int openai_com = 0;
	for (size_t i = 0; i < nurls; i++) {
		e->chat_url[i] = xasprintf("%s/chat/completions", e->pool.ep[i].url);
		e->compl_url[i] = xasprintf("%s/completions", e->pool.ep[i].url);
		openai_com |= strstr(e->pool.ep[i].url, "://api.openai.com") != NULL;
	}
	char *auth = opt->api_key ? xasprintf("Authorization: Bearer %s", opt->api_key) : NULL;
	const char *headers[] = {"Content-Type: application/json", auth, NULL};
	e->http = http_client_new(headers, 0);
	if (opt->model)
		e->model = xstrdup(opt->model);
	else if (!(e->model = first_model(e->pool.ep[0].url, headers))) {
		diag("no --model given and '%s/models' lists none", e->pool.ep[0].label);
		if (auth)
			memset(auth, 0, strlen(auth));
		free(auth);
		openai_free(e);
		return RV_EUSAGE;
	}
	if (auth)
		memset(auth, 0, strlen(auth));
	free(auth);
	e->extra = opt->extra_body ? cJSON_Parse(opt->extra_body) : NULL;
	e->body.model = e->model;
	e->body.stream = opt->stream == 1;
	e->body.max_completion_tokens = openai_com;
	e->body.fold_system = opt->fold_system;
	e->body.extra = e->extra;
	e->lim = xcalloc(nurls, sizeof(*e->lim));
	e->ep_inflight = xcalloc(nurls, sizeof(*e->ep_inflight));
	e->probe = xcalloc(nurls, sizeof(*e->probe));
	for (size_t i = 0; i < nurls; i++) {
		limiter_init(&e->lim[i], opt->concurrency, opt->max_concurrency, now_ms());
		struct load_probe *p = &e->probe[i];
		const char *u = e->pool.ep[i].url;
		size_t len = strlen(u);
		p->root = len >= 3 && !strcmp(u + len - 3, "/v1") ? xstrndup(u, len - 3) : xstrdup(u);
		http_xfer_init(&p->x);
		p->e = e;
		p->ep = (int)i;
	}
	e->rng = (uint64_t)opt->seed ^ 0x5eedu;
	*out = e;
	return RV_OK;
}

void openai_set_watch(struct openai *e, int (*watch)(void *ud), void *ud)
{
	e->watch = watch;
	e->watch_ud = ud;
}

void openai_free(struct openai *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->pool.n; i++) {
		free(e->chat_url[i]);
		free(e->compl_url[i]);
		if (e->probe) {
			http_xfer_release(&e->probe[i].x);
			free(e->probe[i].root);
			free(e->probe[i].url);
		}
	}
	free(e->probe);
	free(e->lim);
	free(e->ep_inflight);
	free(e->chat_url);
	free(e->compl_url);
	for (size_t i = 0; i < e->nspare; i++)
		job_free(e->spare[i]);
	free(e->spare);
	heap_release(&e->waiting);
	http_client_free(e->http);
	endpoint_pool_release(&e->pool);
	cJSON_Delete(e->extra);
	free(e->model);
	free(e);
}

/* ---- The engine descriptor ---- */

static enum reval_err eng_open(void **state, const char *arg, const struct engine_options *opt)
{
	if (arg && *arg) {
		diag("--engine openai takes no argument; give the server with --base-url");
		return RV_EUSAGE;
	}
	struct openai *e;
	enum reval_err err = openai_new(opt, opt->base_urls, opt->nbase_urls, &e);
	if (!err)
		*state = e;
	return err;
}

static enum reval_err eng_run(void *state, const struct engine_request *reqs, size_t n,
			      engine_done_fn done, void *ud)
{
	return openai_run(state, reqs, n, done, ud);
}

static void eng_close(void *state)
{
	openai_free(state);
}

const struct engine_ops engine_openai = {
	.name = "openai",
	.help = "openai  any OpenAI-compatible server at --base-url (repeat to spread load)",
	.open = eng_open,
	.run = eng_run,
	.close = eng_close,
};
