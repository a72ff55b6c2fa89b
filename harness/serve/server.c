#include "harness/serve/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graders/code/sandbox/pool.h"
#include "harness/base/json.h"
#include "harness/serve/metrics.h"

enum route { R_GET_REWARD, R_REWARDS, R_RUN_CODE, R_HEALTH, R_METRICS, R_OTHER };
static const char *const route_names[] = {"/get_reward", "/v1/rewards", "/run_code", "/health",
					  "/metrics",    "other",       NULL};

enum phase { PH_READ, PH_WAIT, PH_READY };

struct batch;

struct item {
	struct batch *b;
	struct reward_item in;
	struct reward_out out;
	const cJSON *id;  /* echoed back (/v1/rewards), or NULL */
	cJSON *owned;     /* a record parsed from a label, or NULL */
	char *gold_owned; /* a numeric gold as text, or NULL */
	char *error;      /* the item could not be read: it is answered without scoring */
	int code;         /* scored by the code pool */
	int done;
};

/* One request being answered, shared by its connection and its queued items. */
struct batch {
	struct serve *srv;
	struct conn *conn;
	enum route route;
	cJSON *body;
	struct item *items;
	size_t n;
	struct runcode_req rc;   /* R_RUN_CODE */
	struct strbuf rc_out;    /* its answer */
	size_t left;             /* queued items not done */
	int finished;            /* answered (all done, or the deadline passed) */
	double t0, deadline;     /* now_ms() */
	int refs;                /* the connection, and each queued or running item */
	struct batch *next, *prev; /* the in-flight list, in deadline order */
};

/* One HTTP request (libmicrohttpd's per-request pointer). */
struct conn {
	struct serve *srv;
	struct MHD_Connection *mc;
	enum route route;
	struct strbuf body;
	int too_big;
	int busy;                /* the server holds too many bodies: answered with 429 */
	size_t counted;          /* bytes of body counted in the server's buffered total */
	double t_first;
	enum phase phase;
	struct batch *batch;
	double t_read;           /* when the body was complete */
	int status;
	char *resp;              /* owned until handed to libmicrohttpd */
	size_t resp_len;
	const char *ctype;
};

struct queue {
	struct item **ring;
	size_t cap, head, len;
};

struct serve {
	struct serve_opts o;
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t lock;
	pthread_cond_t work, code_work, timer_cond, idle;
	struct queue q, cq;        /* grading and code queues */
	long running;
	long live_batches;         /* batches not yet freed */
	struct batch *inflight, *inflight_tail;
	int stopping, draining;
	pthread_t *threads;
	size_t nthreads;
	pthread_t timer;
	int timer_started;
	struct metrics m;
	atomic_long buffered;      /* bytes of request bodies held, all connections */
	void *code_state;          /* the code grader's, shared */
	cJSON *code_opts;
	pthread_mutex_t pool_lock;
	struct sandbox_pool *pool; /* /run_code's, made at the first request */
	char *pool_error;
};

void serve_opts_default(struct serve_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->queue_items = 100000;
	o->max_items = 65536;
	o->max_body = 64L << 20;
	o->max_buffered = 1024L << 20;
	o->max_connections = 16384;
	o->deadline_s = 60;
	o->idle_timeout_s = 60;
	o->body_timeout_s = 120;
	o->retry_after_s = 1;
	reward_rule_default(&o->rule);
	o->caps.max_timeout_s = 60;
	o->caps.max_memory_mb = 1024;
	o->caps.max_output_mb = 8;
}

/* ---- Queues ---- */

static int queue_fits(const struct queue *q, size_t n)
{
	return q->len + n <= q->cap;
}

static void queue_push(struct queue *q, struct item *it)
{
	q->ring[(q->head + q->len++) % q->cap] = it;
}

static struct item *queue_pop(struct queue *q)
{
	struct item *it = q->ring[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	return it;
}

/* ---- Batches ---- */

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		reward_out_release(&b->items[i].out);
		cJSON_Delete(b->items[i].owned);
		free(b->items[i].gold_owned);
		free(b->items[i].error);
	}
	free(b->items);
	cJSON_Delete(b->body);
	runcode_req_release(&b->rc);
	strbuf_release(&b->rc_out);
	free(b);
}

/* Drop one reference; the lock is held.  Returns the batch to free outside it, or NULL. */
static struct batch *batch_unref(struct batch *b)
{
	if (--b->refs)
		return NULL;
	b->srv->live_batches--;
	pthread_cond_broadcast(&b->srv->idle);
	return b;
}

static void unlink_inflight(struct serve *s, struct batch *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else if (s->inflight == b)
		s->inflight = b->next;
	if (b->next)
		b->next->prev = b->prev;
	else if (s->inflight_tail == b)
		s->inflight_tail = b->prev;
	b->next = b->prev = NULL;
}

static void add_num(struct strbuf *sb, double v)
{
	char t[32];
	json_number_text(v, t);
	strbuf_adds(sb, t);
}

static void answer_get_reward(const struct batch *b, struct strbuf *sb)
{
	static const char *const parts[] = {"rewards", "scores", "accuracy", "format", "timeout",
					    "error"};
	strbuf_addch(sb, '{');
	for (size_t p = 0; p < ARRAY_SIZE(parts); p++) {
		if (p == 2)
			strbuf_adds(sb, "\"extra_logs\":{");
		strbuf_addf(sb, "\"%s\":[", parts[p]);
		for (size_t i = 0; i < b->n; i++) {
			const struct reward_out *o = &b->items[i].out;
			if (i)
				strbuf_addch(sb, ',');
			double v = p < 2 ? o->reward : p == 2 ? o->accuracy : p == 3 ? o->format
				   : p == 4 ? !strcmp(o->verdict, "timeout") : o->error != NULL;
			add_num(sb, v);
		}
		strbuf_adds(sb, p + 1 < ARRAY_SIZE(parts) ? "]," : "]}");
	}
	strbuf_addch(sb, '}');
}

static void answer_rewards(const struct batch *b, struct strbuf *sb)
{
	strbuf_adds(sb, "{\"results\":[");
	for (size_t i = 0; i < b->n; i++) {
		const struct item *it = &b->items[i];
		const struct reward_out *o = &it->out;
		if (i)
			strbuf_addch(sb, ',');
		strbuf_adds(sb, "{\"id\":");
		if (it->id)
			json_append(sb, it->id);
		else
			strbuf_addf(sb, "%zu", i);
		strbuf_adds(sb, ",\"reward\":");
		add_num(sb, o->reward);
		strbuf_adds(sb, ",\"accuracy\":");
		add_num(sb, o->accuracy);
		strbuf_adds(sb, ",\"format\":");
		add_num(sb, o->format);
		strbuf_adds(sb, ",\"verdict\":");
		json_quote(sb, o->verdict);
		strbuf_adds(sb, ",\"extracted\":");
		json_quote(sb, o->extracted);
		strbuf_adds(sb, ",\"error\":");
		json_quote(sb, o->error);
		strbuf_addch(sb, '}');
	}
	strbuf_addf(sb, "],\"count\":%zu}", b->n);
}

static void timeout_item(struct item *it, double deadline_s)
{
	reward_out_release(&it->out);
	snprintf(it->out.verdict, sizeof(it->out.verdict), "timeout");
	it->out.error = xasprintf("not scored within the deadline of %g s", deadline_s);
}

/*
 * Answer a finished batch: the caller set b->finished under the lock, so no
 * worker writes into it any more.  Items not done get "timeout".
 */
static void batch_answer(struct batch *b)
{
	struct serve *s = b->srv;
	struct conn *c = b->conn;
	double secs = (b->deadline - b->t0) / 1000.0;
	struct strbuf sb = STRBUF_INIT;
	if (b->route == R_RUN_CODE) {
		if (b->items[0].done)
			strbuf_add(&sb, b->rc_out.buf, b->rc_out.len);
		else
			runcode_error("the run did not finish within the deadline", &sb);
	} else {
		const char **verdicts = xcalloc(b->n ? b->n : 1, sizeof(*verdicts));
		for (size_t i = 0; i < b->n; i++) {
			if (!b->items[i].done)
				timeout_item(&b->items[i], secs);
			verdicts[i] = b->items[i].out.verdict;
		}
		metrics_verdicts(&s->m, verdicts, b->n);
		free(verdicts);
		if (b->route == R_GET_REWARD)
			answer_get_reward(b, &sb);
		else
			answer_rewards(b, &sb);
	}
	c->status = 200;
	c->resp_len = sb.len;
	c->resp = strbuf_detach(&sb);
	c->ctype = "application/json";
	metrics_request(&s->m, (size_t)b->route, 200, (now_ms() - b->t0) / 1000.0);
	c->phase = PH_READY;
	MHD_resume_connection(c->mc);
}

/* ---- Workers ---- */

static struct sandbox_pool *runcode_pool(struct serve *s)
{
	pthread_mutex_lock(&s->pool_lock);
	if (!s->pool && !s->pool_error) {
		struct strbuf err = STRBUF_INIT;
		s->pool = sandbox_pool_new(s->o.code_workers, &err);
		if (!s->pool) {
			diag("serve: cannot start the code sandbox: %s", err.buf);
			s->pool_error = strbuf_detach(&err);
		}
		strbuf_release(&err);
	}
	pthread_mutex_unlock(&s->pool_lock);
	return s->pool;
}

struct worker {
	struct serve *s;
	int code; /* serves the code queue */
};

static void score(struct serve *s, struct reward_ctx *ctx, struct item *it, struct reward_out *out,
		  struct strbuf *rc_out)
{
	memset(out, 0, sizeof(*out));
	if (it->b->route != R_RUN_CODE) {
		reward_score(ctx, &it->in, out);
		return;
	}
	struct sandbox_pool *pool = runcode_pool(s);
	if (!pool) {
		runcode_error(s->pool_error, rc_out);
		return;
	}
	struct sandbox *sb = sandbox_pool_acquire(pool);
	runcode_exec(sb, &it->b->rc, rc_out);
	sandbox_pool_release(pool, sb);
}

#define CHUNK 16 /* items a worker takes from the queue at once */

/* Store the results of done items; the lock is held.  Batches answered
 * by this go to *answer (linked through next). */
static void store(struct serve *s, struct item *it, struct reward_out *out, struct strbuf *rc_out,
		  struct batch **answer)
{
	struct batch *b = it->b;
	if (b->finished)
		return;
	it->out = *out;
	memset(out, 0, sizeof(*out));
	if (b->route == R_RUN_CODE) {
		strbuf_release(&b->rc_out);
		b->rc_out = *rc_out;
		strbuf_init(rc_out);
	}
	it->done = 1;
	if (!--b->left) {
		b->finished = 1;
		unlink_inflight(s, b);
		b->next = *answer;
		*answer = b;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct serve *s = w->s;
	struct queue *q = w->code ? &s->cq : &s->q;
	pthread_cond_t *cond = w->code ? &s->code_work : &s->work;
	size_t nworkers = (size_t)(w->code ? s->o.code_workers : s->o.workers);
	struct strbuf why = STRBUF_INIT;
	struct reward_ctx *ctx = reward_ctx_new(&s->o.rule, &why); /* checked by serve_start */
	strbuf_release(&why);
	struct item *its[CHUNK];
	struct reward_out outs[CHUNK];
	struct strbuf rc[CHUNK];
	for (size_t i = 0; i < CHUNK; i++)
		strbuf_init(&rc[i]);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!q->len && !s->stopping)
			pthread_cond_wait(cond, &s->lock);
		if (!q->len)
			break;
		/* A share of the queue, so that the other workers get theirs; code
		 * items one at a time, as each may hold a worker for seconds. */
		size_t want = w->code ? 1 : q->len / nworkers, k = 0;
		want = want < 1 ? 1 : want > CHUNK ? CHUNK : want;
		struct batch *dead = NULL;
		while (q->len && k < want) {
			struct item *it = queue_pop(q);
			if (!it->b->finished) {
				its[k++] = it;
				continue;
			}
			struct batch *d = batch_unref(it->b);
			if (d) {
				d->next = dead;
				dead = d;
			}
		}
		s->running += (long)k;
		pthread_mutex_unlock(&s->lock);
		for (struct batch *d = dead, *next; d; d = next) {
			next = d->next;
			batch_free(d);
		}
		for (size_t i = 0; i < k; i++)
			score(s, ctx, its[i], &outs[i], &rc[i]);
		struct batch *answer = NULL;
		pthread_mutex_lock(&s->lock);
		s->running -= (long)k;
		for (size_t i = 0; i < k; i++)
			store(s, its[i], &outs[i], &rc[i], &answer);
		pthread_mutex_unlock(&s->lock);
		for (size_t i = 0; i < k; i++) {
			reward_out_release(&outs[i]);
			strbuf_reset(&rc[i]);
		}
		for (struct batch *b = answer; b; b = b->next)
			batch_answer(b);
		dead = NULL;
		pthread_mutex_lock(&s->lock);
		for (size_t i = 0; i < k; i++) {
			struct batch *d = batch_unref(its[i]->b);
			if (d) {
				d->next = dead;
				dead = d;
			}
		}
		if (dead) {
			pthread_mutex_unlock(&s->lock);
			for (struct batch *d = dead, *next; d; d = next) {
				next = d->next;
				batch_free(d);
			}
			pthread_mutex_lock(&s->lock);
		}
	}
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < CHUNK; i++)
		strbuf_release(&rc[i]);
	reward_ctx_free(ctx);
	free(w);
	return NULL;
}

/* The deadline thread: answers batches whose deadline passed. */
static void *timer_main(void *arg)
{
	struct serve *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		double now = now_ms();
		struct batch *b = NULL;
		for (struct batch *x = s->inflight; x; x = x->next)
			if (x->deadline <= now) {
				b = x;
				break;
			}
		if (b) {
			b->finished = 1;
			unlink_inflight(s, b);
			b->refs++; /* held while answering */
			pthread_mutex_unlock(&s->lock);
			batch_answer(b);
			pthread_mutex_lock(&s->lock);
			struct batch *dead = batch_unref(b);
			if (dead) {
				pthread_mutex_unlock(&s->lock);
				batch_free(dead);
				pthread_mutex_lock(&s->lock);
			}
			continue;
		}
		double next = now + 1000;
		for (struct batch *x = s->inflight; x; x = x->next)
			if (x->deadline < next)
				next = x->deadline;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		double wait_ms = next - now + 1;
		ts.tv_sec += (time_t)(wait_ms / 1000);
		ts.tv_nsec += (long)(fmod(wait_ms, 1000) * 1e6);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->timer_cond, &s->lock, &ts);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- Reading requests into items ---- */

static void item_error(struct item *it, const char *fmt, const char *arg)
{
	it->error = xasprintf(fmt, arg);
}

/* A label or record given as JSON text or as an object; NULL when neither. */
static const cJSON *record_of(struct item *it, const cJSON *v)
{
	if (cJSON_IsObject(v))
		return v;
	if (cJSON_IsString(v)) {
		it->owned = json_parse_len(v->valuestring, strlen(v->valuestring));
		if (cJSON_IsObject(it->owned))
			return it->owned;
	}
	return NULL;
}

static int item_is_code(const struct serve *s, const char *grader)
{
	return !strcmp(grader ? grader : s->o.rule.grader, "code");
}

/* A gold answer: a string as it is, a number as a person writes it. */
static const char *gold_of(struct item *it, const cJSON *v)
{
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v))
		return it->gold_owned = json_scalar_text(v);
	return NULL;
}

static void item_from_object(struct serve *s, struct item *it, const cJSON *o)
{
	it->in.partial = -1;
	if (!cJSON_IsObject(o)) {
		item_error(it, "%s", "an item must be a JSON object");
		return;
	}
	it->id = cJSON_GetObjectItemCaseSensitive(o, "id");
	it->in.response = json_str(o, "response");
	it->in.prompt = json_str(o, "prompt");
	it->in.finish_reason = json_str(o, "finish_reason");
	it->in.grader = json_str(o, "grader");
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(o, "options");
	const cJSON *partial = cJSON_GetObjectItemCaseSensitive(o, "partial");
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(o, "record");
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(o, "tests");
	if (!it->in.response) {
		item_error(it, "%s", "missing string field \"response\"");
		return;
	}
	if (it->in.grader && !grader_find(it->in.grader)) {
		item_error(it, "unknown grader '%s'", it->in.grader);
		return;
	}
	if (opts && !cJSON_IsObject(opts)) {
		item_error(it, "%s", "\"options\" must be an object");
		return;
	}
	it->in.options = opts;
	if (partial && !cJSON_IsBool(partial)) {
		item_error(it, "%s", "\"partial\" must be true or false");
		return;
	}
	if (partial)
		it->in.partial = cJSON_IsTrue(partial);
	if (tests) {
		it->owned = cJSON_CreateObject();
		cJSON_AddItemToObject(it->owned, "tests", cJSON_Duplicate(tests, 1));
		it->in.record = it->owned;
	} else if (rec && !(it->in.record = record_of(it, rec))) {
		item_error(it, "%s", "\"record\" must be a JSON object or its text");
		return;
	}
	it->in.gold = gold_of(it, cJSON_GetObjectItemCaseSensitive(o, "gold"));
	it->code = item_is_code(s, it->in.grader);
	if (it->code && !it->in.record)
		item_error(it, "%s", "code items need \"tests\" or \"record\"");
	else if (!it->code && !it->in.gold)
		item_error(it, "%s", "missing field \"gold\" (a string or a number)");
}

/* OpenRLHF: the label is the gold answer, or for code the record's JSON. */
static void item_from_label(struct serve *s, struct item *it, const char *query, const char *prompt,
			    const cJSON *label)
{
	it->in.partial = -1;
	it->in.prompt = prompt;
	it->in.response = reward_response_of_query(query, prompt);
	it->code = item_is_code(s, NULL);
	if (it->code) {
		if (!(it->in.record = record_of(it, label)))
			item_error(it, "%s", "the label must be the code tests' record as JSON");
	} else if (!(it->in.gold = gold_of(it, label))) {
		item_error(it, "%s", "the label must be the gold answer (a string or a number)");
	}
}

/* 0, or an HTTP status with the message in err. */
static int read_get_reward(struct serve *s, struct batch *b, struct strbuf *err)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(b->body, "query");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(b->body, "prompts");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(b->body, "labels");
	if (!cJSON_IsArray(q)) {
		strbuf_adds(err, "\"query\" must be a list of strings");
		return 400;
	}
	size_t n = (size_t)cJSON_GetArraySize(q);
	if ((p && !cJSON_IsNull(p) && (!cJSON_IsArray(p) || (size_t)cJSON_GetArraySize(p) != n)) ||
	    (l && !cJSON_IsNull(l) && (!cJSON_IsArray(l) || (size_t)cJSON_GetArraySize(l) != n))) {
		strbuf_addf(err, "\"prompts\" and \"labels\" must be lists as long as \"query\" (%zu)", n);
		return 400;
	}
	if ((long)n > s->o.max_items) {
		strbuf_addf(err, "%zu items; this server takes at most %ld per request", n, s->o.max_items);
		return 413;
	}
	b->n = n;
	b->items = xcalloc(n ? n : 1, sizeof(*b->items));
	const cJSON *qi = q->child, *pi = cJSON_IsArray(p) ? p->child : NULL;
	const cJSON *li = cJSON_IsArray(l) ? l->child : NULL;
	for (size_t i = 0; i < n; i++) {
		struct item *it = &b->items[i];
		it->b = b;
		if (!cJSON_IsString(qi))
			item_error(it, "%s", "the query must be a string");
		else if (pi && !cJSON_IsString(pi))
			item_error(it, "%s", "the prompt must be a string");
		else if (!li || cJSON_IsNull(li))
			item_error(it, "%s", "no label");
		else
			item_from_label(s, it, qi->valuestring, pi ? pi->valuestring : NULL, li);
		qi = qi->next;
		pi = pi ? pi->next : NULL;
		li = li ? li->next : NULL;
	}
	return 0;
}

static int read_rewards(struct serve *s, struct batch *b, struct strbuf *err)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(b->body, "items");
	if (!cJSON_IsArray(items)) {
		strbuf_adds(err, "\"items\" must be a list of objects");
		return 400;
	}
	size_t n = (size_t)cJSON_GetArraySize(items);
	if ((long)n > s->o.max_items) {
		strbuf_addf(err, "%zu items; this server takes at most %ld per request", n, s->o.max_items);
		return 413;
	}
	b->n = n;
	b->items = xcalloc(n ? n : 1, sizeof(*b->items));
	size_t i = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, items)
	{
		b->items[i].b = b;
		item_from_object(s, &b->items[i++], o);
	}
	return 0;
}

static int read_run_code(struct serve *s, struct batch *b, struct strbuf *err)
{
	if (runcode_parse(b->body, &s->o.caps, &b->rc, err))
		return 400;
	b->n = 1;
	b->items = xcalloc(1, sizeof(*b->items));
	b->items[0].b = b;
	b->items[0].code = 1;
	return 0;
}

/* ---- HTTP ---- */

/* Give the body's bytes back to the server's total. */
static void release_body(struct serve *s, struct conn *c)
{
	atomic_fetch_sub(&s->buffered, (long)c->counted);
	c->counted = 0;
	strbuf_release(&c->body);
}

/* Keep n more bytes of body, within the request's cap and the server's. */
static void take_body(struct serve *s, struct conn *c, const char *data, size_t n)
{
	if (c->too_big || c->busy)
		return;
	if (c->body.len + n > (size_t)s->o.max_body) {
		c->too_big = 1;
		release_body(s, c);
		return;
	}
	if (atomic_fetch_add(&s->buffered, (long)n) + (long)n > s->o.max_buffered) {
		atomic_fetch_sub(&s->buffered, (long)n);
		c->busy = 1;
		release_body(s, c);
		return;
	}
	c->counted += n;
	strbuf_add(&c->body, data, n);
}

static void set_answer(struct conn *c, int status, const char *ctype, char *text)
{
	c->status = status;
	c->ctype = ctype;
	free(c->resp);
	c->resp = text;
	c->resp_len = strlen(text);
	c->phase = PH_READY;
}

static void set_error(struct conn *c, int status, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "{\"error\":");
	json_quote(&sb, msg);
	strbuf_adds(&sb, "}");
	set_answer(c, status, "application/json", strbuf_detach(&sb));
	metrics_request(&c->srv->m, (size_t)c->route, status, (now_ms() - c->t_first) / 1000.0);
}

static enum MHD_Result send_answer(struct conn *c)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(c->resp_len, c->resp, MHD_RESPMEM_MUST_FREE);
	c->resp = NULL;
	MHD_add_response_header(r, "Content-Type", c->ctype);
	if (c->status == 429) {
		char v[32];
		snprintf(v, sizeof(v), "%.0f", ceil(c->srv->o.retry_after_s));
		MHD_add_response_header(r, "Retry-After", v);
	}
	enum MHD_Result ok = MHD_queue_response(c->mc, (unsigned)c->status, r);
	MHD_destroy_response(r);
	return ok;
}

/* Queue the batch's items, or refuse it (429, 503); the lock is not held. */
static void enqueue(struct serve *s, struct conn *c, struct batch *b)
{
	size_t ngrade = 0, ncode = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];
		if (it->error) {
			snprintf(it->out.verdict, sizeof(it->out.verdict), "error");
			it->out.error = it->error;
			it->error = NULL;
			it->done = 1;
		} else if (it->code) {
			ncode++;
		} else {
			ngrade++;
		}
	}
	b->t0 = c->t_read;
	double dl = s->o.deadline_s;
	if (b->route == R_RUN_CODE && b->rc.compile_s + b->rc.run_s + 2 > dl)
		dl = b->rc.compile_s + b->rc.run_s + 2;
	b->deadline = b->t0 + dl * 1000;
	if (ngrade > s->q.cap || ncode > s->cq.cap) {
		char *m = xasprintf("%zu items to score; the queue holds %zu (--queue)",
				    ngrade > ncode ? ngrade : ncode, s->q.cap);
		set_error(c, 413, m);
		free(m);
		batch_free(b);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (s->draining || !queue_fits(&s->q, ngrade) || !queue_fits(&s->cq, ncode)) {
		int draining = s->draining;
		pthread_mutex_unlock(&s->lock);
		set_error(c, draining ? 503 : 429,
			  draining ? "the server is shutting down" : "the queue is full; retry later");
		batch_free(b);
		return;
	}
	s->live_batches++;
	b->refs = 1;
	c->batch = b;
	if (!ngrade && !ncode) {
		b->finished = 1;
		pthread_mutex_unlock(&s->lock);
		c->phase = PH_WAIT;
		MHD_suspend_connection(c->mc);
		batch_answer(b);
		return;
	}
	c->phase = PH_WAIT;
	MHD_suspend_connection(c->mc);
	b->left = ngrade + ncode;
	b->refs += (int)b->left;
	for (size_t i = 0; i < b->n; i++)
		if (!b->items[i].done)
			queue_push(b->items[i].code ? &s->cq : &s->q, &b->items[i]);
	b->prev = s->inflight_tail;
	if (s->inflight_tail)
		s->inflight_tail->next = b;
	else
		s->inflight = b;
	s->inflight_tail = b;
	if (ngrade)
		pthread_cond_broadcast(&s->work);
	if (ncode)
		pthread_cond_broadcast(&s->code_work);
	pthread_cond_signal(&s->timer_cond);
	pthread_mutex_unlock(&s->lock);
}

static void dispatch(struct serve *s, struct conn *c)
{
	c->t_read = now_ms();
	if (c->route == R_HEALTH) {
		pthread_mutex_lock(&s->lock);
		char *t = xasprintf("{\"status\":\"%s\",\"queued\":%zu,\"running\":%ld}",
				    s->draining ? "draining" : "ok", s->q.len + s->cq.len, s->running);
		int st = s->draining ? 503 : 200;
		pthread_mutex_unlock(&s->lock);
		set_answer(c, st, "application/json", t);
		metrics_request(&s->m, R_HEALTH, st, 0);
		return;
	}
	if (c->route == R_METRICS) {
		struct metrics_gauges g = {.workers = s->o.workers, .code_workers = s->o.code_workers};
		pthread_mutex_lock(&s->lock);
		g.queued = (long)(s->q.len + s->cq.len);
		g.running = s->running;
		g.requests = s->live_batches;
		pthread_mutex_unlock(&s->lock);
		metrics_request(&s->m, R_METRICS, 200, 0);
		struct strbuf sb = STRBUF_INIT;
		metrics_render(&s->m, &g, &sb);
		set_answer(c, 200, "text/plain; version=0.0.4", strbuf_detach(&sb));
		return;
	}
	struct batch *b = xcalloc(1, sizeof(*b));
	b->srv = s;
	b->conn = c;
	b->route = c->route;
	strbuf_init(&b->rc_out);
	b->body = json_parse_len(c->body.buf, c->body.len);
	release_body(s, c);
	struct strbuf err = STRBUF_INIT;
	int status = 0;
	if (!cJSON_IsObject(b->body)) {
		strbuf_adds(&err, "the body is not a JSON object");
		status = 400;
	} else {
		status = c->route == R_GET_REWARD ? read_get_reward(s, b, &err)
			 : c->route == R_REWARDS  ? read_rewards(s, b, &err)
						  : read_run_code(s, b, &err);
	}
	if (status) {
		set_error(c, status, err.buf);
		batch_free(b);
	} else {
		enqueue(s, c, b);
	}
	strbuf_release(&err);
}

static enum route route_of(const char *url)
{
	for (int r = 0; r < R_OTHER; r++)
		if (!strcmp(url, route_names[r]))
			return (enum route)r;
	return R_OTHER;
}

/* The checks made before any of the body is read. */
static void admit(struct serve *s, struct conn *c, const char *method)
{
	int get = c->route == R_HEALTH || c->route == R_METRICS;
	if (c->route == R_OTHER) {
		set_error(c, 404, "no such route (POST /get_reward, /v1/rewards, /run_code; GET "
				  "/health, /metrics)");
		return;
	}
	if (strcmp(method, get ? "GET" : "POST")) {
		set_error(c, 405, get ? "use GET" : "use POST");
		return;
	}
	if (s->o.token && c->route != R_HEALTH) {
		const char *h = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, "Authorization");
		if (!h || strncmp(h, "Bearer ", 7) || strcmp(h + 7, s->o.token)) {
			set_error(c, 401, "a bearer token is required");
			return;
		}
	}
	const char *cl = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, "Content-Length");
	long len;
	if (cl && !parse_long(cl, &len) && len > s->o.max_body) {
		char *m = xasprintf("the body has %ld bytes; this server takes at most %ld", len,
				    s->o.max_body);
		set_error(c, 413, m);
		free(m);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct serve *s = cls;
	struct conn *c = *con_cls;
	if (!c) {
		c = xcalloc(1, sizeof(*c));
		c->srv = s;
		c->mc = mc;
		c->route = route_of(url);
		c->t_first = now_ms();
		strbuf_init(&c->body);
		*con_cls = c;
		admit(s, c, method);
		if (c->phase == PH_READY)
			return send_answer(c);
		return MHD_YES;
	}
	if (*upload_size) {
		if (now_ms() - c->t_first > s->o.body_timeout_s * 1000)
			return MHD_NO; /* a body trickling in too slowly */
		take_body(s, c, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (c->phase == PH_WAIT)
		return MHD_YES;
	if (c->phase == PH_READ) {
		if (c->too_big) {
			char *m = xasprintf("the body is over %ld bytes", s->o.max_body);
			set_error(c, 413, m);
			free(m);
		} else if (c->busy) {
			set_error(c, 429, "the server holds too many request bodies; retry later");
		} else {
			dispatch(s, c);
		}
		if (c->phase == PH_WAIT)
			return MHD_YES;
	}
	return send_answer(c);
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)mc;
	(void)toe;
	struct serve *s = cls;
	struct conn *c = *con_cls;
	if (!c)
		return;
	if (c->batch) {
		pthread_mutex_lock(&s->lock);
		struct batch *dead = batch_unref(c->batch);
		pthread_mutex_unlock(&s->lock);
		if (dead)
			batch_free(dead);
	}
	release_body(s, c);
	free(c->resp);
	free(c);
	*con_cls = NULL;
}

/* ---- Start and stop ---- */

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static int start_threads(struct serve *s)
{
	s->nthreads = (size_t)(s->o.workers + s->o.code_workers);
	s->threads = xcalloc(s->nthreads, sizeof(*s->threads));
	for (size_t i = 0; i < s->nthreads; i++) {
		struct worker *w = xcalloc(1, sizeof(*w));
		w->s = s;
		w->code = i >= (size_t)s->o.workers;
		if (pthread_create(&s->threads[i], NULL, worker_main, w)) {
			free(w);
			s->nthreads = i;
			return -1;
		}
	}
	if (pthread_create(&s->timer, NULL, timer_main, s))
		return -1;
	s->timer_started = 1;
	return 0;
}

static void end_threads(struct serve *s)
{
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	pthread_cond_broadcast(&s->work);
	pthread_cond_broadcast(&s->code_work);
	pthread_cond_broadcast(&s->timer_cond);
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	if (s->timer_started)
		pthread_join(s->timer, NULL);
	free(s->threads);
	s->threads = NULL;
	s->nthreads = 0;
}

static void serve_free(struct serve *s)
{
	if (s->d)
		MHD_stop_daemon(s->d);
	end_threads(s);
	if (s->code_state)
		grader_find("code")->free(s->code_state);
	cJSON_Delete(s->code_opts);
	sandbox_pool_free(s->pool);
	free(s->pool_error);
	free(s->q.ring);
	free(s->cq.ring);
	metrics_release(&s->m);
	pthread_mutex_destroy(&s->pool_lock);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->code_work);
	pthread_cond_destroy(&s->timer_cond);
	pthread_cond_destroy(&s->idle);
	free(s);
}

/* The code grader's state, shared by all threads, with code_workers sandboxes. */
static int make_code_state(struct serve *s, struct strbuf *err)
{
	const cJSON *ro = !strcmp(s->o.rule.grader, "code") ? s->o.rule.options : NULL;
	s->code_opts = ro ? cJSON_Duplicate(ro, 1) : cJSON_CreateObject();
	if (!cJSON_GetObjectItemCaseSensitive(s->code_opts, "workers"))
		cJSON_AddNumberToObject(s->code_opts, "workers", s->o.code_workers);
	if (grader_find("code")->init(&s->code_state, s->code_opts, err))
		return -1;
	s->o.rule.code_state = s->code_state;
	return 0;
}

struct serve *serve_start(const struct serve_opts *o, struct strbuf *err)
{
	struct serve *s = xcalloc(1, sizeof(*s));
	s->o = *o;
	if (s->o.workers <= 0)
		s->o.workers = online_cpus();
	if (s->o.code_workers <= 0)
		s->o.code_workers = online_cpus();
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->pool_lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->code_work, NULL);
	pthread_cond_init(&s->timer_cond, NULL);
	pthread_cond_init(&s->idle, NULL);
	metrics_init(&s->m, route_names);
	s->q.cap = s->cq.cap = (size_t)(o->queue_items > 0 ? o->queue_items : 1);
	s->q.ring = xcalloc(s->q.cap, sizeof(*s->q.ring));
	s->cq.ring = xcalloc(s->cq.cap, sizeof(*s->cq.ring));
	if (make_code_state(s, err))
		goto fail;
	struct reward_ctx *probe = reward_ctx_new(&s->o.rule, err);
	if (!probe)
		goto fail;
	reward_ctx_free(probe);
	if (start_threads(s)) {
		strbuf_adds(err, "cannot start the worker threads");
		goto fail;
	}
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1) {
		strbuf_addf(err, "'%s' is not an IPv4 address", o->host);
		goto fail;
	}
	unsigned pool = (unsigned)(online_cpus() < 4 ? online_cpus() : 4);
	s->d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC,
		0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_THREAD_POOL_SIZE,
		pool, MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)ceil(o->idle_timeout_s),
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(256u << 10), MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (!s->d) {
		strbuf_addf(err, "cannot listen on %s:%d: %s", o->host, o->port, strerror(errno));
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : o->port;
	return s;
fail:
	serve_free(s);
	return NULL;
}

int serve_port(const struct serve *s)
{
	return s->port;
}

void serve_stop(struct serve *s)
{
	if (!s)
		return;
	MHD_quiesce_daemon(s->d);
	pthread_mutex_lock(&s->lock);
	s->draining = 1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)s->o.deadline_s + 10;
	while (s->live_batches > 0)
		if (pthread_cond_timedwait(&s->idle, &s->lock, &ts) == ETIMEDOUT)
			break;
	/* Whatever is left (a client that does not read its answer) is answered now. */
	while (s->inflight) {
		struct batch *b = s->inflight;
		b->finished = 1;
		unlink_inflight(s, b);
		pthread_mutex_unlock(&s->lock);
		batch_answer(b);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	serve_free(s);
}
