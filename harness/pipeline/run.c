#include "harness/pipeline/run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "harness/engine/engine.h"
#include "harness/model/identity.h"
#include "harness/model/journal.h"
#include "harness/base/json.h"
#include "harness/model/think.h"
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

enum reval_err run_setup(struct run *r, struct config *cfg)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->warnings = cJSON_CreateArray();
	char *data = task_find_data_dir(cfg->data_dir);
	enum reval_err err = task_catalog_load(&r->cat, data);
	free(data);
	if (err)
		return err;
	if (!cfg->tasks) {
		diag("no task given: --task T[,T...] (see 'reval tasks')");
		return RV_EUSAGE;
	}
	if ((err = task_select(&r->cat, cfg->tasks, &r->tasks, &r->ntasks)))
		return err;
	for (size_t i = 0; i < r->ntasks; i++)
		if ((err = grading_bind(r->tasks[i])))
			return err;
	r->sampling = xcalloc(r->ntasks, sizeof(struct sampling));
	r->n = xcalloc(r->ntasks, sizeof(int));
	for (size_t i = 0; i < r->ntasks; i++) {
		struct task *t = r->tasks[i];
		if ((err = task_load(t, &r->cat, cfg->user_data)))
			return err;
		sampling_copy(&r->sampling[i], &t->sampling);
		apply_flags(&r->sampling[i], cfg);
		if (cfg->preset)
			preset_apply(cfg->preset, &r->sampling[i], t, cfg, r->warnings);
		r->n[i] = r->sampling[i].n;
	}
	if (cfg->out)
		r->dir = xstrdup(cfg->out);
	return RV_OK;
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
		.timeout_s = cfg->timeout_s,
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
	}
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
	strbuf_addf(&key, "%s\x1f%s\x1f%d", task, problem, sample);
	uint64_t h = hash64(key.buf, key.len, mix64((uint64_t)run_seed));
	strbuf_release(&key);
	/* 31 bits: every server we know accepts a seed of that size. */
	return h & 0x7fffffffu;
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
	cJSON *tasks = cJSON_AddArrayToObject(doc, "tasks");
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct task *t = r->tasks[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", t->id);
		cJSON_AddStringToObject(o, "task_file", path_base(t->file));
		cJSON_AddStringToObject(o, "dataset", path_base(t->dataset));
		cJSON_AddStringToObject(o, "dataset_sha256", t->dataset_sha256);
		cJSON_AddStringToObject(o, "prompt_sha256", t->prompt_sha256);
		cJSON_AddStringToObject(o, "grader", t->grader_name);
		cJSON_AddStringToObject(o, "grader_version", t->grader_version);
		cJSON_AddItemToObject(o, "grader_options", t->grader_options
								   ? cJSON_Duplicate(t->grader_options, 1)
								   : cJSON_CreateObject());
		cJSON_AddItemToObject(o, "sampling", sampling_to_json(&r->sampling[i]));
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
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Copy a completion; reasoning inside <think> tags is split from the content. */
static void sample_from_completion(struct sample *s, const struct engine_request *req,
			    const struct completion *c)
{
	sample_init(s);
	s->task = xstrdup(req->task_id);
	s->problem = xstrdup(req->problem_id);
	s->index = req->sample;
	s->seed = c->has_seed ? c->seed : req->seed;
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
	progress_add(&x->prog, infra, s->completion_tokens);
	return err;
}

static int on_done(void *ud, const struct engine_request *req, const struct completion *c)
{
	struct exec_ctx *x = ud;
	const struct task *t = x->r->tasks[req->item >> 32];
	const struct problem *p = &t->problems[req->item & 0xffffffffu];
	sample_from_completion(grade_queue_slot(&x->q), req, c);
	return grade_queue_push(&x->q, t, p);
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
	return err ? err : run_save_config(r, r->dir);
}

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
	enum reval_err err = write_config(r);
	if (err)
		return err;

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
		opt.load = &x.load;
		err = eng->open(&state, arg, &opt);
		if (!err) {
			progress_init(&x.prog, r->cfg->progress, (long)nreq, "run");
			x.prog.load = &x.load;
			err = eng->run(state, reqs, nreq, on_done, &x);
			enum reval_err ferr = grade_queue_flush(&x.q);
			if (!err)
				err = ferr;
			progress_finish(&x.prog);
			eng->close(state);
		}
	}
	enum reval_err cerr = journal_close(&x.j);
	if (!err)
		err = cerr;
	free(reqs);
	free(jpath);
	strbuf_release(&x.line);
	if (x.infra)
		diag("%ld samples failed for reasons outside the model; they count in no score "
		     "(rerun the same command to retry them)",
		     x.infra);
	enum reval_err rerr = run_results(r);
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
