#include "harness/pipeline/grading.h"

#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"

enum reval_err grading_bind(struct task *t)
{
	const struct grader_ops *g = grader_find(t->grader_name);
	if (!g) {
		struct strbuf known = STRBUF_INIT;
		for (size_t i = 0; grader_table[i]; i++)
			strbuf_addf(&known, "%s%s", i ? ", " : "", grader_table[i]->name);
		diag("cannot read task file '%s': task '%s': field \"grader\": unknown grader '%s' "
		     "(known: %s)",
		     t->file, t->id, t->grader_name, known.buf);
		strbuf_release(&known);
		return RV_EINPUT;
	}
	struct strbuf msg = STRBUF_INIT;
	void *state = NULL;
	if (g->init(&state, t->grader_options, &msg)) {
		diag("cannot read task file '%s': task '%s': grader \"%s\": %s", t->file, t->id,
		     g->name, msg.buf);
		strbuf_release(&msg);
		return RV_EINPUT;
	}
	strbuf_release(&msg);
	if (t->grader_free && t->grader_state)
		t->grader_free(t->grader_state);
	t->grader = g;
	t->grader_version = g->version;
	t->grader_no_vote = g->no_vote;
	t->grader_state = state;
	t->grader_free = g->free;
	return RV_OK;
}

/*
 * Settle what needs no grader (infrastructure failure, truncation,
 * reasoning never closed) and return 1, with *in filled, when the grader
 * must judge the content.
 */
static int grade_begin(struct sample *s, const struct task *t, const struct problem *p,
		       struct grade_input *in)
{
	grade_release(&s->grade);
	free(s->grader);
	free(s->verdict); /* the old grade's */
	s->verdict = NULL;
	s->grader = xasprintf("%s/%s", t->grader->name, t->grader->version);
	free(s->gold);
	s->gold = p->answer ? xstrdup(p->answer) : NULL;
	struct grade *g = &s->grade;
	if (s->error_kind) {
		g->status = GRADE_INFRA;
		g->reason = xasprintf("infrastructure failure: %s", s->error_kind);
		return 0;
	}
	if (s->finish_reason && !strcmp(s->finish_reason, "length")) {
		g->status = GRADE_TRUNCATED;
		g->reason = xstrdup("the output hit the token limit before it finished");
		return 0;
	}
	if (s->finish_reason && !strcmp(s->finish_reason, "unfinished")) {
		/* As R1's report counts it: an answer that never finished is not a correct one. */
		g->status = GRADE_NO_ANSWER;
		g->reason = xstrdup("the generation never finished: it timed out on every attempt");
		return 0;
	}
	if (s->reasoning && !s->reasoning_closed && !*s->content) {
		g->status = GRADE_NO_ANSWER;
		g->reason = xstrdup("the reasoning was never closed");
		return 0;
	}
	*in = (struct grade_input){
		.problem_id = p->id,
		.gold = p->answer ? p->answer : "",
		.record = p->record,
		.content = s->content ? s->content : "",
		.reasoning = s->reasoning,
		.finish_reason = s->finish_reason,
	};
	return 1;
}

/* The rules applied to every grader's verdict. */
static void grade_end(struct sample *s)
{
	struct grade *g = &s->grade;
	if (g->status != GRADE_OK)
		g->correct = 0;
	if (!g->correct && g->score > 0 && g->status != GRADE_OK)
		g->score = 0;
}

enum reval_err grading_grade_many(struct sample_job *jobs, size_t n)
{
	struct grade_input *in = xcalloc(n + 1, sizeof(*in));
	size_t *idx = xcalloc(n + 1, sizeof(*idx));
	enum reval_err err = RV_OK;
	for (size_t i = 0; i < n && !err;) {
		/* A run of samples of one task goes to its grader in one call. */
		const struct task *t = jobs[i].task;
		size_t m = 0, j = i;
		for (; j < n && jobs[j].task == t; j++)
			if (grade_begin(jobs[j].s, t, jobs[j].problem, &in[m]))
				idx[m++] = j;
		if (m && t->grader->grade_batch) {
			struct grade *out = xcalloc(m, sizeof(*out));
			if (t->grader->grade_batch(t->grader_state, in, out, m)) {
				diag("grader '%s' failed on a batch of task '%s'", t->grader->name, t->id);
				err = RV_EINTERNAL;
			}
			for (size_t k = 0; k < m; k++) {
				jobs[idx[k]].s->grade = out[k];
				grade_end(jobs[idx[k]].s);
			}
			free(out);
		} else {
			for (size_t k = 0; k < m && !err; k++) {
				struct sample *s = jobs[idx[k]].s;
				if (t->grader->grade(t->grader_state, &in[k], &s->grade)) {
					diag("grader '%s' failed on task '%s' problem '%s' sample %d",
					     t->grader->name, t->id, in[k].problem_id, s->index);
					err = RV_EINTERNAL;
				}
				grade_end(s);
			}
		}
		i = j;
	}
	free(in);
	free(idx);
	return err;
}

/* ---- the queue ---- */

void grade_queue_init(struct grade_queue *q, size_t batch, grade_queue_emit_fn emit, void *ud)
{
	memset(q, 0, sizeof(*q));
	q->batch = batch < 1 ? 1 : batch > GRADE_QUEUE_MAX ? GRADE_QUEUE_MAX : batch;
	q->emit = emit;
	q->ud = ud;
}

struct sample *grade_queue_slot(struct grade_queue *q)
{
	return &q->items[q->n];
}

enum reval_err grade_queue_push(struct grade_queue *q, const struct task *t,
				const struct problem *p)
{
	struct sample *s = &q->items[q->n++];
	if (t && p)
		q->jobs[q->njobs++] = (struct sample_job){s, t, p};
	if (q->n < q->batch && !(t && p && !t->grader->grade_batch))
		return RV_OK;
	return grade_queue_flush(q);
}

enum reval_err grade_queue_flush(struct grade_queue *q)
{
	enum reval_err err = grading_grade_many(q->jobs, q->njobs);
	for (size_t i = 0; i < q->n; i++) {
		if (!err)
			err = q->emit(q->ud, &q->items[i], i);
		sample_release(&q->items[i]);
	}
	q->n = q->njobs = 0;
	return err;
}
