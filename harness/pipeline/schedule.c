#include "harness/pipeline/schedule.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/base/json.h"
#include "harness/base/util.h"
#include "harness/model/journal.h"

struct hist_entry {
	char *key;     /* task, a 0x1f byte, problem */
	double tokens; /* sum over its samples */
	long samples;
};

struct schedule_history {
	struct hist_entry *e; /* sorted by key once loaded */
	size_t n, cap;
};

static char *hist_key(const char *task, const char *problem)
{
	return xasprintf("%s\x1f%s", task, problem);
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hist_entry *)a)->key, ((const struct hist_entry *)b)->key);
}

static enum reval_err hist_line(void *ud, const cJSON *obj, long line)
{
	struct schedule_history *h = ud;
	(void)line;
	const char *task = json_str(obj, "task");
	const char *problem = json_str(obj, "problem");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(obj, "error");
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(obj, "usage");
	const cJSON *ct = cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens");
	if (!task || !problem || (err && !cJSON_IsNull(err)) || !cJSON_IsNumber(ct) ||
	    ct->valuedouble < 0)
		return RV_OK;
	GROW(h->e, h->cap, h->n + 1);
	h->e[h->n++] = (struct hist_entry){hist_key(task, problem), ct->valuedouble, 1};
	return RV_OK;
}

enum reval_err schedule_history_load(const char *path, struct schedule_history **out)
{
	struct stat st;
	char *file = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? path_join(path, "samples.jsonl")
								  : xstrdup(path);
	if (stat(file, &st) != 0) {
		diag("--schedule-from '%s': no journal at '%s'", path, file);
		free(file);
		return RV_EUSAGE;
	}
	struct schedule_history *h = xcalloc(1, sizeof(*h));
	long torn = 0;
	enum reval_err err = journal_read(file, hist_line, h, &torn);
	free(file);
	if (err) {
		schedule_history_free(h);
		return err;
	}
	/* Sort, then fold each problem's samples into one entry. */
	qsort(h->e, h->n, sizeof(*h->e), entry_cmp);
	size_t w = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (w && !strcmp(h->e[w - 1].key, h->e[i].key)) {
			h->e[w - 1].tokens += h->e[i].tokens;
			h->e[w - 1].samples += h->e[i].samples;
			free(h->e[i].key);
		} else {
			h->e[w++] = h->e[i];
		}
	}
	h->n = w;
	*out = h;
	return RV_OK;
}

void schedule_history_free(struct schedule_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->e[i].key);
	free(h->e);
	free(h);
}

size_t schedule_history_problems(const struct schedule_history *h)
{
	return h ? h->n : 0;
}

double schedule_history_tokens(const struct schedule_history *h, const char *task,
			       const char *problem)
{
	if (!h || !h->n)
		return -1;
	struct hist_entry k = {hist_key(task, problem), 0, 0};
	const struct hist_entry *f = bsearch(&k, h->e, h->n, sizeof(*h->e), entry_cmp);
	free(k.key);
	return f ? f->tokens / (double)f->samples : -1;
}

double schedule_parse_difficulty(const char *v)
{
	if (!v)
		return NAN;
	while (*v && !isdigit((unsigned char)*v) && *v != '-' && *v != '.')
		v++;
	char *end;
	double d = strtod(v, &end);
	return end == v || !isfinite(d) ? NAN : d;
}

struct keyed {
	struct engine_request r;
	double key[3]; /* compared in order, larger first */
	size_t at;     /* the plan's order, for ties */
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	for (int i = 0; i < 3; i++)
		if (x->key[i] != y->key[i])
			return x->key[i] > y->key[i] ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

void schedule_order(struct engine_request *reqs, size_t n, const struct schedule_history *h,
		    schedule_difficulty_fn difficulty, void *ud)
{
	if (n < 2)
		return;
	struct keyed *k = xcalloc(n, sizeof(*k));
	double known_max = 0;
	for (size_t i = 0; i < n; i++) {
		k[i].r = reqs[i];
		k[i].at = i;
		double t = schedule_history_tokens(h, reqs[i].task_id, reqs[i].problem_id);
		k[i].key[0] = t;
		k[i].r.expect_tokens = t > 0 ? t : 0;
		if (t > known_max)
			known_max = t;
	}
	for (size_t i = 0; i < n; i++) {
		/* Without history for a problem (or any), it may be long: it goes first. */
		if (k[i].key[0] < 0)
			k[i].key[0] = h && h->n ? known_max + 1 : 0;
		double d = difficulty ? difficulty(ud, &reqs[i]) : NAN;
		k[i].key[1] = isnan(d) ? -INFINITY : d;
		k[i].key[2] = (double)strlen(reqs[i].prompt) +
			      (reqs[i].system ? (double)strlen(reqs[i].system) : 0);
	}
	qsort(k, n, sizeof(*k), keyed_cmp);
	for (size_t i = 0; i < n; i++)
		reqs[i] = k[i].r;
	free(k);
}
