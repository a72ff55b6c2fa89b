#include "tally.h"

#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "sample.h"

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

static int class_of(struct problem_tally *pt, const char *key, int correct)
{
	for (int i = 0; i < pt->nkeys; i++)
		if (!strcmp(pt->keys[i], key)) {
			/* A class is correct when any of its votes was judged correct. */
			pt->key_correct[i] |= (unsigned char)correct;
			return i;
		}
	if (pt->nkeys == pt->keycap) {
		pt->keycap = pt->keycap ? 2 * pt->keycap : 4;
		pt->keys = xrealloc(pt->keys, (size_t)pt->keycap * sizeof(char *));
		pt->key_correct = xrealloc(pt->key_correct, (size_t)pt->keycap);
	}
	pt->keys[pt->nkeys] = xstrdup(key);
	pt->key_correct[pt->nkeys] = (unsigned char)correct;
	return pt->nkeys++;
}

static int kind_of(struct task_tally *tt, const char *kind)
{
	for (size_t i = 0; i < tt->ninfra; i++)
		if (!strcmp(tt->infra[i].kind, kind))
			return (int)i;
	tt->infra = xrealloc(tt->infra, (tt->ninfra + 1) * sizeof(*tt->infra));
	tt->infra[tt->ninfra].kind = xstrdup(kind);
	tt->infra[tt->ninfra].count = 0;
	return (int)tt->ninfra++;
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
				tt->infra[sl->infra_kind].count++;
		}
}

static int clamp_int(long v)
{
	return v < 0 ? -1 : v > 0x7fffffff ? 0x7fffffff : (int)v;
}

static enum reval_err add_line(void *ud, const cJSON *obj, long line)
{
	struct tally *tl = ud;
	struct sample s;
	const char *why;
	tl->lines++;
	if (sample_from_json(&s, obj, &why)) {
		diag("cannot read journal line %ld: %s", line, why);
		sample_release(&s);
		return RV_EINPUT;
	}
	struct task_tally *tt = find_task(tl, s.task);
	struct problem_tally *pt = tt ? find_problem(tt, s.problem) : NULL;
	if (!pt || s.index >= tt->n) {
		tl->ignored++;
		sample_release(&s);
		return RV_OK;
	}
	struct slot *sl = &pt->slots[s.index];
	int infra = sample_is_infra(&s) || s.grade.status == GRADE_INFRA;
	if (infra && sl->state == SLOT_GRADED) {
		sample_release(&s);
		return RV_OK;
	}
	memset(sl, 0, sizeof(*sl));
	sl->state = infra ? SLOT_INFRA : SLOT_GRADED;
	sl->status = (unsigned char)s.grade.status;
	sl->correct = (unsigned char)(s.grade.correct != 0);
	sl->score = (float)s.grade.score;
	sl->truncated = s.finish_reason && !strcmp(s.finish_reason, "length");
	sl->has_reasoning = s.reasoning != NULL;
	sl->reasoning_closed = (unsigned char)s.reasoning_closed;
	sl->key = (!infra && s.grade.canonical) ? class_of(pt, s.grade.canonical, sl->correct) : -1;
	if (infra)
		sl->infra_kind = kind_of(tt, s.error_kind ? s.error_kind : "unknown");
	sl->completion_tokens = clamp_int(s.completion_tokens);
	sl->reasoning_tokens = clamp_int(s.reasoning_tokens);
	sl->prompt_tokens = clamp_int(s.prompt_tokens);
	sl->latency_ms = (float)s.latency_ms;
	sl->ttft_ms = (float)s.ttft_ms;
	sl->content_chars = (unsigned)strlen(s.content ? s.content : "");
	sl->reasoning_chars = (unsigned)(s.reasoning ? strlen(s.reasoning) : 0);
	sample_release(&s);
	return RV_OK;
}

enum reval_err tally_read_journal(struct tally *tl, const char *path)
{
	enum reval_err err = journal_read(path, add_line, tl, &tl->torn);
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
			for (int k = 0; k < pt->nkeys; k++)
				free(pt->keys[k]);
			free(pt->keys);
			free(pt->key_correct);
			free(pt->slots);
		}
		free(tt->probs);
		for (size_t k = 0; k < tt->ninfra; k++)
			free(tt->infra[k].kind);
		free(tt->infra);
	}
	free(tl->tasks);
	memset(tl, 0, sizeof(*tl));
}

void tally_counts(const struct problem_tally *pt, int n, int *graded, int *correct,
		  double *score)
{
	*graded = *correct = 0;
	*score = 0;
	for (int i = 0; i < n; i++) {
		const struct slot *sl = &pt->slots[i];
		if (sl->state != SLOT_GRADED)
			continue;
		(*graded)++;
		*correct += sl->correct;
		*score += sl->score;
	}
}
