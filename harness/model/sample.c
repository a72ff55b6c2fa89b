#include "harness/model/sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/model/think.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void sample_init(struct sample *s)
{
	memset(s, 0, sizeof(*s));
	s->prompt_tokens = s->completion_tokens = s->reasoning_tokens = -1;
	s->latency_ms = s->ttft_ms = -1;
}

void sample_release(struct sample *s)
{
	free(s->task);
	free(s->problem);
	free(s->content);
	free(s->reasoning);
	free(s->finish_reason);
	free(s->endpoint);
	free(s->error_kind);
	free(s->error_message);
	free(s->grader);
	free(s->verdict);
	grade_release(&s->grade);
	sample_init(s);
}

void sample_from_completion(struct sample *s, const struct engine_request *req,
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

int sample_is_infra(const struct sample *s)
{
	return s->error_kind != NULL;
}

int sample_grade_begin(struct sample *s, const struct task *t, const struct problem *p,
		       struct grade_input *in)
{
	grade_release(&s->grade);
	free(s->grader);
	free(s->verdict); /* the old grade's */
	s->verdict = NULL;
	s->grader = xasprintf("%s/%s", t->grader->name, t->grader->version);
	struct grade *g = &s->grade;
	if (sample_is_infra(s)) {
		g->status = GRADE_INFRA;
		g->reason = xasprintf("infrastructure failure: %s", s->error_kind);
		return 0;
	}
	if (s->finish_reason && !strcmp(s->finish_reason, "length")) {
		g->status = GRADE_TRUNCATED;
		g->reason = xstrdup("the output hit the token limit before it finished");
		return 0;
	}
	if (s->reasoning && !s->reasoning_closed && !*s->content) {
		g->status = GRADE_NO_ANSWER;
		g->reason = xstrdup("the reasoning was never closed");
		return 0;
	}
	*in = (struct grade_input){
		.problem_id = p->id,
		.gold = p->answer ? p->answer : "",
		.record = p->record,
		.content = s->content ? s->content : "",
		.reasoning = s->reasoning,
		.finish_reason = s->finish_reason,
	};
	return 1;
}

void sample_grade_end(struct sample *s)
{
	struct grade *g = &s->grade;
	if (g->status != GRADE_OK)
		g->correct = 0;
	if (!g->correct && g->score > 0 && g->status != GRADE_OK)
		g->score = 0;
}

enum reval_err sample_grade(struct sample *s, const struct task *t, const struct problem *p)
{
	struct grade_input in;
	if (!sample_grade_begin(s, t, p, &in))
		return RV_OK;
	if (t->grader->grade(t->grader_state, &in, &s->grade)) {
		diag("grader '%s' failed on task '%s' problem '%s' sample %d", t->grader->name, t->id,
		     p->id, s->index);
		return RV_EINTERNAL;
	}
	sample_grade_end(s);
	return RV_OK;
}

enum reval_err sample_grade_many(struct sample_job *jobs, size_t n)
{
	struct grade_input *in = xcalloc(n + 1, sizeof(*in));
	size_t *idx = xcalloc(n + 1, sizeof(*idx));
	enum reval_err err = RV_OK;
	for (size_t i = 0; i < n && !err;) {
		/* A run of samples of one task goes to its grader in one call. */
		const struct task *t = jobs[i].task;
		size_t m = 0, j = i;
		for (; j < n && jobs[j].task == t; j++)
			if (sample_grade_begin(jobs[j].s, t, jobs[j].problem, &in[m]))
				idx[m++] = j;
		if (m && t->grader->grade_batch) {
			struct grade *out = xcalloc(m, sizeof(*out));
			if (t->grader->grade_batch(t->grader_state, in, out, m)) {
				diag("grader '%s' failed on a batch of task '%s'", t->grader->name, t->id);
				err = RV_EINTERNAL;
			}
			for (size_t k = 0; k < m; k++) {
				jobs[idx[k]].s->grade = out[k];
				sample_grade_end(jobs[idx[k]].s);
			}
			free(out);
		} else {
			for (size_t k = 0; k < m && !err; k++) {
				struct sample *s = jobs[idx[k]].s;
				if (t->grader->grade(t->grader_state, &in[k], &s->grade)) {
					diag("grader '%s' failed on task '%s' problem '%s' sample %d",
					     t->grader->name, t->id, in[k].problem_id, s->index);
					err = RV_EINTERNAL;
				}
				sample_grade_end(s);
			}
		}
		i = j;
	}
	free(in);
	free(idx);
	return err;
}

static void add_long(struct strbuf *sb, const char *sep, const char *key, long v)
{
	if (v < 0)
		strbuf_addf(sb, "%s\"%s\":null", sep, key);
	else
		strbuf_addf(sb, "%s\"%s\":%ld", sep, key, v);
}

static void add_ms(struct strbuf *sb, const char *key, double v)
{
	if (v < 0 || isnan(v))
		strbuf_addf(sb, ",\"%s\":null", key);
	else
		strbuf_addf(sb, ",\"%s\":%.1f", key, v);
}

static void add_str(struct strbuf *sb, const char *key, const char *v)
{
	strbuf_addf(sb, ",\"%s\":", key);
	json_quote(sb, v);
}

void sample_to_line(const struct sample *s, struct strbuf *sb)
{
	strbuf_adds(sb, "{\"task\":");
	json_quote(sb, s->task);
	add_str(sb, "problem", s->problem);
	strbuf_addf(sb, ",\"sample\":%d,\"seed\":%llu", s->index, (unsigned long long)s->seed);
	add_str(sb, "content", s->content);
	add_str(sb, "reasoning", s->reasoning);
	if (s->reasoning)
		strbuf_addf(sb, ",\"reasoning_closed\":%s", s->reasoning_closed ? "true" : "false");
	add_str(sb, "finish_reason", s->finish_reason);
	strbuf_adds(sb, ",\"usage\":{");
	add_long(sb, "", "prompt_tokens", s->prompt_tokens);
	add_long(sb, ",", "completion_tokens", s->completion_tokens);
	add_long(sb, ",", "reasoning_tokens", s->reasoning_tokens);
	strbuf_addch(sb, '}');
	add_ms(sb, "latency_ms", s->latency_ms);
	add_ms(sb, "ttft_ms", s->ttft_ms);
	add_str(sb, "endpoint", s->endpoint);
	strbuf_addf(sb, ",\"attempts\":%d", s->attempts);
	if (s->error_kind) {
		strbuf_adds(sb, ",\"error\":{\"kind\":");
		json_quote(sb, s->error_kind);
		add_str(sb, "message", s->error_message);
		strbuf_addch(sb, '}');
	} else {
		strbuf_adds(sb, ",\"error\":null");
	}
	const struct grade *g = &s->grade;
	strbuf_adds(sb, ",\"grade\":{\"status\":");
	json_quote(sb, grade_status_name(g->status));
	strbuf_addf(sb, ",\"correct\":%s,\"score\":%.17g", g->correct ? "true" : "false", g->score);
	add_str(sb, "extracted", g->extracted);
	add_str(sb, "canonical", g->canonical);
	add_str(sb, "reason", g->reason);
	strbuf_adds(sb, ",\"detail\":");
	cJSON *detail = g->detail ? cJSON_Parse(g->detail) : NULL;
	if (detail)
		json_append(sb, detail);
	else
		strbuf_adds(sb, "null");
	cJSON_Delete(detail);
	strbuf_addch(sb, '}');
	add_str(sb, "grader", s->grader);
	strbuf_addch(sb, '}');
}

static enum grade_status status_from_name(const char *s)
{
	static const enum grade_status all[] = {GRADE_OK, GRADE_NO_ANSWER, GRADE_TRUNCATED,
						GRADE_UNDECIDED, GRADE_INFRA};
	for (size_t i = 0; s && i < ARRAY_SIZE(all); i++)
		if (!strcmp(s, grade_status_name(all[i])))
			return all[i];
	return GRADE_OK;
}

static long get_long(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

int sample_from_json(struct sample *s, const cJSON *obj, const char **why)
{
	sample_init(s);
	const cJSON *task = cJSON_GetObjectItemCaseSensitive(obj, "task");
	const cJSON *prob = cJSON_GetObjectItemCaseSensitive(obj, "problem");
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(obj, "sample");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(obj, "content");
	if (!cJSON_IsString(task)) {
		*why = "missing field \"task\"";
		return 1;
	}
	if (!cJSON_IsString(prob) && !cJSON_IsNumber(prob)) {
		*why = "missing field \"problem\"";
		return 1;
	}
	if (!cJSON_IsNumber(idx) || idx->valuedouble < 0) {
		*why = "missing field \"sample\"";
		return 1;
	}
	s->task = xstrdup(task->valuestring);
	s->problem = json_scalar_text(prob);
	s->index = idx->valueint;
	const cJSON *seed = cJSON_GetObjectItemCaseSensitive(obj, "seed");
	s->seed = cJSON_IsNumber(seed) ? (uint64_t)seed->valuedouble : 0;
	s->content = xstrdup(cJSON_IsString(content) ? content->valuestring : "");
	s->reasoning = dup_or_null(json_str(obj, "reasoning"));
	s->reasoning_closed = json_bool(obj, "reasoning_closed", s->reasoning != NULL);
	s->finish_reason = dup_or_null(json_str(obj, "finish_reason"));
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(obj, "usage");
	s->prompt_tokens = get_long(u, "prompt_tokens");
	s->completion_tokens = get_long(u, "completion_tokens");
	s->reasoning_tokens = get_long(u, "reasoning_tokens");
	s->latency_ms = json_num(obj, "latency_ms", -1);
	s->ttft_ms = json_num(obj, "ttft_ms", -1);
	s->endpoint = dup_or_null(json_str(obj, "endpoint"));
	s->attempts = (int)json_num(obj, "attempts", 0);
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(obj, "error");
	if (cJSON_IsObject(err)) {
		const char *k = json_str(err, "kind");
		s->error_kind = xstrdup(k ? k : "unknown");
		s->error_message = dup_or_null(json_str(err, "message"));
	}
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(obj, "grade");
	if (cJSON_IsObject(g)) {
		s->grade.status = status_from_name(json_str(g, "status"));
		s->grade.correct = json_bool(g, "correct", 0);
		s->grade.score = json_num(g, "score", s->grade.correct);
		s->grade.extracted = dup_or_null(json_str(g, "extracted"));
		s->grade.canonical = dup_or_null(json_str(g, "canonical"));
		s->grade.reason = dup_or_null(json_str(g, "reason"));
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(g, "detail");
		if (d && !cJSON_IsNull(d)) {
			s->grade.detail = cJSON_PrintUnformatted(d);
			const char *v = json_str(d, "verdict");
			s->verdict = v && *v ? xstrdup(v) : NULL;
		}
		s->grader = dup_or_null(json_str(obj, "grader"));
	}
	return 0;
}
