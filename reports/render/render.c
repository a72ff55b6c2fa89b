#include "reports/render/render.h"

#include <math.h>
#include <stdlib.h>

#include "reports/stats/metrics.h"

const struct renderer *const renderer_table[] = {
	&html_renderer,
	&csv_renderer,
	&problems_csv_renderer,
	&md_renderer,
	NULL,
};

/* A point of a curve stored in results.json ("curves": {"k": [...], "pass": [...]}), or NAN. */
static double stored_point(const struct rs_task *t, const char *which, int k)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(t->result, "curves");
	const cJSON *ks = cJSON_GetObjectItemCaseSensitive(c, "k");
	const cJSON *vs = cJSON_GetObjectItemCaseSensitive(c, which);
	int n = cJSON_GetArraySize(ks);
	if (!cJSON_IsArray(ks) || !cJSON_IsArray(vs) || cJSON_GetArraySize(vs) != n)
		return NAN;
	for (int i = 0; i < n; i++) {
		const cJSON *kk = cJSON_GetArrayItem(ks, i);
		if (cJSON_IsNumber(kk) && kk->valueint == k) {
			const cJSON *v = cJSON_GetArrayItem(vs, i);
			return cJSON_IsNumber(v) ? v->valuedouble : NAN;
		}
	}
	return NAN;
}

double render_pass_at(const struct rs_task *t, int k)
{
	double v = stored_point(t, "pass", k);
	if (!isnan(v))
		return v;
	double sum = 0;
	size_t used = 0;
	for (size_t j = 0; j < t->nprobs; j++) {
		const struct rs_problem *p = &t->probs[j];
		if (p->graded < k)
			continue;
		sum += metrics_pass_at_k(p->graded, p->correct, k);
		used++;
	}
	return used ? sum / (double)used : NAN;
}

#define CONS_MAX_OPS 1e7 /* per problem; beyond, the point is left out */

double render_cons_at(const struct rs_task *t, int k)
{
	double v = stored_point(t, "cons", k);
	if (!isnan(v))
		return v;
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(t->result, "curves");
	if (c && !cJSON_GetObjectItemCaseSensitive(c, "cons"))
		return NAN; /* curves without "cons": the task's answers are not voted on */
	double sum = 0;
	size_t used = 0;
	int *keys = xcalloc((size_t)t->n + 1, sizeof(int));
	double *curve = xcalloc((size_t)k + 1, sizeof(double));
	for (size_t j = 0; j < t->nprobs; j++) {
		const struct rs_problem *p = &t->probs[j];
		if (p->graded < k)
			continue;
		int g = 0;
		for (int i = 0; i < t->n; i++)
			if (p->slots[i].state == RS_GRADED)
				keys[g++] = p->slots[i].key;
		struct votes vt;
		votes_init(&vt, keys, g, p->classes.correct, p->classes.n);
		int ok = !metrics_cons_exact(&vt, k, CONS_MAX_OPS, curve);
		votes_release(&vt);
		if (!ok) {
			used = 0;
			break;
		}
		sum += curve[k - 1];
		used++;
	}
	free(keys);
	free(curve);
	return used ? sum / (double)used : NAN;
}

double render_gen(const struct rs_task *t, const char *group, const char *key)
{
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(t->result, "generation");
	if (group)
		g = cJSON_GetObjectItemCaseSensitive(g, group);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, key);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}
