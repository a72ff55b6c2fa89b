#include "reports/render/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"

#define NCOLS 7

/* The primary metric: the first avg@N of the task's metrics. */
static const cJSON *primary(const cJSON *task)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(task, "metrics"))
	{
		if (!strncmp(m->string, "avg@", 4))
			return m;
	}
	return NULL;
}

static char *pct(double v)
{
	return isnan(v) ? xstrdup("-") : xasprintf("%.1f", 100 * v);
}

void summary_scores(struct strbuf *out, const cJSON *results)
{
	static const char *const heads[NCOLS] = {"task",	 "metric",	 "value %",
						 "95% interval", "problems",	 "samples",
						 "infra errors"};
	static const int right[NCOLS] = {0, 0, 1, 1, 1, 1, 1};
	char **cells = NULL;
	size_t rows = 0, cap = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(results, "tasks"))
	{
		const cJSON *m = primary(t);
		const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "ci95");
		const cJSON *counts = cJSON_GetObjectItemCaseSensitive(t, "counts");
		GROW(cells, cap, (rows + 1) * NCOLS);
		char **row = cells + rows * NCOLS;
		row[0] = xstrdup(t->string);
		row[1] = xstrdup(m ? m->string : "-");
		row[2] = pct(json_num(m, "value", NAN));
		if (cJSON_GetArraySize(ci) == 2) {
			char *lo = pct(cJSON_GetArrayItem(ci, 0)->valuedouble);
			char *hi = pct(cJSON_GetArrayItem(ci, 1)->valuedouble);
			row[3] = xasprintf("%s - %s", lo, hi);
			free(lo);
			free(hi);
		} else {
			row[3] = xstrdup("-");
		}
		row[4] = xasprintf("%.0f", json_num(m, "problems", 0));
		row[5] = xasprintf("%.0f", json_num(counts, "graded", 0));
		row[6] = xasprintf("%.0f", json_num(counts, "infra_error", 0));
		rows++;
	}
	size_t w[NCOLS];
	for (int c = 0; c < NCOLS; c++) {
		w[c] = strlen(heads[c]);
		for (size_t r = 0; r < rows; r++)
			if (strlen(cells[r * NCOLS + c]) > w[c])
				w[c] = strlen(cells[r * NCOLS + c]);
	}
	for (size_t r = 0; r <= rows; r++) {
		for (int c = 0; c < NCOLS; c++) {
			const char *cell = r ? cells[(r - 1) * NCOLS + c] : heads[c];
			int width = c == NCOLS - 1 && !right[c] ? 0 : (int)w[c];
			strbuf_addf(out, right[c] ? "%*s" : "%-*s", width, cell);
			if (c < NCOLS - 1)
				strbuf_adds(out, "  ");
		}
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < rows * NCOLS; i++)
		free(cells[i]);
	free(cells);
}

struct infra_kind {
	const char *kind;    /* borrowed from results */
	double count;
	const char *example; /* borrowed, or NULL */
};

void summary_infra(struct strbuf *out, const cJSON *results)
{
	struct infra_kind *kinds = NULL;
	size_t n = 0;
	double total = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(results, "tasks"))
	{
		const cJSON *infra = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(t, "generation"), "infra");
		const cJSON *examples = cJSON_GetObjectItemCaseSensitive(infra, "examples");
		const cJSON *k;
		cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(infra, "by_kind"))
		{
			if (!cJSON_IsNumber(k) || k->valuedouble <= 0)
				continue;
			size_t i = 0;
			while (i < n && strcmp(kinds[i].kind, k->string))
				i++;
			if (i == n) {
				kinds = xrealloc(kinds, (n + 1) * sizeof(*kinds));
				kinds[n++] = (struct infra_kind){k->string, 0, NULL};
			}
			kinds[i].count += k->valuedouble;
			if (!kinds[i].example)
				kinds[i].example = json_str(examples, k->string);
			total += k->valuedouble;
		}
	}
	if (total > 0) {
		strbuf_addf(out,
			    "%.0f samples failed for reasons outside the model; they count in no "
			    "score (rerun the same command to retry them):\n",
			    total);
		for (size_t i = 0; i < n; i++) {
			strbuf_addf(out, "  %-20s %6.0f", kinds[i].kind, kinds[i].count);
			if (kinds[i].example)
				strbuf_addf(out, "  e.g. %.*s", (int)strcspn(kinds[i].example, "\r\n"),
					    kinds[i].example);
			strbuf_addch(out, '\n');
		}
	}
	free(kinds);
}
