#include "reports/results/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/stats/bootstrap.h"
#include "harness/base/json.h"
#include "reports/stats/rng.h"
#include "reports/results/scores.h"
#include "reports/stats/sketch.h"

void results_opts_init(struct results_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->bootstrap_reps = BOOTSTRAP_REPS;
	o->prices.input_per_mtok = o->prices.output_per_mtok = NAN;
}

static void add_num(cJSON *o, const char *name, double v)
{
	if (isnan(v) || isinf(v))
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, v);
}

static const char *method_name(enum cons_method m)
{
	return m == CONS_PLAIN ? "plain" : m == CONS_EXACT ? "exact" : "monte_carlo";
}

/*
 * avg@n's variance split into the spread of the true per-problem rates and
 * the sampling noise within problems (docs/results-schema.md).
 */
static void add_variance(cJSON *m, const struct task_scores *ts, const size_t *sel, size_t nsel)
{
	double sum = 0, sum2 = 0, within = 0, noise = 0;
	size_t np = 0, nw = 0;
	for (size_t s = 0; s < nsel; s++) {
		const struct problem_score *ps = &ts->probs[sel[s]];
		if (isnan(ps->score_mean))
			continue;
		np++;
		sum += ps->score_mean;
		sum2 += ps->score_mean * ps->score_mean;
		if (!isnan(ps->score_var)) {
			nw++;
			within += ps->score_var;
			noise += ps->score_var / ps->graded;
		}
	}
	if (np < 2 || !nw)
		return;
	double mean = sum / (double)np;
	double var_p = (sum2 - (double)np * mean * mean) / (double)(np - 1);
	within /= (double)nw;
	noise /= (double)nw;
	double between = var_p - noise > 0 ? var_p - noise : 0;
	cJSON *v = cJSON_AddObjectToObject(m, "variance");
	cJSON_AddNumberToObject(v, "between", between);
	cJSON_AddNumberToObject(v, "within", within);
	cJSON_AddNumberToObject(v, "se_between", sqrt(between / (double)np));
	cJSON_AddNumberToObject(v, "se_within", sqrt(noise / (double)np));
	add_num(v, "within_share", noise + between > 0 ? noise / (noise + between) : NAN);
}

/* One metric over the selected problems: {"value", "problems", "se", "ci95", ...}. */
static cJSON *metric_json(const struct task_scores *ts, const struct metric_column *col,
			  const size_t *sel, size_t nsel, uint64_t seed, int reps)
{
	double *x = xmalloc((nsel ? nsel : 1) * sizeof(double));
	for (size_t s = 0; s < nsel; s++)
		x[s] = col->value[sel[s]];
	struct estimate e;
	bootstrap_mean(x, nsel, seed, reps, &e);
	free(x);
	cJSON *m = cJSON_CreateObject();
	add_num(m, "value", e.value);
	cJSON_AddNumberToObject(m, "problems", (double)e.problems);
	add_num(m, "se", e.se);
	if (isnan(e.lo)) {
		cJSON_AddNullToObject(m, "ci95");
	} else {
		cJSON *ci = cJSON_AddArrayToObject(m, "ci95");
		cJSON_AddItemToArray(ci, cJSON_CreateNumber(e.lo));
		cJSON_AddItemToArray(ci, cJSON_CreateNumber(e.hi));
	}
	if (col->kind == METRIC_CONS) {
		cJSON_AddStringToObject(m, "method", method_name(col->method));
		if (col->method == CONS_MC && e.problems)
			cJSON_AddNumberToObject(m, "mc_se", sqrt(col->mc_var) / (double)e.problems);
	}
	if (col->kind == METRIC_AVG)
		add_variance(m, ts, sel, nsel);
	return m;
}

static cJSON *metrics_json(const struct task_scores *ts, const size_t *sel, size_t nsel,
			   uint64_t seed, int reps)
{
	cJSON *metrics = cJSON_CreateObject();
	for (size_t c = 0; c < ts->ncols; c++)
		cJSON_AddItemToObject(metrics, ts->cols[c].name,
				      metric_json(ts, &ts->cols[c], sel, nsel, seed, reps));
	return metrics;
}

static cJSON *number_array(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, isnan(v[i]) ? cJSON_CreateNull() : cJSON_CreateNumber(v[i]));
	return a;
}

static cJSON *curves_json(const struct curves *cv)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *k = cJSON_AddArrayToObject(o, "k");
	for (size_t i = 0; i < cv->nk; i++)
		cJSON_AddItemToArray(k, cJSON_CreateNumber(cv->k[i]));
	cJSON_AddItemToObject(o, "pass", number_array(cv->pass, cv->nk));
	if (!cv->votes)
		return o; /* no "cons": absent, not zero, for graders that do not vote */
	cJSON_AddItemToObject(o, "cons", number_array(cv->cons, cv->nk));
	cJSON_AddStringToObject(o, "cons_method",
				cv->cons_method == CONS_MC ? "monte_carlo" : "exact");
	cJSON_AddNumberToObject(o, "cons_mc_se", cv->cons_mc_se);
	return o;
}

static int meta_index(const struct task *t, const char *key)
{
	for (size_t i = 0; i < t->nmeta; i++)
		if (!strcmp(t->meta_keys[i], key))
			return (int)i;
	return -1;
}

/* Metrics by each value of each breakdown key, values in order of first appearance. */
static cJSON *breakdown_json(const struct task_scores *ts, uint64_t seed, int reps)
{
	const struct task *t = ts->tt->task;
	cJSON *out = cJSON_CreateObject();
	size_t *sel = xmalloc((ts->nprobs ? ts->nprobs : 1) * sizeof(size_t));
	unsigned char *done = xmalloc(ts->nprobs ? ts->nprobs : 1);
	for (size_t b = 0; b < t->nbreakdown; b++) {
		int mi = meta_index(t, t->breakdown[b]);
		if (mi < 0)
			continue;
		cJSON *bykey = cJSON_AddObjectToObject(out, t->breakdown[b]);
		uint64_t kseed = rng_derive(seed, t->breakdown[b]);
		memset(done, 0, ts->nprobs ? ts->nprobs : 1);
		for (size_t j = 0; j < ts->nprobs; j++) {
			if (done[j])
				continue;
			const char *val = ts->tt->probs[j].problem->meta[mi];
			val = val ? val : "";
			size_t nsel = 0;
			for (size_t q = j; q < ts->nprobs; q++) {
				const char *w = ts->tt->probs[q].problem->meta[mi];
				if (!done[q] && !strcmp(w ? w : "", val)) {
					done[q] = 1;
					sel[nsel++] = q;
				}
			}
			cJSON *g = cJSON_AddObjectToObject(bykey, val);
			cJSON_AddNumberToObject(g, "problems", (double)nsel);
			cJSON_AddItemToObject(g, "metrics",
					      metrics_json(ts, sel, nsel, rng_derive(kseed, val), reps));
		}
	}
	free(sel);
	free(done);
	return out;
}

static int by_kind(const void *a, const void *b)
{
	return strcmp(((const struct kind_count *)a)->kind, ((const struct kind_count *)b)->kind);
}

/* "verdicts": the graders' verdicts over final graded samples, by name. */
static void add_verdicts(cJSON *out, const struct task_tally *tt)
{
	long any = 0;
	for (size_t k = 0; k < tt->nverdicts; k++)
		any += tt->verdicts[k].count;
	if (!any)
		return;
	struct kind_count *v = xcalloc(tt->nverdicts, sizeof(*v));
	memcpy(v, tt->verdicts, tt->nverdicts * sizeof(*v));
	qsort(v, tt->nverdicts, sizeof(*v), by_kind);
	cJSON *o = cJSON_AddObjectToObject(out, "verdicts");
	for (size_t k = 0; k < tt->nverdicts; k++)
		if (v[k].count)
			cJSON_AddNumberToObject(o, v[k].kind, (double)v[k].count);
	free(v);
}

static void add_counts(cJSON *out, const struct task_scores *ts)
{
	const struct task_tally *tt = ts->tt;
	long graded = 0, correct = 0, status[5] = {0}, truncated = 0, infra = 0, missing = 0;
	long unfinished = 0;
	for (size_t j = 0; j < tt->nprobs; j++)
		for (int i = 0; i < tt->n; i++) {
			const struct slot *sl = &tt->probs[j].slots[i];
			if (sl->state == SLOT_EMPTY) {
				missing++;
			} else if (sl->state == SLOT_INFRA) {
				infra++;
			} else {
				graded++;
				correct += sl->correct;
				status[sl->status < 5 ? sl->status : 0]++;
				truncated += sl->truncated;
				unfinished += sl->unfinished;
			}
		}
	cJSON_AddNumberToObject(out, "problems", (double)tt->nprobs);
	cJSON_AddNumberToObject(out, "samples", (double)graded);
	cJSON_AddNumberToObject(out, "n", tt->n);
	cJSON_AddBoolToObject(out, "complete", missing == 0 && infra == 0);
	cJSON *counts = cJSON_AddObjectToObject(out, "counts");
	cJSON_AddNumberToObject(counts, "planned", (double)tt->nprobs * tt->n);
	cJSON_AddNumberToObject(counts, "graded", (double)graded);
	cJSON_AddNumberToObject(counts, "correct", (double)correct);
	cJSON_AddNumberToObject(counts, "no_answer", (double)status[GRADE_NO_ANSWER]);
	cJSON_AddNumberToObject(counts, "truncated", (double)truncated);
	cJSON_AddNumberToObject(counts, "undecided", (double)status[GRADE_UNDECIDED]);
	/* Timed out on every attempt: counted wrong, as R1 counts them (unless excluded). */
	cJSON_AddNumberToObject(counts, "unfinished", (double)unfinished);
	cJSON_AddNumberToObject(counts, "infra_error", (double)infra);
	cJSON_AddNumberToObject(counts, "missing", (double)missing);
	cJSON *kinds = cJSON_AddObjectToObject(out, "infra_errors");
	for (size_t k = 0; k < tt->ninfra; k++)
		if (tt->infra[k].count)
			cJSON_AddNumberToObject(kinds, tt->infra[k].kind, (double)tt->infra[k].count);
	add_verdicts(out, tt);
}

static void problem_line(struct strbuf *sb, const struct task_scores *ts, size_t j)
{
	const struct task_tally *tt = ts->tt;
	const struct task *t = tt->task;
	const struct problem_tally *pt = &tt->probs[j];
	const struct problem_score *ps = &ts->probs[j];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "task", t->id);
	cJSON_AddStringToObject(o, "problem", pt->problem->id);
	if (pt->problem->answer)
		cJSON_AddStringToObject(o, "gold", pt->problem->answer);
	else
		cJSON_AddNullToObject(o, "gold"); /* code: the tests are the gold */
	cJSON *meta = cJSON_AddObjectToObject(o, "meta");
	for (size_t m = 0; m < t->nmeta; m++)
		if (pt->problem->meta && pt->problem->meta[m])
			cJSON_AddStringToObject(meta, t->meta_keys[m], pt->problem->meta[m]);
	cJSON_AddNumberToObject(o, "planned", tt->n);
	cJSON_AddNumberToObject(o, "n", ps->graded);
	cJSON_AddNumberToObject(o, "c", ps->correct);
	cJSON_AddNumberToObject(o, "infra", ps->infra);
	cJSON_AddNumberToObject(o, "no_answer", ps->no_answer);
	cJSON_AddNumberToObject(o, "truncated", ps->truncated);
	cJSON *metrics = cJSON_AddObjectToObject(o, "metrics");
	for (size_t c = 0; c < ts->ncols; c++)
		add_num(metrics, ts->cols[c].name, ts->cols[c].value[j]);
	cJSON *maj = cJSON_AddObjectToObject(o, "majority");
	if (ps->majority_key >= 0) {
		cJSON_AddStringToObject(maj, "answer", pt->classes.keys[ps->majority_key]);
		cJSON_AddBoolToObject(maj, "correct", ps->majority_correct);
	} else {
		cJSON_AddNullToObject(maj, "answer");
		cJSON_AddBoolToObject(maj, "correct", 0);
	}
	cJSON_AddNumberToObject(maj, "votes", ps->majority_votes);
	add_num(maj, "share", ps->graded ? (double)ps->majority_votes / ps->graded : NAN);
	cJSON_AddNumberToObject(maj, "voters", ps->voters);
	cJSON_AddNumberToObject(maj, "classes", ps->classes);
	add_num(o, "completion_tokens_mean", genstats_mean_completion(&pt->gen));
	add_num(o, "reasoning_tokens_mean", genstats_mean_reasoning(&pt->gen));
	add_num(o, "latency_ms_mean", genstats_mean_latency(&pt->gen));
	char *text = cJSON_PrintUnformatted(o);
	strbuf_adds(sb, text);
	strbuf_addch(sb, '\n');
	free(text);
	cJSON_Delete(o);
}

static cJSON *task_json(const struct task_tally *tt, const struct results_opts *o,
			struct strbuf *problems)
{
	const struct task *t = tt->task;
	uint64_t seed = rng_derive((uint64_t)o->seed, t->id);
	struct task_scores ts;
	scores_compute(&ts, tt, seed);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "grader", t->grader_name);
	cJSON_AddStringToObject(out, "grader_version", t->grader_version);
	cJSON_AddStringToObject(out, "dataset_sha256", t->dataset_sha256);
	cJSON_AddStringToObject(out, "family", t->family ? t->family : t->id);
	add_counts(out, &ts);
	size_t *all = xmalloc((ts.nprobs ? ts.nprobs : 1) * sizeof(size_t));
	for (size_t j = 0; j < ts.nprobs; j++)
		all[j] = j;
	cJSON_AddItemToObject(out, "metrics",
			      metrics_json(&ts, all, ts.nprobs, rng_derive(seed, "bootstrap"),
					   o->bootstrap_reps));
	free(all);
	cJSON_AddItemToObject(out, "curves", curves_json(&ts.curves));
	cJSON_AddItemToObject(out, "breakdown",
			      breakdown_json(&ts, rng_derive(seed, "breakdown"), o->bootstrap_reps));
	cJSON_AddItemToObject(out, "generation",
			      genstats_build(&tt->gen, tt->infra, tt->ninfra, &o->prices));
	if (problems)
		for (size_t j = 0; j < ts.nprobs; j++)
			problem_line(problems, &ts, j);
	scores_release(&ts);
	return out;
}

/* Macro averages over the tasks of each family with two or more tasks in the run. */
static cJSON *families_json(const struct tally *tl, const cJSON *tasks)
{
	cJSON *out = cJSON_CreateObject();
	for (size_t i = 0; i < tl->ntasks; i++) {
		const char *fam = tl->tasks[i].task->family;
		if (!fam || cJSON_GetObjectItemCaseSensitive(out, fam))
			continue;
		cJSON *members = cJSON_CreateArray();
		for (size_t q = i; q < tl->ntasks; q++) {
			const char *f = tl->tasks[q].task->family;
			if (f && !strcmp(f, fam))
				cJSON_AddItemToArray(members,
						     cJSON_CreateString(tl->tasks[q].task->id));
		}
		int nm = cJSON_GetArraySize(members);
		if (nm < 2) {
			cJSON_Delete(members);
			continue;
		}
		cJSON *f = cJSON_AddObjectToObject(out, fam);
		cJSON_AddNumberToObject(f, "tasks", nm);
		cJSON_AddItemToObject(f, "members", members);
		cJSON *fm = cJSON_AddObjectToObject(f, "metrics");
		const cJSON *first = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(tasks, tl->tasks[i].task->id), "metrics");
		const cJSON *m;
		cJSON_ArrayForEach(m, first)
		{
			double sum = 0;
			int used = 0;
			const cJSON *id;
			cJSON_ArrayForEach(id, members)
			{
				const cJSON *tm = cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(
						cJSON_GetObjectItemCaseSensitive(tasks,
										 id->valuestring),
						"metrics"),
					m->string);
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(tm, "value");
				if (cJSON_IsNumber(v)) {
					sum += v->valuedouble;
					used++;
				}
			}
			if (used != nm)
				continue;
			cJSON *o = cJSON_AddObjectToObject(fm, m->string);
			cJSON_AddNumberToObject(o, "value", sum / nm);
			cJSON_AddNumberToObject(o, "tasks", nm);
		}
	}
	return out;
}

static cJSON *stats_json(const struct results_opts *o)
{
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "confidence", 0.95);
	cJSON_AddStringToObject(s, "se_method", "clustered");
	cJSON_AddStringToObject(s, "ci_method", "bootstrap_percentile");
	cJSON_AddNumberToObject(s, "bootstrap_reps",
				o->bootstrap_reps > 0 ? o->bootstrap_reps : BOOTSTRAP_REPS);
	cJSON_AddStringToObject(s, "bootstrap_seed", "derived from (run seed, task id)");
	cJSON_AddStringToObject(s, "tie_rule", "class_rank");
	cJSON_AddStringToObject(s, "token_approximation", "chars/4");
	cJSON *pc = cJSON_AddObjectToObject(s, "percentiles");
	cJSON_AddStringToObject(pc, "method", "nearest_rank");
	cJSON_AddNumberToObject(pc, "exact_up_to", SKETCH_EXACT);
	cJSON_AddNumberToObject(pc, "relative_error", SKETCH_REL_ERROR);
	return s;
}

cJSON *results_build(const struct tally *tl, const cJSON *run, const struct results_opts *o,
		     struct strbuf *problems)
{
	struct results_opts defaults;
	if (!o) {
		results_opts_init(&defaults);
		o = &defaults;
	}
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "schema", RESULTS_SCHEMA);
	cJSON_AddItemToObject(doc, "run", run ? cJSON_Duplicate(run, 1) : cJSON_CreateObject());
	cJSON_AddItemToObject(doc, "stats", stats_json(o));
	cJSON *tasks = cJSON_AddObjectToObject(doc, "tasks");
	for (size_t i = 0; i < tl->ntasks; i++)
		cJSON_AddItemToObject(tasks, tl->tasks[i].task->id,
				      task_json(&tl->tasks[i], o, problems));
	cJSON_AddItemToObject(doc, "families", families_json(tl, tasks));
	return doc;
}

/* ---- Writing ---- */

static void csv_field(struct strbuf *sb, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		strbuf_adds(sb, s);
		return;
	}
	strbuf_addch(sb, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

static void csv_num(struct strbuf *sb, const cJSON *v)
{
	strbuf_addch(sb, ',');
	if (cJSON_IsNumber(v))
		strbuf_addf(sb, "%.10g", v->valuedouble);
}

static void csv_rows(struct strbuf *sb, const cJSON *group, const char *count_field)
{
	const cJSON *owner, *m;
	cJSON_ArrayForEach(owner, group)
	{
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(owner, "metrics"))
		{
			csv_field(sb, owner->string);
			strbuf_addch(sb, ',');
			csv_field(sb, m->string);
			csv_num(sb, cJSON_GetObjectItemCaseSensitive(m, "value"));
			csv_num(sb, cJSON_GetObjectItemCaseSensitive(m, "se"));
			const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "ci95");
			csv_num(sb, cJSON_GetArrayItem(ci, 0));
			csv_num(sb, cJSON_GetArrayItem(ci, 1));
			csv_num(sb, cJSON_GetObjectItemCaseSensitive(m, count_field));
			strbuf_addch(sb, '\n');
		}
	}
}

static enum reval_err write_text(const char *dir, const char *name, const struct strbuf *sb)
{
	char *path = path_join(dir, name);
	enum reval_err err = RV_OK;
	int e = write_file_atomic(path, sb->buf ? sb->buf : "", sb->len);
	if (e) {
		diag("cannot write '%s': %s", path, strerror(e));
		err = RV_EIO;
	}
	free(path);
	return err;
}

enum reval_err results_write(const char *dir, const cJSON *results, const struct strbuf *problems)
{
	char *json_path = path_join(dir, "results.json");
	enum reval_err err = json_write_file(json_path, results);
	free(json_path);
	if (err)
		return err;
	if (problems && (err = write_text(dir, "problems.jsonl", problems)))
		return err;
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "task,metric,value,se,ci95_low,ci95_high,problems\n");
	csv_rows(&sb, cJSON_GetObjectItemCaseSensitive(results, "tasks"), "problems");
	csv_rows(&sb, cJSON_GetObjectItemCaseSensitive(results, "families"), "tasks");
	err = write_text(dir, "results.csv", &sb);
	strbuf_release(&sb);
	return err;
}
