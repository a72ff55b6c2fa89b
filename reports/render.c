#include "render.h"

#include <math.h>
#include <stdlib.h>

#include "metrics.h"

const struct renderer *const renderer_table[] = {
	&html_renderer,
	&csv_renderer,
	&problems_csv_renderer,
	&md_renderer,
	NULL,
};

double render_pass_at(const struct rs_task *t, int k)
{
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

double render_cons_at(const struct rs_task *t, int k)
{
	double sum = 0;
	size_t used = 0;
	int *keys = xcalloc((size_t)k, sizeof(int));
	for (size_t j = 0; j < t->nprobs; j++) {
		const struct rs_problem *p = &t->probs[j];
		int graded = 0;
		for (int i = 0; i < k && i < t->n; i++) {
			keys[i] = p->slots[i].state == RS_GRADED ? p->slots[i].key : -1;
			graded += p->slots[i].state == RS_GRADED;
		}
		if (!graded)
			continue;
		sum += metrics_majority(keys, (size_t)(k < t->n ? k : t->n), p->class_correct,
					p->nclasses);
		used++;
	}
	free(keys);
	return used ? sum / (double)used : NAN;
}
