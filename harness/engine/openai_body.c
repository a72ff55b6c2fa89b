#include "harness/engine/openai_body.h"

#include <math.h>
#include <stdlib.h>

#include "harness/base/json.h"

uint64_t oa_wire_seed(uint64_t seed)
{
	return seed & 0x7fffffffu;
}

static void add_message(cJSON *msgs, const char *role, const char *text)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", text);
	cJSON_AddItemToArray(msgs, m);
}

static void add_prompt(cJSON *body, const struct oa_body_opts *o, const struct engine_request *r)
{
	int fold = r->system && *r->system && (o->fold_system || o->completions);
	char *folded = fold ? xasprintf("%s\n\n%s", r->system, r->prompt) : NULL;
	const char *user = folded ? folded : r->prompt;
	if (o->completions) {
		cJSON_AddStringToObject(body, "prompt", user);
	} else {
		cJSON *msgs = cJSON_AddArrayToObject(body, "messages");
		if (r->system && *r->system && !fold)
			add_message(msgs, "system", r->system);
		add_message(msgs, "user", user);
	}
	free(folded);
}

static void add_number(cJSON *body, const char *key, double v)
{
	if (!isnan(v))
		cJSON_AddNumberToObject(body, key, v);
}

static void add_sampling(cJSON *body, const struct oa_body_opts *o, const struct sampling *s)
{
	add_number(body, "temperature", s->temperature);
	add_number(body, "top_p", s->top_p);
	add_number(body, "top_k", s->top_k);
	add_number(body, "min_p", s->min_p);
	add_number(body, "presence_penalty", s->presence_penalty);
	add_number(body, "frequency_penalty", s->frequency_penalty);
	if (s->max_tokens >= 0)
		cJSON_AddNumberToObject(body, o->max_completion_tokens && !o->completions
						      ? "max_completion_tokens"
						      : "max_tokens",
					(double)s->max_tokens);
	if (s->nstop) {
		cJSON *stop = cJSON_AddArrayToObject(body, "stop");
		for (size_t i = 0; i < s->nstop; i++)
			cJSON_AddItemToArray(stop, cJSON_CreateString(s->stop[i]));
	}
	if (s->reasoning_effort && !o->completions)
		cJSON_AddStringToObject(body, "reasoning_effort", s->reasoning_effort);
}

void oa_body_build(struct strbuf *out, const struct oa_body_opts *o,
		   const struct engine_request *req, int n)
{
	cJSON *body = cJSON_CreateObject();
	if (o->model)
		cJSON_AddStringToObject(body, "model", o->model);
	add_prompt(body, o, req);
	add_sampling(body, o, req->sampling);
	if (n > 1)
		cJSON_AddNumberToObject(body, "n", n);
	cJSON_AddNumberToObject(body, "seed", (double)oa_wire_seed(req->seed));
	if (o->stream) {
		cJSON_AddBoolToObject(body, "stream", 1);
		cJSON *so = cJSON_AddObjectToObject(body, "stream_options");
		cJSON_AddBoolToObject(so, "include_usage", 1);
	}
	const cJSON *kv;
	cJSON_ArrayForEach(kv, o->extra)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(body, kv->string);
		cJSON_AddItemToObject(body, kv->string, cJSON_Duplicate(kv, 1));
	}
	strbuf_reset(out);
	json_append(out, body);
	cJSON_Delete(body);
}
