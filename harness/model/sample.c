#include "harness/model/sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"

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
	free(s->fp);
	free(s->content);
	free(s->reasoning);
	free(s->finish_reason);
	free(s->endpoint);
	free(s->error_kind);
	free(s->error_message);
	free(s->grader);
	free(s->gold);
	free(s->verdict);
	grade_release(&s->grade);
	sample_init(s);
}

int sample_is_infra(const struct sample *s)
{
	return s->error_kind != NULL || s->grade.status == GRADE_INFRA;
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
	if (s->fp)
		add_str(sb, "fp", s->fp);
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
	add_str(sb, "gold", s->gold);
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
	s->fp = dup_or_null(json_str(obj, "fp"));
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
	} else if (!cJSON_IsString(content)) {
		/* A line that claims an answer but holds none is broken, never an empty answer. */
		s->error_kind = xstrdup("malformed");
		s->error_message = xstrdup(content ? "the line's \"content\" is not a string"
						   : "the line has no \"content\"");
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
		s->gold = dup_or_null(json_str(obj, "gold"));
	}
	return 0;
}
