/*
 * html: the self-contained HTML report (the "html" renderer).
 *
 * One file with inline CSS, inline SVG charts and one small inline script
 * that sorts tables and records, in #selfcheck, that the page rendered and
 * how many script errors or Content-Security-Policy violations it saw.  The
 * CSP meta tag forbids every fetch (default-src 'none'; images only from
 * data: URLs), so the page cannot reach the network even if a model's text
 * tried to.  Every string from a run directory goes through html_escape.
 * Sample texts are bounded by the runset (a few clipped failures per
 * problem) and, over the whole page, by report.text_budget.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/render/html_escape.h"
#include "harness/base/json.h"
#include "reports/render/render.h"
#include "reports/render/svg.h"

#define MAX_CHIPS 200 /* problems listed per change list */

static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}"
	"header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}"
	"h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:"
	"1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}"
	"table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #d0d7de;"
	"padding:3px 7px;text-align:left;vertical-align:top}td.num{text-align:right;"
	"white-space:nowrap}thead th{background:#f6f8fa;cursor:pointer;user-select:none}"
	"td.best{font-weight:600}td.worse{background:#fff1f0}.sig{color:#cf222e}"
	"small{color:#57606a}.meta{color:#57606a}nav a{margin-right:10px}"
	".charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}"
	"svg.chart{font-size:10px;background:#fafbfc;border:1px solid #eaeef2}"
	"svg .ct{font-weight:600;font-size:11px}svg .grid{stroke:#e1e4e8}"
	"svg .err{stroke:#24292f;stroke-width:1.2;fill:none}svg rect.ok{fill:#2da44e;"
	"opacity:.6}svg rect.bad{fill:#cf222e;opacity:.5}"
	".grid{display:flex;flex-wrap:wrap;gap:2px}.tile{display:flex;flex-direction:column;"
	"gap:1px}.c{display:block;width:12px;height:9px;background:#ccc}.c.na{background:"
	"repeating-linear-gradient(45deg,#eee,#eee 2px,#ccc 2px,#ccc 4px)}"
	"a.c{outline:1px solid #24292f40}.legend span{display:inline-block;width:12px;"
	"height:9px;margin:0 3px 0 8px}"
	".chip{display:inline-block;margin:2px;padding:0 5px;border:1px solid #d0d7de;"
	"border-radius:8px;text-decoration:none;color:inherit;font-size:12px}"
	".chip.up{background:#dafbe1}.chip.down{background:#ffebe9}"
	".drill{display:none;border:2px solid #0969da;padding:8px 12px;margin:10px 0;"
	"background:#f6f8fa}.drill:target{display:block}"
	"pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid "
	"#d0d7de;padding:6px;max-height:360px;overflow:auto;font-size:12px}"
	".sample{border-top:1px solid #d0d7de;margin-top:8px;padding-top:6px}"
	".wide{overflow-x:auto}.key{margin-right:12px;white-space:nowrap}"
	"code{background:#eff1f3;padding:0 3px}#selfcheck{color:#8c959f;font-size:11px}";

/* Registers listeners before anything else can fail or be blocked. */
static const char early_js[] =
	"window.__revalErrors=0;"
	"document.addEventListener('securitypolicyviolation',function(){window.__revalErrors++;});"
	"window.addEventListener('error',function(){window.__revalErrors++;});";

static const char late_js[] =
	"(function(){"
	"function key(td,num){if(!td)return num?-1:'';if(!num)return td.textContent;"
	"var v=parseFloat(td.getAttribute('data-v'));return isNaN(v)?-1:v;}"
	"Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(tb){"
	"Array.prototype.forEach.call(tb.tHead.rows[0].cells,function(th,i){"
	"th.addEventListener('click',function(){"
	"var num=th.getAttribute('data-sort')==='num';"
	"var asc=th.getAttribute('data-dir')==='desc';"
	"var rows=Array.prototype.slice.call(tb.tBodies[0].rows);"
	"rows.sort(function(a,b){var x=key(a.cells[i],num),y=key(b.cells[i],num);"
	"var c=num?x-y:String(x).localeCompare(String(y));return asc?c:-c;});"
	"rows.forEach(function(r){tb.tBodies[0].appendChild(r);});"
	"th.setAttribute('data-dir',asc?'asc':'desc');});});});"
	"var m=document.getElementById('selfcheck');var e=window.__revalErrors||0;"
	"m.setAttribute('data-errors',String(e));m.setAttribute('data-ready','1');"
	"m.textContent='page rendered; script errors and blocked requests: '+e;"
	"})();";

struct page {
	const struct report *rep;
	struct strbuf *sb;
	size_t text_used; /* sample text embedded so far */
};

static void esc(struct page *pg, const char *s)
{
	html_escape(pg->sb, s);
}

static void pct_cell(struct strbuf *sb, double v)
{
	if (isnan(v))
		strbuf_adds(sb, "–");
	else
		strbuf_addf(sb, "%.1f", 100 * v);
}

/* A sortable table cell holding a share as a percentage ("–" when NAN). */
static void share_cell(struct strbuf *sb, double f)
{
	strbuf_addf(sb, "<td class=\"num\" data-v=\"%.6g\">", isnan(f) ? -1 : f);
	pct_cell(sb, f);
	strbuf_adds(sb, "</td>");
}

/* ---- Page frame ---- */

static void head(struct page *pg)
{
	strbuf_adds(pg->sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
			    "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src "
			    "data:\"><meta name=\"viewport\" content=\"width=device-width\">"
			    "<title>reval report</title><script>");
	strbuf_adds(pg->sb, early_js);
	strbuf_adds(pg->sb, "</script><style>");
	strbuf_adds(pg->sb, css);
	strbuf_adds(pg->sb, "</style></head><body>\n");
}

static void header(struct page *pg)
{
	const struct leaderboard *lb = pg->rep->lb;
	strbuf_addf(pg->sb,
		    "<header><h1>reval report</h1><p class=\"meta\">%zu run%s, %zu task%s; "
		    "generated %s</p><nav><a href=\"#leaderboard\">leaderboard</a><a "
		    "href=\"#runs\">runs</a>",
		    pg->rep->rs->nruns, pg->rep->rs->nruns == 1 ? "" : "s", lb->ntasks,
		    lb->ntasks == 1 ? "" : "s", pg->rep->generated);
	for (size_t j = 0; j < lb->ntasks; j++) {
		strbuf_addf(pg->sb, "<a href=\"#t%zu\">", j);
		esc(pg, lb->tasks[j]);
		strbuf_adds(pg->sb, "</a>");
	}
	strbuf_adds(pg->sb, "</nav></header><main>\n");
}

/* ---- Leaderboard ---- */

static void lb_cell_html(struct page *pg, const struct rs_run *run, const char *task,
			 const struct lb_cell *c)
{
	struct strbuf *sb = pg->sb;
	if (!c->task || isnan(c->value)) {
		strbuf_adds(sb, "<td class=\"num\" data-v=\"\">–</td>");
		return;
	}
	strbuf_addf(sb, "<td class=\"num%s%s\" data-run=\"", c->is_best ? " best" : "",
		    c->worse ? " worse" : "");
	esc(pg, run->label);
	strbuf_adds(sb, "\" data-task=\"");
	esc(pg, task);
	strbuf_adds(sb, "\" data-metric=\"");
	esc(pg, c->task->primary);
	strbuf_addf(sb, "\" data-v=\"%.12g\" title=\"95%% interval %.1f–%.1f", c->value,
		    100 * c->lo, 100 * c->hi);
	if (!c->is_best)
		strbuf_addf(sb, "; against the best: %+.1f points, p = %.3g over %zu problems",
			    100 * c->vs_best.diff, c->vs_best.p_two, c->vs_best.pairs);
	strbuf_addf(sb, "\">%.1f<small> ±%.1f</small>%s</td>", 100 * c->value,
		    50 * (c->hi - c->lo), c->worse ? "<span class=\"sig\"> ▼</span>" : "");
}

static void leaderboard(struct page *pg)
{
	const struct leaderboard *lb = pg->rep->lb;
	const struct runset *rs = pg->rep->rs;
	struct strbuf *sb = pg->sb;
	strbuf_adds(sb, "<section id=\"leaderboard\"><h2>Leaderboard</h2><p class=\"meta\">Primary "
			"score (avg@n, percent) with its 95% interval. Bold: best in the column; "
			"<span class=\"sig\">▼</span>: significantly below it (paired sign-flip "
			"test over problems, p &lt; 0.05). Runs ordered by the mean over the tasks "
			"every run has. Click a heading to sort.</p>"
			"<div class=\"wide\"><table class=\"sortable\" id=\"lb\"><thead><tr><th data-sort=\"num\">#</th>"
			"<th>run</th><th>model</th><th data-sort=\"num\">mean</th>");
	for (size_t j = 0; j < lb->ntasks; j++) {
		strbuf_adds(sb, "<th data-sort=\"num\">");
		esc(pg, lb->tasks[j]);
		strbuf_adds(sb, "</th>");
	}
	strbuf_adds(sb, "</tr></thead><tbody>\n");
	for (size_t r = 0; r < rs->nruns; r++) {
		size_t ri = lb->order[r];
		const struct rs_run *run = &rs->runs[ri];
		strbuf_addf(sb, "<tr data-run=\"");
		esc(pg, run->label);
		strbuf_addf(sb, "\"><td class=\"num\" data-v=\"%zu\">%zu</td><th "
				"style=\"border-left:4px solid %s\">",
			    r + 1, r + 1, svg_color(ri));
		esc(pg, run->label);
		strbuf_adds(sb, "</th><td>");
		esc(pg, rs_run_meta(run, "model") ? rs_run_meta(run, "model") : "–");
		strbuf_addf(sb, "</td><td class=\"num%s\" data-v=\"%.12g\">", 
			    lb->overall_worse[ri] ? " worse" : "", lb->overall[ri]);
		pct_cell(sb, lb->overall[ri]);
		if (lb->overall_worse[ri])
			strbuf_adds(sb, "<span class=\"sig\"> ▼</span>");
		strbuf_adds(sb, "</td>");
		for (size_t j = 0; j < lb->ntasks; j++)
			lb_cell_html(pg, run, lb->tasks[j], lb_cell(lb, ri, j));
		strbuf_adds(sb, "</tr>\n");
	}
	strbuf_adds(sb, "</tbody></table></div></section>\n");
}

/* ---- Run metadata ---- */

/* "http://user:pw@host:8000/v1" -> "host:8000": never more than the host. */
static void url_host(struct strbuf *sb, const char *url)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	const char *end = h + strcspn(h, "/?#");
	const char *at = memchr(h, '@', (size_t)(end - h));
	if (at)
		h = at + 1;
	html_escape_n(sb, h, (size_t)(end - h));
}

static void engine_text(struct page *pg, const struct rs_run *run)
{
	const char *e = rs_run_meta(run, "engine");
	if (!e) {
		strbuf_adds(pg->sb, "–");
		return;
	}
	/* local:'CMD' and exec:'CMD' may carry flags with secrets: show the kind only. */
	size_t kind = strcspn(e, ":");
	html_escape_n(pg->sb, e, kind);
	if (!strncmp(e, "replay:", 7)) {
		strbuf_adds(pg->sb, " (");
		esc(pg, path_base(e + 7));
		strbuf_adds(pg->sb, ")");
	}
}

static void sampling_text(struct page *pg, const cJSON *s)
{
	const cJSON *kv;
	int first = 1;
	cJSON_ArrayForEach(kv, s)
	{
		if (cJSON_IsNull(kv) || (cJSON_IsArray(kv) && !cJSON_GetArraySize(kv)))
			continue;
		char *v = cJSON_IsArray(kv) ? cJSON_PrintUnformatted(kv) : json_scalar_text(kv);
		strbuf_adds(pg->sb, first ? "" : ", ");
		esc(pg, kv->string);
		strbuf_adds(pg->sb, "=");
		esc(pg, v);
		if (cJSON_IsArray(kv))
			cJSON_free(v);
		else
			free(v);
		first = 0;
	}
}

static void run_sampling(struct page *pg, const struct rs_run *run)
{
	const cJSON *first = NULL;
	int same = 1;
	for (size_t k = 0; k < run->ntasks; k++) {
		const struct rs_task *t = &run->tasks[k];
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(t->config, "sampling");
		if (!s)
			s = cJSON_GetObjectItemCaseSensitive(t->result, "sampling");
		if (!first)
			first = s;
		else if (s && !cJSON_Compare(first, s, 1))
			same = 0;
	}
	if (!first)
		strbuf_adds(pg->sb, "–");
	else if (!same)
		strbuf_adds(pg->sb, "differs by task (see each task)");
	else
		sampling_text(pg, first);
}

static void runs_meta(struct page *pg)
{
	const struct runset *rs = pg->rep->rs;
	struct strbuf *sb = pg->sb;
	strbuf_adds(sb, "<section id=\"runs\"><h2>Runs</h2><table class=\"sortable\"><thead><tr>"
			"<th>run</th><th>model</th><th>engine</th><th>endpoint</th><th>sampling</th>"
			"<th>results written</th><th>started</th><th>reval</th><th>seed</th>"
			"<th data-sort=\"num\">journal lines</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < rs->nruns; i++) {
		const struct rs_run *run = &rs->runs[i];
		const cJSON *flags = cJSON_GetObjectItemCaseSensitive(run->config, "flags");
		const cJSON *rj = cJSON_GetObjectItemCaseSensitive(run->results, "run");
		strbuf_addf(sb, "<tr><th style=\"border-left:4px solid %s\">", svg_color(i));
		esc(pg, run->label);
		strbuf_adds(sb, "</th><td>");
		esc(pg, rs_run_meta(run, "model") ? rs_run_meta(run, "model") : "–");
		strbuf_adds(sb, "</td><td>");
		engine_text(pg, run);
		strbuf_adds(sb, "</td><td>");
		const cJSON *u;
		int any = 0;
		cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(flags, "base-url"))
		{
			if (!cJSON_IsString(u))
				continue;
			strbuf_adds(sb, any++ ? ", " : "");
			url_host(sb, u->valuestring);
		}
		strbuf_adds(sb, any ? "" : "–");
		strbuf_adds(sb, "</td><td>");
		run_sampling(pg, run);
		strbuf_adds(sb, "</td><td>");
		esc(pg, json_str(rj, "written") ? json_str(rj, "written") : "–");
		strbuf_adds(sb, "</td><td>");
		esc(pg, json_str(run->config, "written") ? json_str(run->config, "written") : "–");
		strbuf_adds(sb, "</td><td>");
		esc(pg, json_str(rj, "reval_version") ? json_str(rj, "reval_version") : "–");
		strbuf_addf(sb, "</td><td>%.0f</td><td class=\"num\" data-v=\"%.0f\">%.0f%s</td></tr>\n",
			    json_num(rj, "seed", 0), json_num(rj, "journal_lines", -1),
			    json_num(rj, "journal_lines", -1), run->has_journal ? "" : " (no journal)");
	}
	strbuf_adds(sb, "</tbody></table></section>\n");
}

/* ---- Task sections ---- */

struct column {
	size_t j;                       /* task column */
	const char **ids;               /* union of problem ids, natural order */
	size_t nids;
	int maxn;
};

static int cmp_ids(const void *a, const void *b)
{
	return rs_natural_cmp(*(const char *const *)a, *(const char *const *)b);
}

static void column_init(struct column *col, const struct report *rep, size_t j)
{
	const struct leaderboard *lb = rep->lb;
	memset(col, 0, sizeof(*col));
	col->j = j;
	size_t cap = 0;
	for (size_t i = 0; i < rep->rs->nruns; i++)
		if (lb_cell(lb, i, j)->task)
			cap += lb_cell(lb, i, j)->task->nprobs;
	col->ids = xcalloc(cap + 1, sizeof(char *));
	for (size_t i = 0; i < rep->rs->nruns; i++) {
		const struct rs_task *t = lb_cell(lb, i, j)->task;
		if (!t)
			continue;
		col->maxn = t->n > col->maxn ? t->n : col->maxn;
		for (size_t q = 0; q < t->nprobs; q++)
			col->ids[col->nids++] = t->probs[q].id;
	}
	qsort(col->ids, col->nids, sizeof(char *), cmp_ids);
	size_t w = 0;
	for (size_t q = 0; q < col->nids; q++)
		if (!w || strcmp(col->ids[w - 1], col->ids[q]))
			col->ids[w++] = col->ids[q];
	col->nids = w;
}

static void charts(struct page *pg, const struct column *col)
{
	const struct report *rep = pg->rep;
	const struct leaderboard *lb = rep->lb;
	size_t nr = rep->rs->nruns;
	struct svg_bar *bars = xcalloc(nr, sizeof(*bars));
	struct svg_series *pass = xcalloc(nr, sizeof(*pass)), *cons = xcalloc(nr, sizeof(*cons));
	size_t nk = 0;
	double *ks = xcalloc(40, sizeof(double));
	for (int k = 1; k < col->maxn && nk < 38; k *= 2)
		ks[nk++] = k;
	ks[nk++] = col->maxn;
	double *ys = xcalloc(2 * nr * nk + 1, sizeof(double));
	size_t ns = 0;
	for (size_t r = 0; r < nr; r++) {
		size_t ri = lb->order[r];
		const struct lb_cell *c = lb_cell(lb, ri, col->j);
		bars[r] = (struct svg_bar){rep->rs->runs[ri].label, c->value, c->lo, c->hi, ri};
		if (!c->task)
			continue;
		double *py = ys + 2 * ns * nk, *cy = py + nk;
		for (size_t q = 0; q < nk; q++) {
			int k = (int)ks[q];
			py[q] = k <= c->task->n ? render_pass_at(c->task, k) : NAN;
			cy[q] = k <= c->task->n ? render_cons_at(c->task, k) : NAN;
		}
		pass[ns] = (struct svg_series){rep->rs->runs[ri].label, ks, py, nk, ri};
		cons[ns] = (struct svg_series){rep->rs->runs[ri].label, ks, cy, nk, ri};
		ns++;
	}
	strbuf_adds(pg->sb, "<div class=\"charts\">");
	svg_bars(pg->sb, bars, nr, "score (avg@n) with 95% interval");
	svg_lines(pg->sb, pass, ns, "pass@k", "k (samples drawn)");
	svg_lines(pg->sb, cons, ns, "cons@k (majority vote, expected over k-subsets)", "k");
	strbuf_adds(pg->sb, "</div>");
	free(bars);
	free(pass);
	free(cons);
	free(ks);
	free(ys);
}

static void outcomes(struct page *pg, const struct column *col)
{
	const struct leaderboard *lb = pg->rep->lb;
	struct strbuf *sb = pg->sb;
	static const char *const names[] = {"correct", "no_answer", "truncated", "undecided",
					    "infra_error", "missing"};
	strbuf_adds(sb, "<h3>Outcomes</h3><table class=\"sortable\"><thead><tr><th>run</th>"
			"<th data-sort=\"num\">problems</th><th data-sort=\"num\">planned samples</th>");
	for (size_t k = 0; k < ARRAY_SIZE(names); k++)
		strbuf_addf(sb, "<th data-sort=\"num\">%s %%</th>", names[k]);
	strbuf_adds(sb, "</tr></thead><tbody>");
	for (size_t r = 0; r < pg->rep->rs->nruns; r++) {
		size_t ri = lb->order[r];
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		if (!t)
			continue;
		double planned = rs_count(t, "planned");
		strbuf_adds(sb, "<tr><th>");
		esc(pg, pg->rep->rs->runs[ri].label);
		strbuf_addf(sb, "</th><td class=\"num\" data-v=\"%zu\">%zu</td>"
				"<td class=\"num\" data-v=\"%.0f\">%.0f</td>",
			    t->nprobs, t->nprobs, planned, planned);
		for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
			double v = rs_count(t, names[k]);
			share_cell(sb, v >= 0 && planned > 0 ? v / planned : NAN);
		}
		strbuf_adds(sb, "</tr>");
	}
	strbuf_adds(sb, "</tbody></table>");
}

static int verdict_before(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int px = !strcmp(x, "pass"), py = !strcmp(y, "pass");
	return px != py ? py - px : strcmp(x, y);
}

/* The graders' verdicts (results.json "verdicts", the code grader's), as a
 * share of graded samples; nothing when no run of the task has any. */
static void verdicts(struct page *pg, const struct column *col)
{
	const struct leaderboard *lb = pg->rep->lb;
	struct strbuf *sb = pg->sb;
	const char **names = NULL;
	size_t n = 0;
	for (size_t ri = 0; ri < pg->rep->rs->nruns; ri++) {
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		const cJSON *v, *all = t ? cJSON_GetObjectItemCaseSensitive(t->result, "verdicts")
					 : NULL;
		cJSON_ArrayForEach(v, all)
		{
			size_t k = 0;
			while (k < n && strcmp(names[k], v->string))
				k++;
			if (k == n) {
				names = xrealloc(names, (n + 1) * sizeof(*names));
				names[n++] = v->string;
			}
		}
	}
	if (!n)
		return;
	qsort(names, n, sizeof(*names), verdict_before);
	strbuf_adds(sb, "<h3>Verdicts, % of graded samples</h3><table class=\"sortable\"><thead>"
			"<tr><th>run</th><th data-sort=\"num\">graded samples</th>");
	for (size_t k = 0; k < n; k++) {
		strbuf_adds(sb, "<th data-sort=\"num\">");
		esc(pg, names[k]);
		strbuf_adds(sb, "</th>");
	}
	strbuf_adds(sb, "</tr></thead><tbody>");
	for (size_t r = 0; r < pg->rep->rs->nruns; r++) {
		size_t ri = lb->order[r];
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		if (!t)
			continue;
		const cJSON *all = cJSON_GetObjectItemCaseSensitive(t->result, "verdicts");
		double graded = rs_count(t, "graded");
		strbuf_adds(sb, "<tr><th>");
		esc(pg, pg->rep->rs->runs[ri].label);
		strbuf_addf(sb, "</th><td class=\"num\" data-v=\"%.0f\">%.0f</td>", graded, graded);
		for (size_t k = 0; k < n; k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(all, names[k]);
			share_cell(sb, all && graded > 0
					       ? (cJSON_IsNumber(v) ? v->valuedouble : 0) / graded
					       : NAN);
		}
		strbuf_adds(sb, "</tr>");
	}
	strbuf_adds(sb, "</tbody></table>");
	free(names);
}

static void lengths(struct page *pg, const struct column *col)
{
	const struct leaderboard *lb = pg->rep->lb;
	strbuf_adds(pg->sb, "<h3>Token lengths, correct (green) and wrong (red)</h3>"
			    "<div class=\"charts\">");
	for (size_t r = 0; r < pg->rep->rs->nruns; r++) {
		size_t ri = lb->order[r];
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		if (!t)
			continue;
		svg_hist(pg->sb, t->len_ok, t->nlen_ok, t->len_bad, t->nlen_bad,
			 pg->rep->rs->runs[ri].label,
			 t->len_estimated ? "completion tokens (estimated: characters / 4), log scale"
					  : "completion tokens, log scale");
	}
	strbuf_adds(pg->sb, "</div>");
}

static void grid(struct page *pg, const struct column *col)
{
	const struct report *rep = pg->rep;
	const struct leaderboard *lb = rep->lb;
	struct strbuf *sb = pg->sb;
	strbuf_adds(sb, "<h3>Problems</h3><p class=\"meta legend\">One tile per problem, one row "
			"per run (in leaderboard order); colour is the pass rate from red (0) to green "
			"(1), hatched where the run lacks the problem. Outlined cells open failing "
			"samples.</p><div class=\"grid\">");
	for (size_t q = 0; q < col->nids; q++) {
		strbuf_adds(sb, "<div class=\"tile\" title=\"problem ");
		esc(pg, col->ids[q]);
		strbuf_adds(sb, "\">");
		for (size_t r = 0; r < rep->rs->nruns; r++) {
			size_t ri = lb->order[r];
			const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
			const struct rs_problem *p = t ? runset_problem(t, col->ids[q]) : NULL;
			double rate = p ? rs_problem_rate(p) : NAN;
			if (isnan(rate)) {
				strbuf_adds(sb, "<span class=\"c na\"></span>");
				continue;
			}
			const char *tag = p->nfails ? "a" : "span";
			strbuf_addf(sb, "<%s class=\"c\" style=\"background:hsl(%.0f,65%%,45%%)\"", tag,
				    120 * rate);
			if (p->nfails)
				strbuf_addf(sb, " href=\"#d%zu-%zu-%zu\"", ri, col->j, q);
			strbuf_adds(sb, " title=\"");
			esc(pg, rep->rs->runs[ri].label);
			strbuf_adds(sb, ", problem ");
			esc(pg, p->id);
			strbuf_addf(sb, ": %d of %d correct\"></%s>", p->correct, p->graded, tag);
		}
		strbuf_adds(sb, "</div>");
	}
	strbuf_adds(sb, "</div>");
}

struct change {
	size_t q;
	double a, b;
};

static int by_size(const void *x, const void *y)
{
	const struct change *a = x, *b = y;
	double da = fabs(a->b - a->a), db = fabs(b->b - b->a);
	return da < db ? 1 : da > db ? -1 : (a->q > b->q) - (a->q < b->q);
}

static void chips(struct page *pg, const char *title, struct change *ch, size_t n, size_t ri,
		  const struct column *col, const char *cls)
{
	qsort(ch, n, sizeof(*ch), by_size);
	strbuf_addf(pg->sb, "<p>%s (%zu): ", title, n);
	for (size_t i = 0; i < n && i < MAX_CHIPS; i++) {
		strbuf_addf(pg->sb, "<a class=\"chip %s\" href=\"#d%zu-%zu-%zu\">", cls, ri, col->j,
			    ch[i].q);
		esc(pg, col->ids[ch[i].q]);
		strbuf_addf(pg->sb, " <small>%.0f→%.0f%%</small></a>", 100 * ch[i].a,
			    100 * ch[i].b);
	}
	if (n > MAX_CHIPS)
		strbuf_addf(pg->sb, " and %zu more (see the problems CSV)", n - MAX_CHIPS);
	strbuf_adds(pg->sb, "</p>");
}

/* Which problems got better or worse, each run against the first run given. */
static void changes(struct page *pg, const struct column *col)
{
	const struct report *rep = pg->rep;
	const struct leaderboard *lb = rep->lb;
	const struct rs_task *ref = lb_cell(lb, 0, col->j)->task;
	if (rep->rs->nruns < 2 || !ref)
		return;
	strbuf_adds(pg->sb, "<h3>Changes against ");
	esc(pg, rep->rs->runs[0].label);
	strbuf_adds(pg->sb, "</h3>");
	struct change *up = xcalloc(col->nids + 1, sizeof(*up));
	struct change *down = xcalloc(col->nids + 1, sizeof(*down));
	for (size_t ri = 1; ri < rep->rs->nruns; ri++) {
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		if (!t)
			continue;
		double *ra, *rb;
		size_t n, nu = 0, nd = 0;
		struct compare_result cr;
		runset_pair(ref, t, &ra, &rb, &n);
		compare_paired(ra, rb, NULL, n, &cr);
		free(ra);
		free(rb);
		for (size_t q = 0; q < col->nids; q++) {
			const struct rs_problem *pa = runset_problem(ref, col->ids[q]);
			const struct rs_problem *pb = runset_problem(t, col->ids[q]);
			if (!pa || !pb || isnan(rs_problem_rate(pa)) || isnan(rs_problem_rate(pb)))
				continue;
			struct change c = {q, rs_problem_rate(pa), rs_problem_rate(pb)};
			if (c.b > c.a)
				up[nu++] = c;
			else if (c.b < c.a)
				down[nd++] = c;
		}
		strbuf_addf(pg->sb, "<p><b style=\"color:%s\">", svg_color(ri));
		esc(pg, rep->rs->runs[ri].label);
		strbuf_addf(pg->sb,
			    "</b>: %+.1f points (95%% interval %+.1f to %+.1f), two-sided p = %.3g "
			    "over %zu paired problems%s</p>",
			    100 * cr.diff, 100 * cr.ci_low, 100 * cr.ci_high, cr.p_two, cr.pairs,
			    cr.p_two < LEADERBOARD_ALPHA ? " — <b>significant</b>" : "");
		chips(pg, "worse", down, nd, ri, col, "down");
		chips(pg, "better", up, nu, ri, col, "up");
	}
	free(up);
	free(down);
}

static void pre_text(struct page *pg, const char *s)
{
	size_t before = pg->sb->len;
	strbuf_adds(pg->sb, "<pre>");
	esc(pg, s);
	strbuf_adds(pg->sb, "</pre>");
	pg->text_used += pg->sb->len - before;
}

static void one_sample(struct page *pg, const struct rs_sample *s, int with_text)
{
	struct strbuf *sb = pg->sb;
	strbuf_addf(sb, "<div class=\"sample\"><p>sample #%d · verdict <b>wrong</b> (", s->index);
	esc(pg, s->status);
	strbuf_adds(sb, ") · extracted answer: ");
	if (s->extracted) {
		strbuf_adds(sb, "<code>");
		esc(pg, s->extracted);
		strbuf_adds(sb, "</code>");
	} else {
		strbuf_adds(sb, "<i>none</i>");
	}
	if (s->finish_reason) {
		strbuf_adds(sb, " · finish: ");
		esc(pg, s->finish_reason);
	}
	if (s->reason) {
		strbuf_adds(sb, " · ");
		esc(pg, s->reason);
	}
	strbuf_adds(sb, "</p>");
	if (!with_text) {
		strbuf_adds(sb, "<p class=\"meta\">texts omitted: the report's text budget is spent "
				"(raise it with --text-budget)</p></div>");
		return;
	}
	if (s->reasoning) {
		strbuf_addf(sb, "<details><summary>reasoning (%zu characters)</summary>",
			    strlen(s->reasoning));
		pre_text(pg, s->reasoning);
		strbuf_adds(sb, "</details>");
	}
	strbuf_adds(sb, "<p>final answer:</p>");
	pre_text(pg, s->content);
	strbuf_adds(sb, "</div>");
}

static void drills(struct page *pg, const struct column *col)
{
	const struct report *rep = pg->rep;
	const struct leaderboard *lb = rep->lb;
	for (size_t ri = 0; ri < rep->rs->nruns; ri++) {
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		for (size_t q = 0; t && q < col->nids; q++) {
			const struct rs_problem *p = runset_problem(t, col->ids[q]);
			if (!p || !p->nfails)
				continue;
			int with_text = pg->text_used < rep->text_budget;
			strbuf_addf(pg->sb, "<div class=\"drill\" id=\"d%zu-%zu-%zu\"><h4>", ri,
				    col->j, q);
			esc(pg, rep->rs->runs[ri].label);
			strbuf_adds(pg->sb, " · ");
			esc(pg, t->id);
			strbuf_adds(pg->sb, " · problem ");
			esc(pg, p->id);
			strbuf_addf(pg->sb, ": %d of %d correct <a href=\"#t%zu\">close</a></h4>",
				    p->correct, p->graded, col->j);
			if (p->prompt && with_text) {
				strbuf_adds(pg->sb, "<details><summary>prompt</summary>");
				pre_text(pg, p->prompt);
				strbuf_adds(pg->sb, "</details>");
			}
			for (int k = 0; k < p->nfails; k++)
				one_sample(pg, &p->fails[k], with_text);
			strbuf_adds(pg->sb, "</div>\n");
		}
	}
}

static void task_section(struct page *pg, size_t j)
{
	struct column col;
	column_init(&col, pg->rep, j);
	const struct leaderboard *lb = pg->rep->lb;
	const struct rs_task *any = NULL;
	for (size_t i = 0; i < pg->rep->rs->nruns && !any; i++)
		any = lb_cell(lb, i, j)->task;
	strbuf_addf(pg->sb, "<section class=\"task\" id=\"t%zu\"><h2>", j);
	esc(pg, lb->tasks[j]);
	strbuf_adds(pg->sb, "</h2><p class=\"meta\">primary metric ");
	esc(pg, any ? any->primary : "?");
	strbuf_addf(pg->sb, " · %zu problems · up to %d samples per problem", col.nids, col.maxn);
	const char *g = any ? json_str(any->result, "grader") : NULL;
	if (g) {
		strbuf_adds(pg->sb, " · grader ");
		esc(pg, g);
		const char *v = json_str(any->result, "grader_version");
		if (v) {
			strbuf_adds(pg->sb, "/");
			esc(pg, v);
		}
	}
	const char *sha = any ? json_str(any->result, "dataset_sha256") : NULL;
	if (sha) {
		strbuf_adds(pg->sb, " · dataset sha256 ");
		html_escape_n(pg->sb, sha, strlen(sha) < 12 ? strlen(sha) : 12);
		strbuf_adds(pg->sb, "…");
	}
	strbuf_adds(pg->sb, "</p><p>");
	for (size_t r = 0; r < pg->rep->rs->nruns; r++) {
		size_t ri = lb->order[r];
		strbuf_addf(pg->sb, "<span class=\"key\"><b style=\"color:%s\">■</b> ",
			    svg_color(ri));
		esc(pg, pg->rep->rs->runs[ri].label);
		strbuf_adds(pg->sb, "</span>");
	}
	strbuf_adds(pg->sb, "</p>");
	charts(pg, &col);
	outcomes(pg, &col);
	verdicts(pg, &col);
	lengths(pg, &col);
	grid(pg, &col);
	changes(pg, &col);
	drills(pg, &col);
	strbuf_adds(pg->sb, "</section>\n");
	free(col.ids);
}

static void render_html(const struct report *rep, struct strbuf *sb)
{
	struct page pg = {rep, sb, 0};
	head(&pg);
	header(&pg);
	leaderboard(&pg);
	runs_meta(&pg);
	for (size_t j = 0; j < rep->lb->ntasks; j++)
		task_section(&pg, j);
	strbuf_adds(sb, "</main><footer><p id=\"selfcheck\" data-ready=\"0\">page not rendered "
			"yet</p></footer><script>");
	strbuf_adds(sb, late_js);
	strbuf_adds(sb, "</script></body></html>\n");
}

const struct renderer html_renderer = {
	"html", "a self-contained HTML report (inline CSS and SVG, no network)", render_html};
