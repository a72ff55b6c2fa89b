#include "harness/serve/reward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/base/re.h"
#include "harness/model/think.h"

#define CTX_STATES 8 /* grader states a thread keeps; the oldest is replaced */

struct ctx_state {
	const struct grader_ops *g;
	char *key;   /* grader name and options text */
	void *state;
};

struct reward_ctx {
	const struct reward_rule *rule;
	struct re *pattern;
	struct ctx_state states[CTX_STATES];
	size_t nstates, next_victim;
};

static void *state_for(struct reward_ctx *c, const struct grader_ops *g, const cJSON *opts,
		       struct strbuf *err);

void reward_rule_default(struct reward_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->w_accuracy = 1;
	r->w_format = 1;
	r->grader = "math";
}

struct reward_ctx *reward_ctx_new(const struct reward_rule *r, struct strbuf *err)
{
	struct reward_ctx *c = xcalloc(1, sizeof(*c));
	c->rule = r;
	if (r->format_pattern && !(c->pattern = re_compile(r->format_pattern, "s", err))) {
		free(c);
		return NULL;
	}
	const struct grader_ops *g = grader_find(r->grader);
	if (!g) {
		strbuf_addf(err, "unknown grader '%s'", r->grader);
		reward_ctx_free(c);
		return NULL;
	}
	if (strcmp(g->name, "code") && !state_for(c, g, r->options, err)) {
		reward_ctx_free(c);
		return NULL;
	}
	return c;
}

void reward_ctx_free(struct reward_ctx *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nstates; i++) {
		c->states[i].g->free(c->states[i].state);
		free(c->states[i].key);
	}
	re_free(c->pattern);
	free(c);
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
		p++;
	return p;
}

static int ends_with_open_tag(const char *prompt)
{
	if (!prompt)
		return 0;
	size_t n = strlen(prompt);
	while (n && strchr(" \t\r\n", prompt[n - 1]))
		n--;
	return n >= 7 && !memcmp(prompt + n - 7, "<think>", 7);
}

int reward_format(struct reward_ctx *c, const char *response, const char *prompt)
{
	if (c->pattern) {
		size_t off = 0;
		struct strview g;
		return re_next(c->pattern, sv_from(response), &off, &g, 1);
	}
	const char *p = skip_space(response);
	if (!ends_with_open_tag(prompt)) {
		if (strncmp(p, "<think>", 7))
			return 0;
		p += 7;
	}
	const char *close = strstr(p, "</think>");
	if (!close)
		return 0;
	/* One block: no second opening tag inside it, no tag of either kind after it. */
	const char *open2 = strstr(p, "<think>");
	if (open2 && open2 < close)
		return 0;
	const char *rest = close + 8;
	if (strstr(rest, "<think>") || strstr(rest, "</think>"))
		return 0;
	return *skip_space(rest) != '\0';
}

/* The state of grader g with options opts, from this thread's table. */
static void *state_for(struct reward_ctx *c, const struct grader_ops *g, const cJSON *opts,
		       struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	strbuf_adds(&key, g->name);
	strbuf_addch(&key, '\n');
	if (opts)
		json_append(&key, opts);
	for (size_t i = 0; i < c->nstates; i++)
		if (c->states[i].g == g && !strcmp(c->states[i].key, key.buf)) {
			strbuf_release(&key);
			return c->states[i].state;
		}
	void *state = NULL;
	if (g->init(&state, opts, err)) {
		strbuf_release(&key);
		return NULL;
	}
	struct ctx_state *slot;
	if (c->nstates < CTX_STATES) {
		slot = &c->states[c->nstates++];
	} else {
		slot = &c->states[c->next_victim];
		c->next_victim = (c->next_victim + 1) % CTX_STATES;
		slot->g->free(slot->state);
		free(slot->key);
	}
	slot->g = g;
	slot->key = strbuf_detach(&key);
	slot->state = state;
	return state;
}

/* tests_passed / tests_total from a code grade's detail, or -1. */
static double share_passed(const struct grade *gr)
{
	cJSON *d = gr->detail ? cJSON_Parse(gr->detail) : NULL;
	double passed = json_num(d, "tests_passed", -1), total = json_num(d, "tests_total", 0);
	cJSON_Delete(d);
	return passed >= 0 && total > 0 ? passed / total : -1;
}

static void set_verdict(struct reward_out *o, const struct grade *gr)
{
	cJSON *d = gr->detail ? cJSON_Parse(gr->detail) : NULL;
	const char *v = json_str(d, "verdict");
	if (v)
		snprintf(o->verdict, sizeof(o->verdict), "%s", v);
	else if (gr->status == GRADE_OK)
		snprintf(o->verdict, sizeof(o->verdict), "%s", gr->correct ? "correct" : "wrong");
	else
		snprintf(o->verdict, sizeof(o->verdict), "%s", grade_status_name(gr->status));
	cJSON_Delete(d);
}

static void judge(struct reward_ctx *c, const struct reward_item *it, struct reward_out *out)
{
	const struct reward_rule *r = c->rule;
	const struct grader_ops *g = grader_find(it->grader ? it->grader : r->grader);
	struct strbuf err = STRBUF_INIT;
	if (!g) {
		out->error = xasprintf("unknown grader '%s'", it->grader);
		goto out;
	}
	void *state;
	if (!strcmp(g->name, "code")) {
		if (it->options) {
			out->error = xstrdup("code options are set on the server, not per item");
			goto out;
		}
		state = r->code_state;
		if (!state) {
			out->error = xstrdup("this server does not grade code");
			goto out;
		}
	} else if (!(state = state_for(c, g, it->options ? it->options
						   : !strcmp(g->name, r->grader) ? r->options : NULL,
				       &err))) {
		out->error = xasprintf("bad options for grader '%s': %s", g->name, err.buf);
		goto out;
	}
	struct think_parts tp;
	think_split(it->response, &tp);
	if (it->finish_reason && !strcmp(it->finish_reason, "length")) {
		snprintf(out->verdict, sizeof(out->verdict), "truncated");
		goto out;
	}
	if (tp.unclosed) {
		snprintf(out->verdict, sizeof(out->verdict), "no_answer");
		goto out;
	}
	char *content = sv_dup(tp.content);
	char *reasoning = tp.has_reasoning ? sv_dup(tp.reasoning) : NULL;
	struct grade_input in = {
		.problem_id = "item",
		.gold = it->gold ? it->gold : "",
		.record = it->record,
		.content = content,
		.reasoning = reasoning,
		.finish_reason = it->finish_reason,
	};
	struct grade gr = {0};
	if (g->grade(state, &in, &gr)) {
		out->error = xasprintf("grader '%s' failed", g->name);
	} else {
		int partial = it->partial >= 0 ? it->partial : r->partial;
		double share = partial ? share_passed(&gr) : -1;
		if (gr.status != GRADE_OK)
			out->accuracy = 0;
		else if (share >= 0)
			out->accuracy = share;
		else if (partial)
			out->accuracy = gr.score;
		else
			out->accuracy = gr.correct ? 1 : 0;
		set_verdict(out, &gr);
		if (gr.status == GRADE_INFRA && !out->error)
			out->error = xstrdup(gr.reason ? gr.reason : "infrastructure failure");
		if (gr.extracted && strcmp(g->name, "code")) {
			out->extracted = gr.extracted;
			gr.extracted = NULL;
		}
	}
	grade_release(&gr);
	free(content);
	free(reasoning);
out:
	strbuf_release(&err);
}

void reward_score(struct reward_ctx *c, const struct reward_item *it, struct reward_out *out)
{
	memset(out, 0, sizeof(*out));
	judge(c, it, out);
	if (out->error && !out->verdict[0])
		snprintf(out->verdict, sizeof(out->verdict), "error");
	out->format = reward_format(c, it->response, it->prompt);
	out->reward = out->error ? 0
				 : c->rule->w_accuracy * out->accuracy + c->rule->w_format * out->format;
}

void reward_out_release(struct reward_out *o)
{
	free(o->extracted);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

const char *reward_response_of_query(const char *query, const char *prompt)
{
	if (!prompt || !*prompt)
		return query;
	size_t n = strlen(prompt);
	if (!strncmp(query, prompt, n))
		return query + n;
	const char *at = strstr(query, prompt);
	return at ? at + n : query;
}
