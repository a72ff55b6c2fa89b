#include "results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "metrics.h"

static void add_metric(cJSON *metrics, const char *name, double value, size_t problems)
{
	cJSON *m = cJSON_AddObjectToObject(metrics, name);
	if (isnan(value))
		cJSON_AddNullToObject(m, "value");
	else
		cJSON_AddNumberToObject(m, "value", value);
	cJSON_AddNumberToObject(m, "problems", (double)problems);
}

static void task_metrics(const struct task_tally *tt, cJSON *out)
{
	const struct task *t = tt->task;
	long graded = 0, correct = 0, status[5] = {0}, truncated = 0, infra = 0, missing = 0;
	double avg_sum = 0;
	size_t scored = 0;
	for (size_t j = 0; j < tt->nprobs; j++) {
		const struct problem_tally *pt = &tt->probs[j];
		int g, c;
		double sc;
		tally_counts(pt, tt->n, &g, &c, &sc);
		graded += g;
		correct += c;
		if (g) {
			avg_sum += sc / g;
			scored++;
		}
		for (int i = 0; i < tt->n; i++) {
			const struct slot *sl = &pt->slots[i];
			if (sl->state == SLOT_EMPTY)
				missing++;
			else if (sl->state == SLOT_INFRA)
				infra++;
			else {
				status[sl->status < 5 ? sl->status : 0]++;
				truncated += sl->truncated;
			}
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
	cJSON_AddNumberToObject(counts, "infra_error", (double)infra);
	cJSON_AddNumberToObject(counts, "missing", (double)missing);
	cJSON *kinds = cJSON_AddObjectToObject(out, "infra_errors");
	for (size_t k = 0; k < tt->ninfra; k++)
		if (tt->infra[k].count)
			cJSON_AddNumberToObject(kinds, tt->infra[k].kind, (double)tt->infra[k].count);

	cJSON *metrics = cJSON_AddObjectToObject(out, "metrics");
	char name[32];
	snprintf(name, sizeof(name), "avg@%d", tt->n);
	add_metric(metrics, name, scored ? avg_sum / (double)scored : NAN, scored);
	for (size_t q = 0; q < t->npass_k; q++) {
		int k = t->pass_k[q];
		if (k > tt->n)
			continue;
		double sum = 0;
		size_t used = 0;
		for (size_t j = 0; j < tt->nprobs; j++) {
			int g, c;
			double sc;
			tally_counts(&tt->probs[j], tt->n, &g, &c, &sc);
			if (g < k)
				continue;
			sum += metrics_pass_at_k(g, c, k);
			used++;
		}
		snprintf(name, sizeof(name), "pass@%d", k);
		add_metric(metrics, name, used ? sum / (double)used : NAN, used);
	}
	for (size_t q = 0; q < t->ncons_k; q++) {
		int k = t->cons_k[q];
		if (k != tt->n)
			continue;
		double sum = 0;
		int *keys = xcalloc((size_t)tt->n, sizeof(int));
		size_t used = 0;
		for (size_t j = 0; j < tt->nprobs; j++) {
			const struct problem_tally *pt = &tt->probs[j];
			int any = 0;
			for (int i = 0; i < tt->n; i++) {
				keys[i] = pt->slots[i].state == SLOT_GRADED ? pt->slots[i].key : -1;
				any |= pt->slots[i].state == SLOT_GRADED;
			}
			if (!any)
				continue;
			sum += metrics_majority(keys, (size_t)tt->n, pt->key_correct, pt->nkeys);
			used++;
		}
		free(keys);
		snprintf(name, sizeof(name), "cons@%d", k);
		add_metric(metrics, name, used ? sum / (double)used : NAN, used);
	}
}

cJSON *results_build(const struct tally *tl, const cJSON *run)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "schema", "reval.results/1");
	cJSON_AddItemToObject(doc, "run", run ? cJSON_Duplicate(run, 1) : cJSON_CreateObject());
	cJSON *tasks = cJSON_AddObjectToObject(doc, "tasks");
	for (size_t i = 0; i < tl->ntasks; i++) {
		const struct task_tally *tt = &tl->tasks[i];
		cJSON *o = cJSON_AddObjectToObject(tasks, tt->task->id);
		cJSON_AddStringToObject(o, "grader", tt->task->grader->name);
		cJSON_AddStringToObject(o, "grader_version", tt->task->grader->version);
		cJSON_AddStringToObject(o, "dataset_sha256", tt->task->dataset_sha256);
		task_metrics(tt, o);
	}
	return doc;
}

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

enum reval_err results_write(const char *dir, const cJSON *results)
{
	char *json_path = path_join(dir, "results.json");
	enum reval_err err = json_write_file(json_path, results);
	free(json_path);
	if (err)
		return err;
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "task,metric,value,problems\n");
	const cJSON *task, *m;
	cJSON_ArrayForEach(task, cJSON_GetObjectItemCaseSensitive(results, "tasks"))
	{
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(task, "metrics"))
		{
			csv_field(&sb, task->string);
			strbuf_addch(&sb, ',');
			csv_field(&sb, m->string);
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");
			if (cJSON_IsNumber(v))
				strbuf_addf(&sb, ",%.10g", v->valuedouble);
			else
				strbuf_adds(&sb, ",");
			strbuf_addf(&sb, ",%.0f\n", json_num(m, "problems", 0));
		}
	}
	char *csv_path = path_join(dir, "results.csv");
	int e = write_file_atomic(csv_path, sb.buf, sb.len);
	if (e) {
		diag("cannot write '%s': %s", csv_path, strerror(e));
		err = RV_EIO;
	}
	free(csv_path);
	strbuf_release(&sb);
	return err;
}
