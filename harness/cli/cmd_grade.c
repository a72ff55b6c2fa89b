/* reval grade: regrade a run's journal with today's graders and rewrite its results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/cli/cmd.h"
#include "harness/model/identity.h"
#include "harness/model/journal.h"
#include "harness/model/sample.h"
#include "harness/pipeline/config.h"
#include "harness/pipeline/fingerprint.h"
#include "harness/pipeline/grading.h"
#include "harness/pipeline/run.h"

/* Lines are regraded in batches, so a parallel grader (code) keeps its workers busy. */
#define REGRADE_BATCH GRADE_QUEUE_MAX

struct regrade {
	struct run *r;
	const char *journal; /* the path being read, for messages */
	const char *dir;
	struct fingerprint_check fc; /* each line against config.json, unless force */
	int force;
	struct strbuf out;   /* the rewritten journal */
	struct strbuf line;
	struct grade_queue q;
	int was_correct[GRADE_QUEUE_MAX]; /* by queue slot */
	int was_status[GRADE_QUEUE_MAX];
	long changed;
	long lines;
};

/* Append one regraded sample to the new journal, in journal order. */
static enum reval_err regrade_emit(void *ud, struct sample *s, size_t slot)
{
	struct regrade *g = ud;
	g->changed += g->was_correct[slot] != s->grade.correct ||
		      g->was_status[slot] != (int)s->grade.status;
	strbuf_reset(&g->line);
	sample_to_line(s, &g->line);
	strbuf_add(&g->out, g->line.buf, g->line.len);
	strbuf_addch(&g->out, '\n');
	return RV_OK;
}

static enum reval_err regrade_line(void *ud, const cJSON *obj, long lineno)
{
	struct regrade *g = ud;
	char key[32];
	if (!g->force && fingerprint_check_line(&g->fc, obj, key, sizeof(key))) {
		diag("cannot regrade '%s': journal line %ld (task '%s') was made with another %s than "
		     "the run's config.json says (a mixed journal); --force regrades it anyway",
		     g->dir, lineno, json_str(obj, "task"), key);
		return RV_EMISMATCH;
	}
	struct sample *s = grade_queue_slot(&g->q);
	const char *why;
	if (sample_from_json(s, obj, &why)) {
		diag("cannot read journal '%s' line %ld: %s", g->journal, lineno, why);
		sample_release(s);
		return RV_EINPUT;
	}
	g->lines++;
	g->was_correct[g->q.n] = s->grade.correct;
	g->was_status[g->q.n] = (int)s->grade.status;
	const struct task *t = NULL;
	for (size_t i = 0; i < g->r->ntasks; i++)
		if (!strcmp(g->r->tasks[i]->id, s->task))
			t = g->r->tasks[i];
	const struct problem *p = t ? task_problem(t, s->problem) : NULL;
	/* A line of a task or problem outside this run is kept as it is. */
	return grade_queue_push(&g->q, p ? t : NULL, p);
}

enum reval_err cmd_grade(int argc, char **argv)
{
	struct config cfg;
	struct run r;
	char **pos;
	int npos;
	cJSON *stored = NULL;
	memset(&r, 0, sizeof(r));
	config_init(&cfg);
	enum reval_err err = config_parse_args(&cfg, "grade", argc, argv, &pos, &npos);
	if (!err && npos != 1) {
		diag("'reval grade' takes one run directory (see 'reval help grade')");
		err = RV_EUSAGE;
	}
	int lock = -1;
	if (!err)
		err = run_load_config(pos[0], &cfg, &stored);
	if (!err)
		err = run_lock(pos[0], &lock);
	if (!err) {
		free(cfg.out);
		cfg.out = xstrdup(pos[0]);
		err = config_finish(&cfg);
	}
	if (!err)
		err = run_setup(&r, &cfg);
	struct regrade g = {.r = &r, .out = STRBUF_INIT, .line = STRBUF_INIT};
	grade_queue_init(&g.q, REGRADE_BATCH, regrade_emit, &g);
	char *jpath = npos == 1 ? path_join(pos[0], "samples.jsonl") : NULL;
	if (!err) {
		/* The data must be the data the run saw. */
		cJSON *now = run_config_json(&r);
		struct identity_diffs d = {0};
		const cJSON *ot, *nt;
		cJSON_ArrayForEach(ot, cJSON_GetObjectItemCaseSensitive(stored, "tasks"))
		cJSON_ArrayForEach(nt, cJSON_GetObjectItemCaseSensitive(now, "tasks"))
		if (!strcmp(json_str(ot, "id"), json_str(nt, "id")))
			identity_compare_task(json_str(ot, "id"), ot, nt, NULL, IDENTITY_REGRADE, 0,
					      &d);
		if (d.n) {
			diag("cannot regrade '%s': %s changed since the run (was %s, now %s)", pos[0],
			     d.d[0].what, d.d[0].a, d.d[0].b);
			err = RV_EMISMATCH;
		}
		identity_diffs_release(&d);
		cJSON_Delete(now);
	}
	long torn = 0;
	g.journal = jpath;
	g.dir = npos == 1 ? pos[0] : NULL;
	g.force = cfg.force == 1;
	fingerprint_check_init(&g.fc, stored);
	if (!err)
		err = journal_read(jpath, regrade_line, &g, &torn);
	fingerprint_check_release(&g.fc);
	enum reval_err ferr = grade_queue_flush(&g.q);
	if (!err)
		err = ferr;
	if (!err) {
		int e = write_file_atomic(jpath, g.out.buf, g.out.len);
		if (e) {
			diag("cannot rewrite journal '%s': %s", jpath, strerror(e));
			err = RV_EIO;
		}
	}
	if (!err)
		err = run_save_config(&r, pos[0]);
	if (!err)
		err = run_results(&r);
	if (!err) {
		fprintf(stderr, "reval: regraded %ld samples, %ld verdicts changed%s\n", g.lines,
			g.changed, torn ? " (a torn last line was dropped)" : "");
		cmd_print_run_outputs(pos[0]);
	}
	run_unlock(lock);
	free(jpath);
	strbuf_release(&g.out);
	strbuf_release(&g.line);
	cJSON_Delete(stored);
	run_release(&r);
	config_release(&cfg);
	free(pos);
	return err;
}
