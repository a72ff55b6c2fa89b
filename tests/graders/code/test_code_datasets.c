/*
 * The code grader on the bundled datasets: every HumanEval canonical
 * solution passes and every `return None` body fails; every MBPP base and
 * plus canonical solution passes (expected values come from running the
 * reference in the sandbox); our codecontests reference solutions pass and
 * their wrong variants fail with wrong_answer.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "graders/code/code.h"
#include "tests/graders/code/code_testlib.h"

extern const struct grader_ops grader_code;

/* Grade every record with content made from field (or fixed text); returns
 * the number judged correct and prints the first failures. */
static size_t grade_file(const char *rel, const char *field, const char *fixed, size_t *total,
			 size_t *bad, int expect_correct)
{
	char *path = tl_path(rel);
	size_t n;
	cJSON **recs = tl_read_jsonl(path, &n, bad);
	free(path);
	void *st;
	struct strbuf err = STRBUF_INIT;
	cr_assert_eq(grader_code.init(&st, NULL, &err), 0, "%s", err.buf);
	struct grade_input *in = xcalloc(n, sizeof(*in));
	char **content = xcalloc(n, sizeof(*content));
	for (size_t i = 0; i < n; i++) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(recs[i], "task_id");
		const cJSON *sol = cJSON_GetObjectItemCaseSensitive(recs[i], field);
		content[i] = xasprintf("Here is my solution.\n```python\n%s\n```\n",
				       fixed ? fixed : cJSON_IsString(sol) ? sol->valuestring : "");
		in[i] = (struct grade_input){
			.problem_id = cJSON_IsString(id) ? id->valuestring : "?",
			.record = recs[i],
			.content = content[i],
		};
	}
	struct grade *out = xcalloc(n, sizeof(*out));
	code_grade_batch(st, in, out, n);
	size_t correct = 0, shown = 0;
	for (size_t i = 0; i < n; i++) {
		correct += out[i].correct;
		cr_expect_eq(out[i].status, GRADE_OK, "%s: status %s (%s)", in[i].problem_id,
			     grade_status_name(out[i].status), out[i].reason ? out[i].reason : "");
		if (out[i].correct != expect_correct && shown++ < 10)
			cr_log_error("%s: %s %.300s", in[i].problem_id, out[i].reason,
				     out[i].detail ? out[i].detail : "");
		grade_release(&out[i]);
		free(content[i]);
	}
	free(out);
	free(content);
	free(in);
	grader_code.free(st);
	tl_free_jsonl(recs, n);
	*total = n;
	return correct;
}

Test(code_datasets, humaneval_canonical_all_pass, .timeout = 600)
{
	size_t n, bad;
	size_t ok = grade_file("datasets/humaneval/HumanEval.jsonl", "canonical_solution", NULL, &n,
			       &bad, 1);
	cr_assert_eq(bad, 0);
	cr_assert_eq(n, 164);
	cr_assert_eq(ok, 164, "%zu of 164 canonical solutions pass", ok);
}

Test(code_datasets, humaneval_return_none_all_fail, .timeout = 600)
{
	size_t n, bad;
	size_t ok = grade_file("datasets/humaneval/HumanEval.jsonl", NULL, "    return None", &n, &bad,
			       0);
	cr_assert_eq(n, 164);
	cr_assert_eq(ok, 0, "%zu `return None` bodies pass", ok);
}

Test(code_datasets, mbpp_base_canonical_all_pass, .timeout = 900)
{
	size_t n, bad;
	size_t ok = grade_file("datasets/mbpp-evalplus/MbppBase.jsonl", "canonical_solution", NULL,
			       &n, &bad, 1);
	cr_assert_eq(bad, 0);
	cr_assert_eq(n, 409);
	cr_assert_eq(ok, n, "%zu of %zu pass", ok, n);
}

/*
 * One MbppPlus record (Mbpp/ line 185) holds JSON's non-standard Infinity,
 * which cJSON refuses; it is counted as not graded, never as passed.
 */
Test(code_datasets, mbpp_plus_canonical_all_pass, .timeout = 1800)
{
	size_t n, bad;
	size_t ok = grade_file("datasets/mbpp-evalplus/MbppPlus.jsonl", "canonical_solution", NULL,
			       &n, &bad, 1);
	cr_assert_eq(n + bad, 399);
	cr_assert_leq(bad, 1, "%zu records unreadable", bad);
	cr_assert_eq(ok, n, "%zu of %zu pass (%zu not graded: unreadable)", ok, n, bad);
}

/* ---- codecontests: our reference solutions and their wrong variants ---- */

static const char *lang_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	return !strcmp(dot, ".py") ? "python" : !strcmp(dot, ".c") ? "c" : "cpp";
}

Test(code_datasets, codecontests_references_pass_wrong_variants_fail, .timeout = 900)
{
	char *ppath = tl_path("datasets/codecontests-sample/problems.jsonl");
	size_t np, bad;
	cJSON **probs = tl_read_jsonl(ppath, &np, &bad);
	free(ppath);
	char *dir = tl_path("tests/data/code/codecontests");
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	struct strbuf err = STRBUF_INIT;
	struct sandbox_opts o = {.index = 0};
	struct sandbox *sb;
	cr_assert_eq(sandbox_new(&sb, &o, &err), 0, "%s", err.buf);
	int refs = 0, wrongs = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md"))
			continue;
		long id = strtol(e->d_name, NULL, 10);
		const cJSON *prob = NULL;
		for (size_t i = 0; i < np; i++)
			if ((long)cJSON_GetObjectItemCaseSensitive(probs[i], "id")->valuedouble == id)
				prob = probs[i];
		cr_assert_not_null(prob, "%s: no problem %ld", e->d_name, id);
		char *src, *file = xasprintf("%s/%s", dir, e->d_name);
		size_t len;
		cr_assert_eq(read_file(file, 1 << 20, &src, &len), 0);
		cJSON *line = cJSON_CreateObject();
		cJSON_AddStringToObject(line, "id", e->d_name);
		cJSON_AddStringToObject(line, "kind", "stdio");
		cJSON_AddStringToObject(line, "language", lang_of(e->d_name));
		cJSON_AddStringToObject(line, "program", src);
		cJSON_AddItemToObject(line, "tests",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(prob, "tests"), 1));
		struct code_case c;
		cr_assert_eq(code_case_from_check_line(line, &c, &err), 0, "%s", err.buf);
		struct code_outcome out;
		code_judge(sb, &c, &out);
		int wrong = strstr(e->d_name, ".wrong.") != NULL;
		if (wrong) {
			wrongs++;
			cr_expect_eq(out.verdict, CV_WRONG_ANSWER, "%s: %s", e->d_name,
				     code_verdict_name(out.verdict));
		} else {
			refs++;
			cr_expect_eq(out.verdict, CV_PASS, "%s: %s (%d/%d)", e->d_name,
				     code_verdict_name(out.verdict), out.tests_passed, out.tests_total);
			cr_expect_eq(out.tests_passed, out.tests_total);
			cr_expect_geq(out.tests_total, 35);
		}
		code_outcome_release(&out);
		code_case_release(&c);
		cJSON_Delete(line);
		free(src);
		free(file);
	}
	closedir(d);
	cr_expect_geq(refs, 5);
	cr_expect_eq(refs, wrongs);
	sandbox_free(sb);
	strbuf_release(&err);
	free(dir);
	tl_free_jsonl(probs, np);
}
