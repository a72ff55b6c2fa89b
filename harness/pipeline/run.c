#include "harness/pipeline/run.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/engine/engine.h"
#include "harness/model/identity.h"
#include "harness/model/journal.h"
#include "harness/base/json.h"
#include "harness/model/think.h"
#include "harness/pipeline/fingerprint.h"
#include "harness/pipeline/grading.h"
#include "harness/pipeline/preset.h"
#include "harness/pipeline/progress.h"
#include "harness/pipeline/schedule.h"
#include "reports/results/results.h"
#include "harness/model/sample.h"
#include "reports/results/tally.h"
#include "harness/base/version.h"

/* ---- set-up ---- */

static void apply_flags(struct sampling *s, const struct config *cfg)
{
	if (cfg->n != CONFIG_UNSET)
		s->n = (int)cfg->n;
	if (!isnan(cfg->temperature))
		s->temperature = cfg->temperature;
	if (!isnan(cfg->top_p))
		s->top_p = cfg->top_p;
	if (!isnan(cfg->top_k))
		s->top_k = cfg->top_k;
	if (!isnan(cfg->min_p))
		s->min_p = cfg->min_p;
	if (!isnan(cfg->presence_penalty))
		s->presence_penalty = cfg->presence_penalty;
	if (!isnan(cfg->frequency_penalty))
		s->frequency_penalty = cfg->frequency_penalty;
	if (cfg->max_tokens != CONFIG_UNSET)
		s->max_tokens = cfg->max_tokens;
	if (cfg->stop) {
		for (size_t i = 0; i < s->nstop; i++)
			free(s->stop[i]);
		free(s->stop);
		s->stop = xcalloc(cfg->nstop + 1, sizeof(char *));
		for (size_t i = 0; i < cfg->nstop; i++)
			s->stop[i] = xstrdup(cfg->stop[i]);
		s->nstop = cfg->nstop;
	}
	if (cfg->reasoning_effort) {
		free(s->reasoning_effort);
		s->reasoning_effort = xstrdup(cfg->reasoning_effort);
	}
}

/* Offset of the first byte that is not part of valid UTF-8, or -1 when all is valid. */
static long utf8_bad_at(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; p[i];) {
		unsigned char c = p[i];
		int n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 1 : (c & 0xf0) == 0xe0 ? 2
			: (c & 0xf8) == 0xf0 && c <= 0xf4 ? 3 : -1;
		if (n < 0)
			return (long)i;
		for (int k = 1; k <= n; k++)
			if ((p[i + (size_t)k] & 0xc0) != 0x80)
				return (long)i;
		i += (size_t)n + 1;
	}
	return -1;
}

/* The run's own prompt text, checked before any task renders with it. */
static enum reval_err check_prompt_flags(const struct config *cfg)
{
	long at;
	if (cfg->system_prompt_text && (at = utf8_bad_at(cfg->system_prompt_text)) >= 0) {
		diag("--system-prompt is not valid UTF-8 (byte %ld)", at + 1);
		return RV_EUSAGE;
	}
	if (cfg->prompt_template_text && (at = utf8_bad_at(cfg->prompt_template_text)) >= 0) {
		diag("--prompt-template file '%s' is not valid UTF-8 (byte %ld)", cfg->prompt_template,
		     at + 1);
		return RV_EUSAGE;
	}
	return RV_OK;
}

/* What is sent to a server must be text: bytes that are not UTF-8 are refused, named. */
static enum reval_err check_text(const struct run *r)
{
	long at;
	if (r->cfg->model && (at = utf8_bad_at(r->cfg->model)) >= 0) {
		diag("--model is not valid UTF-8 (byte %ld)", at + 1);
		return RV_EUSAGE;
	}

	for (size_t i = 0; i < r->ntasks; i++) {
		const struct task *t = r->tasks[i];
		if (t->system && (at = utf8_bad_at(t->system)) >= 0) {
			diag("task '%s': the system prompt is not valid UTF-8 (byte %ld)", t->id, at + 1);
			return RV_EINPUT;
		}
		for (size_t j = 0; j < t->nproblems; j++)
			if ((at = utf8_bad_at(t->problems[j].prompt)) >= 0) {
				diag("task '%s' problem '%s': the prompt is not valid UTF-8 (byte %ld)",
				     t->id, t->problems[j].id, at + 1);
				return RV_EINPUT;
			}
	}
	return RV_OK;
}

/*
 * pass@k needs k samples: a k above n is said, not dropped without a word
 * (into the warnings at set-up; on stderr once the run is under way).
 */
static void check_pass_k(const struct run *r, int print)
{
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct task *t = r->tasks[i];
		for (size_t k = 0; k < t->npass_k; k++)
			if (t->pass_k[k] > r->n[i]) {
				char *msg = xasprintf("task '%s': pass@%d needs n >= %d; with n = %d it "
						      "is not reported",
						      t->id, t->pass_k[k], t->pass_k[k], r->n[i]);
				if (print)
					diag("warning: %s", msg);
				else
					cJSON_AddItemToArray(r->warnings, cJSON_CreateString(msg));
				free(msg);
			}
	}
}

enum reval_err run_setup(struct run *r, struct config *cfg)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->warnings = cJSON_CreateArray();
	if (!cfg->tasks) {
		diag("no task given: --task T[,T...] (see 'reval tasks')");
		return RV_EUSAGE;
	}
	enum reval_err err = task_catalog_open(&r->cat, cfg->data_dir, cfg->tasks);
	if (err)
		return err;
	/*
	 * config.json keeps task files and the data directory as absolute
	 * paths, so 'reval grade', 'reval report' and a resume find them from
	 * any working directory.
	 */
	char *abs = task_spec_absolute(cfg->tasks);
	free(cfg->tasks);
	cfg->tasks = abs;
	if (cfg->data_dir && (abs = realpath(cfg->data_dir, NULL))) {
		free(cfg->data_dir);
		cfg->data_dir = abs;
	}
	if ((err = task_select(&r->cat, cfg->tasks, &r->tasks, &r->ntasks)))
		return err;
	for (size_t i = 0; i < r->ntasks; i++)
		if ((err = grading_bind(r->tasks[i])))
			return err;
	r->sampling = xcalloc(r->ntasks, sizeof(struct sampling));
	r->n = xcalloc(r->ntasks, sizeof(int));
	r->fp = xcalloc(r->ntasks, sizeof(char *));
	if ((err = check_prompt_flags(cfg)))
		return err;
	for (size_t i = 0; i < r->ntasks; i++) {
		struct task *t = r->tasks[i];
		t->prompt_opt = (struct prompt_options){
			cfg->system_prompt_text, cfg->prompt_template_text, cfg->prompt_template,
			cfg->num_fewshot == CONFIG_UNSET ? -1 : cfg->num_fewshot};
		if ((err = task_load(t, &r->cat, cfg->user_data)))
			return err;
		sampling_copy(&r->sampling[i], &t->sampling);
		apply_flags(&r->sampling[i], cfg);
		if (cfg->preset)
			preset_apply(cfg->preset, &r->sampling[i], t, cfg, r->warnings);
		r->n[i] = r->sampling[i].n;
		r->fp[i] = fingerprint_task(cfg, t, &r->sampling[i]);
	}
	if ((err = check_text(r)))
		return err;
	check_pass_k(r, 0);
	if (cfg->out)
		r->dir = xstrdup(cfg->out);
	return RV_OK;
}

static long or_default(long v, long dflt)
{
	return v == CONFIG_UNSET ? dflt : v;
}

void run_engine_options(struct engine_options *opt, const struct config *cfg)
{
	*opt = (struct engine_options){
		.model = cfg->model,
		.api_key = cfg->api_key,
		.base_urls = cfg->base_urls,
		.nbase_urls = cfg->nbase_urls,
		.concurrency = cfg->concurrency == CONFIG_UNSET ? 0 : cfg->concurrency,
		.max_concurrency = cfg->max_concurrency == CONFIG_UNSET ? 0 : cfg->max_concurrency,
		/* A request with n holds its budget until its longest sample ends: split under the limiter. */
		.split_n = cfg->split_n >= 0 ? cfg->split_n : cfg->concurrency == CONFIG_UNSET,
		.timeout_s = cfg->timeout_s == CONFIG_UNSET ? 0 : cfg->timeout_s,
		.connect_timeout_s = or_default(cfg->connect_timeout_s, CONFIG_CONNECT_TIMEOUT_S),
		.first_byte_timeout_s = or_default(cfg->first_byte_timeout_s,
						   CONFIG_FIRST_BYTE_TIMEOUT_S),
		.idle_timeout_s = or_default(cfg->idle_timeout_s, CONFIG_IDLE_TIMEOUT_S),
		.breaker_failures = or_default(cfg->breaker_failures, CONFIG_BREAKER_FAILURES),
		.breaker_window_s = or_default(cfg->breaker_window_s, CONFIG_BREAKER_WINDOW_S),
		.max_attempts = cfg->max_attempts,
		.seed = cfg->seed,
		.extra_body = cfg->extra_body,
		.stream = cfg->stream == 1,
		/* R1's protocol has no system prompt: an instruction goes in the user turn. */
		.fold_system = cfg->preset && !strcmp(cfg->preset, "r1"),
		.out = cfg->out,
		.ready_timeout_s = cfg->ready_timeout_s == CONFIG_UNSET ? -1 : cfg->ready_timeout_s,
	};
}

void run_release(struct run *r)
{
	for (size_t i = 0; i < r->ntasks; i++) {
		task_free(r->tasks[i]);
		if (r->sampling)
			sampling_release(&r->sampling[i]);
		if (r->fp)
			free(r->fp[i]);
	}
	free(r->fp);
	free(r->tasks);
	free(r->sampling);
	free(r->n);
	free(r->dir);
	cJSON_Delete(r->warnings);
	task_catalog_release(&r->cat);
	memset(r, 0, sizeof(*r));
}

int run_planned(const struct run *r, size_t i, size_t j)
{
	const struct config *cfg = r->cfg;
	(void)i;
	if (cfg->limit != CONFIG_UNSET && j >= (size_t)cfg->limit)
		return 0;
	return cfg->shard_count <= 1 || (int)(j % (size_t)cfg->shard_count) == cfg->shard_index;
}

uint64_t run_sample_seed(long run_seed, const char *task, const char *problem, int sample)
{
	struct strbuf key = STRBUF_INIT;
	strbuf_addf(&key, "%s\x1f%s", task, problem);
	uint64_t h = hash64(key.buf, key.len, mix64((uint64_t)run_seed));
	strbuf_release(&key);
	/*
	 * A problem's samples have consecutive seeds, so a request for n of them
	 * sent with the first one's seed is, on a server that derives choice i
	 * from seed + i (vLLM does), the same as n requests for one: server-side
	 * n and a resume that asks only for what a problem lacks give the same
	 * samples.  30 bits for the problem and the sample index on top stay
	 * within 31 bits, which every server we know accepts.
	 */
	return (h & 0x3fffffffu) + ((uint64_t)sample & 0x3fffffffu);
}

/* ---- config.json: what a run is, and what may not change on resume ---- */

cJSON *run_config_json(const struct run *r)
{
	cJSON *doc = cJSON_CreateObject();
	char ts[32];
	utc_timestamp(ts);
	cJSON_AddStringToObject(doc, "schema", "reval.config/1");
	cJSON_AddStringToObject(doc, "reval_version", REVAL_VERSION);
	cJSON_AddStringToObject(doc, "written", ts);
	cJSON_AddItemToObject(doc, "flags", config_to_json(r->cfg));
	cJSON *fp = cJSON_AddObjectToObject(doc, "fingerprint");
	cJSON_AddStringToObject(fp, "engine", r->cfg->engine);
	if (r->cfg->model)
		cJSON_AddStringToObject(fp, "model", r->cfg->model);
	else
		cJSON_AddNullToObject(fp, "model");
	cJSON_AddStringToObject(fp, "api", r->cfg->api);
	cJSON_AddNumberToObject(fp, "seed", (double)r->cfg->seed);
	cJSON_AddNumberToObject(fp, "seed_scheme", RUN_SEED_SCHEME);
	/* Recorded only when set, so runs from before it was recorded still compare equal. */
	cJSON *extra = r->cfg->extra_body ? cJSON_Parse(r->cfg->extra_body) : NULL;
	if (extra)
		cJSON_AddItemToObject(fp, "extra_body", extra);
	cJSON *tasks = cJSON_AddArrayToObject(doc, "tasks");
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct task *t = r->tasks[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", t->id);
		cJSON_AddStringToObject(o, "task_file", path_base(t->file));
		cJSON_AddStringToObject(o, "dataset", path_base(t->dataset));
		cJSON_AddStringToObject(o, "dataset_sha256", t->dataset_sha256);
		cJSON_AddStringToObject(o, "prompt_sha256", t->prompt_sha256);
		/* Recorded only when set: absent means the task file's own (identity.h). */
		if (r->cfg->system_prompt_text)
			cJSON_AddStringToObject(o, "system_prompt", r->cfg->system_prompt_text);
		if (r->cfg->prompt_template_text)
			cJSON_AddStringToObject(o, "prompt_template", r->cfg->prompt_template_text);
		if (r->cfg->num_fewshot != CONFIG_UNSET)
			cJSON_AddNumberToObject(o, "num_fewshot", (double)r->cfg->num_fewshot);
		cJSON_AddStringToObject(o, "grader", t->grader_name);
		cJSON_AddStringToObject(o, "grader_version", t->grader_version);
		cJSON_AddItemToObject(o, "grader_options", t->grader_options
								   ? cJSON_Duplicate(t->grader_options, 1)
								   : cJSON_CreateObject());
		cJSON_AddItemToObject(o, "sampling", sampling_to_json(&r->sampling[i]));
		cJSON_AddStringToObject(o, "fingerprint", r->fp[i]);
		size_t planned = 0;
		for (size_t j = 0; j < t->nproblems; j++)
			planned += (size_t)run_planned(r, i, j);
		cJSON_AddNumberToObject(o, "problems", (double)planned);
		cJSON_AddNumberToObject(o, "dataset_problems", (double)t->nproblems);
		cJSON_AddItemToArray(tasks, o);
	}
	cJSON_AddItemToObject(doc, "warnings", cJSON_Duplicate(r->warnings, 1));
	return doc;
}

enum reval_err run_save_config(const struct run *r, const char *dir)
{
	cJSON *doc = run_config_json(r);
	char *path = path_join(dir, "config.json");
	enum reval_err err = json_write_file(path, doc);
	free(path);
	cJSON_Delete(doc);
	return err;
}

static const cJSON *find_task_json(const cJSON *doc, const char *id)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "tasks"))
	if (id && json_str(c, "id") && !strcmp(json_str(c, "id"), id))
		return c;
	return NULL;
}

static int refuse_selection(const char *path, const char *what, int extensible)
{
	diag("refusing to resume the run in '%s': %s%s", path, what,
	     extensible ? "; to extend the run keeping its samples, add --extend"
			: "; a run is never narrowed: use another --out");
	return 1;
}

/*
 * The selection of a resumed run: the same tasks, n, limit and shard, or
 * with --extend a larger one.  Narrowing is always refused: results.json
 * covers exactly the configured selection, and the journal never holds
 * lines outside it.
 */
static int selection_differs(const struct run *r, const cJSON *stored, const cJSON *now,
			     const char *path)
{
	int ext = r->cfg->extend == 1;
	char what[512];
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(stored, "tasks"))
	{
		const char *id = json_str(t, "id");
		const cJSON *nt = find_task_json(now, id);
		if (!nt) {
			snprintf(what, sizeof(what), "task '%s' of the run is not in --task", id);
			return refuse_selection(path, what, 0);
		}
		long was = (long)json_num(cJSON_GetObjectItemCaseSensitive(t, "sampling"), "n", -1);
		long is = (long)json_num(cJSON_GetObjectItemCaseSensitive(nt, "sampling"), "n", -1);
		if (was != is && (is < was || !ext)) {
			snprintf(what, sizeof(what), "task '%s' n differs (was %ld, now %ld)", id, was,
				 is);
			return refuse_selection(path, what, is > was);
		}
	}
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(now, "tasks"))
	{
		const char *id = json_str(t, "id");
		if (!find_task_json(stored, id) && !ext) {
			snprintf(what, sizeof(what), "task '%s' is not in the run", id);
			return refuse_selection(path, what, 1);
		}
	}
	const cJSON *of = cJSON_GetObjectItemCaseSensitive(stored, "flags");
	const cJSON *nf = cJSON_GetObjectItemCaseSensitive(now, "flags");
	long ol = (long)json_num(of, "limit", -1), nl = (long)json_num(nf, "limit", -1);
	if (ol != nl) {
		int larger = ol >= 0 && (nl < 0 || nl > ol);
		if (!larger || !ext) {
			char a[24] = "none", b[24] = "none";
			if (ol >= 0)
				snprintf(a, sizeof(a), "%ld", ol);
			if (nl >= 0)
				snprintf(b, sizeof(b), "%ld", nl);
			snprintf(what, sizeof(what), "--limit differs (was %s, now %s)", a, b);
			return refuse_selection(path, what, larger);
		}
	}
	const char *os = json_str(of, "shard"), *ns = json_str(nf, "shard");
	if ((os || ns) && (!os || !ns || strcmp(os, ns))) {
		snprintf(what, sizeof(what), "--shard differs (was %s, now %s)", os ? os : "none",
			 ns ? ns : "none");
		return refuse_selection(path, what, 0);
	}
	return 0;
}

enum reval_err run_check_resume(const struct run *r, const cJSON *stored, const char *path)
{
	cJSON *now = run_config_json(r);
	int force = r->cfg->force;
	struct identity_diffs d = {0};
	identity_compare_run(stored, now, IDENTITY_RESUME, force, &d);
	const cJSON *ot;
	cJSON_ArrayForEach(ot, cJSON_GetObjectItemCaseSensitive(stored, "tasks"))
	{
		const char *id = json_str(ot, "id");
		const cJSON *nt = NULL, *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(now, "tasks"))
		if (id && !strcmp(json_str(c, "id"), id))
			nt = c;
		/* A task of the earlier run that this invocation does not touch is left alone. */
		if (nt)
			identity_compare_task(id, ot, nt, NULL, IDENTITY_RESUME, force, &d);
	}
	if (d.n)
		diag("refusing to resume the run in '%s': %s differs (was %s, now %s); use another "
		     "--out, or 'reval grade' to regrade with new graders",
		     path, d.d[0].what, d.d[0].a, d.d[0].b);
	enum reval_err err = d.n ? RV_EMISMATCH : RV_OK;
	if (!err && selection_differs(r, stored, now, path))
		err = RV_EMISMATCH;
	identity_diffs_release(&d);
	cJSON_Delete(now);
	return err;
}

enum reval_err run_load_config(const char *dir, struct config *cfg, cJSON **stored)
{
	char *path = path_join(dir, "config.json");
	cJSON *doc;
	enum reval_err err = json_load_file(path, "run configuration", &doc);
	if (err) {
		free(path);
		return err;
	}
	char *from = xasprintf("cannot read run configuration '%s'", path);
	err = config_apply_json(cfg, cJSON_GetObjectItemCaseSensitive(doc, "flags"), from);
	free(from);
	free(path);
	if (err) {
		cJSON_Delete(doc);
		return err;
	}
	/* The template the run used, not today's copy of its file (which may be gone). */
	const char *tmpl = json_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "tasks"), 0),
				    "prompt_template");
	if (cfg->prompt_template && tmpl && !cfg->prompt_template_text)
		cfg->prompt_template_text = xstrdup(tmpl);
	*stored = doc;
	return RV_OK;
}

/* ---- executing ---- */

/*
 * Samples whose grader judges in parallel (the code checker) wait here for
 * a batch before they are graded and journaled; a kill loses them as it
 * loses requests in flight, never a journaled sample.
 */
#define GRADE_BATCH 16

struct exec_ctx {
	struct run *r;
	struct journal j;
	struct progress prog;
	struct engine_load load; /* the engine's report, shown by progress */
	struct strbuf line;
	struct grade_queue q;
	long graded;
	long infra;
	int graceful_stop; /* the engine watches engine_options.stop itself */
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Copy a completion; reasoning inside <think> tags is split from the content. */
static void sample_from_completion(struct sample *s, const struct engine_request *req,
				   const struct completion *c, const char *fp,
				   int exclude_unfinished)
{
	sample_init(s);
	s->fp = xstrdup(fp);
	s->task = xstrdup(req->task_id);
	s->problem = xstrdup(req->problem_id);
	s->index = req->sample;
	s->seed = req->seed;
	s->finish_reason = dup_or_null(c->finish_reason);
	s->prompt_tokens = c->prompt_tokens;
	s->completion_tokens = c->completion_tokens;
	s->reasoning_tokens = c->reasoning_tokens;
	s->latency_ms = c->latency_ms;
	s->ttft_ms = c->ttft_ms;
	s->endpoint = dup_or_null(c->endpoint);
	s->attempts = c->attempts;
	s->error_kind = dup_or_null(c->error_kind);
	s->error_message = dup_or_null(c->error_message);
	if (c->error_kind && !strcmp(c->error_kind, "timeout") && !exclude_unfinished) {
		/* A generation that outlasted every limit and attempt is an unfinished answer. */
		free(s->error_kind);
		free(s->error_message);
		s->error_kind = s->error_message = NULL;
		free(s->finish_reason);
		s->finish_reason = xstrdup("unfinished");
		s->content = xstrdup("");
		return;
	}
	if (c->error_kind) {
		s->content = xstrdup("");
		return;
	}
	const char *text = c->content ? c->content : "";
	struct think_parts tp;
	think_split(text, &tp);
	if (c->reasoning) {
		/* The server separated the reasoning; content may still carry stray tags. */
		s->reasoning = xstrdup(c->reasoning);
		s->reasoning_closed = !tp.unclosed;
		s->content = tp.has_reasoning ? sv_dup(tp.content) : xstrdup(text);
	} else if (tp.has_reasoning) {
		s->reasoning = sv_dup(tp.reasoning);
		s->reasoning_closed = !tp.unclosed;
		s->content = sv_dup(tp.content);
	} else {
		s->content = xstrdup(text);
	}
}

/* Journal one graded sample, in completion order. */
static enum reval_err journal_sample(void *ud, struct sample *s, size_t slot)
{
	struct exec_ctx *x = ud;
	(void)slot;
	strbuf_reset(&x->line);
	sample_to_line(s, &x->line);
	enum reval_err err = journal_append(&x->j, x->line.buf, x->line.len);
	int infra = sample_is_infra(s);
	x->infra += infra;
	x->graded += !infra;
	progress_add(&x->prog, infra, s->grade.score, s->attempts, s->completion_tokens);
	return err;
}

/* ---- Stopping on a signal ---- */

#define RUN_STOP_GRACE_S 20 /* seconds requests in flight get to finish after a stop */

static volatile sig_atomic_t stop_signal; /* the first SIGINT, SIGTERM or SIGHUP received */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

/* The first signal asks for a clean stop; a second one ends the process at once. */
static void on_stop_signal(int sig)
{
	if (stop_signal)
		_exit(128 + sig);
	stop_signal = sig;
}

static void catch_stop_signals(struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &sa, &old[i]);
}

static void restore_stop_signals(const struct sigaction *old)
{
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

static int on_done(void *ud, const struct engine_request *req, const struct completion *c)
{
	struct exec_ctx *x = ud;
	const struct task *t = x->r->tasks[req->item >> 32];
	const struct problem *p = &t->problems[req->item & 0xffffffffu];
	sample_from_completion(grade_queue_slot(&x->q), req, c, x->r->fp[req->item >> 32],
			       x->r->cfg->exclude_unfinished == 1);
	enum reval_err err = grade_queue_push(&x->q, t, p);
	/* Engines without a stop of their own (replay, exec) stop here. */
	if (!err && stop_signal && !x->graceful_stop)
		err = RV_EINTERRUPTED;
	return err;
}

static int planned_cb(void *ud, size_t i, size_t j)
{
	return run_planned(ud, i, j);
}

static struct tally read_tally(struct run *r, const char *journal_path, enum reval_err *err)
{
	struct tally tl;
	tally_init(&tl, r->tasks, r->ntasks, r->n, planned_cb, r);
	*err = tally_read_journal(&tl, journal_path);
	return tl;
}

struct line_check {
	struct fingerprint_check fc;
	const char *path;
};

/* A journal line made with other settings than this run's is refused, naming the part. */
static enum reval_err check_line(void *ud, const cJSON *obj, long line)
{
	struct line_check *lc = ud;
	char key[32];
	if (!fingerprint_check_line(&lc->fc, obj, key, sizeof(key)))
		return RV_OK;
	diag("refusing to resume the run in '%s': journal line %ld (task '%s') was made with "
	     "another %s; use another --out",
	     lc->path, line, json_str(obj, "task"), key);
	return RV_EMISMATCH;
}

static enum reval_err check_journal_identity(const struct run *r, const char *jpath)
{
	struct stat st;
	if (r->cfg->force == 1 || stat(jpath, &st))
		return RV_OK;
	cJSON *now = run_config_json(r);
	struct line_check lc = {.path = r->dir};
	fingerprint_check_init(&lc.fc, now);
	enum reval_err err = journal_read(jpath, check_line, &lc, NULL);
	fingerprint_check_release(&lc.fc);
	cJSON_Delete(now);
	return err;
}

static enum reval_err write_config(struct run *r)
{
	char *path = path_join(r->dir, "config.json");
	enum reval_err err = RV_OK;
	struct stat st;
	if (stat(path, &st) == 0) {
		cJSON *stored;
		err = json_load_file(path, "run configuration", &stored);
		if (!err) {
			err = run_check_resume(r, stored, r->dir);
			cJSON_Delete(stored);
		}
	}
	free(path);
	/* config.json may be gone or older than the journal: each line says what made it. */
	char *jpath = path_join(r->dir, "samples.jsonl");
	if (!err)
		err = check_journal_identity(r, jpath);
	free(jpath);
	return err ? err : run_save_config(r, r->dir);
}

/* ---- The run directory's lock ---- */

static long lock_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	long pid;
	return parse_long(buf, &pid) ? 0 : pid;
}

enum reval_err run_lock(const char *dir, int *fd)
{
	char *path = path_join(dir, ".lock");
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0) {
		diag("cannot open the run directory's lock '%s': %s", path, strerror(errno));
		free(path);
		return RV_EIO;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		long pid = 0;
		/* The holder writes its pid just after taking the lock: give it a moment. */
		for (int i = 0; i < 50 && e == EWOULDBLOCK && !(pid = lock_holder(*fd)); i++)
			nanosleep(&(struct timespec){0, 2000000L}, NULL);
		if (e == EWOULDBLOCK)
			diag("run directory '%s' is in use by process %ld; wait for it to finish or "
			     "stop it, then rerun the same command",
			     dir, pid);
		else
			diag("cannot lock '%s': %s", path, strerror(e));
		close(*fd);
		*fd = -1;
		free(path);
		return RV_EIO;
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(*fd, 0) < 0 || pwrite(*fd, pid, (size_t)n, 0) != n)
		diag("warning: cannot write the pid into '%s': %s", path, strerror(errno));
	free(path);
	return RV_OK;
}

void run_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the last descriptor releases the flock */
}

static enum reval_err run_execute_locked(struct run *r, const struct engine_ops *eng,
					 const char *arg);

/* The problem's "difficulty" or "level" metadata as a number, for the order without history. */
static double problem_difficulty(void *ud, const struct engine_request *q)
{
	const struct run *r = ud;
	const struct task *t = r->tasks[q->item >> 32];
	const struct problem *p = &t->problems[q->item & 0xffffffffu];
	for (size_t k = 0; k < t->nmeta; k++)
		if (p->meta && p->meta[k] && (!strcasecmp(t->meta_keys[k], "difficulty") ||
					      !strcasecmp(t->meta_keys[k], "level")))
			return schedule_parse_difficulty(p->meta[k]);
	return NAN;
}

/* Longest first: from a previous run's token counts when given, else from the problems. */
static enum reval_err order_requests(struct run *r, struct engine_request *reqs, size_t n)
{
	struct schedule_history *h = NULL;
	if (r->cfg->schedule_from) {
		enum reval_err err = schedule_history_load(r->cfg->schedule_from, &h);
		if (err)
			return err;
		size_t known = 0;
		for (size_t i = 0; i < n; i++)
			known += schedule_history_tokens(h, reqs[i].task_id, reqs[i].problem_id) >= 0;
		if (!known)
			diag("--schedule-from '%s': no token counts for this run's problems; ordering by "
			     "difficulty and prompt length",
			     r->cfg->schedule_from);
	}
	schedule_order(reqs, n, h, problem_difficulty, r);
	schedule_history_free(h);
	return RV_OK;
}

enum reval_err run_execute(struct run *r)
{
	if (!r->dir) {
		diag("no run directory: --out DIR");
		return RV_EUSAGE;
	}
	const char *arg;
	const struct engine_ops *eng = engine_find(r->cfg->engine, &arg);
	if (!eng) {
		diag("unknown engine '%s' (see 'reval help run')", r->cfg->engine);
		return RV_EUSAGE;
	}
	int e = mkdir_p(r->dir);
	if (e) {
		diag("cannot create run directory '%s': %s", r->dir, strerror(e));
		return RV_EIO;
	}
	int lock;
	enum reval_err err = run_lock(r->dir, &lock);
	if (err)
		return err;
	err = run_execute_locked(r, eng, arg);
	run_unlock(lock);
	return err;
}

static enum reval_err run_execute_locked(struct run *r, const struct engine_ops *eng,
					 const char *arg)
{
	enum reval_err err = write_config(r);
	if (err)
		return err;
	check_pass_k(r, 1);

	struct exec_ctx x = {.r = r, .line = STRBUF_INIT};
	grade_queue_init(&x.q, GRADE_BATCH, journal_sample, &x);
	char *jpath = path_join(r->dir, "samples.jsonl");
	int torn = 0;
	if ((err = journal_open(&x.j, jpath, &torn))) {
		free(jpath);
		return err;
	}
	if (torn)
		diag("journal '%s': dropped a torn last line left by an interrupted run", jpath);

	/* What is already finished: every planned slot with a graded sample. */
	struct tally done = read_tally(r, jpath, &err);
	int unreadable = err != RV_OK; /* said once: results.json would read it again */
	struct engine_request *reqs = NULL;
	size_t nreq = 0, cap = 0, finished = 0;
	for (size_t i = 0; !err && i < done.ntasks; i++) {
		struct task_tally *tt = &done.tasks[i];
		const struct task *t = r->tasks[i];
		for (size_t j = 0; j < tt->nprobs; j++) {
			const struct problem *p = tt->probs[j].problem;
			size_t pi = (size_t)(p - t->problems);
			for (int s = 0; s < tt->n; s++) {
				if (tt->probs[j].slots[s].state == SLOT_GRADED) {
					finished++;
					continue;
				}
				GROW(reqs, cap, nreq + 1);
				struct engine_request *q = &reqs[nreq++];
				q->item = ((size_t)i << 32) | pi;
				q->task_id = t->id;
				q->problem_id = p->id;
				q->sample = s;
				q->seed = run_sample_seed(r->cfg->seed, t->id, p->id, s);
				q->system = t->system;
				q->prompt = p->prompt;
				q->sampling = &r->sampling[i];
				q->api = r->cfg->api;
			}
		}
	}
	tally_release(&done);
	if (!err && nreq)
		err = order_requests(r, reqs, nreq);
	if (!err && finished)
		diag("resuming '%s': %zu samples already finished, %zu to do", r->dir, finished, nreq);

	void *state = NULL;
	if (!err && nreq) {
		struct engine_options opt;
		run_engine_options(&opt, r->cfg);
		opt.stop = &stop_signal;
		opt.stop_grace_s = RUN_STOP_GRACE_S;
		x.graceful_stop = !strcmp(eng->name, "openai") || !strcmp(eng->name, "local");
		opt.load = &x.load;
		err = eng->open(&state, arg, &opt);
		if (!err) {
			struct sigaction old[ARRAY_SIZE(stop_signals)];
			catch_stop_signals(old);
			progress_init(&x.prog, r->cfg->progress, (long)nreq, "run");
			x.prog.load = &x.load;
			err = eng->run(state, reqs, nreq, on_done, &x);
			if (stop_signal)
				err = RV_EINTERRUPTED;
			enum reval_err ferr = grade_queue_flush(&x.q);
			if (!err)
				err = ferr;
			progress_finish(&x.prog);
			eng->close(state);
			restore_stop_signals(old);
		}
	}
	/* A journal that could not be written (a full disk) has said so once: nothing more to write. */
	int unwritable = x.j.failed != 0;
	enum reval_err cerr = journal_close(&x.j);
	if (!err)
		err = cerr;
	free(reqs);
	free(jpath);
	strbuf_release(&x.line);
	enum reval_err rerr = unreadable || unwritable ? RV_OK : run_results(r);
	if (err == RV_EINTERRUPTED)
		diag("stopped by signal %d: %ld samples finished in this run are saved and results.json "
		     "covers what finished; resume with: %s",
		     (int)stop_signal, x.graded + x.infra,
		     r->command ? r->command : "the same command");
	if (!err && !rerr && x.infra)
		return RV_EPARTIAL;
	return err ? err : rerr;
}

enum reval_err run_results(struct run *r)
{
	char *jpath = path_join(r->dir, "samples.jsonl");
	enum reval_err err;
	struct tally tl = read_tally(r, jpath, &err);
	free(jpath);
	if (!err) {
		cJSON *run = cJSON_CreateObject();
		char ts[32];
		utc_timestamp(ts);
		cJSON_AddStringToObject(run, "reval_version", REVAL_VERSION);
		cJSON_AddStringToObject(run, "written", ts);
		cJSON_AddStringToObject(run, "engine", r->cfg->engine);
		if (r->cfg->model)
			cJSON_AddStringToObject(run, "model", r->cfg->model);
		cJSON_AddNumberToObject(run, "seed", (double)r->cfg->seed);
		if (r->cfg->shard)
			cJSON_AddStringToObject(run, "shard", r->cfg->shard);
		cJSON_AddNumberToObject(run, "journal_lines", (double)tl.lines);
		cJSON_AddItemToObject(run, "warnings", cJSON_Duplicate(r->warnings, 1));
		cJSON_AddItemToObject(run, "config", config_to_json(r->cfg));
		struct results_opts ro;
		results_opts_init(&ro);
		ro.seed = r->cfg->seed == CONFIG_UNSET ? 0 : r->cfg->seed;
		ro.prices.input_per_mtok = r->cfg->price_input;
		ro.prices.output_per_mtok = r->cfg->price_output;
		struct strbuf problems = STRBUF_INIT;
		cJSON *doc = results_build(&tl, run, &ro, &problems);
		cJSON_Delete(run);
		/* Effective sampling per task, so a report can show what was asked. */
		for (size_t i = 0; i < r->ntasks; i++) {
			cJSON *t = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(doc, "tasks"), r->tasks[i]->id);
			cJSON_AddItemToObject(t, "sampling", sampling_to_json(&r->sampling[i]));
		}
		err = results_write(r->dir, doc, &problems);
		strbuf_release(&problems);
		cJSON_Delete(doc);
	}
	tally_release(&tl);
	return err;
}
