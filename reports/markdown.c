#include "markdown.h"

#include <math.h>
#include <string.h>

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
	strbuf_addf(out,
		    "`. A task fails when its score drops by more than %.1f points and a paired "
		    "sign-flip test over problems gives p < %.3g, when a floor is missed, or when "
		    "infrastructure errors exceed %.2f%%.\n\n",
		    g->opts.max_drop, g->opts.alpha, 100 * g->opts.max_infra);
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
