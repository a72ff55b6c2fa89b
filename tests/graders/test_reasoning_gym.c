#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"

extern const struct grader_ops grader_rg;

/*
 * Cases are data: tests/graders/data/rg_cases.jsonl holds real rows of
 * recordings/rg-eval-reasoning-models (task, gold, content, recorded score)
 * and a few rule cases for reasoning-gym behaviour the recordings never hit.
 * The last test regrades the bundled recordings whole and compares each
 * task's mean with the published figure in their manifest.
 */

static char *repo_path(const char *rel)
{
	const char *root = getenv("REVAL_ROOT");
	return xasprintf("%s/%s", root ? root : ".", rel);
}

static char *slurp(const char *rel)
{
	char *path = repo_path(rel), *text = NULL;
	size_t len;
	int rc = read_file(path, 64u << 20, &text, &len);
	cr_assert_eq(rc, 0, "cannot read %s", path);
	free(path);
	return text;
}

/* Call fn on each JSON line of a repository file. */
static void each_line(const char *rel, void (*fn)(const cJSON *row, void *ctx), void *ctx)
{
	char *text = slurp(rel), *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *row = cJSON_Parse(line);
		cr_assert_not_null(row, "%s: bad JSON line", rel);
		fn(row, ctx);
		cJSON_Delete(row);
	}
	free(text);
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double grade_one(void *st, const cJSON *record, const char *gold, const char *content)
{
	struct grade g = {0};
	struct grade_input in = {.problem_id = "t", .gold = gold, .record = record,
				 .content = content, .finish_reason = "stop"};
	cr_assert_eq(grader_rg.grade(st, &in, &g), 0);
	double score = g.status == GRADE_OK ? g.score : 0.0;
	cr_assert(g.correct == (score == 1.0));
	grade_release(&g);
	return score;
}

static void *auto_state(void)
{
	void *st = NULL;
	struct strbuf err = STRBUF_INIT;
	cr_assert_eq(grader_rg.init(&st, NULL, &err), 0);
	strbuf_release(&err);
	return st;
}

static void check_case(const cJSON *row, void *ctx)
{
	cJSON *record = cJSON_CreateObject();
	cJSON_AddStringToObject(record, "task", str(row, "task"));
	double want = cJSON_GetObjectItemCaseSensitive(row, "score")->valuedouble;
	double got = grade_one(ctx, record, str(row, "gold"), str(row, "content"));
	cr_expect(fabs(got - want) < 1e-12, "%s (%s): score %.17g, want %.17g", str(row, "from"),
		  str(row, "why"), got, want);
	cJSON_Delete(record);
}

Test(rg, recorded_and_rule_cases)
{
	void *st = auto_state();
	each_line("tests/graders/data/rg_cases.jsonl", check_case, st);
	grader_rg.free(st);
}

Test(rg, explicit_mode_overrides_the_record)
{
	void *st = NULL;
	struct strbuf err = STRBUF_INIT;
	cJSON *opts = cJSON_Parse("{\"mode\": \"exact\"}");
	cJSON *record = cJSON_Parse("{\"task\": \"bitwise_arithmetic\"}");
	cr_assert_eq(grader_rg.init(&st, opts, &err), 0);
	cr_expect_eq(grade_one(st, record, "0xff", "<answer>0xFF</answer>"), 0.0);
	grader_rg.free(st);
	cJSON_Delete(opts);
	cJSON_Delete(record);
	strbuf_release(&err);
}

Test(rg, unknown_mode_is_refused)
{
	void *st = NULL;
	struct strbuf err = STRBUF_INIT;
	cJSON *opts = cJSON_Parse("{\"mode\": \"fuzzy\"}");
	cr_assert_neq(grader_rg.init(&st, opts, &err), 0);
	cr_expect(strstr(err.buf, "fuzzy") != NULL);
	cJSON_Delete(opts);
	strbuf_release(&err);
}

/* ---- The whole recording against its published means ---- */

struct regrade {
	void *st;
	cJSON *problems; /* object: "<task>/<idx>" -> record */
	char tasks[32][64];
	double sum[32];
	int count[32], ntasks;
};

static void add_problem(const cJSON *row, void *ctx)
{
	struct regrade *r = ctx;
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(row, "idx");
	char key[128];
	snprintf(key, sizeof(key), "rg/%s/%d", str(row, "task"), idx->valueint);
	cJSON_AddItemToObject(r->problems, key, cJSON_Duplicate(row, 1));
}

static void add_sample(const cJSON *row, void *ctx)
{
	struct regrade *r = ctx;
	char key[128];
	int t;
	snprintf(key, sizeof(key), "%s/%s", str(row, "task"), str(row, "problem"));
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(r->problems, key);
	cr_assert_not_null(rec, "replay row %s has no problem", key);
	for (t = 0; t < r->ntasks && strcmp(r->tasks[t], str(row, "task")); t++)
		;
	if (t == r->ntasks) {
		cr_assert_lt(t, 32);
		snprintf(r->tasks[t], sizeof(r->tasks[t]), "%s", str(row, "task"));
		r->ntasks++;
	}
	r->sum[t] += grade_one(r->st, rec, str(rec, "answer"), str(row, "content"));
	r->count[t]++;
}

Test(rg, reproduces_all_48_published_means, .timeout = 60)
{
	struct regrade r = {.st = auto_state(), .problems = cJSON_CreateObject()};
	char *text = slurp("datasets/recordings/rg-eval-reasoning-models/manifest.json");
	cJSON *manifest = cJSON_Parse(text);
	const cJSON *setting;
	int figures = 0;
	each_line("datasets/reasoning-gym/zero_shot_hard.jsonl", add_problem, &r);
	cJSON_ArrayForEach(setting, cJSON_GetObjectItemCaseSensitive(manifest, "settings"))
	{
		char *rel = xasprintf("datasets/recordings/rg-eval-reasoning-models/%s",
				      str(setting, "replay"));
		const cJSON *fig;
		memset(r.sum, 0, sizeof(r.sum));
		memset(r.count, 0, sizeof(r.count));
		r.ntasks = 0;
		each_line(rel, add_sample, &r);
		cJSON_ArrayForEach(fig, cJSON_GetObjectItemCaseSensitive(setting, "published"))
		{
			int t;
			for (t = 0; t < r.ntasks && strcmp(r.tasks[t], str(fig, "task")); t++)
				;
			cr_assert_lt(t, r.ntasks, "no samples for %s", str(fig, "task"));
			double want = cJSON_GetObjectItemCaseSensitive(fig, "value")->valuedouble;
			double got = r.sum[t] / r.count[t];
			cr_expect(fabs(got - want) < 1e-9, "%s %s: %.6f, published %.6f",
				  str(setting, "setting"), r.tasks[t], got, want);
			figures++;
		}
		free(rel);
	}
	cr_expect_eq(figures, 48);
	cJSON_Delete(manifest);
	cJSON_Delete(r.problems);
	free(text);
	grader_rg.free(r.st);
}
