#include "reports/results/genstats.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"

#define MAX_MS 1e12 /* a longer latency (31 years) is corrupt; it counts as this */

void genstats_init(struct genstats *g)
{
	memset(g, 0, sizeof(*g));
	sketch_init(&g->completion);
	sketch_init(&g->reasoning);
	sketch_init(&g->latency);
	sketch_init(&g->ttft);
	sketch_init(&g->rate);
}

void genstats_release(struct genstats *g)
{
	sketch_release(&g->completion);
	sketch_release(&g->reasoning);
	sketch_release(&g->latency);
	sketch_release(&g->ttft);
	sketch_release(&g->rate);
	memset(g, 0, sizeof(*g));
}

size_t genstats_bytes(const struct genstats *g)
{
	return sketch_bytes(&g->completion) + sketch_bytes(&g->reasoning) +
	       sketch_bytes(&g->latency) + sketch_bytes(&g->ttft) + sketch_bytes(&g->rate);
}

long genstats_approx_tokens(unsigned long chars)
{
	return (long)((chars + GENSTATS_CHARS_PER_TOKEN - 1) / GENSTATS_CHARS_PER_TOKEN);
}

static long clamp_tokens(long v)
{
	return v < 0 ? -1 : v > INT_MAX ? INT_MAX : v;
}

/* Milliseconds to whole microseconds; -1 when unknown. */
static int64_t to_us(double ms)
{
	if (!(ms >= 0))
		return -1;
	return llround((ms < MAX_MS ? ms : MAX_MS) * 1000.0);
}

void genstats_add(struct genstats *g, struct genstats_means *m, const struct sample *s,
		  int answered)
{
	size_t reasoning_chars = s->reasoning ? strlen(s->reasoning) : 0;
	long completion = clamp_tokens(s->completion_tokens);
	long reasoning = clamp_tokens(s->reasoning_tokens);
	if (completion < 0) {
		completion =
		    genstats_approx_tokens(strlen(s->content ? s->content : "") + reasoning_chars);
		g->completion_approx++;
	}
	if (reasoning < 0) {
		reasoning = genstats_approx_tokens(reasoning_chars);
		g->reasoning_approx++;
	}
	int correct = s->grade.correct != 0;
	int truncated = s->finish_reason && !strcmp(s->finish_reason, "length");
	int closed = s->reasoning && s->reasoning_closed;
	g->graded++;
	g->truncated += truncated;
	g->correct_trunc += truncated && correct;
	g->correct_rest += !truncated && correct;
	g->reasoning_present += s->reasoning != NULL;
	g->reasoning_closed += closed;
	g->answered += answered != 0;
	g->compliant += closed && answered;
	long prompt = clamp_tokens(s->prompt_tokens);
	if (prompt >= 0) {
		g->prompt_known++;
		g->prompt_tokens += prompt;
	}
	g->completion_tokens += completion;
	g->reasoning_tokens += reasoning;
	sketch_add(&g->completion, (double)completion);
	sketch_add(&g->reasoning, (double)reasoning);
	m->samples++;
	m->completion_tokens += completion;
	m->reasoning_tokens += reasoning;

	int64_t lat = to_us(s->latency_ms), ttft = to_us(s->ttft_ms);
	if (lat >= 0) {
		g->latency_us += lat;
		sketch_add(&g->latency, (double)lat / 1000.0);
		m->latency_samples++;
		m->latency_us += lat;
	}
	if (lat > 0) {
		g->rate_tokens += completion;
		g->rate_us += lat;
		sketch_add(&g->rate, (double)completion / ((double)lat / 1e6));
	}
	if (ttft >= 0) {
		g->ttft_us += ttft;
		sketch_add(&g->ttft, (double)ttft / 1000.0);
	}
}

static double ratio(double num, double den)
{
	return den ? num / den : NAN;
}

double genstats_mean_completion(const struct genstats_means *m)
{
	return ratio((double)m->completion_tokens, m->samples);
}

double genstats_mean_reasoning(const struct genstats_means *m)
{
	return ratio((double)m->reasoning_tokens, m->samples);
}

double genstats_mean_latency(const struct genstats_means *m)
{
	return ratio((double)m->latency_us / 1000.0, m->latency_samples);
}

static void add_num(cJSON *o, const char *name, double v)
{
	if (isnan(v) || isinf(v))
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, v);
}

/* {"mean", "median", "p90", "max", "total", "approx"} for token counts. */
static cJSON *token_json(const struct sketch *s, int64_t total, long approx)
{
	cJSON *o = cJSON_CreateObject();
	add_num(o, "mean", ratio((double)total, (double)s->n));
	add_num(o, "median", sketch_quantile(s, 0.5));
	add_num(o, "p90", sketch_quantile(s, 0.9));
	add_num(o, "max", s->n ? s->max : NAN);
	cJSON_AddNumberToObject(o, "total", (double)total);
	cJSON_AddNumberToObject(o, "approx", (double)approx);
	return o;
}

/* {"samples", "mean", "p50", "p90", "p99"} for timings. */
static cJSON *timing_json(const struct sketch *s, int64_t total_us)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "samples", (double)s->n);
	add_num(o, "mean", ratio((double)total_us / 1000.0, (double)s->n));
	add_num(o, "p50", sketch_quantile(s, 0.5));
	add_num(o, "p90", sketch_quantile(s, 0.9));
	add_num(o, "p99", sketch_quantile(s, 0.99));
	return o;
}

static void add_format(cJSON *out, const struct genstats *g)
{
	double n = (double)g->graded;
	cJSON *f = cJSON_AddObjectToObject(out, "format");
	add_num(f, "reasoning_present", ratio((double)g->reasoning_present, n));
	add_num(f, "reasoning_closed", ratio((double)g->reasoning_closed, n));
	add_num(f, "answer_present", ratio((double)g->answered, n));
	add_num(f, "compliant", ratio((double)g->compliant, n));
}

static void add_truncation(cJSON *out, const struct genstats *g)
{
	cJSON *t = cJSON_AddObjectToObject(out, "truncation");
	cJSON_AddNumberToObject(t, "count", (double)g->truncated);
	add_num(t, "rate", ratio((double)g->truncated, (double)g->graded));
	add_num(t, "accuracy_non_truncated",
		ratio((double)g->correct_rest, (double)(g->graded - g->truncated)));
	add_num(t, "accuracy_truncated", ratio((double)g->correct_trunc, (double)g->truncated));
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

static void add_infra(cJSON *out, const struct kind_count *infra, size_t ninfra)
{
	cJSON *o = cJSON_AddObjectToObject(out, "infra");
	long total = 0;
	cJSON *kinds = cJSON_CreateObject(), *examples = cJSON_CreateObject();
	for (size_t k = 0; k < ninfra; k++)
		if (infra[k].count) {
			total += infra[k].count;
			cJSON_AddNumberToObject(kinds, infra[k].kind, (double)infra[k].count);
			if (infra[k].example)
				cJSON_AddStringToObject(examples, infra[k].kind, infra[k].example);
		}
	cJSON_AddNumberToObject(o, "total", (double)total);
	cJSON_AddItemToObject(o, "by_kind", kinds);
	cJSON_AddItemToObject(o, "examples", examples);
}

cJSON *genstats_build(const struct genstats *g, const struct kind_count *infra, size_t ninfra,
		      const struct prices *prices)
{
	double prompt = (double)g->prompt_tokens, completion = (double)g->completion_tokens;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "samples", (double)g->graded);
	cJSON_AddItemToObject(
	    out, "completion_tokens",
	    token_json(&g->completion, g->completion_tokens, g->completion_approx));
	cJSON_AddItemToObject(out, "reasoning_tokens",
			      token_json(&g->reasoning, g->reasoning_tokens, g->reasoning_approx));
	cJSON *pt = cJSON_AddObjectToObject(out, "prompt_tokens");
	cJSON_AddNumberToObject(pt, "total", prompt);
	cJSON_AddNumberToObject(pt, "unknown", (double)(g->graded - g->prompt_known));
	cJSON_AddNumberToObject(out, "total_tokens", prompt + completion);
	add_truncation(out, g);
	add_format(out, g);
	cJSON_AddItemToObject(out, "latency_ms", timing_json(&g->latency, g->latency_us));
	cJSON_AddItemToObject(out, "ttft_ms", timing_json(&g->ttft, g->ttft_us));
	cJSON *r = cJSON_AddObjectToObject(out, "tokens_per_second");
	cJSON_AddNumberToObject(r, "samples", (double)g->rate.n);
	add_num(r, "aggregate",
		g->rate_us > 0 ? (double)g->rate_tokens / ((double)g->rate_us / 1e6) : NAN);
	add_num(r, "median", sketch_quantile(&g->rate, 0.5));
	add_cost(out, prices, prompt, completion);
	add_infra(out, infra, ninfra);
	return out;
}
