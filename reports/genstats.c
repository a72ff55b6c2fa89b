#include "genstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

long genstats_approx_tokens(unsigned long chars)
{
	return (long)((chars + GENSTATS_CHARS_PER_TOKEN - 1) / GENSTATS_CHARS_PER_TOKEN);
}

long genstats_completion_tokens(const struct slot *sl, int *approx)
{
	*approx = sl->completion_tokens < 0;
	if (!*approx)
		return sl->completion_tokens;
	return genstats_approx_tokens((unsigned long)sl->content_chars + sl->reasoning_chars);
}

long genstats_reasoning_tokens(const struct slot *sl, int *approx)
{
	*approx = sl->reasoning_tokens < 0;
	if (!*approx)
		return sl->reasoning_tokens;
	return genstats_approx_tokens(sl->reasoning_chars);
}

/* A growable list of values whose order statistics are wanted. */
struct series {
	double *v;
	size_t n, cap;
	double sum;
	long approx;
};

static void series_add(struct series *s, double x)
{
	GROW(s->v, s->cap, s->n + 1);
	s->v[s->n++] = x;
	s->sum += x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least a fraction q of the values at or below it. */
static double nearest_rank(const struct series *s, double q)
{
	size_t r = (size_t)ceil(q * (double)s->n);
	if (r < 1)
		r = 1;
	return s->v[r - 1];
}

static void add_num(cJSON *o, const char *name, double v)
{
	if (isnan(v) || isinf(v))
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, v);
}

/* {"mean", "median", "p90", "max", "total", "approx"} for token series. */
static cJSON *token_json(struct series *s)
{
	cJSON *o = cJSON_CreateObject();
	qsort(s->v, s->n, sizeof(double), cmp_double);
	int any = s->n > 0;
	add_num(o, "mean", any ? s->sum / (double)s->n : NAN);
	add_num(o, "median", any ? nearest_rank(s, 0.5) : NAN);
	add_num(o, "p90", any ? nearest_rank(s, 0.9) : NAN);
	add_num(o, "max", any ? s->v[s->n - 1] : NAN);
	cJSON_AddNumberToObject(o, "total", s->sum);
	cJSON_AddNumberToObject(o, "approx", (double)s->approx);
	return o;
}

/* {"samples", "mean", "p50", "p90", "p99"} for timing series. */
static cJSON *timing_json(struct series *s)
{
	cJSON *o = cJSON_CreateObject();
	qsort(s->v, s->n, sizeof(double), cmp_double);
	int any = s->n > 0;
	cJSON_AddNumberToObject(o, "samples", (double)s->n);
	add_num(o, "mean", any ? s->sum / (double)s->n : NAN);
	add_num(o, "p50", any ? nearest_rank(s, 0.5) : NAN);
	add_num(o, "p90", any ? nearest_rank(s, 0.9) : NAN);
	add_num(o, "p99", any ? nearest_rank(s, 0.99) : NAN);
	return o;
}

static double rate(long num, long den)
{
	return den ? (double)num / (double)den : NAN;
}

struct counts {
	long graded, truncated, correct_trunc, correct_rest;
	long reasoning, closed, answered, compliant;
	long prompt_known;
	double prompt_total;
	double latency_s_total, rate_tokens_total; /* over samples with both figures */
};

static void count_slot(struct counts *c, const struct slot *sl)
{
	c->graded++;
	if (sl->truncated) {
		c->truncated++;
		c->correct_trunc += sl->correct;
	} else {
		c->correct_rest += sl->correct;
	}
	int answered = sl->status != GRADE_NO_ANSWER && sl->key >= 0;
	c->reasoning += sl->has_reasoning;
	c->closed += sl->has_reasoning && sl->reasoning_closed;
	c->answered += answered;
	c->compliant += sl->has_reasoning && sl->reasoning_closed && answered;
	if (sl->prompt_tokens >= 0) {
		c->prompt_known++;
		c->prompt_total += sl->prompt_tokens;
	}
}

static void add_format(cJSON *out, const struct counts *c)
{
	cJSON *f = cJSON_AddObjectToObject(out, "format");
	add_num(f, "reasoning_present", rate(c->reasoning, c->graded));
	add_num(f, "reasoning_closed", rate(c->closed, c->graded));
	add_num(f, "answer_present", rate(c->answered, c->graded));
	add_num(f, "compliant", rate(c->compliant, c->graded));
}

static void add_truncation(cJSON *out, const struct counts *c)
{
	cJSON *t = cJSON_AddObjectToObject(out, "truncation");
	cJSON_AddNumberToObject(t, "count", (double)c->truncated);
	add_num(t, "rate", rate(c->truncated, c->graded));
	add_num(t, "accuracy_non_truncated", rate(c->correct_rest, c->graded - c->truncated));
	add_num(t, "accuracy_truncated", rate(c->correct_trunc, c->truncated));
}

static void add_cost(cJSON *out, const struct prices *p, double prompt, double completion)
{
	if (!p || (isnan(p->input_per_mtok) && isnan(p->output_per_mtok)))
		return;
	double in = isnan(p->input_per_mtok) ? 0 : prompt * p->input_per_mtok / 1e6;
	double outc = isnan(p->output_per_mtok) ? 0 : completion * p->output_per_mtok / 1e6;
	cJSON *o = cJSON_AddObjectToObject(out, "cost_usd");
	cJSON_AddNumberToObject(o, "input", in);
	cJSON_AddNumberToObject(o, "output", outc);
	cJSON_AddNumberToObject(o, "total", in + outc);
	add_num(o, "price_input_per_mtok", p->input_per_mtok);
	add_num(o, "price_output_per_mtok", p->output_per_mtok);
}

static void add_infra(cJSON *out, const struct task_tally *tt)
{
	cJSON *o = cJSON_AddObjectToObject(out, "infra");
	long total = 0;
	cJSON *kinds = cJSON_CreateObject();
	for (size_t k = 0; k < tt->ninfra; k++)
		if (tt->infra[k].count) {
			total += tt->infra[k].count;
			cJSON_AddNumberToObject(kinds, tt->infra[k].kind, (double)tt->infra[k].count);
		}
	cJSON_AddNumberToObject(o, "total", (double)total);
	cJSON_AddItemToObject(o, "by_kind", kinds);
}

cJSON *genstats_build(const struct task_tally *tt, const struct prices *prices)
{
	struct series comp = {0}, reas = {0}, lat = {0}, ttft = {0}, tps = {0};
	struct counts c = {0};
	for (size_t j = 0; j < tt->nprobs; j++)
		for (int i = 0; i < tt->n; i++) {
			const struct slot *sl = &tt->probs[j].slots[i];
			if (sl->state != SLOT_GRADED)
				continue;
			count_slot(&c, sl);
			int approx;
			long ct = genstats_completion_tokens(sl, &approx);
			series_add(&comp, (double)ct);
			comp.approx += approx;
			long rt = genstats_reasoning_tokens(sl, &approx);
			series_add(&reas, (double)rt);
			reas.approx += approx;
			if (sl->latency_ms >= 0) {
				series_add(&lat, sl->latency_ms);
				if (sl->latency_ms > 0) {
					series_add(&tps, (double)ct / (sl->latency_ms / 1000.0));
					c.latency_s_total += sl->latency_ms / 1000.0;
					c.rate_tokens_total += (double)ct;
				}
			}
			if (sl->ttft_ms >= 0)
				series_add(&ttft, sl->ttft_ms);
		}
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "samples", (double)c.graded);
	cJSON_AddItemToObject(out, "completion_tokens", token_json(&comp));
	cJSON_AddItemToObject(out, "reasoning_tokens", token_json(&reas));
	cJSON *pt = cJSON_AddObjectToObject(out, "prompt_tokens");
	cJSON_AddNumberToObject(pt, "total", c.prompt_total);
	cJSON_AddNumberToObject(pt, "unknown", (double)(c.graded - c.prompt_known));
	cJSON_AddNumberToObject(out, "total_tokens", c.prompt_total + comp.sum);
	add_truncation(out, &c);
	add_format(out, &c);
	cJSON_AddItemToObject(out, "latency_ms", timing_json(&lat));
	cJSON_AddItemToObject(out, "ttft_ms", timing_json(&ttft));
	cJSON *r = cJSON_AddObjectToObject(out, "tokens_per_second");
	qsort(tps.v, tps.n, sizeof(double), cmp_double);
	cJSON_AddNumberToObject(r, "samples", (double)tps.n);
	add_num(r, "aggregate", c.latency_s_total > 0 ? c.rate_tokens_total / c.latency_s_total : NAN);
	add_num(r, "median", tps.n ? nearest_rank(&tps, 0.5) : NAN);
	add_cost(out, prices, c.prompt_total, comp.sum);
	add_infra(out, tt);
	free(comp.v);
	free(reas.v);
	free(lat.v);
	free(ttft.v);
	free(tps.v);
	return out;
}
