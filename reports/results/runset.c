#include "reports/results/runset.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/model/journal.h"
#include "harness/base/json.h"
#include "reports/stats/metrics.h"
#include "harness/model/sample.h"
#include "harness/model/task.h"
#include "harness/base/util.h"

#define RS_MAX_N 1000000 /* samples per problem beyond this are a corrupt results.json */

/* ---- Small helpers ---- */

int rs_natural_cmp(const char *a, const char *b)
{
	const char *pa = a, *pb = b;
	while (*pa && *pb) {
		if (isdigit((unsigned char)*pa) && isdigit((unsigned char)*pb)) {
			while (*pa == '0' && isdigit((unsigned char)pa[1]))
				pa++;
			while (*pb == '0' && isdigit((unsigned char)pb[1]))
				pb++;
			size_t la = 0, lb = 0;
			while (isdigit((unsigned char)pa[la]))
				la++;
			while (isdigit((unsigned char)pb[lb]))
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(pa, pb, la);
			if (c)
				return c;
			pa += la;
			pb += lb;
			continue;
		}
		if (*pa != *pb)
			return (unsigned char)*pa < (unsigned char)*pb ? -1 : 1;
		pa++;
		pb++;
	}
	if (*pa || *pb)
		return *pa ? 1 : -1;
	return strcmp(a, b); /* "01" and "1" are still two problems */
}

/* Keep the head and the tail of a long text (the final answer is usually at the end). */
static char *clip_text(const char *s, size_t cap)
{
	if (!s)
		return NULL;
	size_t len = strlen(s);
	if (len <= cap || cap < 64)
		return xstrdup(s);
	size_t head = cap / 3, tail = cap - head;
	/* Cut on UTF-8 character boundaries. */
	while (head > 0 && ((unsigned char)s[head] & 0xC0) == 0x80)
		head--;
	size_t from = len - tail;
	while (from < len && ((unsigned char)s[from] & 0xC0) == 0x80)
		from++;
	return xasprintf("%.*s\n[... %zu characters omitted ...]\n%s", (int)head, s, from - head,
			 s + from);
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- Problem index: open addressing over problem ids, per task ---- */

struct pindex {
	size_t *slot; /* problem position + 1; 0 is empty */
	size_t cap;   /* a power of two */
};

static size_t pindex_find(const struct pindex *ix, const struct rs_task *t, const char *id,
			  size_t *at)
{
	size_t mask = ix->cap - 1;
	size_t h = (size_t)hash64(id, strlen(id), 0) & mask;
	while (ix->slot[h]) {
		if (!strcmp(t->probs[ix->slot[h] - 1].id, id))
			break;
		h = (h + 1) & mask;
	}
	*at = h;
	return ix->slot[h];
}

static void pindex_grow(struct pindex *ix, const struct rs_task *t)
{
	size_t old = ix->cap;
	size_t *slots = ix->slot;
	ix->cap = old ? 2 * old : 64;
	ix->slot = xcalloc(ix->cap, sizeof(size_t));
	for (size_t i = 0; i < old; i++) {
		if (!slots[i])
			continue;
		size_t at;
		pindex_find(ix, t, t->probs[slots[i] - 1].id, &at);
		ix->slot[at] = slots[i];
	}
	free(slots);
}

/* ---- Folding the journal ---- */

struct fold {
	struct rs_run *run;
	struct pindex *ix;     /* one per task */
	size_t *cap;           /* problem array capacity per task */
	const struct runset_opts *opts;
	const char *path;
};

static struct rs_problem *problem_of(struct fold *f, size_t ti, const char *id)
{
	struct rs_task *t = &f->run->tasks[ti];
	struct pindex *ix = &f->ix[ti];
	if (2 * (t->nprobs + 1) > ix->cap)
		pindex_grow(ix, t);
	size_t at, pos = pindex_find(ix, t, id, &at);
	if (pos)
		return &t->probs[pos - 1];
	GROW(t->probs, f->cap[ti], t->nprobs + 1);
	struct rs_problem *p = &t->probs[t->nprobs];
	memset(p, 0, sizeof(*p));
	p->id = xstrdup(id);
	p->slots = xcalloc((size_t)t->n, sizeof(struct rs_slot));
	p->majority = -1;
	ix->slot[at] = ++t->nprobs;
	return p;
}

static void sample_free_fields(struct rs_sample *s)
{
	free(s->content);
	free(s->reasoning);
	free(s->extracted);
	free(s->status);
	free(s->reason);
	free(s->finish_reason);
	free(s->verdict);
	free(s->detail);
}

static void drop_fail(struct rs_problem *p, int index)
{
	for (int i = 0; i < p->nfails; i++)
		if (p->fails[i].index == index) {
			sample_free_fields(&p->fails[i]);
			memmove(&p->fails[i], &p->fails[i + 1],
				(size_t)(p->nfails - i - 1) * sizeof(*p->fails));
			p->nfails--;
			return;
		}
}

/*
 * What the drill-down shows of a grader's detail: its "failing" object (the
 * code grader's first failing test: input, expected and actual output, the
 * message's last lines) laid out one field a line, else the detail as it is.
 */
static char *detail_text(const char *detail, size_t clip)
{
	cJSON *d = detail ? cJSON_Parse(detail) : NULL;
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(d, "failing");
	if (!cJSON_IsObject(f)) {
		cJSON_Delete(d);
		return clip_text(detail, clip);
	}
	struct strbuf sb = STRBUF_INIT;
	const cJSON *kv;
	cJSON_ArrayForEach(kv, f)
	{
		char *v = cJSON_IsString(kv) ? NULL : cJSON_PrintUnformatted(kv);
		const char *text = v ? v : kv->valuestring;
		strbuf_addf(&sb, "%s%s:%s%s", sb.len ? "\n" : "failing test\n", kv->string,
			    strchr(text, '\n') ? "\n" : " ", text);
		cJSON_free(v);
	}
	cJSON_Delete(d);
	char *out = clip_text(sb.buf, clip);
	strbuf_release(&sb);
	return out;
}

/*
 * The failing samples kept of a problem are the max_failures with the lowest
 * sample numbers, in that order: samples finish in an order no one chose,
 * and the same samples make the same report.
 */
static void keep_fail(struct rs_problem *p, const struct sample *s, const struct runset_opts *o)
{
	int at = p->nfails;
	while (at > 0 && p->fails[at - 1].index > s->index)
		at--;
	if (at >= o->max_failures)
		return;
	if (p->nfails >= o->max_failures)
		sample_free_fields(&p->fails[--p->nfails]);
	p->fails = xrealloc(p->fails, (size_t)(p->nfails + 1) * sizeof(*p->fails));
	memmove(&p->fails[at + 1], &p->fails[at], (size_t)(p->nfails - at) * sizeof(*p->fails));
	p->nfails++;
	struct rs_sample *k = &p->fails[at];
	k->index = s->index;
	k->content = clip_text(s->content ? s->content : "", o->clip_chars);
	k->reasoning = clip_text(s->reasoning, o->clip_chars);
	k->extracted = clip_text(s->grade.extracted, o->clip_chars);
	k->status = xstrdup(grade_status_name(s->grade.status));
	k->reason = clip_text(s->grade.reason, o->clip_chars);
	k->finish_reason = s->finish_reason ? xstrdup(s->finish_reason) : NULL;
	k->verdict = xstrdup(s->verdict					  ? s->verdict
			     : s->grade.status == GRADE_OK	  ? "wrong_answer"
								  : grade_status_name(s->grade.status));
	k->detail = detail_text(s->grade.detail, o->clip_chars);
}

static float tokens_of(const struct sample *s, int *estimated)
{
	if (s->completion_tokens >= 0)
		return (float)s->completion_tokens;
	size_t chars = strlen(s->content ? s->content : "") + (s->reasoning ? strlen(s->reasoning) : 0);
	*estimated = 1;
	return (float)chars / 4.0f;
}

static enum reval_err fold_line(void *ud, const cJSON *obj, long line)
{
	struct fold *f = ud;
	struct sample s;
	const char *why;
	if (sample_from_json(&s, obj, &why)) {
		diag("cannot read '%s' line %ld: %s", f->path, line, why);
		sample_release(&s);
		return RV_EINPUT;
	}
	size_t ti;
	for (ti = 0; ti < f->run->ntasks; ti++)
		if (!strcmp(f->run->tasks[ti].id, s.task))
			break;
	if (ti == f->run->ntasks || s.index >= f->run->tasks[ti].n) {
		sample_release(&s);
		return RV_OK; /* outside the results: not ours to report */
	}
	struct rs_task *t = &f->run->tasks[ti];
	struct rs_problem *p = problem_of(f, ti, s.problem);
	struct rs_slot *sl = &p->slots[s.index];
	int infra = sample_is_infra(&s);
	if (!fold_line_counts(sl->state == RS_GRADED, infra)) {
		sample_release(&s);
		return RV_OK;
	}
	memset(sl, 0, sizeof(*sl));
	sl->state = infra ? RS_INFRA : RS_GRADED;
	sl->key = -1;
	sl->tokens = -1;
	drop_fail(p, s.index);
	if (!p->gold && s.gold)
		p->gold = clip_text(s.gold, f->opts->clip_chars);
	if (!infra) {
		sl->correct = s.grade.correct != 0;
		sl->score = (float)s.grade.score;
		sl->truncated = s.finish_reason && !strcmp(s.finish_reason, "length");
		sl->no_answer = s.grade.status == GRADE_NO_ANSWER;
		if (s.grade.canonical)
			sl->key = answer_class(&p->classes, s.grade.canonical, sl->correct);
		sl->tokens = tokens_of(&s, &t->len_estimated);
		if (!sl->correct)
			keep_fail(p, &s, f->opts);
	}
	sample_release(&s);
	return RV_OK;
}

static void push_len(float **arr, size_t *n, size_t *cap, float v)
{
	GROW(*arr, *cap, *n + 1);
	(*arr)[(*n)++] = v;
}

/* Counts, the majority class and the length distributions from the final slots. */
static void summarize_task(struct rs_task *t)
{
	size_t cap_ok = 0, cap_bad = 0;
	int *keys = xcalloc((size_t)t->n, sizeof(int));
	for (size_t j = 0; j < t->nprobs; j++) {
		struct rs_problem *p = &t->probs[j];
		for (int i = 0; i < t->n; i++) {
			const struct rs_slot *sl = &p->slots[i];
			keys[i] = sl->state == RS_GRADED ? sl->key : -1;
			if (sl->state == RS_INFRA)
				p->infra++;
			if (sl->state != RS_GRADED)
				continue;
			p->graded++;
			p->correct += sl->correct;
			p->score += sl->score;
			p->truncated += sl->truncated;
			p->no_answer += sl->no_answer;
			if (sl->tokens >= 0) {
				if (sl->correct)
					push_len(&t->len_ok, &t->nlen_ok, &cap_ok, sl->tokens);
				else
					push_len(&t->len_bad, &t->nlen_bad, &cap_bad, sl->tokens);
			}
		}
		p->majority = -1;
		if (p->classes.n) {
			/* metrics_majority reports correctness; find the winner the same way. */
			int *count = xcalloc((size_t)p->classes.n, sizeof(int));
			for (int i = 0; i < t->n; i++)
				if (keys[i] >= 0)
					count[keys[i]]++;
			for (int i = 0; i < t->n; i++) {
				int k = keys[i];
				if (k >= 0 && (p->majority < 0 || count[k] > count[p->majority]))
					p->majority = k;
			}
			free(count);
		}
	}
	free(keys);
}

static int cmp_problem(const void *a, const void *b)
{
	return rs_natural_cmp(((const struct rs_problem *)a)->id,
			      ((const struct rs_problem *)b)->id);
}

static enum reval_err fold_journal(struct rs_run *run, const struct runset_opts *opts)
{
	char *path = path_join(run->dir, "samples.jsonl");
	enum reval_err err = RV_OK;
	run->has_journal = is_file(path);
	struct fold f = {run, xcalloc(run->ntasks + 1, sizeof(struct pindex)),
			 xcalloc(run->ntasks + 1, sizeof(size_t)), opts, path};
	if (run->has_journal)
		err = journal_read(path, fold_line, &f, &run->torn);
	for (size_t i = 0; i < run->ntasks; i++) {
		struct rs_task *t = &run->tasks[i];
		free(f.ix[i].slot);
		summarize_task(t);
		if (t->nprobs)
			qsort(t->probs, t->nprobs, sizeof(*t->probs), cmp_problem);
	}
	free(f.ix);
	free(f.cap);
	free(path);
	return err;
}

/* ---- Prompts, from the tasks the run used ---- */

static void read_prompts(struct rs_task *rt, const struct task_catalog *cat,
			 const cJSON *user_data, size_t clip)
{
	struct task **sel = NULL;
	size_t nsel = 0;
	int wanted = 0;
	for (size_t j = 0; j < rt->nprobs; j++)
		wanted |= rt->probs[j].nfails > 0;
	if (!wanted || task_select(cat, rt->id, &sel, &nsel) || nsel != 1)
		goto out;
	if (task_load(sel[0], cat, user_data))
		goto out;
	for (size_t j = 0; j < rt->nprobs; j++) {
		struct rs_problem *p = &rt->probs[j];
		const struct problem *tp = task_problem(sel[0], p->id);
		if (tp && !p->gold)
			p->gold = clip_text(tp->answer, clip);
		if (!tp || !tp->prompt || !p->nfails)
			continue;
		char *full = sel[0]->system ? xasprintf("[system]\n%s\n\n[user]\n%s", sel[0]->system,
							tp->prompt)
					    : xstrdup(tp->prompt);
		p->prompt = clip_text(full, clip);
		free(full);
	}
out:
	for (size_t i = 0; i < nsel; i++)
		task_free(sel[i]);
	free(sel);
}

static void load_prompts(struct rs_run *run, const struct runset_opts *opts)
{
	const cJSON *flags = cJSON_GetObjectItemCaseSensitive(run->config, "flags");
	const char *dd = json_str(flags, "data-dir");
	struct task_catalog cat;
	memset(&cat, 0, sizeof(cat));
	if (!task_catalog_open(&cat, dd && is_dir(dd) ? dd : NULL, json_str(flags, "task"))) {
		const cJSON *ud = cJSON_GetObjectItemCaseSensitive(flags, "user-data");
		for (size_t i = 0; i < run->ntasks; i++)
			read_prompts(&run->tasks[i], &cat, ud, opts->clip_chars);
	}
	task_catalog_release(&cat);
}

/* ---- Loading runs ---- */

static const cJSON *config_task(const cJSON *config, const char *id)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(config, "tasks"))
	{
		const char *tid = json_str(t, "id");
		if (tid && !strcmp(tid, id))
			return t;
	}
	return NULL;
}

static char *primary_metric(const cJSON *result, int n)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(result, "metrics"))
	{
		if (!strncmp(m->string, "avg@", 4))
			return xstrdup(m->string);
	}
	return xasprintf("avg@%d", n);
}

static enum reval_err load_tasks(struct rs_run *run, const char *path)
{
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(run->results, "tasks");
	if (!cJSON_IsObject(tasks)) {
		diag("cannot read '%s': no \"tasks\" object", path);
		return RV_EINPUT;
	}
	run->tasks = xcalloc((size_t)cJSON_GetArraySize(tasks) + 1, sizeof(struct rs_task));
	const cJSON *t;
	cJSON_ArrayForEach(t, tasks)
	{
		struct rs_task *rt = &run->tasks[run->ntasks];
		double n = json_num(t, "n", 1);
		if (!cJSON_IsObject(t) || !(n >= 1 && n <= RS_MAX_N)) {
			diag("cannot read '%s': task \"%s\" has no valid \"n\"", path, t->string);
			return RV_EINPUT;
		}
		rt->id = xstrdup(t->string);
		rt->n = (int)n;
		rt->result = t;
		rt->config = config_task(run->config, rt->id);
		rt->primary = primary_metric(t, rt->n);
		run->ntasks++;
	}
	return RV_OK;
}

static enum reval_err load_run(struct rs_run *run, const char *dir, const struct runset_opts *opts)
{
	run->dir = xstrdup(dir);
	char *rpath = path_join(dir, "results.json");
	char *cpath = path_join(dir, "config.json");
	enum reval_err err;
	if (!is_dir(dir)) {
		diag("cannot read run directory '%s': %s", dir, strerror(errno ? errno : ENOENT));
		err = RV_EINPUT;
		goto out;
	}
	if (!is_file(rpath)) {
		diag("cannot read '%s': no such file (is '%s' a finished run directory?)", rpath,
		     dir);
		err = RV_EINPUT;
		goto out;
	}
	if ((err = json_load_file(rpath, "results", &run->results)))
		goto out;
	if (is_file(cpath) && (err = json_load_file(cpath, "run configuration", &run->config)))
		goto out;
	if ((err = load_tasks(run, rpath)))
		goto out;
	if ((err = fold_journal(run, opts)))
		goto out;
	if (opts->prompts)
		load_prompts(run, opts);
out:
	free(rpath);
	free(cpath);
	return err;
}

/* Base names first; where two runs share one, take in the parent directory too. */
static void assign_labels(struct runset *rs)
{
	for (int depth = 1; depth <= 3; depth++) {
		for (size_t i = 0; i < rs->nruns; i++) {
			free(rs->runs[i].label);
			char *d = xstrdup(rs->runs[i].dir);
			size_t len = strlen(d);
			while (len > 1 && d[len - 1] == '/')
				d[--len] = '\0';
			const char *start = d + len;
			for (int k = 0; k < depth && start > d; k++) {
				start--;
				while (start > d && start[-1] != '/')
					start--;
				if (k + 1 < depth && start > d)
					start--;
			}
			rs->runs[i].label = xstrdup(*start == '/' ? start + 1 : start);
			free(d);
		}
		int dup = 0;
		for (size_t i = 0; i < rs->nruns && !dup; i++)
			for (size_t j = i + 1; j < rs->nruns && !dup; j++)
				dup = !strcmp(rs->runs[i].label, rs->runs[j].label);
		if (!dup)
			return;
	}
	/* The same directory twice: its base name and its position. */
	for (size_t i = 0; i < rs->nruns; i++) {
		char *l = xasprintf("%s#%zu", path_base(rs->runs[i].label), i + 1);
		free(rs->runs[i].label);
		rs->runs[i].label = l;
	}
}

enum reval_err runset_load(struct runset *rs, char *const *dirs, size_t ndirs,
			   const struct runset_opts *opts)
{
	memset(rs, 0, sizeof(*rs));
	rs->runs = xcalloc(ndirs + 1, sizeof(struct rs_run));
	for (size_t i = 0; i < ndirs; i++) {
		rs->nruns++;
		enum reval_err err = load_run(&rs->runs[i], dirs[i], opts);
		if (err)
			return err;
	}
	assign_labels(rs);
	return RV_OK;
}

static void task_release(struct rs_task *t)
{
	for (size_t j = 0; j < t->nprobs; j++) {
		struct rs_problem *p = &t->probs[j];
		free(p->id);
		free(p->slots);
		answer_classes_release(&p->classes);
		for (int k = 0; k < p->nfails; k++)
			sample_free_fields(&p->fails[k]);
		free(p->fails);
		free(p->prompt);
		free(p->gold);
	}
	free(t->probs);
	free(t->len_ok);
	free(t->len_bad);
	free(t->primary);
	free(t->id);
}

void runset_release(struct runset *rs)
{
	for (size_t i = 0; i < rs->nruns; i++) {
		struct rs_run *r = &rs->runs[i];
		for (size_t k = 0; k < r->ntasks; k++)
			task_release(&r->tasks[k]);
		free(r->tasks);
		cJSON_Delete(r->results);
		cJSON_Delete(r->config);
		free(r->dir);
		free(r->label);
	}
	free(rs->runs);
	memset(rs, 0, sizeof(*rs));
}

/* ---- Queries ---- */

const struct rs_task *runset_task(const struct rs_run *run, const char *id)
{
	for (size_t i = 0; i < run->ntasks; i++)
		if (!strcmp(run->tasks[i].id, id))
			return &run->tasks[i];
	return NULL;
}

const struct rs_problem *runset_problem(const struct rs_task *t, const char *id)
{
	size_t lo = 0, hi = t->nprobs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = rs_natural_cmp(t->probs[mid].id, id);
		if (!c)
			return &t->probs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

double rs_problem_rate(const struct rs_problem *p)
{
	return p->graded ? p->score / p->graded : NAN;
}

double rs_metric(const struct rs_task *t, const char *metric)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(t->result, "metrics"), metric);
	const cJSON *v = cJSON_IsNumber(m) ? m : cJSON_GetObjectItemCaseSensitive(m, "value");
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const cJSON *rs_task_identity(const void *task, const char *key)
{
	const struct rs_task *t = task;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(t->result, key);
	return v ? v : cJSON_GetObjectItemCaseSensitive(t->config, key);
}

double rs_count(const struct rs_task *t, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(t->result, "counts"), name);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

int rs_metric_interval(const cJSON *m, double *lo, double *hi)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(m, "ci_low");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(m, "ci_high");
	const cJSON *pair = cJSON_GetObjectItemCaseSensitive(m, "ci95");
	if (!pair)
		pair = cJSON_GetObjectItemCaseSensitive(m, "ci");
	if (!pair)
		pair = cJSON_GetObjectItemCaseSensitive(m, "interval");
	if (cJSON_IsArray(pair) && cJSON_GetArraySize(pair) == 2) {
		l = cJSON_GetArrayItem(pair, 0);
		h = cJSON_GetArrayItem(pair, 1);
	} else if (cJSON_IsObject(pair)) {
		l = cJSON_GetObjectItemCaseSensitive(pair, "low");
		h = cJSON_GetObjectItemCaseSensitive(pair, "high");
	}
	if (!cJSON_IsNumber(l) || !cJSON_IsNumber(h))
		return -1;
	*lo = l->valuedouble;
	*hi = h->valuedouble;
	return 0;
}

int rs_task_score(const struct rs_task *t, double *value, double *lo, double *hi)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(t->result, "metrics"), t->primary);
	double sum = 0, sq = 0;
	size_t k = 0;
	for (size_t j = 0; j < t->nprobs; j++) {
		double r = rs_problem_rate(&t->probs[j]);
		if (isnan(r))
			continue;
		sum += r;
		sq += r * r;
		k++;
	}
	double v = rs_metric(t, t->primary);
	if (isnan(v))
		v = k ? sum / (double)k : NAN;
	if (isnan(v))
		return -1;
	*value = v;
	if (!rs_metric_interval(m, lo, hi))
		return 0;
	if (k < 2) {
		*lo = *hi = v;
		return 0;
	}
	double mean = sum / (double)k;
	double var = (sq - (double)k * mean * mean) / (double)(k - 1);
	double half = 1.959964 * sqrt(var > 0 ? var : 0) / sqrt((double)k);
	*lo = fmax(0, v - half);
	*hi = fmin(1, v + half);
	return 0;
}

const char *rs_run_meta(const struct rs_run *r, const char *key)
{
	const char *v = json_str(cJSON_GetObjectItemCaseSensitive(r->results, "run"), key);
	if (!v)
		v = json_str(cJSON_GetObjectItemCaseSensitive(r->config, "flags"), key);
	return v;
}

void runset_pair(const struct rs_task *a, const struct rs_task *b, double **ra, double **rb,
		      size_t *n)
{
	*ra = xcalloc(a->nprobs + 1, sizeof(double));
	*rb = xcalloc(a->nprobs + 1, sizeof(double));
	*n = 0;
	for (size_t j = 0; j < a->nprobs; j++) {
		const struct rs_problem *pb = runset_problem(b, a->probs[j].id);
		double x = rs_problem_rate(&a->probs[j]);
		double y = pb ? rs_problem_rate(pb) : NAN;
		if (isnan(x) || isnan(y))
			continue;
		(*ra)[*n] = x;
		(*rb)[*n] = y;
		(*n)++;
	}
}
