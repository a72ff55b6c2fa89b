/* reval run, reval grade, reval merge: the commands that make or remake a run directory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/cli/cmd.h"
#include "harness/pipeline/config.h"
#include "harness/pipeline/grading.h"
#include "harness/model/journal.h"
#include "harness/base/json.h"
#include "harness/pipeline/run.h"
#include "harness/model/sample.h"

static void print_outputs(const char *dir)
{
	printf("results: %s/results.json\n", dir);
	printf("table:   %s/results.csv\n", dir);
	printf("samples: %s/samples.jsonl\n", dir);
}

enum reval_err cmd_run(int argc, char **argv)
{
	struct config cfg;
	struct run r;
	char **pos;
	int npos;
	config_init(&cfg);
	enum reval_err err = config_parse_args(&cfg, "run", argc, argv, &pos, &npos);
	if (!err && npos) {
		diag("unexpected argument '%s' (see 'reval help run')", pos[0]);
		err = RV_EUSAGE;
	}
	if (!err)
		err = config_finish(&cfg);
	memset(&r, 0, sizeof(r));
	if (!err && !cfg.out) {
		diag("no run directory: --out DIR");
		err = RV_EUSAGE;
	}
	if (!err)
		err = run_setup(&r, &cfg);
	if (!err)
		err = run_execute(&r);
	if (!err)
		print_outputs(r.dir);
	run_release(&r);
	config_release(&cfg);
	free(pos);
	return err;
}

/* ---- reval grade ---- */

/* Lines are regraded in batches, so a parallel grader (code) keeps its workers busy. */
#define REGRADE_BATCH GRADE_QUEUE_MAX

struct regrade {
	struct run *r;
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
	struct sample *s = grade_queue_slot(&g->q);
	const char *why;
	if (sample_from_json(s, obj, &why)) {
		diag("cannot read journal line %ld: %s", lineno, why);
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
	if (!err)
		err = run_load_config(pos[0], &cfg, &stored);
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
		const cJSON *ot;
		cJSON_ArrayForEach(ot, cJSON_GetObjectItemCaseSensitive(stored, "tasks"))
		{
			for (size_t i = 0; i < r.ntasks && !err; i++) {
				if (strcmp(r.tasks[i]->id, json_str(ot, "id")))
					continue;
				const char *sha = json_str(ot, "dataset_sha256");
				if (sha && strcmp(sha, r.tasks[i]->dataset_sha256)) {
					diag("cannot regrade '%s': the dataset of task '%s' changed since "
					     "the run (sha256 %s, now %s)",
					     pos[0], r.tasks[i]->id, sha, r.tasks[i]->dataset_sha256);
					err = RV_EMISMATCH;
				}
			}
		}
	}
	long torn = 0;
	if (!err)
		err = journal_read(jpath, regrade_line, &g, &torn);
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
		print_outputs(pos[0]);
	}
	free(jpath);
	strbuf_release(&g.out);
	strbuf_release(&g.line);
	cJSON_Delete(stored);
	run_release(&r);
	config_release(&cfg);
	free(pos);
	return err;
}

/* ---- reval merge ---- */

static enum reval_err append_raw(void *ud, const cJSON *obj, long line)
{
	(void)line;
	json_append(ud, obj);
	strbuf_addch(ud, '\n');
	return RV_OK;
}

/* Configs of shards must agree on everything but the shard itself. */
static enum reval_err same_run(const cJSON *a, const cJSON *b, const char *da, const char *db,
			       int force)
{
	const cJSON *fa = cJSON_GetObjectItemCaseSensitive(a, "fingerprint");
	const cJSON *fb = cJSON_GetObjectItemCaseSensitive(b, "fingerprint");
	if (!force && !cJSON_Compare(fa, fb, 1)) {
		diag("cannot merge '%s' and '%s': engine, model, api or seed differ", da, db);
		return RV_EMISMATCH;
	}
	const cJSON *ta = cJSON_GetObjectItemCaseSensitive(a, "tasks");
	const cJSON *tb = cJSON_GetObjectItemCaseSensitive(b, "tasks");
	if (cJSON_GetArraySize(ta) != cJSON_GetArraySize(tb)) {
		diag("cannot merge '%s' and '%s': they ran different tasks", da, db);
		return RV_EMISMATCH;
	}
	for (int i = 0; i < cJSON_GetArraySize(ta); i++) {
		const cJSON *x = cJSON_GetArrayItem(ta, i), *y = cJSON_GetArrayItem(tb, i);
		static const char *const keys[] = {"id",	     "dataset_sha256", "prompt_sha256",
						   "grader",	     "grader_version", "grader_options",
						   "sampling"};
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			if (force && !strcmp(keys[k], "sampling"))
				continue;
			if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(x, keys[k]),
					   cJSON_GetObjectItemCaseSensitive(y, keys[k]), 1)) {
				diag("cannot merge '%s' and '%s': task %d %s differs", da, db, i,
				     keys[k]);
				return RV_EMISMATCH;
			}
		}
	}
	return RV_OK;
}

enum reval_err cmd_merge(int argc, char **argv)
{
	struct config cfg;
	struct run r;
	char **pos;
	int npos;
	cJSON *first = NULL;
	memset(&r, 0, sizeof(r));
	config_init(&cfg);
	enum reval_err err = config_parse_args(&cfg, "merge", argc, argv, &pos, &npos);
	char *out = cfg.out ? xstrdup(cfg.out) : NULL;
	int force = cfg.force == 1;
	if (!err && (npos < 1 || !out)) {
		diag("usage: reval merge DIR... --out DIR");
		err = RV_EUSAGE;
	}
	struct strbuf all = STRBUF_INIT;
	for (int i = 0; !err && i < npos; i++) {
		cJSON *doc;
		char *cpath = path_join(pos[i], "config.json");
		err = json_load_file(cpath, "run configuration", &doc);
		free(cpath);
		if (err)
			break;
		if (!first)
			first = doc;
		else {
			err = same_run(first, doc, pos[0], pos[i], force);
			cJSON_Delete(doc);
		}
		if (!err) {
			char *jpath = path_join(pos[i], "samples.jsonl");
			long torn = 0;
			err = journal_read(jpath, append_raw, &all, &torn);
			free(jpath);
		}
	}
	if (!err) {
		/* The merged run is the unsharded one: same flags, no shard. */
		cJSON *flags = cJSON_GetObjectItemCaseSensitive(first, "flags");
		cJSON_DeleteItemFromObjectCaseSensitive(flags, "shard");
		cJSON_DeleteItemFromObjectCaseSensitive(flags, "out");
		char *from = xasprintf("cannot read run configuration in '%s'", pos[0]);
		config_release(&cfg);
		config_init(&cfg);
		cfg.out = xstrdup(out);
		err = config_apply_json(&cfg, flags, from);
		free(from);
	}
	if (!err)
		err = config_finish(&cfg);
	if (!err)
		err = run_setup(&r, &cfg);
	if (!err) {
		int e = mkdir_p(out);
		char *jpath = path_join(out, "samples.jsonl");
		struct stat st;
		if (e) {
			diag("cannot create '%s': %s", out, strerror(e));
			err = RV_EIO;
		} else if (stat(jpath, &st) == 0) {
			diag("refusing to merge into '%s': it already holds a journal", out);
			err = RV_EUSAGE;
		} else if ((e = write_file_atomic(jpath, all.buf, all.len))) {
			diag("cannot write '%s': %s", jpath, strerror(e));
			err = RV_EIO;
		}
		free(jpath);
	}
	if (!err)
		err = run_save_config(&r, out);
	if (!err)
		err = run_results(&r);
	if (!err)
		print_outputs(out);
	strbuf_release(&all);
	cJSON_Delete(first);
	free(out);
	run_release(&r);
	config_release(&cfg);
	free(pos);
	return err;
}
