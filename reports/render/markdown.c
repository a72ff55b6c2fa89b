#include "reports/render/markdown.h"

#include <math.h>
#include <string.h>

#include "harness/base/json.h"
#include "reports/render/render.h"

void markdown_escape(struct strbuf *out, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '|': strbuf_adds(out, "\\|"); break;
		case '<': strbuf_adds(out, "&lt;"); break;
		case '>': strbuf_adds(out, "&gt;"); break;
		case '&': strbuf_adds(out, "&amp;"); break;
		case '`': strbuf_adds(out, "&#96;"); break;
		case '\n':
		case '\r': strbuf_addch(out, ' '); break;
		default: strbuf_addch(out, *p);
		}
	}
}

static void pct(struct strbuf *out, double v)
{
	if (isnan(v))
		strbuf_adds(out, "n/a");
	else
		strbuf_addf(out, "%.1f", 100 * v);
}

static void signed_pts(struct strbuf *out, double v)
{
	if (isnan(v))
		strbuf_adds(out, "n/a");
	else
		strbuf_addf(out, "%+.1f", 100 * v);
}

void markdown_gate(struct strbuf *out, const struct gate_result *g)
{
	strbuf_addf(out, "### reval gate: %s", g->failures ? "FAIL" : "pass");
	if (g->failures)
		strbuf_addf(out, " (%zu of %zu tasks failed)", g->failures, g->ntasks);
	else
		strbuf_addf(out, " (%zu tasks)", g->ntasks);
	strbuf_adds(out, "\n\nBaseline `");
	markdown_escape(out, g->baseline);
	strbuf_adds(out, "`, candidate `");
	markdown_escape(out, g->candidate);
	strbuf_addf(out, "`. A task fails when its score drops by more than %.1f points",
		    g->opts.max_drop);
	for (size_t i = 0; i < g->opts.ndrops; i++) {
		strbuf_adds(out, i ? ", " : " (");
		markdown_escape(out, g->opts.drops[i].task);
		strbuf_addf(out, ": %.1f", g->opts.drops[i].points);
	}
	strbuf_addf(out,
		    "%s and a paired sign-flip test over problems gives p < %.3g, when a floor is "
		    "missed, or when infrastructure errors exceed %.2f%%.\n\n",
		    g->opts.ndrops ? ")" : "", g->opts.alpha, 100 * g->opts.max_infra);
	strbuf_adds(out, "| task | metric | baseline | candidate | change (pts) | 95% CI (pts) | "
			 "p (worse) | problems better / worse | result |\n"
			 "|---|---|---:|---:|---:|---|---:|---|---|\n");
	for (size_t i = 0; i < g->ntasks; i++) {
		const struct gate_task *t = &g->tasks[i];
		strbuf_adds(out, "| ");
		markdown_escape(out, t->id);
		strbuf_adds(out, " | ");
		markdown_escape(out, t->metric);
		strbuf_adds(out, " | ");
		pct(out, t->base_score);
		strbuf_adds(out, " | ");
		pct(out, t->cand_score);
		strbuf_adds(out, " | ");
		signed_pts(out, t->cmp.diff);
		strbuf_adds(out, " | [");
		signed_pts(out, t->cmp.ci_low);
		strbuf_adds(out, ", ");
		signed_pts(out, t->cmp.ci_high);
		strbuf_addf(out, "] | %.3g | %zu / %zu of %zu | %s", t->cmp.p_worse, t->cmp.better,
			    t->cmp.worse, t->cmp.pairs, t->failed ? "**FAIL** " : "");
		markdown_escape(out, t->verdict);
		strbuf_adds(out, " |\n");
	}
	for (size_t i = 0; i < g->nnotes; i++) {
		strbuf_adds(out, "\nNote: ");
		markdown_escape(out, g->notes[i]);
		strbuf_addch(out, '\n');
	}
}

/* ---- The report summary (the "md" renderer) ---- */

static void md_cell(struct strbuf *sb, const struct lb_cell *c)
{
	if (!c->task || isnan(c->value)) {
		strbuf_adds(sb, " – |");
		return;
	}
	strbuf_adds(sb, " ");
	if (c->is_best)
		strbuf_adds(sb, "**");
	strbuf_addf(sb, "%.1f", 100 * c->value);
	if (c->is_best)
		strbuf_adds(sb, "**");
	if (!isnan(c->lo) && !isnan(c->hi))
		strbuf_addf(sb, " ±%.1f", 50 * (c->hi - c->lo));
	if (c->worse)
		strbuf_adds(sb, " ▼");
	strbuf_adds(sb, " |");
}

static void md_num(struct strbuf *sb, double v, const char *fmt)
{
	if (isnan(v))
		strbuf_adds(sb, " – |");
	else {
		strbuf_adds(sb, " ");
		strbuf_addf(sb, fmt, v);
		strbuf_adds(sb, " |");
	}
}

/* The primary score by metadata value (results.json "breakdown"), a column per run. */
static void md_breakdowns(struct strbuf *sb, const struct report *rep)
{
	const struct leaderboard *lb = rep->lb;
	const struct runset *rs = rep->rs;
	for (size_t j = 0; j < lb->ntasks; j++) {
		const struct rs_task *any = NULL;
		for (size_t r = 0; r < rs->nruns && !any; r++) {
			const struct rs_task *t = lb_cell(lb, lb->order[r], j)->task;
			const cJSON *b = t ? cJSON_GetObjectItemCaseSensitive(t->result, "breakdown")
					   : NULL;
			if (b && b->child)
				any = t;
		}
		const cJSON *keys = any ? cJSON_GetObjectItemCaseSensitive(any->result, "breakdown")
					: NULL;
		const cJSON *key;
		cJSON_ArrayForEach(key, keys)
		{
			strbuf_adds(sb, "\n#### ");
			markdown_escape(sb, lb->tasks[j]);
			strbuf_adds(sb, " by ");
			markdown_escape(sb, key->string);
			strbuf_adds(sb, " (");
			markdown_escape(sb, any->primary);
			strbuf_adds(sb, ")\n\n| ");
			markdown_escape(sb, key->string);
			strbuf_adds(sb, " | problems |");
			for (size_t r = 0; r < rs->nruns; r++) {
				strbuf_adds(sb, " ");
				markdown_escape(sb, rs->runs[lb->order[r]].label);
				strbuf_adds(sb, " |");
			}
			strbuf_adds(sb, "\n|---|---:|");
			for (size_t r = 0; r < rs->nruns; r++)
				strbuf_adds(sb, "---:|");
			const cJSON *val;
			cJSON_ArrayForEach(val, key)
			{
				strbuf_adds(sb, "\n| ");
				markdown_escape(sb, *val->string ? val->string : "(none)");
				strbuf_addf(sb, " | %.0f |", json_num(val, "problems", 0));
				for (size_t r = 0; r < rs->nruns; r++) {
					const struct rs_task *t = lb_cell(lb, lb->order[r], j)->task;
					const cJSON *m = NULL;
					if (t) {
						const cJSON *b = cJSON_GetObjectItemCaseSensitive(
							t->result, "breakdown");
						b = cJSON_GetObjectItemCaseSensitive(b, key->string);
						b = cJSON_GetObjectItemCaseSensitive(b, val->string);
						m = cJSON_GetObjectItemCaseSensitive(
							cJSON_GetObjectItemCaseSensitive(b, "metrics"),
							t->primary);
					}
					md_num(sb, 100 * json_num(m, "value", NAN), "%.1f");
				}
			}
			strbuf_addch(sb, '\n');
		}
	}
}

/* Tokens, latency, throughput and cost, a row per (run, task). */
static void md_generation(struct strbuf *sb, const struct report *rep)
{
	const struct leaderboard *lb = rep->lb;
	const struct runset *rs = rep->rs;
	strbuf_adds(sb, "\n#### Generation, latency and cost\n\n| run | task | completion tokens, "
			"mean | reasoning tokens, mean | latency p50, s | latency p90, s | "
			"tokens/s | cost, USD |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t r = 0; r < rs->nruns; r++)
		for (size_t j = 0; j < lb->ntasks; j++) {
			const struct rs_task *t = lb_cell(lb, lb->order[r], j)->task;
			if (!t)
				continue;
			strbuf_adds(sb, "| ");
			markdown_escape(sb, rs->runs[lb->order[r]].label);
			strbuf_adds(sb, " | ");
			markdown_escape(sb, t->id);
			strbuf_adds(sb, " |");
			int approx = render_gen(t, "completion_tokens", "approx") > 0;
			md_num(sb, render_gen(t, "completion_tokens", "mean"),
			       approx ? "~%.0f" : "%.0f");
			md_num(sb, render_gen(t, "reasoning_tokens", "mean"), "%.0f");
			md_num(sb, render_gen(t, "latency_ms", "p50") / 1000, "%.2f");
			md_num(sb, render_gen(t, "latency_ms", "p90") / 1000, "%.2f");
			md_num(sb, render_gen(t, "tokens_per_second", "aggregate"), "%.1f");
			md_num(sb, render_gen(t, "cost_usd", "total"), "%.4f");
			strbuf_addch(sb, '\n');
		}
	strbuf_adds(sb, "\n~: estimated from characters / 4; –: not recorded.\n");
}

/* Where the numbers come from: how each run's settings differ from the first run's. */
static void md_settings(struct strbuf *sb, const struct report *rep)
{
	const struct runset *rs = rep->rs;
	if (!rep->settings || !rep->settings->n)
		return;
	strbuf_adds(sb, "Settings that differ from the first run, `");
	markdown_escape(sb, rs->runs[0].label);
	strbuf_adds(sb, "`:\n\n");
	for (size_t r = 1; r < rs->nruns; r++) {
		struct strbuf line = STRBUF_INIT;
		settings_describe_run(rep->settings, r, &line);
		if (line.len) {
			strbuf_adds(sb, "- `");
			markdown_escape(sb, rs->runs[r].label);
			strbuf_adds(sb, "`: ");
			markdown_escape(sb, line.buf);
			strbuf_addch(sb, '\n');
		}
		strbuf_release(&line);
	}
	strbuf_addch(sb, '\n');
}

static void render_md(const struct report *rep, struct strbuf *sb)
{
	const struct runset *rs = rep->rs;
	const struct leaderboard *lb = rep->lb;
	strbuf_addf(sb, "### reval report: %zu run%s, %zu task%s\n\n", rs->nruns,
		    rs->nruns == 1 ? "" : "s", lb->ntasks, lb->ntasks == 1 ? "" : "s");
	md_settings(sb, rep);
	strbuf_adds(sb, "| task |");
	for (size_t r = 0; r < rs->nruns; r++) {
		strbuf_adds(sb, " ");
		markdown_escape(sb, rs->runs[lb->order[r]].label);
		strbuf_adds(sb, " |");
	}
	strbuf_adds(sb, "\n|---|");
	for (size_t r = 0; r < rs->nruns; r++)
		strbuf_adds(sb, "---:|");
	strbuf_addch(sb, '\n');
	for (size_t j = 0; j < lb->ntasks; j++) {
		strbuf_adds(sb, "| ");
		markdown_escape(sb, lb->tasks[j]);
		const struct lb_cell *any = NULL;
		for (size_t r = 0; r < rs->nruns && !any; r++)
			if (lb_cell(lb, lb->order[r], j)->task)
				any = lb_cell(lb, lb->order[r], j);
		strbuf_adds(sb, " (");
		markdown_escape(sb, any ? any->task->primary : "?");
		strbuf_adds(sb, ") |");
		for (size_t r = 0; r < rs->nruns; r++)
			md_cell(sb, lb_cell(lb, lb->order[r], j));
		strbuf_addch(sb, '\n');
	}
	if (lb->nshared > 1) {
		strbuf_addf(sb, "| **mean of %zu shared tasks** |", lb->nshared);
		for (size_t r = 0; r < rs->nruns; r++) {
			size_t ri = lb->order[r];
			strbuf_addf(sb, " %s%.1f%s%s |", r == 0 ? "**" : "", 100 * lb->overall[ri],
				    r == 0 ? "**" : "", lb->overall_worse[ri] ? " ▼" : "");
		}
		strbuf_addch(sb, '\n');
	}
	strbuf_adds(sb, "\nScores in percent with 95% intervals; **bold**: best of the row; ▼: "
			"significantly below the best (paired sign-flip test over problems, "
			"two-sided p < 0.05; `reval gate` asks the one-sided question \"did the "
			"candidate get worse?\", whose p is about half of this one when it did).\n");
	md_breakdowns(sb, rep);
	md_generation(sb, rep);
	for (size_t r = 0; r < rs->nruns; r++) {
		const struct rs_run *run = &rs->runs[r];
		for (size_t k = 0; k < run->ntasks; k++) {
			const struct rs_task *t = &run->tasks[k];
			double missing = rs_count(t, "missing"), infra = rs_count(t, "infra_error");
			if (missing <= 0 && infra <= 0)
				continue;
			strbuf_adds(sb, "\n- `");
			markdown_escape(sb, run->label);
			strbuf_adds(sb, "` ");
			markdown_escape(sb, t->id);
			strbuf_addf(sb, ": incomplete, %.0f samples missing, %.0f infrastructure "
					"errors",
				    missing > 0 ? missing : 0, infra > 0 ? infra : 0);
		}
		for (size_t k = 0; k < run->ntasks; k++) {
			const struct rs_task *t = &run->tasks[k];
			double unfinished = rs_count(t, "unfinished");
			if (unfinished <= 0)
				continue;
			strbuf_adds(sb, "\n- `");
			markdown_escape(sb, run->label);
			strbuf_adds(sb, "` ");
			markdown_escape(sb, t->id);
			strbuf_addf(sb, ": %.0f unfinished generations (timed out on every attempt), "
					"counted wrong",
				    unfinished);
		}
	}
	strbuf_addch(sb, '\n');
}

const struct renderer md_renderer = {"md", "a Markdown summary for a CI page or a pull request",
				     render_md};
