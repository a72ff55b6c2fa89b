#include "reports/render/markdown.h"

#include <math.h>
#include <string.h>

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

static void render_md(const struct report *rep, struct strbuf *sb)
{
	const struct runset *rs = rep->rs;
	const struct leaderboard *lb = rep->lb;
	strbuf_addf(sb, "### reval report: %zu run%s, %zu task%s\n\n", rs->nruns,
		    rs->nruns == 1 ? "" : "s", lb->ntasks, lb->ntasks == 1 ? "" : "s");
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
			"significantly below the best (paired sign-flip test over problems, p < "
			"0.05).\n");
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
	}
	strbuf_addch(sb, '\n');
}

const struct renderer md_renderer = {"md", "a Markdown summary for a CI page or a pull request",
				     render_md};
