/*
 * csv_report: two renderers.  "csv" has one row per (run, task, metric)
 * with the value, its interval where known and the counts behind it;
 * "problems-csv" has one row per (run, task, problem).  Values are
 * fractions.  Fields are quoted per RFC 4180, and text that came from a
 * model (answers) and starts like a spreadsheet formula is prefixed with
 * an apostrophe so that opening the file cannot run it.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "reports/render/render.h"

static int looks_numeric(const char *s)
{
	double v;
	return !parse_double(s, &v);
}

static void field(struct strbuf *sb, const char *s, int untrusted)
{
	s = s ? s : "";
	int formula = untrusted && strchr("=+-@\t\r", s[0]) && s[0] && !looks_numeric(s);
	if (!formula && !strpbrk(s, ",\"\n\r")) {
		strbuf_adds(sb, s);
		return;
	}
	strbuf_addch(sb, '"');
	if (formula)
		strbuf_addch(sb, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

static void num(struct strbuf *sb, double v)
{
	strbuf_addch(sb, ',');
	if (!isnan(v))
		strbuf_addf(sb, "%.10g", v);
}

static void render_csv(const struct report *rep, struct strbuf *sb)
{
	strbuf_adds(sb, "run,model,task,metric,value,ci_low,ci_high,problems,samples,"
			"samples_per_problem,significantly_below_best\n");
	const struct leaderboard *lb = rep->lb;
	for (size_t r = 0; r < rep->rs->nruns; r++) {
		size_t ri = lb->order[r];
		const struct rs_run *run = &rep->rs->runs[ri];
		for (size_t j = 0; j < lb->ntasks; j++) {
			const struct lb_cell *c = lb_cell(lb, ri, j);
			const struct rs_task *t = c->task;
			if (!t)
				continue;
			const cJSON *m;
			cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t->result, "metrics"))
			{
				double v = rs_metric(t, m->string), lo, hi;
				int primary = !strcmp(m->string, t->primary);
				if (primary)
					v = c->value, lo = c->lo, hi = c->hi;
				else if (rs_metric_interval(m, &lo, &hi))
					lo = hi = NAN;
				field(sb, run->label, 0);
				strbuf_addch(sb, ',');
				field(sb, rs_run_meta(run, "model"), 0);
				strbuf_addch(sb, ',');
				field(sb, t->id, 0);
				strbuf_addch(sb, ',');
				field(sb, m->string, 0);
				num(sb, v);
				num(sb, lo);
				num(sb, hi);
				num(sb, json_num(m, "problems", (double)t->nprobs));
				num(sb, rs_count(t, "graded"));
				strbuf_addf(sb, ",%d,%s\n", t->n,
					    primary ? (c->worse ? "yes" : "no") : "");
			}
		}
	}
}

static void render_problems(const struct report *rep, struct strbuf *sb)
{
	strbuf_adds(sb, "run,task,problem,samples,correct,pass_rate,truncated,no_answer,"
			"infra_errors,majority_answer,majority_correct\n");
	for (size_t r = 0; r < rep->rs->nruns; r++) {
		const struct rs_run *run = &rep->rs->runs[r];
		for (size_t k = 0; k < run->ntasks; k++) {
			const struct rs_task *t = &run->tasks[k];
			for (size_t j = 0; j < t->nprobs; j++) {
				const struct rs_problem *p = &t->probs[j];
				field(sb, run->label, 0);
				strbuf_addch(sb, ',');
				field(sb, t->id, 0);
				strbuf_addch(sb, ',');
				field(sb, p->id, 1);
				strbuf_addf(sb, ",%d,%d", p->graded, p->correct);
				num(sb, rs_problem_rate(p));
				strbuf_addf(sb, ",%d,%d,%d,", p->truncated, p->no_answer, p->infra);
				if (p->majority >= 0) {
					field(sb, p->classes.keys[p->majority], 1);
					strbuf_addf(sb, ",%s\n",
						    p->classes.correct[p->majority] ? "yes" : "no");
				} else {
					strbuf_adds(sb, ",\n");
				}
			}
		}
	}
}

const struct renderer csv_renderer = {
	"csv", "one row per (run, task, metric): value, 95% interval, problems, samples",
	render_csv};

const struct renderer problems_csv_renderer = {
	"problems-csv",
	"one row per (run, task, problem): samples, correct, pass rate, majority answer",
	render_problems};
