/*
 * Tests of the math checker.  The case files under tests/data/math are read
 * line by line: one parameterized test per line (so a failure names its
 * case) and one test per file that computes the agreement and holds it to
 * the threshold the issue sets.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "graders/math/check.h"
#include "harness/base/err.h"
#include "graders/grader.h"
#include "graders/math/judge.h"
#include "harness/base/util.h"

#define CONFORMANCE "tests/data/math/math_equiv.jsonl"
#define OWN_CASES "tests/data/math/reval_cases.jsonl"
#define KNOWN "tests/data/math/conformance_disagreements.txt"

static char *repo_path(const char *rel)
{
	const char *root = getenv("REVAL_ROOT");
	return path_join(root ? root : ".", rel);
}

static char *slurp(const char *rel)
{
	char *path = repo_path(rel), *data = NULL;
	size_t len;
	int rc = read_file(path, 64u << 20, &data, &len);
	free(path);
	cr_assert_eq(rc, 0, "cannot read %s", rel);
	return data;
}

/* The n-th non-empty line of a file, parsed; NULL past the end. */
static cJSON *case_at(const char *rel, int n)
{
	char *data = slurp(rel), *save = NULL;
	cJSON *found = NULL;
	int k = 0;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (k++ == n) {
			found = cJSON_Parse(line);
			break;
		}
	}
	free(data);
	return found;
}

static int count_lines(const char *rel)
{
	char *data = slurp(rel), *save = NULL;
	int k = 0;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		k++;
	free(data);
	return k;
}

static int is_known(const char *id)
{
	char *data = slurp(KNOWN);
	size_t n = strlen(id);
	int known = 0;
	for (char *p = data; p && *p && !known; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		known = !strncmp(p, id, n) && (p[n] == ' ' || p[n] == '\n');
	free(data);
	return known;
}

static void judge_case(const char *file, int n)
{
	cJSON *c = case_at(file, n);
	if (!c)
		cr_skip_test("no line %d", n);
	const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
	if (is_known(id)) {
		cJSON_Delete(c);
		cr_skip_test("known disagreement");
	}
	struct math_opts o;
	math_opts_from_case(&o, cJSON_GetObjectItem(c, "config"));
	const cJSON *kind = cJSON_GetObjectItem(c, "pred_kind");
	int full = cJSON_IsString(kind) && !strcmp(kind->valuestring, "full_output");
	struct math_checker *mc = math_checker_new(&o);
	struct math_verdict v;
	math_judge(mc, cJSON_GetObjectItem(c, "gold")->valuestring, cJSON_GetObjectItem(c, "pred")->valuestring,
		   full, &v);
	int expected = cJSON_IsTrue(cJSON_GetObjectItem(c, "expected"));
	cr_expect_eq(v.correct, expected, "%s: gold %s pred %s extracted [%s]: got %d, expected %d", id,
		     cJSON_GetObjectItem(c, "gold")->valuestring, cJSON_GetObjectItem(c, "pred")->valuestring,
		     v.extracted ? v.extracted : "", v.correct, expected);
	math_verdict_release(&v);
	math_checker_free(mc);
	cJSON_Delete(c);
}

struct line_param {
	int line;
};

#define MAX_CASES 1000

static struct line_param *line_params(int n)
{
	struct line_param *p = cr_malloc(sizeof(*p) * (size_t)n);
	for (int i = 0; i < n; i++)
		p[i].line = i;
	return p;
}

static void free_params(struct criterion_test_params *crp)
{
	cr_free(crp->params);
}

ParameterizedTestParameters(math, conformance_case)
{
	return cr_make_param_array(struct line_param, line_params(MAX_CASES), MAX_CASES, free_params);
}

ParameterizedTest(struct line_param *p, math, conformance_case)
{
	if (p->line >= count_lines(CONFORMANCE))
		cr_skip_test("past the end");
	judge_case(CONFORMANCE, p->line);
}

ParameterizedTestParameters(math, own_case)
{
	return cr_make_param_array(struct line_param, line_params(MAX_CASES), MAX_CASES, free_params);
}

ParameterizedTest(struct line_param *p, math, own_case)
{
	if (p->line >= count_lines(OWN_CASES))
		cr_skip_test("past the end");
	judge_case(OWN_CASES, p->line);
}

static void agreement_at_least(const char *rel, double threshold, int min_cases)
{
	char *path = repo_path(rel);
	struct check_math_stats st = {0};
	enum reval_err err = check_math_file(path, NULL, NULL, &st);
	free(path);
	cr_assert_eq(err, RV_OK);
	cr_assert_geq(st.labelled, min_cases);
	double agreement = (double)st.agree / st.labelled;
	cr_expect_geq(agreement, threshold, "%s: agreement %.4f (%d/%d), fp %d, fn %d", rel, agreement, st.agree,
		      st.labelled, st.false_pos, st.false_neg);
	check_math_stats_release(&st);
}

Test(math, conformance_agreement)
{
	agreement_at_least(CONFORMANCE, 0.99, 329);
}

Test(math, own_corpus_agreement)
{
	agreement_at_least(OWN_CASES, 0.99, 300);
}

/* ---- The API directly ---- */

static int judge(const char *gold, const char *pred, int full)
{
	struct math_opts o;
	math_opts_default(&o);
	struct math_checker *c = math_checker_new(&o);
	struct math_verdict v;
	math_judge(c, gold, pred, full, &v);
	int r = v.correct;
	math_verdict_release(&v);
	math_checker_free(c);
	return r;
}

static char *key(const char *answer)
{
	struct math_opts o;
	math_opts_default(&o);
	struct math_checker *c = math_checker_new(&o);
	char *k = math_canonical_key(c, answer);
	math_checker_free(c);
	return k;
}

Test(math, voting_key_groups_equivalent_answers)
{
	char *a = key("0.5"), *b = key("\\frac{1}{2}"), *c = key("1/2"), *d = key("\\frac12"), *e = key("0.6");
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(a, c);
	cr_assert_str_eq(a, d);
	cr_assert_str_neq(a, e);
	free(a), free(b), free(c), free(d), free(e);
	a = key("\\{1, 2\\}");
	b = key("2, 1");
	cr_assert_str_eq(a, b);
	free(a), free(b);
	a = key("2\\sqrt{2}");
	b = key("\\sqrt{8}");
	cr_assert_str_eq(a, b);
	free(a), free(b);
}

Test(math, unclosed_think_and_box_have_no_answer)
{
	struct math_opts o;
	math_opts_default(&o);
	struct math_checker *c = math_checker_new(&o);
	struct math_verdict v;
	math_judge(c, "3", "<think>so it is \\boxed{3}", 1, &v);
	cr_assert(v.no_answer && !v.correct);
	math_verdict_release(&v);
	math_judge(c, "3", "The answer is \\boxed{3} or rather \\boxed{3", 1, &v);
	cr_assert(v.no_answer && !v.correct);
	math_verdict_release(&v);
	math_checker_free(c);
}

Test(math, pathological_input_is_undecided_not_a_hang)
{
	struct math_opts o;
	math_opts_default(&o);
	struct math_checker *c = math_checker_new(&o);
	struct math_verdict v;
	math_judge(c, "1", "\\boxed{99999999^{99999999^{99999999}}}", 1, &v);
	cr_assert(!v.correct);
	math_verdict_release(&v);
	math_judge(c, "1", "\\boxed{2^{10000}^{10000}}", 1, &v);
	cr_assert(!v.correct);
	math_verdict_release(&v);
	math_checker_free(c);
	cr_assert(judge("2^{100}", "1267650600228229401496703205376", 0));
}

Test(math, grader_is_registered)
{
	cr_assert_not_null(grader_find("math"));
}

static void write_tmp(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

Test(math, check_math_reports_a_malformed_line)
{
	const char *build = getenv("REVAL_BUILD");
	char *path = path_join(build ? build : "/tmp", "test-check-math.jsonl");
	write_tmp(path, "{\"id\":\"a\",\"gold\":\"1\",\"pred\":\"1\",\"expected\":true}\n{\"id\":\"b\",\"gold\":\"1\"}\n");
	struct check_math_stats st = {0};
	cr_assert_eq(check_math_file(path, NULL, NULL, &st), RV_EINPUT);
	check_math_stats_release(&st);
	write_tmp(path, "{\"id\":\"a\",\"gold\":\"\\\\frac{1}{2}\",\"pred\":\"0.5\",\"expected\":true,\"category\":\"c\"}\n"
			"{\"id\":2,\"gold\":\"3\",\"pred\":\"The answer is 4\",\"pred_kind\":\"full_output\",\"expected\":true}\n");
	FILE *out = tmpfile();
	cr_assert_eq(check_math_file(path, out, NULL, &st), RV_OK);
	cr_assert_eq(st.cases, 2);
	cr_assert_eq(st.agree, 1);
	cr_assert_eq(st.false_neg, 1);
	rewind(out);
	char line[512];
	cr_assert_not_null(fgets(line, sizeof(line), out));
	cr_assert(strstr(line, "\"correct\":true") && strstr(line, "\"canonical\":\"1/2\""), "%s", line);
	fclose(out);
	check_math_stats_release(&st);
	remove(path);
	free(path);
}

Test(math, grader_grades_through_the_contract)
{
	const struct grader_ops *g = grader_find("math");
	cr_assert_not_null(g);
	struct strbuf err = STRBUF_INIT;
	void *state = NULL;
	cJSON *bad = cJSON_Parse("{\"precison\": 6}");
	cr_assert_neq(g->init(&state, bad, &err), 0);
	cr_assert(strstr(err.buf, "precison"), "%s", err.buf);
	cJSON_Delete(bad);
	strbuf_reset(&err);
	cJSON *opts = cJSON_Parse("{\"fallback_last_number\": true, \"precision\": 6}");
	cr_assert_eq(g->init(&state, opts, &err), 0, "%s", err.buf);
	cJSON_Delete(opts);
	struct grade_input in = {.problem_id = "p1", .gold = "\\left( 3, \\frac{\\pi}{2} \\right)",
				 .content = "So the point is $\\boxed{(3, \\frac{\\pi}{2})}$."};
	struct grade out = {0};
	cr_assert_eq(g->grade(state, &in, &out), 0);
	cr_assert_eq(out.status, GRADE_OK);
	cr_assert(out.correct);
	cr_assert_str_eq(out.extracted, "(3, \\frac{\\pi}{2})");
	grade_release(&out);
	in.gold = "025";
	in.content = "<think>long reasoning";
	cr_assert_eq(g->grade(state, &in, &out), 0);
	cr_assert_eq(out.status, GRADE_NO_ANSWER);
	cr_assert(!out.correct);
	grade_release(&out);
	in.content = "Hence the answer is 25.";
	cr_assert_eq(g->grade(state, &in, &out), 0);
	cr_assert(out.correct);
	cr_assert_str_eq(out.canonical, "25");
	grade_release(&out);
	g->free(state);
	strbuf_release(&err);
}
