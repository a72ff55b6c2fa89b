/*
 * fake-openai: an OpenAI-compatible server for tests, on loopback only.
 *
 * It answers /v1/chat/completions, /v1/completions, /v1/models and /health
 * with deterministic completions ("Sample s=SEED. The answer is
 * \boxed{42}.", or a recorded answer for the prompt from --answers), in
 * every reasoning style and usage variant reval must read, streamed or
 * not.  Faults are scripted by request number or by probability (drawn
 * from a hash of --seed and the request number, so a run is repeatable),
 * and every request is logged as one JSON line so tests can assert on what
 * reval actually sent.  As vLLM does, choice i of a request with seed S is
 * what a request for one with seed S + i gets ("Sample i=CHOICE." without a
 * seed).  With --port 0 it picks a free port and prints
 * "port N" on stdout.  SIGTERM or SIGINT end it at once.
 *
 *   --port N  --port-file F  --pid-file F  --log F  --model NAME
 *   --api-key KEY  --api-key-env VAR (require this Bearer key)
 *   --n honour|ignore|reject|cap:K     what to do with n > 1
 *   --reasoning none|reasoning_content|reasoning|think|close
 *   --usage none|basic|details         --delay MS (every completion)
 *   --answers F    JSONL {"prompt": ..., "content": ...}
 *   --fault N[-M]:KIND[:ARG]           for request numbers N..M (1-based)
 *   --fault-rate P:KIND[:ARG]          with probability P (cumulative over flags)
 *   --seed S       --die-after N       --ready-after MS   --never-ready   --exit-early
 *
 * With --sim SLOTS:STEP_MS it is a continuous-batching server: SLOTS
 * sequences decode at once, one token each per step of STEP_MS; a request
 * with n asks for n sequences; sequences wait in a FIFO queue for a free
 * slot; a request is answered (whole, or as one SSE stream) when its last
 * sequence finishes, with usage.completion_tokens the tokens it generated.
 * Lengths are seeded and heavy-tailed: a per-problem scale (from the
 * prompt) times a per-sample draw (from the choice's seed, as above),
 * both log-normal, capped by max_tokens:
 *   --sim-len MEDIAN:SIGMA_PROBLEM:SIGMA_SAMPLE:MAX   (default 300:0.6:0.5:4096)
 *   --queue-cap Q     429 (Retry-After --retry-after S, default 1) for a
 *                     request whose sequences would make more than Q wait
 *   --step-log F      one line per step with work, "s STEP RUNNING WAITING",
 *                     and one per finished sequence, "q TOKENS": enough to
 *                     compute the utilisation and the longest-first ideal
 * GET /metrics answers in Prometheus text as vLLM does
 * (vllm:num_requests_running, vllm:num_requests_waiting, in sequences).
 *
 * KIND: 429 (ARG Retry-After seconds), 429date, 429reset (x-ratelimit-reset-requests),
 * 500, 503, 400, 400ctx, 401, 403, 404, slow (ARG ms), hang, drop, malformed, truncate,
 * cut (stream cut mid-way), nodone (stream ends early but cleanly), empty (no choices),
 * flood (a stream of content that never ends), echokey (ARG status, default 401: an error
 * quoting the Authorization header received), numcontent ("content": 12345 in a 200),
 * and for streamed requests: gen:MS:QUEUE_MS:TOKENS (the first byte after QUEUE_MS, then
 * one word every MS, each choice padded to TOKENS words: a long generation at a fixed
 * rate) and stall:K[:CHOICE] (CHOICE, or every choice, stops after K words and the stream
 * never ends; the other choices finish).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "harness/base/util.h"

#define MAX_FAULTS 64
#define MAX_BODY (8u << 20)

enum n_mode { N_HONOUR, N_IGNORE, N_REJECT, N_CAP };
enum style { ST_NONE, ST_RC, ST_REASONING, ST_THINK, ST_CLOSE };

struct fault {
	long from, to; /* request numbers; 0 when by probability */
	double p;
	char kind[16];
	char arg[32];
};

static struct {
	int port;
	const char *port_file, *pid_file, *log_path, *model, *api_key;
	enum n_mode n_mode;
	int n_cap;
	enum style style;
	int usage; /* 0 none, 1 basic, 2 details */
	long delay_ms;
	cJSON *answers;
	struct fault faults[MAX_FAULTS];
	int nfaults;
	uint64_t seed;
	long die_after;
	double ready_at;
	int never_ready;
	FILE *log;
	long sim_slots;      /* --sim: decode slots; 0 off */
	double sim_step_ms;
	double len_median, len_sp, len_ss; /* --sim-len */
	long len_max;
	long queue_cap;      /* -1: no cap */
	long retry_after_s;
	FILE *step_log;
	long count;    /* completion requests received */
	long inflight; /* completion requests not yet answered */
	double t0;
} g;

/* ---- Timers: delayed and hung responses sit suspended until due ---- */

struct req {
	struct strbuf body;
	int phase;                 /* 0 reading, 1 waiting, 2 ready to answer */
	struct MHD_Connection *conn;
	struct MHD_Response *resp; /* prepared while waiting */
	unsigned status;
	int counted;
	double due;                /* real-time ms; <0 never (hang) */
	struct req *next;          /* in the timer list */
};

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond = PTHREAD_COND_INITIALIZER;
static struct req *timers;

static double wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *timer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&timer_lock);
	for (;;) {
		double now = wall_ms(), next = now + 1000;
		for (struct req **pp = &timers; *pp;) {
			struct req *r = *pp;
			if (r->due >= 0 && r->due <= now) {
				*pp = r->next;
				r->phase = 2;
				MHD_resume_connection(r->conn);
				continue;
			}
			if (r->due >= 0 && r->due < next)
				next = r->due;
			pp = &r->next;
		}
		struct timespec ts;
		double wake = next / 1e3;
		ts.tv_sec = (time_t)wake;
		ts.tv_nsec = (long)((wake - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&timer_cond, &timer_lock, &ts);
	}
	return NULL;
}

static void wait_then_answer(struct req *r, double ms)
{
	MHD_suspend_connection(r->conn);
	r->phase = 1;
	pthread_mutex_lock(&timer_lock);
	r->due = ms < 0 ? -1 : wall_ms() + ms;
	r->next = timers;
	timers = r;
	pthread_cond_signal(&timer_cond);
	pthread_mutex_unlock(&timer_lock);
}

/* ---- The batching simulator (--sim) ---- */

struct simreq {
	struct req *r; /* the suspended connection to resume */
	int left;      /* sequences not finished */
};

struct seq {
	struct simreq *owner;
	long len;  /* tokens to generate */
	long done; /* tokens generated */
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct seq **sim_wait; /* FIFO: [sim_whead, sim_wlen) are waiting */
static size_t sim_whead, sim_wlen, sim_wcap;
static struct seq **sim_run;  /* sim_slots entries, NULL when free */
static long sim_running;

static long sim_waiting(void)
{
	pthread_mutex_lock(&sim_lock);
	long w = (long)(sim_wlen - sim_whead);
	pthread_mutex_unlock(&sim_lock);
	return w;
}

/* A standard normal draw from a hash (Box-Muller over two 53-bit uniforms). */
static double gauss(uint64_t h)
{
	uint64_t a = mix64(h + 0x9e3779b97f4a7c15ull), b = mix64(a + 0x9e3779b97f4a7c15ull);
	double u = ((double)(a >> 11) + 0.5) / 9007199254740992.0;
	double v = (double)(b >> 11) / 9007199254740992.0;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static uint64_t text_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Choice i of a request with this seed (-1: none) is drawn as seed + i alone (vLLM's rule). */
static void choice_seed(long seed, int i, long *s, int *k)
{
	*s = seed >= 0 ? seed + i : -1;
	*k = seed >= 0 ? 0 : i;
}

/* Tokens choice i of a request generates: problem scale times sample draw, capped. */
static long sim_length(const char *prompt, long seed, int i, long max_tokens, int *capped)
{
	double zp = gauss(text_hash(prompt));
	long cs;
	int ck;
	choice_seed(seed, i, &cs, &ck);
	double zs = gauss(mix64((uint64_t)cs * 0x100000001b3ull + (uint64_t)ck));
	double len = g.len_median * exp(g.len_sp * zp + g.len_ss * zs);
	long cap = max_tokens > 0 && max_tokens < g.len_max ? max_tokens : g.len_max;
	long n = (long)ceil(len);
	*capped = n >= cap;
	return n < 1 ? 1 : n > cap ? cap : n;
}

/* Queue a request's sequences; its connection waits, prepared, until the last finishes. */
static void sim_submit(struct req *r, const long *lens, int n)
{
	struct simreq *q = xcalloc(1, sizeof(*q));
	q->r = r;
	q->left = n;
	r->phase = 1;
	MHD_suspend_connection(r->conn);
	pthread_mutex_lock(&sim_lock);
	if (sim_whead > sim_wcap / 2) {
		memmove(sim_wait, sim_wait + sim_whead, (sim_wlen - sim_whead) * sizeof(*sim_wait));
		sim_wlen -= sim_whead;
		sim_whead = 0;
	}
	GROW(sim_wait, sim_wcap, sim_wlen + (size_t)n);
	for (int i = 0; i < n; i++) {
		struct seq *s = xcalloc(1, sizeof(*s));
		s->owner = q;
		s->len = lens[i];
		sim_wait[sim_wlen++] = s;
	}
	pthread_mutex_unlock(&sim_lock);
}

/* One decode step: fill free slots from the queue, one token for each running sequence. */
static void sim_step(long step)
{
	pthread_mutex_lock(&sim_lock);
	for (long i = 0; i < g.sim_slots && sim_whead < sim_wlen; i++)
		if (!sim_run[i]) {
			sim_run[i] = sim_wait[sim_whead++];
			sim_running++;
		}
	long waiting = (long)(sim_wlen - sim_whead);
	if (g.step_log && (sim_running || waiting))
		fprintf(g.step_log, "s %ld %ld %ld\n", step, sim_running, waiting);
	for (long i = 0; i < g.sim_slots; i++) {
		struct seq *s = sim_run[i];
		if (!s || ++s->done < s->len)
			continue;
		if (g.step_log)
			fprintf(g.step_log, "q %ld\n", s->len);
		if (!--s->owner->left) {
			s->owner->r->phase = 2;
			MHD_resume_connection(s->owner->r->conn);
			free(s->owner);
		}
		free(s);
		sim_run[i] = NULL;
		sim_running--;
	}
	pthread_mutex_unlock(&sim_lock);
}

static void *sim_main(void *arg)
{
	(void)arg;
	double next = wall_ms();
	for (long step = 0;; step++) {
		next += g.sim_step_ms;
		double now = wall_ms();
		if (next > now) {
			struct timespec ts = {(time_t)((next - now) / 1e3),
					      (long)(fmod(next - now, 1e3) * 1e6)};
			nanosleep(&ts, NULL);
		} else if (now - next > 100 * g.sim_step_ms) {
			next = now; /* starved of CPU: do not replay a long backlog in a burst */
		}
		sim_step(step);
	}
	return NULL;
}

static char *sim_metrics(void)
{
	pthread_mutex_lock(&sim_lock);
	long running = sim_running, waiting = (long)(sim_wlen - sim_whead);
	pthread_mutex_unlock(&sim_lock);
	return xasprintf("# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
			 "# TYPE vllm:num_requests_running gauge\n"
			 "vllm:num_requests_running{model_name=\"%s\"} %ld.0\n"
			 "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.\n"
			 "# TYPE vllm:num_requests_waiting gauge\n"
			 "vllm:num_requests_waiting{model_name=\"%s\"} %ld.0\n",
			 g.model, running, g.model, waiting);
}

/* ---- Content ---- */

static const char *answer_for(const char *prompt)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, g.answers)
	{
		const char *p = json_str(a, "prompt");
		if (p && prompt && !strcmp(p, prompt))
			return json_str(a, "content");
	}
	return NULL;
}

static long words(const char *s)
{
	long n = 0;
	for (int in = 0; s && *s; s++) {
		int sp = *s == ' ' || *s == '\n';
		n += !sp && !in;
		in = !sp;
	}
	return n;
}

struct choice_text {
	char *content;   /* what goes in content / text */
	char *reasoning; /* for a separate field, or NULL */
	const char *finish;
	long tokens;     /* simulated completion tokens, or -1: count words */
};

static void make_choice(struct choice_text *c, const char *prompt, long seed, int i,
			long max_tokens, int completions)
{
	const char *rec = answer_for(prompt);
	long cs;
	int ck;
	choice_seed(seed, i, &cs, &ck);
	char *answer = rec ? xstrdup(rec)
		       : cs >= 0 ? xasprintf("Sample s=%ld. The answer is \\boxed{42}.", cs)
				 : xasprintf("Sample i=%d. The answer is \\boxed{42}.", ck);
	char *thought = cs >= 0 ? xasprintf("Let me think about sample %ld.", cs)
				: xasprintf("Let me think about choice %d.", ck);
	c->finish = "stop";
	c->tokens = -1;
	if (max_tokens >= 0 && max_tokens < 4) {
		free(answer);
		answer = xstrdup("The answer");
		c->finish = "length";
	}
	c->reasoning = NULL;
	enum style st = g.style;
	if (completions && (st == ST_RC || st == ST_REASONING))
		st = ST_THINK;
	switch (st) {
	case ST_NONE: c->content = answer; answer = NULL; break;
	case ST_RC:
	case ST_REASONING:
		c->content = answer;
		answer = NULL;
		c->reasoning = thought;
		thought = NULL;
		break;
	case ST_THINK: c->content = xasprintf("<think>%s</think>%s", thought, answer); break;
	case ST_CLOSE: c->content = xasprintf("%s</think>%s", thought, answer); break;
	}
	free(answer);
	free(thought);
}

static long choice_tokens(const struct choice_text *c)
{
	if (c->tokens >= 0)
		return c->tokens;
	return words(c->content) + (c->reasoning ? words(c->reasoning) : 0);
}

static void add_usage(cJSON *root, long prompt_tokens, long ctoks, long rtoks)
{
	if (!g.usage)
		return;
	cJSON *u = cJSON_AddObjectToObject(root, "usage");
	cJSON_AddNumberToObject(u, "prompt_tokens", (double)prompt_tokens);
	cJSON_AddNumberToObject(u, "completion_tokens", (double)ctoks);
	cJSON_AddNumberToObject(u, "total_tokens", (double)(prompt_tokens + ctoks));
	if (g.usage == 2) {
		cJSON *d = cJSON_AddObjectToObject(u, "completion_tokens_details");
		cJSON_AddNumberToObject(d, "reasoning_tokens", (double)rtoks);
	}
}

static const char *reasoning_key(void)
{
	return g.style == ST_REASONING ? "reasoning" : "reasoning_content";
}

/* ---- Responses ---- */

struct cut_body {
	char *text;
	size_t len;    /* bytes actually served */
	int error_end; /* end by breaking the connection */
};

static ssize_t serve_cut(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct cut_body *b = cls;
	if (pos >= b->len)
		return b->error_end ? MHD_CONTENT_READER_END_WITH_ERROR
				    : MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = b->len - (size_t)pos;
	if (n > max)
		n = max;
	if (n > 200)
		n = 200; /* many small pieces, as a real stream arrives */
	memcpy(buf, b->text + pos, n);
	return (ssize_t)n;
}

static void free_cut(void *cls)
{
	struct cut_body *b = cls;
	free(b->text);
	free(b);
}

/* One event of 64 KiB of content, served again and again until the client leaves. */
static ssize_t serve_flood(void *cls, uint64_t pos, char *buf, size_t max)
{
	const struct strbuf *ev = cls;
	size_t at = (size_t)(pos % ev->len), n = ev->len - at;
	if (n > max)
		n = max;
	memcpy(buf, ev->buf + at, n);
	return (ssize_t)n;
}

static void free_flood(void *cls)
{
	struct strbuf *ev = cls;
	strbuf_release(ev);
	free(ev);
}

static struct MHD_Response *flood_response(void)
{
	struct strbuf *ev = xcalloc(1, sizeof(*ev));
	strbuf_init(ev);
	strbuf_adds(ev, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"");
	for (int i = 0; i < 65536; i++)
		strbuf_addch(ev, 'a' + i % 26);
	strbuf_adds(ev, "\"}}]}\n\n");
	return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1 << 16, serve_flood, ev,
						 free_flood);
}

/* declared_len: Content-Length to announce, or MHD_SIZE_UNKNOWN for chunked. */
static struct MHD_Response *cut_response(char *text, size_t serve, uint64_t declared, int error_end)
{
	struct cut_body *b = xcalloc(1, sizeof(*b));
	b->text = text;
	b->len = serve;
	b->error_end = error_end;
	return MHD_create_response_from_callback(declared, 4096, serve_cut, b, free_cut);
}

static struct MHD_Response *text_response(const char *text)
{
	return MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
}

static struct MHD_Response *error_response(const char *type, const char *msg)
{
	char *s = xasprintf("{\"error\":{\"message\":\"%s\",\"type\":\"%s\",\"code\":null}}", msg,
			    type);
	struct MHD_Response *r = text_response(s);
	free(s);
	MHD_add_response_header(r, "Content-Type", "application/json");
	return r;
}

static void sse_event(struct strbuf *sb, cJSON *chunk, int crlf)
{
	char *s = cJSON_PrintUnformatted(chunk);
	strbuf_addf(sb, "data: %s%s%s", s, crlf ? "\r\n\r\n" : "\n\n", "");
	cJSON_free(s);
	cJSON_Delete(chunk);
}

static cJSON *chunk_new(const char *object)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", "fake-1");
	cJSON_AddStringToObject(c, "object", object);
	cJSON_AddStringToObject(c, "model", g.model);
	return c;
}

static cJSON *delta_chunk(int completions, int i, const char *key, const char *text,
			  const char *finish)
{
	cJSON *c = chunk_new(completions ? "text_completion" : "chat.completion.chunk");
	cJSON *ch = cJSON_CreateObject();
	cJSON_AddNumberToObject(ch, "index", i);
	if (completions) {
		cJSON_AddStringToObject(ch, "text", text ? text : "");
	} else {
		cJSON *d = cJSON_AddObjectToObject(ch, "delta");
		if (key)
			cJSON_AddStringToObject(d, key, text);
	}
	if (finish)
		cJSON_AddStringToObject(ch, "finish_reason", finish);
	else
		cJSON_AddNullToObject(ch, "finish_reason");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "choices"), ch);
	return c;
}

/* Text in two pieces, so a reader must join deltas. */
static void split_deltas(struct strbuf *sb, int completions, int i, const char *key,
			 const char *text, int crlf)
{
	size_t n = strlen(text), half = n / 2;
	char *a = xstrndup(text, half);
	sse_event(sb, delta_chunk(completions, i, key, a, NULL), crlf);
	sse_event(sb, delta_chunk(completions, i, key, text + half, NULL), crlf);
	free(a);
}

/* ---- Paced streams: a generation at a fixed token rate, or one that stalls ---- */

struct paced {
	struct strbuf *events; /* one SSE event each, sent one per step */
	size_t nevents, cur, off;
	double step_ms;        /* between events */
	double next_at;        /* wall_ms() when the next event is due */
	int stall;             /* after the last event, send nothing, never end */
};

/* Waits in the daemon's thread: paced streams are for tests of one or a few requests. */
static ssize_t serve_paced(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct paced *p = cls;
	if (p->cur < p->nevents && p->off == 0) {
		double wait = p->next_at - wall_ms();
		if (wait > 0)
			nanosleep(&(struct timespec){0, (long)(fmin(wait, 50) * 1e6)}, NULL);
		if (p->next_at > wall_ms())
			return 0;
		p->next_at = wall_ms() + p->step_ms;
	}
	if (p->cur == p->nevents) {
		if (!p->stall)
			return MHD_CONTENT_READER_END_OF_STREAM;
		nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
		return 0;
	}
	const struct strbuf *ev = &p->events[p->cur];
	size_t n = ev->len - p->off;
	if (n > max)
		n = max;
	memcpy(buf, ev->buf + p->off, n);
	p->off += n;
	if (p->off == ev->len) {
		p->cur++;
		p->off = 0;
	}
	return (ssize_t)n;
}

static void free_paced(void *cls)
{
	struct paced *p = cls;
	for (size_t i = 0; i < p->nevents; i++)
		strbuf_release(&p->events[i]);
	free(p->events);
	free(p);
}

static void paced_add(struct paced *p, cJSON *chunk)
{
	p->events = xrealloc(p->events, (p->nevents + 1) * sizeof(*p->events));
	strbuf_init(&p->events[p->nevents]);
	sse_event(&p->events[p->nevents++], chunk, 0);
}

/*
 * The choices' content one word per event, round-robin over the choices,
 * each padded to `tokens` words when that is more.  stall_choice >= 0: that
 * choice stops after stall_after words and never finishes (the others do),
 * and the stream never ends; stall_choice == -2: every choice stalls so.
 */
static struct MHD_Response *paced_response(struct choice_text *cs, int nc, double step_ms,
					   long tokens, int stall_choice, long stall_after)
{
	struct paced *p = xcalloc(1, sizeof(*p));
	p->step_ms = step_ms;
	p->stall = stall_choice != -1;
	char ***words = xcalloc((size_t)nc, sizeof(char **));
	long *nw = xcalloc((size_t)nc, sizeof(long)), most = 0;
	for (int c = 0; c < nc; c++) {
		char *save = NULL, *text = xstrdup(cs[c].content);
		for (char *w = strtok_r(text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			words[c] = xrealloc(words[c], (size_t)(nw[c] + 1) * sizeof(char *));
			words[c][nw[c]++] = xasprintf("%s ", w);
		}
		free(text);
		while (nw[c] < tokens) {
			words[c] = xrealloc(words[c], (size_t)(nw[c] + 1) * sizeof(char *));
			/* Padding goes before the answer, as reasoning does. */
			memmove(words[c] + 1, words[c], (size_t)nw[c] * sizeof(char *));
			words[c][0] = xstrdup("step ");
			nw[c]++;
		}
		most = nw[c] > most ? nw[c] : most;
	}
	for (long t = 0; t < most; t++)
		for (int c = 0; c < nc; c++) {
			int stalls = stall_choice == -2 || stall_choice == c;
			if (t < nw[c] && !(stalls && t >= stall_after))
				paced_add(p, delta_chunk(0, c, "content", words[c][t], NULL));
		}
	for (int c = 0; c < nc; c++)
		if (!(stall_choice == -2 || stall_choice == c))
			paced_add(p, delta_chunk(0, c, NULL, NULL, cs[c].finish));
	if (!p->stall) {
		p->events = xrealloc(p->events, (p->nevents + 1) * sizeof(*p->events));
		strbuf_init(&p->events[p->nevents]);
		strbuf_adds(&p->events[p->nevents++], "data: [DONE]\n\n");
	}
	for (int c = 0; c < nc; c++) {
		for (long t = 0; t < nw[c]; t++)
			free(words[c][t]);
		free(words[c]);
	}
	free(words);
	free(nw);
	p->next_at = wall_ms();
	return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, serve_paced, p, free_paced);
}

static char *build_stream(struct choice_text *cs, int nc, int completions, long ptoks, int crlf)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, ": keep-alive\n\n\n");
	long ctoks = 0, rtoks = 0;
	for (int i = 0; i < nc; i++) {
		if (!completions)
			sse_event(&sb, delta_chunk(0, i, "role", "assistant", NULL), crlf);
		if (cs[i].reasoning) {
			split_deltas(&sb, completions, i, reasoning_key(), cs[i].reasoning, crlf);
			rtoks += words(cs[i].reasoning);
		}
		strbuf_adds(&sb, ": keep-alive\n\n");
		split_deltas(&sb, completions, i, "content", cs[i].content, crlf);
		sse_event(&sb, delta_chunk(completions, i, NULL, NULL, cs[i].finish), crlf);
		ctoks += choice_tokens(&cs[i]);
	}
	if (g.usage) {
		cJSON *u = chunk_new("chat.completion.chunk");
		cJSON_AddArrayToObject(u, "choices");
		add_usage(u, ptoks, ctoks, rtoks);
		sse_event(&sb, u, crlf);
	}
	strbuf_adds(&sb, "data: [DONE]\n\n");
	return strbuf_detach(&sb);
}

static char *build_body(struct choice_text *cs, int nc, int completions, long ptoks)
{
	cJSON *root = chunk_new(completions ? "text_completion" : "chat.completion");
	cJSON *arr = cJSON_AddArrayToObject(root, "choices");
	long ctoks = 0, rtoks = 0;
	for (int i = 0; i < nc; i++) {
		cJSON *ch = cJSON_CreateObject();
		cJSON_AddNumberToObject(ch, "index", i);
		if (completions) {
			cJSON_AddStringToObject(ch, "text", cs[i].content);
		} else {
			cJSON *m = cJSON_AddObjectToObject(ch, "message");
			cJSON_AddStringToObject(m, "role", "assistant");
			cJSON_AddStringToObject(m, "content", cs[i].content);
			if (cs[i].reasoning)
				cJSON_AddStringToObject(m, reasoning_key(), cs[i].reasoning);
		}
		cJSON_AddStringToObject(ch, "finish_reason", cs[i].finish);
		cJSON_AddItemToArray(arr, ch);
		ctoks += choice_tokens(&cs[i]);
		rtoks += cs[i].reasoning ? words(cs[i].reasoning) : 0;
	}
	add_usage(root, ptoks, ctoks, rtoks);
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	char *out = xstrdup(s);
	cJSON_free(s);
	return out;
}

/* ---- Faults ---- */

static const struct fault *fault_for(long n)
{
	for (int i = 0; i < g.nfaults; i++)
		if (g.faults[i].from && n >= g.faults[i].from && n <= g.faults[i].to)
			return &g.faults[i];
	uint64_t h = mix64(g.seed * 0x9e3779b97f4a7c15ull + (uint64_t)n);
	double u = (double)(h >> 11) / 9007199254740992.0, acc = 0;
	for (int i = 0; i < g.nfaults; i++) {
		if (g.faults[i].from)
			continue;
		acc += g.faults[i].p;
		if (u < acc)
			return &g.faults[i];
	}
	return NULL;
}

static int parse_fault(const char *spec, int by_rate)
{
	if (g.nfaults >= MAX_FAULTS)
		return -1;
	struct fault *f = &g.faults[g.nfaults];
	memset(f, 0, sizeof(*f));
	const char *c1 = strchr(spec, ':');
	if (!c1)
		return -1;
	char *head = xstrndup(spec, (size_t)(c1 - spec));
	if (by_rate) {
		f->p = strtod(head, NULL);
	} else {
		char *dash = strchr(head, '-');
		f->from = strtol(head, NULL, 10);
		f->to = dash ? strtol(dash + 1, NULL, 10) : f->from;
		if (f->from < 1 || f->to < f->from) {
			free(head);
			return -1;
		}
	}
	free(head);
	const char *c2 = strchr(c1 + 1, ':');
	size_t klen = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
	if (klen >= sizeof(f->kind))
		return -1;
	memcpy(f->kind, c1 + 1, klen);
	snprintf(f->arg, sizeof(f->arg), "%s", c2 ? c2 + 1 : "");
	g.nfaults++;
	return 0;
}

/* ---- Logging ---- */

static void log_request(long n, const char *path, const char *fault, const cJSON *body,
			int auth)
{
	if (!g.log)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", (double)n);
	cJSON_AddNumberToObject(o, "t_ms", wall_ms());
	cJSON_AddStringToObject(o, "path", path);
	if (fault)
		cJSON_AddStringToObject(o, "fault", fault);
	else
		cJSON_AddNullToObject(o, "fault");
	cJSON_AddNumberToObject(o, "inflight", (double)g.inflight);
	cJSON_AddBoolToObject(o, "auth", auth);
	if (body)
		cJSON_AddItemToObject(o, "body", cJSON_Duplicate(body, 1));
	char *s = cJSON_PrintUnformatted(o);
	fprintf(g.log, "%s\n", s);
	fflush(g.log);
	cJSON_free(s);
	cJSON_Delete(o);
}

/* ---- Requests ---- */

static const char *user_prompt(const cJSON *body, int completions)
{
	if (completions)
		return json_str(body, "prompt");
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(body, "messages");
	const cJSON *last = cJSON_GetArrayItem(msgs, cJSON_GetArraySize(msgs) - 1);
	return json_str(last, "content");
}

static int auth_ok(struct MHD_Connection *c, int *present)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	*present = h && !strncmp(h, "Bearer ", 7);
	if (!g.api_key)
		return 1;
	return *present && !strcmp(h + 7, g.api_key);
}

static void set_json(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Type", "application/json");
}

/* Decide the answer to a completion request; returns 0 to drop the connection. */
static int answer_completion(struct req *r, const char *url)
{
	int completions = !strcmp(url, "/v1/completions");
	long n = ++g.count;
	g.inflight++;
	r->counted = 1;
	cJSON *body = cJSON_ParseWithLength(r->body.buf, r->body.len);
	int auth;
	int authorized = auth_ok(r->conn, &auth);
	const struct fault *f = fault_for(n);
	log_request(n, url, f ? f->kind : NULL, body, auth);
	if (g.die_after && n >= g.die_after)
		_exit(3);
	const char *k = f ? f->kind : "";
	double wait = g.delay_ms;
	r->status = 200;
	if (!authorized) {
		r->status = 401;
		r->resp = error_response("invalid_request_error", "Incorrect API key provided");
	} else if (!body || !cJSON_IsObject(body)) {
		r->status = 400;
		r->resp = error_response("invalid_request_error", "request body is not JSON");
	} else if (!json_str(body, "model") || strcmp(json_str(body, "model"), g.model)) {
		r->status = 404;
		r->resp = error_response("not_found_error", "The model does not exist");
	} else if (!strcmp(k, "drop")) {
		cJSON_Delete(body);
		return 0;
	} else if (!strncmp(k, "429", 3)) {
		r->status = 429;
		r->resp = error_response("rate_limit_error", "Rate limit reached, slow down");
		long secs = f->arg[0] ? strtol(f->arg, NULL, 10) : 1;
		if (!strcmp(k, "429")) {
			char v[32];
			snprintf(v, sizeof(v), "%ld", secs);
			MHD_add_response_header(r->resp, "Retry-After", v);
		} else if (!strcmp(k, "429date")) {
			char v[64];
			time_t at = time(NULL) + secs + 1; /* a date has 1 s granularity */
			struct tm tm;
			gmtime_r(&at, &tm);
			strftime(v, sizeof(v), "%a, %d %b %Y %H:%M:%S GMT", &tm);
			MHD_add_response_header(r->resp, "Retry-After", v);
		} else {
			MHD_add_response_header(r->resp, "x-ratelimit-reset-requests",
						f->arg[0] ? f->arg : "1s");
		}
	} else if (!strcmp(k, "500") || !strcmp(k, "503")) {
		r->status = (unsigned)strtol(k, NULL, 10);
		r->resp = error_response("server_error", "The server had an error");
	} else if (!strcmp(k, "400ctx")) {
		r->status = 400;
		r->resp = error_response("invalid_request_error",
					 "This model's maximum context length is 4096 tokens");
	} else if (!strcmp(k, "400") || !strcmp(k, "401") || !strcmp(k, "403") ||
		   !strcmp(k, "404")) {
		r->status = (unsigned)strtol(k, NULL, 10);
		r->resp = error_response("invalid_request_error", "Scripted client error");
	} else if (!strcmp(k, "malformed")) {
		r->resp = text_response("{\"choices\": [{\"index\": 0, \"message\": {\"content\": \"oops");
		set_json(r->resp);
	} else if (!strcmp(k, "echokey")) {
		/* A server (or proxy) that quotes the credentials it was sent. */
		const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
		char *msg = xasprintf("Incorrect API key provided: %s (headers: Authorization: %s)",
				      h ? h : "(none)", h ? h : "(none)");
		r->status = f->arg[0] ? (unsigned)strtol(f->arg, NULL, 10) : 401;
		r->resp = error_response("invalid_request_error", msg);
		free(msg);
	} else if (!strcmp(k, "numcontent")) {
		/* The shape of a completion with a number where the text should be. */
		if (json_bool(body, "stream", 0)) {
			char *ev = xstrdup("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":12345},"
					   "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
			r->resp = cut_response(ev, strlen(ev), MHD_SIZE_UNKNOWN, 0);
			MHD_add_response_header(r->resp, "Content-Type", "text/event-stream");
		} else {
			r->resp = text_response("{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
						"\"message\":{\"role\":\"assistant\",\"content\":12345},"
						"\"finish_reason\":\"stop\"}]}");
			set_json(r->resp);
		}
	} else if (!strcmp(k, "empty")) {
		r->resp = text_response("{\"object\": \"chat.completion\", \"choices\": []}");
		set_json(r->resp);
	} else {
		int want = (int)json_num(body, "n", 1);
		if (want < 1)
			want = 1;
		if (want > 1 && g.n_mode == N_REJECT) {
			r->status = 400;
			r->resp = error_response("invalid_request_error",
						 "Only one completion choice is allowed");
			goto out;
		}
		int nc = g.n_mode == N_IGNORE ? 1
			 : g.n_mode == N_CAP && want > g.n_cap ? g.n_cap
								 : want;
		long seed = (long)json_num(body, "seed", -1);
		long maxt = (long)json_num(body, "max_tokens", json_num(body, "max_completion_tokens", -1));
		const char *prompt = user_prompt(body, completions);
		if (g.sim_slots && g.queue_cap >= 0 && sim_waiting() + nc > g.queue_cap) {
			r->status = 429;
			r->resp = error_response("rate_limit_error", "Too many requests waiting");
			char v[32];
			snprintf(v, sizeof(v), "%ld", g.retry_after_s);
			MHD_add_response_header(r->resp, "Retry-After", v);
			goto out;
		}
		struct choice_text *cs = xcalloc((size_t)nc, sizeof(*cs));
		long *lens = g.sim_slots ? xcalloc((size_t)nc, sizeof(*lens)) : NULL;
		for (int i = 0; i < nc; i++) {
			make_choice(&cs[i], prompt, seed, i, maxt, completions);
			if (lens) {
				int capped;
				cs[i].tokens = lens[i] = sim_length(prompt, seed, i, maxt, &capped);
				cs[i].finish = capped ? "length" : "stop";
			}
		}
		long ptoks = words(prompt);
		int stream = json_bool(body, "stream", 0);
		if (stream && (!strcmp(k, "gen") || !strcmp(k, "stall"))) {
			/* gen:MS_PER_TOKEN:QUEUE_MS:TOKENS   stall:AFTER_TOKENS[:CHOICE] */
			long a[3] = {20, 0, 0};
			const char *q = f->arg;
			for (int i = 0; i < 3 && q && *q; i++) {
				char *end;
				a[i] = strtol(q, &end, 10);
				q = *end == ':' ? end + 1 : NULL;
			}
			int gen = !strcmp(k, "gen");
			r->resp = gen ? paced_response(cs, nc, (double)a[0], a[2], -1, 0)
				      : paced_response(cs, nc, 20, 0,
						       strchr(f->arg, ':') ? (int)a[1] : -2, a[0]);
			if (gen)
				wait += (double)a[1];
			for (int i = 0; i < nc; i++) {
				free(cs[i].content);
				free(cs[i].reasoning);
			}
			free(cs);
			free(lens);
			MHD_add_response_header(r->resp, "Content-Type", "text/event-stream");
			goto out;
		}
		char *text = stream ? build_stream(cs, nc, completions, ptoks, (int)(n & 1))
				    : build_body(cs, nc, completions, ptoks);
		for (int i = 0; i < nc; i++) {
			free(cs[i].content);
			free(cs[i].reasoning);
		}
		free(cs);
		size_t len = strlen(text);
		if (!strcmp(k, "truncate") || (!stream && !strcmp(k, "cut"))) {
			r->resp = cut_response(text, len / 2, len, 1);
		} else if (stream && !strcmp(k, "cut")) {
			r->resp = cut_response(text, len / 2, MHD_SIZE_UNKNOWN, 1);
		} else if (stream && !strcmp(k, "flood")) {
			free(text);
			r->resp = flood_response();
		} else if (stream && !strcmp(k, "nodone")) {
			/* End cleanly just before the first finish_reason arrives. */
			char *fin = strstr(text, "\"finish_reason\":\"");
			char *cut = fin ? fin : text + len / 2;
			while (cut > text && *cut != '\n')
				cut--;
			r->resp = cut_response(text, (size_t)(cut - text) + 1, MHD_SIZE_UNKNOWN, 0);
		} else if (stream) {
			r->resp = cut_response(text, len, MHD_SIZE_UNKNOWN, 0);
		} else {
			r->resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
		}
		MHD_add_response_header(r->resp, "Content-Type",
					stream ? "text/event-stream" : "application/json");
		if (lens) {
			sim_submit(r, lens, nc);
			free(lens);
			cJSON_Delete(body);
			return 1;
		}
		if (!strcmp(k, "slow"))
			wait += f->arg[0] ? strtol(f->arg, NULL, 10) : 2000;
		if (!strcmp(k, "hang"))
			wait = -1;
	}
out:
	cJSON_Delete(body);
	if (wait != 0) {
		wait_then_answer(r, wait);
		return 1;
	}
	r->phase = 2;
	return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	struct req *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof(*r));
		strbuf_init(&r->body);
		r->conn = conn;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->body.len + *upload_size > MAX_BODY)
			return MHD_NO;
		strbuf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->phase == 1)
		return MHD_YES; /* still waiting (a spurious call) */
	if (r->phase == 0) {
		int ready = !g.never_ready && wall_ms() >= g.ready_at;
		if (!strcmp(method, "POST") &&
		    (!strcmp(url, "/v1/chat/completions") || !strcmp(url, "/v1/completions"))) {
			if (!answer_completion(r, url))
				return MHD_NO;
			if (r->phase == 1)
				return MHD_YES;
		} else if (!strcmp(method, "GET") && !strcmp(url, "/metrics") && g.sim_slots) {
			r->status = 200;
			char *m = sim_metrics();
			r->resp = text_response(m);
			free(m);
			MHD_add_response_header(r->resp, "Content-Type", "text/plain; version=0.0.4");
		} else if (!strcmp(method, "GET") && !strcmp(url, "/health")) {
			r->status = ready ? 200 : 503;
			r->resp = text_response(ready ? "{\"status\":\"ok\"}" : "{\"status\":\"loading\"}");
		} else if (!strcmp(method, "GET") && !strcmp(url, "/v1/models")) {
			r->status = ready ? 200 : 503;
			char *s = xasprintf("{\"object\":\"list\",\"data\":[{\"id\":\"%s\",\"object\":\"model\"}]}",
					    g.model);
			r->resp = ready ? text_response(s) : error_response("unavailable", "Loading model");
			free(s);
		} else {
			r->status = 404;
			r->resp = error_response("not_found_error", "No such route");
		}
	}
	enum MHD_Result ok = MHD_queue_response(conn, r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct req *r = *con_cls;
	if (!r)
		return;
	if (r->counted)
		g.inflight--;
	if (r->resp)
		MHD_destroy_response(r->resp);
	strbuf_release(&r->body);
	free(r);
	*con_cls = NULL;
}

/* ---- Main ---- */

static void usage(const char *why)
{
	fprintf(stderr, "fake-openai: %s\n", why);
	exit(2);
}

static void write_small(const char *path, long v)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%ld\n", v) < 0 || fclose(f) || rename(tmp, path))
		usage("cannot write a port or pid file");
	free(tmp);
}

static void parse_args(int argc, char **argv)
{
	g.model = "fake-model";
	g.usage = 1;
	g.len_median = 300;
	g.len_sp = 0.6;
	g.len_ss = 0.5;
	g.len_max = 4096;
	g.queue_cap = -1;
	g.retry_after_s = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && (v || (usage("missing value"), 0)) && ++i)
		if (ARG("--port")) g.port = (int)strtol(v, NULL, 10);
		else if (ARG("--port-file")) g.port_file = v;
		else if (ARG("--pid-file")) g.pid_file = v;
		else if (ARG("--log")) g.log_path = v;
		else if (ARG("--model")) g.model = v;
		else if (ARG("--api-key")) g.api_key = v;
		else if (ARG("--api-key-env")) g.api_key = getenv(v);
		else if (ARG("--delay")) g.delay_ms = strtol(v, NULL, 10);
		else if (ARG("--seed")) g.seed = (uint64_t)strtoull(v, NULL, 10);
		else if (ARG("--die-after")) g.die_after = strtol(v, NULL, 10);
		else if (ARG("--sim")) {
			char *end;
			g.sim_slots = strtol(v, &end, 10);
			g.sim_step_ms = *end == ':' ? strtod(end + 1, NULL) : 0;
			if (g.sim_slots < 1 || g.sim_step_ms <= 0)
				usage("bad --sim (SLOTS:STEP_MS)");
		} else if (ARG("--sim-len")) {
			if (sscanf(v, "%lf:%lf:%lf:%ld", &g.len_median, &g.len_sp, &g.len_ss, &g.len_max) != 4 ||
			    g.len_median < 1 || g.len_max < 1)
				usage("bad --sim-len (MEDIAN:SIGMA_PROBLEM:SIGMA_SAMPLE:MAX)");
		} else if (ARG("--queue-cap")) g.queue_cap = strtol(v, NULL, 10);
		else if (ARG("--retry-after")) g.retry_after_s = strtol(v, NULL, 10);
		else if (ARG("--step-log")) {
			if (!(g.step_log = fopen(v, "w")))
				usage("cannot open --step-log");
		}
		else if (ARG("--ready-after")) g.ready_at = wall_ms() + strtod(v, NULL);
		else if (!strcmp(a, "--never-ready")) g.never_ready = 1;
		else if (!strcmp(a, "--exit-early")) {
			fprintf(stderr, "fake-openai: loading model...\nfake-openai: error: out of memory\n");
			exit(1);
		} else if (ARG("--n")) {
			if (!strcmp(v, "honour")) g.n_mode = N_HONOUR;
			else if (!strcmp(v, "ignore")) g.n_mode = N_IGNORE;
			else if (!strcmp(v, "reject")) g.n_mode = N_REJECT;
			else if (!strncmp(v, "cap:", 4)) {
				g.n_mode = N_CAP;
				g.n_cap = (int)strtol(v + 4, NULL, 10);
			} else usage("bad --n");
		} else if (ARG("--reasoning")) {
			if (!strcmp(v, "none")) g.style = ST_NONE;
			else if (!strcmp(v, "reasoning_content")) g.style = ST_RC;
			else if (!strcmp(v, "reasoning")) g.style = ST_REASONING;
			else if (!strcmp(v, "think")) g.style = ST_THINK;
			else if (!strcmp(v, "close")) g.style = ST_CLOSE;
			else usage("bad --reasoning");
		} else if (ARG("--usage")) {
			g.usage = !strcmp(v, "none") ? 0 : !strcmp(v, "details") ? 2 : 1;
		} else if (ARG("--answers")) {
			char *text;
			if (read_file(v, 64u << 20, &text, NULL))
				usage("cannot read --answers");
			g.answers = cJSON_CreateArray();
			char *save = NULL;
			for (char *line = strtok_r(text, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				cJSON *o = cJSON_Parse(line);
				if (o)
					cJSON_AddItemToArray(g.answers, o);
			}
			free(text);
		} else if (ARG("--fault")) {
			if (parse_fault(v, 0))
				usage("bad --fault");
		} else if (ARG("--fault-rate")) {
			if (parse_fault(v, 1))
				usage("bad --fault-rate");
		} else {
			usage("unknown flag");
		}
#undef ARG
	}
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (g.log_path && !(g.log = fopen(g.log_path, "a")))
		usage("cannot open --log");
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)g.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL,
		NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)60000, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)600,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, NULL, MHD_OPTION_END);
	if (!d)
		usage("cannot listen on 127.0.0.1");
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	int port = info ? info->port : g.port;
	pthread_t timer;
	pthread_create(&timer, NULL, timer_main, NULL);
	if (g.sim_slots) {
		sim_run = xcalloc((size_t)g.sim_slots, sizeof(*sim_run));
		pthread_t sim;
		pthread_create(&sim, NULL, sim_main, NULL);
	}
	if (g.pid_file)
		write_small(g.pid_file, (long)getpid());
	if (g.port_file)
		write_small(g.port_file, port);
	printf("port %d\n", port);
	fflush(stdout);
	int sig;
	sigwait(&sigs, &sig);
	if (g.log)
		fflush(g.log);
	if (g.step_log) {
		pthread_mutex_lock(&sim_lock);
		fflush(g.step_log);
	}
	_exit(0);
}
