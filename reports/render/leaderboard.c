#include "reports/render/leaderboard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"

static void collect_tasks(struct leaderboard *lb)
{
	const struct runset *rs = lb->rs;
	size_t cap = 0;
	for (size_t i = 0; i < rs->nruns; i++)
		cap += rs->runs[i].ntasks;
	lb->tasks = xcalloc(cap + 1, sizeof(char *));
	for (size_t i = 0; i < rs->nruns; i++)
		for (size_t k = 0; k < rs->runs[i].ntasks; k++) {
			const char *id = rs->runs[i].tasks[k].id;
			size_t j;
			for (j = 0; j < lb->ntasks; j++)
				if (!strcmp(lb->tasks[j], id))
					break;
			if (j == lb->ntasks)
				lb->tasks[lb->ntasks++] = id;
		}
	lb->shared = xcalloc(lb->ntasks + 1, sizeof(int));
	for (size_t j = 0; j < lb->ntasks; j++) {
		int all = 1;
		for (size_t i = 0; i < rs->nruns; i++)
			all &= runset_task(&rs->runs[i], lb->tasks[j]) != NULL;
		lb->shared[j] = all;
		lb->nshared += (size_t)all;
	}
}

static void fill_column(struct leaderboard *lb, size_t j)
{
	const struct runset *rs = lb->rs;
	size_t best = (size_t)-1;
	for (size_t i = 0; i < rs->nruns; i++) {
		struct lb_cell *c = &lb->cells[i * lb->ntasks + j];
		c->value = c->lo = c->hi = NAN;
		c->task = runset_task(&rs->runs[i], lb->tasks[j]);
		if (!c->task || rs_task_score(c->task, &c->value, &c->lo, &c->hi))
			continue;
		if (best == (size_t)-1 || c->value > lb->cells[best * lb->ntasks + j].value)
			best = i;
	}
	if (best == (size_t)-1)
		return;
	const struct lb_cell *b = &lb->cells[best * lb->ntasks + j];
	for (size_t i = 0; i < rs->nruns; i++) {
		struct lb_cell *c = &lb->cells[i * lb->ntasks + j];
		if (isnan(c->value))
			continue;
		c->is_best = c->value >= b->value; /* ties share the first place */
		double *ra, *rb;
		size_t n;
		runset_pair(b->task, c->task, &ra, &rb, &n);
		compare_paired(ra, rb, NULL, n, &c->vs_best);
		free(ra);
		free(rb);
		c->worse = !c->is_best && c->vs_best.diff < 0 && c->vs_best.p_two < LEADERBOARD_ALPHA;
	}
}

static const struct leaderboard *sort_lb; /* qsort has no user pointer in C11 */

static int by_overall(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	double va = sort_lb->overall[a], vb = sort_lb->overall[b];
	if (isnan(va) != isnan(vb))
		return isnan(va) ? 1 : -1;
	if (!isnan(va) && va != vb)
		return va > vb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Pool the problems of every shared task, each task weighing the same. */
static void compare_overall(struct leaderboard *lb, size_t top, size_t i,
			    struct compare_result *out)
{
	size_t cap = 0, n = 0;
	for (size_t j = 0; j < lb->ntasks; j++)
		if (lb->shared[j])
			cap += lb_cell(lb, top, j)->task ? lb_cell(lb, top, j)->task->nprobs : 0;
	double *a = xcalloc(cap + 1, sizeof(double)), *b = xcalloc(cap + 1, sizeof(double));
	double *w = xcalloc(cap + 1, sizeof(double));
	for (size_t j = 0; j < lb->ntasks; j++) {
		const struct lb_cell *ct = lb_cell(lb, top, j), *ci = lb_cell(lb, i, j);
		if (!lb->shared[j] || !ct->task || !ci->task)
			continue;
		double *ra, *rb;
		size_t k;
		runset_pair(ct->task, ci->task, &ra, &rb, &k);
		for (size_t q = 0; q < k; q++) {
			a[n] = ra[q];
			b[n] = rb[q];
			w[n++] = 1.0 / (double)k;
		}
		free(ra);
		free(rb);
	}
	compare_paired(a, b, w, n, out);
	free(a);
	free(b);
	free(w);
}

void leaderboard_build(struct leaderboard *lb, const struct runset *rs)
{
	memset(lb, 0, sizeof(*lb));
	lb->rs = rs;
	collect_tasks(lb);
	size_t nr = rs->nruns;
	lb->cells = xcalloc(nr * lb->ntasks + 1, sizeof(struct lb_cell));
	for (size_t j = 0; j < lb->ntasks; j++)
		fill_column(lb, j);
	lb->overall = xcalloc(nr + 1, sizeof(double));
	lb->order = xcalloc(nr + 1, sizeof(size_t));
	for (size_t i = 0; i < nr; i++) {
		double sum = 0;
		size_t k = 0;
		for (size_t j = 0; j < lb->ntasks; j++) {
			const struct lb_cell *c = lb_cell(lb, i, j);
			if (lb->shared[j] && !isnan(c->value)) {
				sum += c->value;
				k++;
			}
		}
		lb->overall[i] = k ? sum / (double)k : NAN;
		lb->order[i] = i;
	}
	sort_lb = lb;
	qsort(lb->order, nr, sizeof(size_t), by_overall);
	sort_lb = NULL;
	lb->overall_vs_best = xcalloc(nr + 1, sizeof(struct compare_result));
	lb->overall_worse = xcalloc(nr + 1, sizeof(int));
	size_t top = nr ? lb->order[0] : 0;
	for (size_t i = 0; i < nr && lb->nshared; i++) {
		compare_overall(lb, top, i, &lb->overall_vs_best[i]);
		lb->overall_worse[i] = i != top && lb->overall_vs_best[i].diff < 0 &&
				       lb->overall_vs_best[i].p_two < LEADERBOARD_ALPHA;
	}
}

void leaderboard_release(struct leaderboard *lb)
{
	free(lb->tasks);
	free(lb->shared);
	free(lb->order);
	free(lb->cells);
	free(lb->overall);
	free(lb->overall_vs_best);
	free(lb->overall_worse);
	memset(lb, 0, sizeof(*lb));
}
