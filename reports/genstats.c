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
	if (s->n)
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
	if (s->n)
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

enum figure { FIG_COMPLETION, FIG_REASONING, FIG_LATENCY, FIG_TTFT, FIG_RATE };

/*
 * One figure over the graded samples.  Figures are collected one at a time
 * so that at most one list of values is held at once.
 */
static void collect(struct series *s, const struct task_tally *tt, enum figure fig)
{
	memset(s, 0, sizeof(*s));
	for (size_t j = 0; j < tt->nprobs; j++)
		for (int i = 0; i < tt->n; i++) {
			const struct slot *sl = &tt->probs[j].slots[i];
			if (sl->state != SLOT_GRADED)
				continue;
			int approx = 0;
			double v;
			switch (fig) {
			case FIG_COMPLETION: v = (double)genstats_completion_tokens(sl, &approx); break;
			case FIG_REASONING: v = (double)genstats_reasoning_tokens(sl, &approx); break;
			case FIG_LATENCY: v = sl->latency_ms; break;
			case FIG_TTFT: v = sl->ttft_ms; break;
			default:
				if (sl->latency_ms <= 0)
					continue;
				v = (double)genstats_completion_tokens(sl, &approx) /
				    (sl->latency_ms / 1000.0);
				approx = 0;
				break;
			}
			if (v < 0)
				continue;
			series_add(s, v);
			s->approx += approx;
		}
}

static void count_all(struct counts *c, const struct task_tally *tt)
{
	memset(c, 0, sizeof(*c));
	for (size_t j = 0; j < tt->nprobs; j++)
		for (int i = 0; i < tt->n; i++) {
			const struct slot *sl = &tt->probs[j].slots[i];
			if (sl->state != SLOT_GRADED)
				continue;
			count_slot(c, sl);
			if (sl->latency_ms > 0) {
				int approx;
				c->latency_s_total += sl->latency_ms / 1000.0;
				c->rate_tokens_total += (double)genstats_completion_tokens(sl, &approx);
			}
		}
}

cJSON *genstats_build(const struct task_tally *tt, const struct prices *prices)
{
	struct counts c;
	struct series s;
	count_all(&c, tt);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "samples", (double)c.graded);
	collect(&s, tt, FIG_COMPLETION);
	double completion_total = s.sum;
	cJSON_AddItemToObject(out, "completion_tokens", token_json(&s));
	free(s.v);
	collect(&s, tt, FIG_REASONING);
	cJSON_AddItemToObject(out, "reasoning_tokens", token_json(&s));
	free(s.v);
	cJSON *pt = cJSON_AddObjectToObject(out, "prompt_tokens");
	cJSON_AddNumberToObject(pt, "total", c.prompt_total);
	cJSON_AddNumberToObject(pt, "unknown", (double)(c.graded - c.prompt_known));
	cJSON_AddNumberToObject(out, "total_tokens", c.prompt_total + completion_total);
	add_truncation(out, &c);
	add_format(out, &c);
	collect(&s, tt, FIG_LATENCY);
	cJSON_AddItemToObject(out, "latency_ms", timing_json(&s));
	free(s.v);
	collect(&s, tt, FIG_TTFT);
	cJSON_AddItemToObject(out, "ttft_ms", timing_json(&s));
	free(s.v);
	collect(&s, tt, FIG_RATE);
	if (s.n)
		qsort(s.v, s.n, sizeof(double), cmp_double);
	cJSON *r = cJSON_AddObjectToObject(out, "tokens_per_second");
	cJSON_AddNumberToObject(r, "samples", (double)s.n);
	add_num(r, "aggregate", c.latency_s_total > 0 ? c.rate_tokens_total / c.latency_s_total : NAN);
	add_num(r, "median", s.n ? nearest_rank(&s, 0.5) : NAN);
	free(s.v);
	add_cost(out, prices, c.prompt_total, completion_total);
	add_infra(out, tt);
	return out;
}
