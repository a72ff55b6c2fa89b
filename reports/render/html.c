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
#define SHORT_TEXT 160 /* bytes of an extracted answer kept once the text budget is spent */

static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff;"
	"overflow-wrap:anywhere}"
	"header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}"
	"h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:"
	"1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}"
	"table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #d0d7de;"
	"padding:3px 7px;text-align:left;vertical-align:top}td.num{text-align:right;"
	"white-space:nowrap}thead th{background:#f6f8fa;cursor:pointer;user-select:none}"
	"td.best{font-weight:600}td.worse{background:#fff1f0}.sig{color:#cf222e}.unf{color:#9a6700}"
	"small{color:#57606a}.meta{color:#57606a}nav{display:flex;flex-wrap:wrap;gap:2px 10px}"
	".charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}"
	"svg.chart{font-size:10px;background:#fafbfc;border:1px solid #eaeef2;max-width:100%;"
	"height:auto}"
	"svg .ct{font-weight:600;font-size:11px}svg .grid{stroke:#e1e4e8}"
	"svg .err{stroke:#24292f;stroke-width:1.2;fill:none}svg rect.ok,.sw.ok{fill:#2da44e;"
	"background:#2da44e;opacity:.6}svg rect.bad,.sw.bad{fill:#cf222e;background:#cf222e;"
	"opacity:.5}.sw{display:inline-block;width:10px;height:10px;margin:0 3px 0 8px}"
	".sw.both{background:linear-gradient(#cf222e80,#cf222e80),#2da44e99}"
	".grid{display:flex;flex-wrap:wrap;gap:2px}.tile{display:flex;flex-direction:column;"
	"gap:1px}.c{display:block;width:14px;height:12px;background:#ccc}.c.dim{opacity:.12}"
	".c.na{background:"
	"repeating-linear-gradient(45deg,#eee,#eee 2px,#ccc 2px,#ccc 4px)}"
	"a.c{outline:1px solid #24292f40}.legend span{display:inline-block;width:12px;"
	"height:9px;margin:0 3px 0 8px}"
	".chip{display:inline-block;margin:2px;padding:0 5px;border:1px solid #d0d7de;"
	"border-radius:8px;text-decoration:none;color:inherit;font-size:12px}"
	".chip.up{background:#dafbe1}.chip.down{background:#ffebe9}"
	".drill{border:2px solid #0969da;padding:8px 12px;margin:10px 0;background:#f6f8fa}"
	".drill[hidden]{display:none}.filter{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}"
	".filter input{min-width:0;flex:1 1 160px}.gold{background:#dafbe1}"
	"pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid "
	"#d0d7de;padding:6px;max-height:360px;overflow:auto;font-size:12px}"
	".sample{border-top:1px solid #d0d7de;margin-top:8px;padding-top:6px}"
	".wide{overflow-x:auto;max-width:100%}"
	".key{margin-right:12px;display:inline-block;max-width:100%}"
	"td,th{overflow-wrap:break-word}"
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
	/* Per-task data: the grid's pass rates (gd) and the drill-down's samples (dd),
	 * parsed on first use. */
	"var cache={};function data(j,kind){var k=kind+j;if(!(k in cache)){"
	"var e=document.getElementById(k);cache[k]=e?JSON.parse(e.textContent):null;}"
	"return cache[k];}"
	"function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;"
	"if(text!=null)e.textContent=String(text);return e;}"
	"function add(p,c){p.appendChild(c);return c;}"
	"Array.prototype.forEach.call(document.querySelectorAll('div.grid[data-task]'),"
	"function(g){var j=g.getAttribute('data-task'),d=data(j,'gd');"
	"d.ids.forEach(function(id,q){var t=add(g,el('div','tile'));"
	"d.runs.forEach(function(r,x){var c=d.cells[x][q];if(!c){add(t,el('span','c na'));"
	"return;}var a=add(t,el('a','c'));a.href='#d'+r[0]+'-'+j+'-'+q;"
	"a.style.background='hsl('+Math.round(1.2*c[0])+',65%,45%)';"
	"a.title=r[1]+', problem '+id+': '+c[1]+' of '+c[2]+' correct';"
	"a.setAttribute('data-k',r[0]+'-'+q);});});});"
	"function pre(p,label,text,open){if(text==null)return;var w=p;if(label){"
	"w=add(p,el('details'));if(open)w.open=true;add(w,el('summary',null,label));}"
	"add(w,el('pre',null,text));}"
	"function show(r,j,q){var g=data(j,'gd'),d=data(j,'dd'),box=document.getElementById('dp'+j);"
	"if(!g||!box)return;var run=null;g.runs.forEach(function(x,i){if(x[0]==r)run=i;});"
	"if(run===null)return;var c=g.cells[run][q]||[0,0,0],p=(d&&d['p'+q])||{},"
	"e=(d&&d[r+'-'+q])||null;box.textContent='';box.hidden=false;"
	"var h=add(box,el('h4',null,g.runs[run][1]+' \u00b7 '+g.task+' \u00b7 problem '+"
	"g.ids[q]+': '+c[1]+' of '+c[2]+' correct '));var x=add(h,el('a',null,'close'));"
	"x.href='#t'+j;var gp=add(box,el('p',null,'gold answer: '));"
	"if(p.gold!=null)add(gp,el('code','gold',p.gold));else add(gp,el('i',null,"
	"'not recorded'));pre(box,'prompt',p.prompt,false);"
	"if(!e){add(box,el('p','meta',c[2]&&c[1]==c[2]?'every sample is correct':"
	"'no failing sample kept'));}else{e.s.forEach(function(s){"
	"var w=add(box,el('div','sample'));var m=add(w,el('p',null,'sample #'+s.i+"
	"' \u00b7 verdict '));add(m,el('b',null,s.v));m.appendChild(document.createTextNode("
	"' \u00b7 extracted answer: '));var xl=s.x!=null&&s.x.indexOf('\\n')>=0;"
	"if(xl)add(m,el('i',null,'the program below'));else if(s.x!=null)"
	"add(m,el('code',null,s.x));else add(m,el('i',null,'none'));if(s.f)m.appendChild(document.createTextNode("
	"' \u00b7 finish: '+s.f));if(s.why)m.appendChild(document.createTextNode("
	"' \u00b7 '+s.why));if(xl)pre(w,'extracted program',s.x,true);"
	"pre(w,'grader detail',s.d,true);"
	"if(s.t===0){add(w,el('p','meta','texts omitted: the report\u2019s text budget is "
	"spent (raise it with --text-budget)'));return;}"
	"pre(w,s.r!=null?'reasoning ('+s.r.length+' characters)':null,s.r,false);"
	"add(w,el('p',null,'final answer:'));pre(w,null,s.c,false);});}"
	"box.setAttribute('data-open',r+'-'+q);box.scrollIntoView();}"
	"function route(){var m=/^#d(\\d+)-(\\d+)-(\\d+)$/.exec(location.hash);"
	"if(m)show(m[1],m[2],m[3]);}"
	"window.addEventListener('hashchange',route);"
	/* Filters: verdict and text over the failing samples kept for the task. */
	"Array.prototype.forEach.call(document.querySelectorAll('div.filter'),function(f){"
	"var j=f.getAttribute('data-task'),inp=f.querySelector('input'),"
	"sel=f.querySelector('select'),out=f.querySelector('.count');"
	"function run(){var d=data(j,'dd')||{},q=inp.value.toLowerCase(),v=sel.value,n=0,"
	"all=0;Array.prototype.forEach.call(document.querySelectorAll('#t'+j+' a.c'),"
	"function(a){var k=a.getAttribute('data-k'),e=d[k],hit=false;if(e){all++;"
	"var qi=k.split('-')[1],pq=d['p'+qi]||{},id=data(j,'gd').ids[qi];e.s.forEach(function(s){if(v&&s.v!==v)return;"
	"if(!q){hit=true;return;}[s.c,s.r,s.x,s.why,s.d,pq.gold,pq.prompt,id]"
	".forEach(function(t){if(t&&String(t).toLowerCase().indexOf(q)>=0)hit=true;});});}"
	"if(hit)n++;a.classList.toggle('dim',(q||v)?!hit:false);});"
	"out.textContent=(q||v)?n+' of '+all+' (run, problem) pairs with failing samples "
	"match':'';}inp.addEventListener('input',run);sel.addEventListener('change',run);});"
	"route();"
	"var m=document.getElementById('selfcheck');var e=window.__revalErrors||0;"
	"var de=document.documentElement;"
	"m.setAttribute('data-scroll-width',String(de.scrollWidth));"
	"m.setAttribute('data-width',String(de.clientWidth));"
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
		    "generated %s%s</p><nav><a href=\"#leaderboard\">leaderboard</a><a "
		    "href=\"#runs\">runs</a>",
		    pg->rep->rs->nruns, pg->rep->rs->nruns == 1 ? "" : "s", lb->ntasks,
		    lb->ntasks == 1 ? "" : "s", pg->rep->generated,
		    pg->rep->settings && pg->rep->settings->n
			    ? "; the runs differ in settings (<a href=\"#settings\">which</a>)"
			    : "");
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
		strbuf_addf(sb,
			    "; against the best: %+.1f points over %zu problems, two-sided p = "
			    "%.3g, one-sided p (worse) = %.3g",
			    100 * c->vs_best.diff, c->vs_best.pairs, c->vs_best.p_two,
			    c->vs_best.p_worse);
	double unfinished = rs_count(c->task, "unfinished");
	if (unfinished > 0)
		strbuf_addf(sb, "; %.0f unfinished generations (timed out), counted wrong",
			    unfinished);
	strbuf_addf(sb, "\">%.1f<small> ±%.1f</small>", 100 * c->value, 50 * (c->hi - c->lo));
	if (unfinished > 0)
		strbuf_addf(sb, "<small class=\"unf\"> %.0f unfinished</small>", unfinished);
	strbuf_addf(sb, "%s</td>", c->worse ? "<span class=\"sig\"> ▼</span>" : "");
}

static void run_heading(struct page *pg, size_t rank, size_t ri, const char *tag)
{
	const struct rs_run *run = &pg->rep->rs->runs[ri];
	strbuf_addf(pg->sb, "<%s data-run=\"", tag);
	esc(pg, run->label);
	strbuf_addf(pg->sb, "\" data-rank=\"%zu\" style=\"border-left:4px solid %s\">", rank + 1,
		    svg_color(ri));
	esc(pg, run->label);
	strbuf_addf(pg->sb, "</%s>", tag);
}

static void overall_cell(struct page *pg, size_t ri)
{
	const struct leaderboard *lb = pg->rep->lb;
	strbuf_addf(pg->sb, "<td class=\"num%s\" data-v=\"%.12g\">",
		    lb->overall_worse[ri] ? " worse" : "", lb->overall[ri]);
	pct_cell(pg->sb, lb->overall[ri]);
	if (lb->overall_worse[ri])
		strbuf_adds(pg->sb, "<span class=\"sig\"> ▼</span>");
	strbuf_adds(pg->sb, "</td>");
}

/* Runs as rows, tasks as columns: the layout while there are fewer tasks than runs. */
static void leaderboard_by_run(struct page *pg)
{
	const struct leaderboard *lb = pg->rep->lb;
	struct strbuf *sb = pg->sb;
	strbuf_adds(sb, "<table class=\"sortable\" id=\"lb\"><thead><tr><th data-sort=\"num\">#</th>"
			"<th>run</th><th>model</th><th data-sort=\"num\">mean</th>");
	for (size_t j = 0; j < lb->ntasks; j++) {
		strbuf_adds(sb, "<th data-sort=\"num\">");
		esc(pg, lb->tasks[j]);
		strbuf_adds(sb, "</th>");
	}
	strbuf_adds(sb, "</tr></thead><tbody>\n");
	for (size_t r = 0; r < pg->rep->rs->nruns; r++) {
		size_t ri = lb->order[r];
		const struct rs_run *run = &pg->rep->rs->runs[ri];
		strbuf_addf(sb, "<tr><td class=\"num\" data-v=\"%zu\">%zu</td>", r + 1, r + 1);
		run_heading(pg, r, ri, "th");
		strbuf_adds(sb, "<td>");
		esc(pg, rs_run_meta(run, "model") ? rs_run_meta(run, "model") : "–");
		strbuf_adds(sb, "</td>");
		overall_cell(pg, ri);
		for (size_t j = 0; j < lb->ntasks; j++)
			lb_cell_html(pg, run, lb->tasks[j], lb_cell(lb, ri, j));
		strbuf_adds(sb, "</tr>\n");
	}
	strbuf_adds(sb, "</tbody></table>");
}

/* Tasks as rows, runs as columns (best first): many tasks stay one readable column. */
static void leaderboard_by_task(struct page *pg)
{
	const struct leaderboard *lb = pg->rep->lb;
	const struct runset *rs = pg->rep->rs;
	struct strbuf *sb = pg->sb;
	strbuf_adds(sb, "<table class=\"sortable\" id=\"lb\"><thead><tr><th>task</th>");
	for (size_t r = 0; r < rs->nruns; r++)
		run_heading(pg, r, lb->order[r], "th");
	strbuf_adds(sb, "</tr></thead><tbody>\n<tr><th>mean over shared tasks</th>");
	for (size_t r = 0; r < rs->nruns; r++)
		overall_cell(pg, lb->order[r]);
	strbuf_adds(sb, "</tr>\n");
	for (size_t j = 0; j < lb->ntasks; j++) {
		strbuf_addf(sb, "<tr><th><a href=\"#t%zu\">", j);
		esc(pg, lb->tasks[j]);
		strbuf_adds(sb, "</a></th>");
		for (size_t r = 0; r < rs->nruns; r++) {
			size_t ri = lb->order[r];
			lb_cell_html(pg, &rs->runs[ri], lb->tasks[j], lb_cell(lb, ri, j));
		}
		strbuf_adds(sb, "</tr>\n");
	}
	strbuf_adds(sb, "</tbody></table>");
}

static void leaderboard(struct page *pg)
{
	const struct leaderboard *lb = pg->rep->lb;
	int by_task = lb->ntasks > pg->rep->rs->nruns;
	strbuf_addf(pg->sb,
		    "<section id=\"leaderboard\"><h2>Leaderboard</h2><p class=\"meta\">Primary "
		    "score (avg@n, percent) with its 95%% interval%s. Bold: best in the %s; "
		    "<span class=\"sig\">▼</span>: significantly below it. Runs ordered by the "
		    "mean over the tasks every run has. Click a heading to sort.</p>"
		    "<p class=\"meta\">The test is a paired sign-flip permutation test over "
		    "problems, <b>two-sided</b> here (p &lt; 0.05: is either run better?). "
		    "<code>reval gate</code> asks a one-sided question of the same pairs (did the "
		    "candidate get worse?): when the candidate is below, its p is about half the "
		    "two-sided p shown here, so a drop can fail the gate at 0.05 without a ▼ "
		    "here; the cell's tooltip gives both.</p><div class=\"wide\">",
		    by_task ? " (a row per task, a column per run)" : "", by_task ? "row" : "column");
	if (by_task)
		leaderboard_by_task(pg);
	else
		leaderboard_by_run(pg);
	strbuf_adds(pg->sb, "</div></section>\n");
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

/* Where the numbers come from: how each run's settings differ from the first run's. */
static void settings_list(struct page *pg)
{
	const struct runset *rs = pg->rep->rs;
	if (!pg->rep->settings || !pg->rep->settings->n)
		return;
	strbuf_adds(pg->sb, "<p class=\"meta\" id=\"settings\">Settings that differ from the "
			    "first run, <b>");
	esc(pg, rs->runs[0].label);
	strbuf_adds(pg->sb, "</b>:</p><ul class=\"meta\">");
	for (size_t r = 1; r < rs->nruns; r++) {
		struct strbuf line = STRBUF_INIT;
		settings_describe_run(pg->rep->settings, r, &line);
		if (line.len) {
			strbuf_adds(pg->sb, "<li><b>");
			esc(pg, rs->runs[r].label);
			strbuf_adds(pg->sb, "</b>: ");
			esc(pg, line.buf);
			strbuf_adds(pg->sb, "</li>");
		}
		strbuf_release(&line);
	}
	strbuf_adds(pg->sb, "</ul>");
}

static void runs_meta(struct page *pg)
{
	const struct runset *rs = pg->rep->rs;
	struct strbuf *sb = pg->sb;
	strbuf_adds(sb, "<section id=\"runs\"><h2>Runs</h2><div class=\"wide\">"
			"<table class=\"sortable\"><thead><tr>"
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
	strbuf_adds(sb, "</tbody></table></div>");
	settings_list(pg);
	strbuf_adds(sb, "</section>\n");
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
	/* A curve needs two points: none when every run drew one sample per problem, and no
	 * cons@k at all where answers are not voted on (code). */
	int any_cons = 0;
	for (size_t i = 0; i < ns; i++)
		for (size_t q = 0; q < nk; q++)
			any_cons |= !isnan(cons[i].y[q]);
	strbuf_adds(pg->sb, "<div class=\"charts\">");
	svg_bars(pg->sb, bars, nr, "score (avg@n) with 95% interval");
	if (col->maxn > 1) {
		svg_lines(pg->sb, pass, ns, "pass@k", "k (samples drawn)");
		if (any_cons)
			svg_lines(pg->sb, cons, ns,
				  "cons@k (majority vote, expected over k-subsets)", "k");
	}
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
	static const char *const names[] = {"correct",     "no_answer",   "truncated", "unfinished",
					    "undecided",   "infra_error", "missing"};
	strbuf_adds(sb, "<h3>Outcomes</h3><div class=\"wide\"><table class=\"sortable\"><thead>"
			"<tr><th>run</th>"
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
	strbuf_adds(sb, "</tbody></table></div>");
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
	strbuf_adds(sb, "<h3>Verdicts, % of graded samples</h3><div class=\"wide\"><table "
			"class=\"sortable\"><thead>"
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
	strbuf_adds(sb, "</tbody></table></div>");
	free(names);
}

static void lengths(struct page *pg, const struct column *col)
{
	const struct leaderboard *lb = pg->rep->lb;
	strbuf_adds(pg->sb, "<h3>Token lengths</h3><p class=\"meta\">Share of each run's "
			    "correct and of its wrong samples per length bin (each set sums to "
			    "100%):<span class=\"sw ok\"></span>correct<span class=\"sw bad\">"
			    "</span>wrong<span class=\"sw both\"></span>both overlap</p>"
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

/*
 * The problem grid: one tile per problem, one cell per run, built by the
 * page's script from this task's pass rates (gd<j>: cells[run][problem] =
 * [rate in percent, correct, graded] or 0 where the run lacks the problem),
 * which keeps a 50-task page's markup small.
 */
static void grid(struct page *pg, const struct column *col)
{
	const struct report *rep = pg->rep;
	const struct leaderboard *lb = rep->lb;
	struct strbuf *sb = pg->sb;
	strbuf_addf(sb, "<h3>Problems</h3><p class=\"meta legend\">One tile per problem, one row "
			"per run (in leaderboard order); colour is the pass rate from red (0) to "
			"green (1), hatched where the run lacks the problem. Every cell opens the "
			"problem: its gold answer, prompt and failing samples.</p>"
			"<div class=\"filter\" data-task=\"%zu\"><input type=\"search\" "
			"placeholder=\"search failing samples, answers, prompts\" aria-label=\"search\">"
			"<select aria-label=\"verdict\"><option value=\"\">any verdict</option>",
		    col->j);
	const char **seen = NULL;
	size_t nseen = 0;
	for (size_t ri = 0; ri < rep->rs->nruns; ri++) {
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		for (size_t q = 0; t && q < t->nprobs; q++)
			for (int k = 0; k < t->probs[q].nfails; k++) {
				const char *v = t->probs[q].fails[k].verdict;
				size_t i = 0;
				while (i < nseen && strcmp(seen[i], v))
					i++;
				if (i == nseen) {
					seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
					seen[nseen++] = v;
				}
			}
	}
	for (size_t i = 0; i < nseen; i++) {
		strbuf_adds(sb, "<option>");
		esc(pg, seen[i]);
		strbuf_adds(sb, "</option>");
	}
	free(seen);
	strbuf_addf(sb, "</select><span class=\"count meta\"></span></div>"
			"<div class=\"grid\" data-task=\"%zu\"></div>"
			"<div class=\"drill\" id=\"dp%zu\" hidden></div>"
			"<script type=\"application/json\" id=\"gd%zu\">{\"task\":",
		    col->j, col->j, col->j);
	html_json_string(sb, lb->tasks[col->j]);
	strbuf_adds(sb, ",\"ids\":[");
	for (size_t q = 0; q < col->nids; q++) {
		strbuf_adds(sb, q ? "," : "");
		html_json_string(sb, col->ids[q]);
	}
	strbuf_adds(sb, "],\"runs\":[");
	int first = 1;
	for (size_t r = 0; r < rep->rs->nruns; r++) {
		size_t ri = lb->order[r];
		if (!lb_cell(lb, ri, col->j)->task)
			continue;
		strbuf_addf(sb, "%s[%zu,", first ? "" : ",", ri);
		html_json_string(sb, rep->rs->runs[ri].label);
		strbuf_adds(sb, "]");
		first = 0;
	}
	strbuf_adds(sb, "],\"cells\":[");
	first = 1;
	for (size_t r = 0; r < rep->rs->nruns; r++) {
		size_t ri = lb->order[r];
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		if (!t)
			continue;
		strbuf_adds(sb, first ? "[" : ",[");
		first = 0;
		for (size_t q = 0; q < col->nids; q++) {
			const struct rs_problem *p = runset_problem(t, col->ids[q]);
			double rate = p ? rs_problem_rate(p) : NAN;
			strbuf_adds(sb, q ? "," : "");
			if (isnan(rate))
				strbuf_adds(sb, "0");
			else
				strbuf_addf(sb, "[%.0f,%d,%d]", 100 * rate, p->correct, p->graded);
		}
		strbuf_adds(sb, "]");
	}
	strbuf_adds(sb, "]}</script>");
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

static void json_key_text(struct page *pg, const char *key, const char *text, int count)
{
	if (!text)
		return;
	size_t before = pg->sb->len;
	strbuf_addf(pg->sb, ",\"%s\":", key);
	html_json_string(pg->sb, text);
	if (count)
		pg->text_used += pg->sb->len - before;
}

static void drill_sample(struct page *pg, const struct rs_sample *s, int with_text)
{
	struct strbuf *sb = pg->sb;
	strbuf_addf(sb, "{\"i\":%d,\"v\":", s->index);
	html_json_string(sb, s->verdict);
	size_t before = sb->len;
	strbuf_adds(sb, ",\"x\":");
	if (s->extracted && !with_text && strlen(s->extracted) > SHORT_TEXT) {
		size_t cut = SHORT_TEXT;
		while (cut > 0 && ((unsigned char)s->extracted[cut] & 0xC0) == 0x80)
			cut--;
		char *head = xasprintf("%.*s…", (int)cut, s->extracted);
		html_json_string(sb, head);
		free(head);
	} else {
		html_json_string(sb, s->extracted);
	}
	pg->text_used += sb->len - before;
	json_key_text(pg, "f", s->finish_reason, 0);
	json_key_text(pg, "why", s->reason, 0);
	json_key_text(pg, "d", s->detail, 1);
	if (with_text) {
		json_key_text(pg, "r", s->reasoning, 1);
		json_key_text(pg, "c", s->content, 1);
	} else {
		strbuf_adds(sb, ",\"t\":0");
	}
	strbuf_adds(sb, "}");
}

/*
 * The drill-down's data for one task (dd<j>), parsed by the page only when
 * one of its cells is opened or filtered: per problem q its gold answer and
 * prompt ("p<q>"), per (run, problem) the failing samples kept ("<run>-<q>").
 * Texts stop at this task's share of the report's text budget; past it a
 * sample keeps its verdict, extracted answer and the grader's detail.
 */
static void drills(struct page *pg, const struct column *col, size_t budget)
{
	const struct report *rep = pg->rep;
	const struct leaderboard *lb = rep->lb;
	struct strbuf *sb = pg->sb;
	size_t start = pg->text_used;
	strbuf_addf(sb, "<script type=\"application/json\" id=\"dd%zu\">{\"_\":0", col->j);
	for (size_t q = 0; q < col->nids; q++) {
		const struct rs_problem *p = NULL;
		for (size_t ri = 0; ri < rep->rs->nruns && !p; ri++) {
			const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
			const struct rs_problem *x = t ? runset_problem(t, col->ids[q]) : NULL;
			if (x && (x->gold || x->prompt))
				p = x;
		}
		if (!p)
			continue;
		strbuf_addf(sb, ",\"p%zu\":{\"_\":0", q);
		json_key_text(pg, "gold", p->gold, 0);
		if (pg->text_used - start < budget)
			json_key_text(pg, "prompt", p->prompt, 1);
		strbuf_adds(sb, "}");
	}
	for (size_t ri = 0; ri < rep->rs->nruns; ri++) {
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		for (size_t q = 0; t && q < col->nids; q++) {
			const struct rs_problem *p = runset_problem(t, col->ids[q]);
			if (!p || !p->nfails)
				continue;
			strbuf_addf(sb, ",\"%zu-%zu\":{\"s\":[", ri, q);
			for (int k = 0; k < p->nfails; k++) {
				strbuf_adds(sb, k ? "," : "");
				drill_sample(pg, &p->fails[k], pg->text_used - start < budget);
			}
			strbuf_adds(sb, "]}");
		}
	}
	strbuf_adds(sb, "}</script>");
}

static void num_cell(struct strbuf *sb, double v, const char *fmt, double scale)
{
	strbuf_addf(sb, "<td class=\"num\" data-v=\"%.6g\">", isnan(v) ? -1 : v);
	if (isnan(v))
		strbuf_adds(sb, "–");
	else
		strbuf_addf(sb, fmt, v * scale);
	strbuf_adds(sb, "</td>");
}

/* Tokens, latency, throughput and cost per run (results.json "generation"). */
static void generation(struct page *pg, const struct column *col)
{
	const struct leaderboard *lb = pg->rep->lb;
	struct strbuf *sb = pg->sb;
	strbuf_adds(sb, "<h3>Generation, latency and cost</h3><div class=\"wide\"><table "
			"class=\"sortable\"><thead><tr><th>run</th>"
			"<th data-sort=\"num\">completion tokens, mean</th>"
			"<th data-sort=\"num\">median</th><th data-sort=\"num\">p90</th>"
			"<th data-sort=\"num\">reasoning tokens, mean</th>"
			"<th data-sort=\"num\">latency p50, s</th><th data-sort=\"num\">p90, s</th>"
			"<th data-sort=\"num\">first token p50, s</th>"
			"<th data-sort=\"num\">tokens/s</th><th data-sort=\"num\">cost, USD</th>"
			"</tr></thead><tbody>");
	for (size_t r = 0; r < pg->rep->rs->nruns; r++) {
		size_t ri = lb->order[r];
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		if (!t)
			continue;
		strbuf_adds(sb, "<tr><th>");
		esc(pg, pg->rep->rs->runs[ri].label);
		strbuf_adds(sb, "</th>");
		int approx = render_gen(t, "completion_tokens", "approx") > 0;
		num_cell(sb, render_gen(t, "completion_tokens", "mean"), approx ? "~%.0f" : "%.0f", 1);
		num_cell(sb, render_gen(t, "completion_tokens", "median"), "%.0f", 1);
		num_cell(sb, render_gen(t, "completion_tokens", "p90"), "%.0f", 1);
		num_cell(sb, render_gen(t, "reasoning_tokens", "mean"), "%.0f", 1);
		num_cell(sb, render_gen(t, "latency_ms", "p50"), "%.2f", 1e-3);
		num_cell(sb, render_gen(t, "latency_ms", "p90"), "%.2f", 1e-3);
		num_cell(sb, render_gen(t, "ttft_ms", "p50"), "%.2f", 1e-3);
		num_cell(sb, render_gen(t, "tokens_per_second", "aggregate"), "%.1f", 1);
		num_cell(sb, render_gen(t, "cost_usd", "total"), "%.4f", 1);
		strbuf_adds(sb, "</tr>");
	}
	strbuf_adds(sb, "</tbody></table></div><p class=\"meta\">~: token counts estimated from "
			"characters / 4 where the server reported none; – where the figure was not "
			"recorded (replayed runs have no latency; cost needs --price-input or "
			"--price-output).</p>");
}

/* The primary score by each metadata value (results.json "breakdown"), a column per run. */
static void breakdowns(struct page *pg, const struct column *col)
{
	const struct leaderboard *lb = pg->rep->lb;
	const struct runset *rs = pg->rep->rs;
	struct strbuf *sb = pg->sb;
	const struct rs_task *any = NULL;
	for (size_t ri = 0; ri < rs->nruns; ri++) {
		const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
		const cJSON *b = t ? cJSON_GetObjectItemCaseSensitive(t->result, "breakdown") : NULL;
		if (!any && b && b->child)
			any = t;
	}
	if (!any)
		return;
	const cJSON *key;
	cJSON_ArrayForEach(key, cJSON_GetObjectItemCaseSensitive(any->result, "breakdown"))
	{
		strbuf_adds(sb, "<h3>By ");
		esc(pg, key->string);
		strbuf_adds(sb, "</h3><div class=\"wide\"><table class=\"sortable\"><thead><tr><th>");
		esc(pg, key->string);
		strbuf_adds(sb, "</th><th data-sort=\"num\">problems</th>");
		for (size_t r = 0; r < rs->nruns; r++) {
			size_t ri = lb->order[r];
			if (!lb_cell(lb, ri, col->j)->task)
				continue;
			strbuf_adds(sb, "<th data-sort=\"num\">");
			esc(pg, rs->runs[ri].label);
			strbuf_adds(sb, "</th>");
		}
		strbuf_adds(sb, "</tr></thead><tbody>");
		const cJSON *val;
		cJSON_ArrayForEach(val, key)
		{
			strbuf_adds(sb, "<tr><th>");
			esc(pg, *val->string ? val->string : "(none)");
			strbuf_addf(sb, "</th><td class=\"num\">%.0f</td>",
				    json_num(val, "problems", 0));
			for (size_t r = 0; r < rs->nruns; r++) {
				size_t ri = lb->order[r];
				const struct rs_task *t = lb_cell(lb, ri, col->j)->task;
				if (!t)
					continue;
				const cJSON *bk = cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(t->result, "breakdown"),
					key->string);
				const cJSON *m = cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(
						cJSON_GetObjectItemCaseSensitive(bk, val->string),
						"metrics"),
					t->primary);
				double v = json_num(m, "value", NAN), lo, hi;
				strbuf_addf(sb, "<td class=\"num\" data-v=\"%.6g\">", isnan(v) ? -1 : v);
				pct_cell(sb, v);
				if (!isnan(v) && !rs_metric_interval(m, &lo, &hi))
					strbuf_addf(sb, "<small> ±%.1f</small>", 50 * (hi - lo));
				strbuf_adds(sb, "</td>");
			}
			strbuf_adds(sb, "</tr>");
		}
		strbuf_adds(sb, "</tbody></table></div>");
	}
}

static void task_section(struct page *pg, size_t j, size_t budget)
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
		strbuf_adds(pg->sb, "</span> "); /* the space lets a long key wrap */
	}
	strbuf_adds(pg->sb, "</p>");
	charts(pg, &col);
	breakdowns(pg, &col);
	outcomes(pg, &col);
	verdicts(pg, &col);
	generation(pg, &col);
	lengths(pg, &col);
	grid(pg, &col);
	changes(pg, &col);
	drills(pg, &col, budget);
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
	/* Each task gets an equal share of what is left of the text budget. */
	for (size_t j = 0; j < rep->lb->ntasks; j++) {
		size_t left = rep->text_budget > pg.text_used ? rep->text_budget - pg.text_used : 0;
		task_section(&pg, j, left / (rep->lb->ntasks - j));
	}
	strbuf_adds(sb, "</main><footer><p id=\"selfcheck\" data-ready=\"0\">page not rendered "
			"yet</p></footer><script>");
	strbuf_adds(sb, late_js);
	strbuf_adds(sb, "</script></body></html>\n");
}

const struct renderer html_renderer = {
	"html", "a self-contained HTML report (inline CSS and SVG, no network)", render_html};
