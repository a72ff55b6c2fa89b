#include "harness/engine/openai_parse.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"

#define ERROR_TEXT_MAX 600 /* bytes of a raw error body quoted in a message */

void oa_result_init(struct oa_result *r)
{
	memset(r, 0, sizeof(*r));
	r->prompt_tokens = r->completion_tokens = r->reasoning_tokens = -1;
}

void oa_result_release(struct oa_result *r)
{
	for (size_t i = 0; i < r->nchoices; i++) {
		strbuf_release(&r->choices[i].content);
		strbuf_release(&r->choices[i].reasoning);
		free(r->choices[i].finish_reason);
	}
	free(r->choices);
	free(r->error);
	oa_result_init(r);
}

static int fail(struct oa_result *r, const char *why)
{
	free(r->error);
	r->error = xstrdup(why);
	return -1;
}

static struct oa_choice *choice_at(struct oa_result *r, size_t i)
{
	if (i >= r->nchoices) {
		r->choices = xrealloc(r->choices, (i + 1) * sizeof(*r->choices));
		for (size_t k = r->nchoices; k <= i; k++) {
			memset(&r->choices[k], 0, sizeof(r->choices[k]));
			strbuf_init(&r->choices[k].content);
			strbuf_init(&r->choices[k].reasoning);
		}
		r->nchoices = i + 1;
	}
	r->choices[i].seen = 1;
	return &r->choices[i];
}

static long count_field(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (long)v->valuedouble : -1;
}

static void read_usage(struct oa_result *r, const cJSON *root)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "usage");
	if (!cJSON_IsObject(u))
		return;
	long v;
	if ((v = count_field(u, "prompt_tokens")) >= 0)
		r->prompt_tokens = v;
	if ((v = count_field(u, "completion_tokens")) >= 0)
		r->completion_tokens = v;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(u, "completion_tokens_details");
	if (cJSON_IsObject(d) && (v = count_field(d, "reasoning_tokens")) >= 0)
		r->reasoning_tokens = v;
	else if ((v = count_field(u, "reasoning_tokens")) >= 0)
		r->reasoning_tokens = v;
}

/*
 * Append a string field if present; returns 1 when text was added, 0 when
 * none, -1 when the field holds something other than a string or null (a
 * number where the answer should be is a broken response, not an answer).
 */
static int append_field(struct strbuf *sb, const cJSON *obj, const char *key, int *present)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (v && !cJSON_IsString(v) && !cJSON_IsNull(v))
		return -1;
	if (!cJSON_IsString(v))
		return 0;
	if (present)
		*present = 1;
	strbuf_adds(sb, v->valuestring);
	return v->valuestring[0] != '\0';
}

static void set_finish(struct oa_choice *c, const cJSON *choice)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
	if (cJSON_IsString(f) && f->valuestring[0]) {
		free(c->finish_reason);
		c->finish_reason = xstrdup(f->valuestring);
	}
}

/* The in-band error object some servers send with 200 or inside a stream. */
static int take_error(struct oa_result *r, const cJSON *root)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!e || cJSON_IsNull(e))
		return 0;
	char *text = cJSON_PrintUnformatted(root);
	char *msg = oa_error_text(text, strlen(text));
	cJSON_free(text);
	free(r->error);
	r->error = msg;
	r->server_error = 1;
	return 1;
}

/*
 * Read one choice object.  `part` is "message" or "delta" for chat; the
 * completions format keeps its text on the choice itself.  Returns 1 when
 * text arrived, 0 when none, -1 when malformed.
 */
static int read_choice(struct oa_result *r, const cJSON *ch, size_t pos, const char *part,
		       int completions)
{
	if (!cJSON_IsObject(ch))
		return fail(r, "a choice is not an object");
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(ch, "index");
	size_t i = pos;
	if (cJSON_IsNumber(idx)) {
		if (idx->valuedouble < 0 || idx->valuedouble >= OA_MAX_CHOICES)
			return fail(r, "a choice index is out of range");
		i = (size_t)idx->valuedouble;
	}
	struct oa_choice *c = choice_at(r, i);
	set_finish(c, ch);
	int got = 0;
	size_t held = c->content.len + c->reasoning.len;
	if (completions) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(ch, "text");
		if (!cJSON_IsString(t) && !cJSON_IsNull(t) && strcmp(part, "delta"))
			return fail(r, "a choice has no \"text\"");
		got = append_field(&c->content, ch, "text", NULL);
		if (got < 0)
			return fail(r, "a choice's \"text\" is not a string");
	} else {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(ch, part);
		if (!cJSON_IsObject(m)) {
			/* A final stream chunk may carry only finish_reason. */
			if (!strcmp(part, "delta") && !m)
				return 0;
			return fail(r, !strcmp(part, "message") ? "a choice has no \"message\" object"
								 : "a choice has no \"delta\" object");
		}
		/* vLLM before 0.9 and DeepSeek say reasoning_content; newer vLLM says reasoning. */
		static const char *const fields[] = {"content", "reasoning_content", "reasoning"};
		for (size_t k = 0; k < 3; k++) {
			int rc = append_field(k ? &c->reasoning : &c->content, m, fields[k],
					      k ? &c->has_reasoning : NULL);
			if (rc < 0) {
				char why[64];
				snprintf(why, sizeof(why), "a choice's \"%s\" is not a string", fields[k]);
				return fail(r, why);
			}
			got |= rc;
		}
	}
	/* A stream has no body cap: this is its cap. */
	r->text_bytes += c->content.len + c->reasoning.len - held;
	if (r->text_bytes > OA_MAX_TEXT) {
		char why[64];
		snprintf(why, sizeof(why), "the response's text is over %u MiB", OA_MAX_TEXT >> 20);
		return fail(r, why);
	}
	return got;
}

int oa_parse_body(struct oa_result *r, const char *body, size_t len, int completions)
{
	cJSON *root = json_parse_len(body, len);
	if (!root)
		return fail(r, "the response is not valid JSON");
	int rc = 0;
	if (take_error(r, root)) {
		rc = -1;
		goto out;
	}
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	if (!cJSON_IsArray(choices) || !cJSON_GetArraySize(choices)) {
		rc = fail(r, "the response has no choices");
		goto out;
	}
	size_t pos = 0;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, choices)
	{
		if (read_choice(r, ch, pos++, "message", completions) < 0) {
			rc = -1;
			goto out;
		}
	}
	read_usage(r, root);
out:
	cJSON_Delete(root);
	return rc;
}

int oa_parse_chunk(struct oa_result *r, const char *data, size_t len, int completions)
{
	struct strview v = sv_trim((struct strview){data, len});
	if (sv_eq(v, "[DONE]")) {
		r->done = 1;
		return 0;
	}
	cJSON *root = json_parse_len(data, len);
	if (!root)
		return fail(r, "a stream chunk is not valid JSON");
	int rc = 0;
	if (take_error(r, root)) {
		rc = -1;
		goto out;
	}
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	if (choices && !cJSON_IsArray(choices) && !cJSON_IsNull(choices)) {
		rc = fail(r, "a stream chunk's choices is not a list");
		goto out;
	}
	/* Role-only and usage-only chunks carry no text; both are fine. */
	size_t pos = 0;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, choices)
	{
		int got = read_choice(r, ch, pos++, "delta", completions);
		if (got < 0) {
			rc = -1;
			goto out;
		}
		r->tokens += got;
	}
	read_usage(r, root);
out:
	cJSON_Delete(root);
	return rc;
}

int oa_stream_complete(const struct oa_result *r)
{
	if (!r->nchoices)
		return 0;
	if (r->done)
		return 1;
	for (size_t i = 0; i < r->nchoices; i++)
		if (r->choices[i].seen && !r->choices[i].finish_reason)
			return 0;
	return 1;
}

static char *shorten(const char *s, size_t len)
{
	struct strview v = sv_trim((struct strview){s, len});
	if (v.len <= ERROR_TEXT_MAX)
		return sv_dup(v);
	return xasprintf("%.*s...", ERROR_TEXT_MAX, v.ptr);
}

char *oa_error_text(const char *body, size_t len)
{
	if (!body || !len)
		return xstrdup("(empty response body)");
	cJSON *root = json_parse_len(body, len);
	const char *msg = NULL;
	if (cJSON_IsObject(root)) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
		if (cJSON_IsObject(e))
			msg = json_str(e, "message");
		else if (cJSON_IsString(e))
			msg = e->valuestring;
		if (!msg)
			msg = json_str(root, "detail");
		if (!msg)
			msg = json_str(root, "message");
	}
	char *out = msg ? shorten(msg, strlen(msg)) : shorten(body, len);
	cJSON_Delete(root);
	return out;
}
