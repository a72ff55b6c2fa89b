#include "reports/results/tally.h"

#include <stdlib.h>
#include <string.h>

#include "harness/model/journal.h"
#include "harness/model/sample.h"

/* Voting's share of memory: the whole per-sample cost for graders that score 0 or 1. */
_Static_assert(sizeof(struct slot) == 8, "a slot is 8 bytes");

void tally_init(struct tally *tl, struct task **tasks, size_t ntasks, const int *n,
		tally_planned_fn planned, void *ud)
{
	memset(tl, 0, sizeof(*tl));
	tl->tasks = xcalloc(ntasks + 1, sizeof(struct task_tally));
	tl->ntasks = ntasks;
	for (size_t i = 0; i < ntasks; i++) {
		struct task_tally *tt = &tl->tasks[i];
		const struct task *t = tasks[i];
		tt->task = t;
		tt->n = n[i];
		tt->probs = xcalloc(t->nproblems + 1, sizeof(struct problem_tally));
		genstats_init(&tt->gen);
		for (size_t j = 0; j < t->nproblems; j++) {
			if (!planned(ud, i, j))
				continue;
			struct problem_tally *pt = &tt->probs[tt->nprobs++];
			pt->problem = &t->problems[j];
			pt->slots = xcalloc((size_t)tt->n, sizeof(struct slot));
		}
	}
}

static struct task_tally *find_task(struct tally *tl, const char *id)
{
	for (size_t i = 0; i < tl->ntasks; i++)
		if (!strcmp(tl->tasks[i].task->id, id))
			return &tl->tasks[i];
	return NULL;
}

static struct problem_tally *find_problem(struct task_tally *tt, const char *id)
{
	const struct problem *p = task_problem(tt->task, id);
	if (!p)
		return NULL;
	/* Planned problems keep dataset order, so a binary search by position works. */
	size_t pos = (size_t)(p - tt->task->problems);
	size_t lo = 0, hi = tt->nprobs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		size_t at = (size_t)(tt->probs[mid].problem - tt->task->problems);
		if (at == pos)
			return &tt->probs[mid];
		if (at < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

#define EXAMPLE_MAX 240 /* bytes of an infrastructure failure's message kept as its kind's example */

/* The index of kind in a list of kind counts, added with count 0 when new. */
static int kind_index(struct kind_count **list, size_t *n, const char *kind)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i].kind, kind))
			return (int)i;
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[*n] = (struct kind_count){xstrdup(kind), 0, NULL};
	return (int)(*n)++;
}

/* Count each infrastructure kind over the samples whose final state is a failure. */
static void count_infra(struct task_tally *tt)
{
	for (size_t k = 0; k < tt->ninfra; k++)
		tt->infra[k].count = 0;
	for (size_t j = 0; j < tt->nprobs; j++)
		for (int i = 0; i < tt->n; i++) {
			const struct slot *sl = &tt->probs[j].slots[i];
			if (sl->state == SLOT_INFRA)
				tt->infra[sl->key].count++;
		}
}

/* What both reads share: the journal's path and where a line's sample goes. */
struct reader {
	struct tally *tl;
	const char *path;
	long last_line; /* the first read's last line; the second ignores lines appended since */
	struct sample s;
	struct task_tally *tt;
	struct problem_tally *pt;
	struct slot *sl;
	int infra;
};

/* Parse a line and find its slot; 0 with r->sl NULL for a line outside the plan. */
static enum reval_err locate(struct reader *r, const cJSON *obj, long line)
{
	const char *why;
	r->sl = NULL;
	if (sample_from_json(&r->s, obj, &why)) {
		diag("cannot read journal '%s' line %ld: %s", r->path, line, why);
		return RV_EINPUT;
	}
	r->tt = find_task(r->tl, r->s.task);
	r->pt = r->tt ? find_problem(r->tt, r->s.problem) : NULL;
	if (r->pt && r->s.index < r->tt->n)
		r->sl = &r->pt->slots[r->s.index];
	if (!r->s.error_kind && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(obj, "grade"))) {
		/* A journal line without a verdict is not a wrong answer: it is redone. */
		r->s.error_kind = xstrdup("malformed");
		r->s.error_message = xstrdup("the journal line has no \"grade\"");
	}
	r->infra = sample_is_infra(&r->s);
	return RV_OK;
}

/* Scores are kept per sample only once one is not simply its correctness. */
static void set_score(struct problem_tally *pt, int n, int i, float score, int correct)
{
	if (!pt->scores && score == (float)correct)
		return;
	if (!pt->scores) {
		pt->scores = xcalloc((size_t)n, sizeof(float));
		for (int k = 0; k < n; k++)
			pt->scores[k] = (float)pt->slots[k].correct;
	}
	pt->scores[i] = score;
}

static void add_stats(struct reader *r)
{
	genstats_add(&r->tt->gen, &r->pt->gen, &r->s,
		     r->sl->key >= 0 && r->sl->status != GRADE_NO_ANSWER);
	if (r->s.verdict) {
		int k = kind_index(&r->tt->verdicts, &r->tt->nverdicts, r->s.verdict);
		r->tt->verdicts[k].count++;
	}
}

/* The first read: every line updates its slot; statistics from every graded line. */
static enum reval_err fold_line(void *ud, const cJSON *obj, long line)
{
	struct reader *r = ud;
	struct tally *tl = r->tl;
	tl->lines++;
	r->last_line = line;
	enum reval_err err = locate(r, obj, line);
	struct slot *sl = r->sl;
	if (err || !sl) {
		tl->ignored += !err;
		goto out;
	}
	const struct sample *s = &r->s;
	if (!fold_line_counts(sl->state == SLOT_GRADED, r->infra))
		goto out;
	if (r->infra) {
		sl->state = SLOT_INFRA;
		sl->key = kind_index(&r->tt->infra, &r->tt->ninfra,
				     s->error_kind ? s->error_kind : "unknown");
		struct kind_count *kc = &r->tt->infra[sl->key];
		const char *msg = s->error_message ? s->error_message : s->grade.reason;
		if (!kc->example && msg)
			kc->example = xstrndup(msg, strnlen(msg, EXAMPLE_MAX));
		goto out;
	}
	unsigned pending = 1;
	if (sl->state == SLOT_GRADED) {
		tl->superseded++;
		if (sl->pending == TALLY_MAX_LINES) {
			diag("cannot read journal '%s' line %ld: more than %u graded lines for "
			     "sample %d of problem '%s'",
			     r->path, line, TALLY_MAX_LINES, s->index, s->problem);
			err = RV_EINPUT;
			goto out;
		}
		pending = sl->pending + 1;
	}
	int correct = s->grade.correct != 0;
	sl->state = SLOT_GRADED;
	sl->pending = pending;
	sl->status = s->grade.status;
	sl->correct = (unsigned)correct;
	sl->truncated = s->finish_reason && !strcmp(s->finish_reason, "length");
	sl->unfinished = s->finish_reason && !strcmp(s->finish_reason, "unfinished");
	sl->key = s->grade.canonical ? answer_class(&r->pt->classes, s->grade.canonical, correct)
				     : -1;
	set_score(r->pt, r->tt->n, s->index, (float)s->grade.score, correct);
	add_stats(r);
out:
	sample_release(&r->s);
	return err;
}

/* The second read: statistics from the last graded line of each sample. */
static enum reval_err final_line(void *ud, const cJSON *obj, long line)
{
	struct reader *r = ud;
	if (line > r->last_line)
		return RV_OK;
	enum reval_err err = locate(r, obj, line);
	struct slot *sl = r->sl;
	if (!err && sl && !r->infra && sl->state == SLOT_GRADED && sl->pending > 0 &&
	    --sl->pending == 0)
		add_stats(r);
	sample_release(&r->s);
	return err;
}

static void reset_stats(struct task_tally *tt)
{
	genstats_release(&tt->gen);
	genstats_init(&tt->gen);
	for (size_t j = 0; j < tt->nprobs; j++)
		memset(&tt->probs[j].gen, 0, sizeof(tt->probs[j].gen));
	for (size_t k = 0; k < tt->nverdicts; k++)
		tt->verdicts[k].count = 0;
}

enum reval_err tally_read_journal(struct tally *tl, const char *path)
{
	struct reader r = {.tl = tl, .path = path};
	long superseded = tl->superseded;
	enum reval_err err = journal_read(path, fold_line, &r, &tl->torn);
	if (!err && tl->superseded > superseded) {
		for (size_t i = 0; i < tl->ntasks; i++)
			reset_stats(&tl->tasks[i]);
		err = journal_read(path, final_line, &r, NULL);
	}
	for (size_t i = 0; i < tl->ntasks; i++)
		count_infra(&tl->tasks[i]);
	return err;
}

void tally_release(struct tally *tl)
{
	for (size_t i = 0; i < tl->ntasks; i++) {
		struct task_tally *tt = &tl->tasks[i];
		for (size_t j = 0; j < tt->nprobs; j++) {
			struct problem_tally *pt = &tt->probs[j];
			answer_classes_release(&pt->classes);
			free(pt->slots);
			free(pt->scores);
		}
		free(tt->probs);
		genstats_release(&tt->gen);
		for (size_t k = 0; k < tt->ninfra; k++) {
			free(tt->infra[k].kind);
			free(tt->infra[k].example);
		}
		free(tt->infra);
		for (size_t k = 0; k < tt->nverdicts; k++)
			free(tt->verdicts[k].kind);
		free(tt->verdicts);
	}
	free(tl->tasks);
	memset(tl, 0, sizeof(*tl));
}

size_t tally_bytes(const struct tally *tl)
{
	size_t b = (tl->ntasks + 1) * sizeof(struct task_tally);
	for (size_t i = 0; i < tl->ntasks; i++) {
		const struct task_tally *tt = &tl->tasks[i];
		b += (tt->task->nproblems + 1) * sizeof(struct problem_tally);
		b += genstats_bytes(&tt->gen) + tt->ninfra * sizeof(*tt->infra) +
		     tt->nverdicts * sizeof(*tt->verdicts);
		for (size_t j = 0; j < tt->nprobs; j++) {
			const struct problem_tally *pt = &tt->probs[j];
			b += (size_t)tt->n * (sizeof(struct slot) + (pt->scores ? sizeof(float) : 0));
			b += answer_classes_bytes(&pt->classes);
		}
	}
	return b;
}

float tally_score(const struct problem_tally *pt, int i)
{
	return pt->scores ? pt->scores[i] : (float)pt->slots[i].correct;
}
