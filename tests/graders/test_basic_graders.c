/*
 * The exact, regex and choice graders, case by case from
 * tests/data/graders/basic_cases.jsonl: each line names the grader, its
 * options, the gold, the model's content and the expected verdict.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graders/grader.h"
#include "harness/base/json.h"
#include "tests/support/support.h"

Test(graders, basic_cases_from_file)
{
	char *path = support_path("tests/data/graders/basic_cases.jsonl");
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, checked = 0;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		cJSON *c = cJSON_Parse(line);
		cr_assert_not_null(c, "line %d is not JSON", lineno);
		const struct grader_ops *g = grader_find(json_str(c, "grader"));
		cr_assert_not_null(g, "line %d: unknown grader", lineno);
		void *state = NULL;
		struct strbuf err = STRBUF_INIT;
		cr_assert_eq(g->init(&state, cJSON_GetObjectItemCaseSensitive(c, "options"), &err), 0,
			     "line %d: %s", lineno, err.buf);
		struct grade_input in = {.problem_id = "case", .gold = json_str(c, "gold"),
					 .content = json_str(c, "content")};
		struct grade out = {0};
		cr_assert_eq(g->grade(state, &in, &out), 0);
		cr_assert_eq(out.correct, json_bool(c, "correct", -1), "line %d: correct=%d", lineno,
			     out.correct);
		const char *want = json_str(c, "extracted");
		if (want)
			cr_assert_str_eq(out.extracted ? out.extracted : "(null)", want, "line %d",
					 lineno);
		const char *status = json_str(c, "status");
		if (status)
			cr_assert_str_eq(grade_status_name(out.status), status, "line %d", lineno);
		grade_release(&out);
		g->free(state);
		strbuf_release(&err);
		cJSON_Delete(c);
		checked++;
	}
	free(line);
	fclose(f);
	free(path);
	cr_assert_gt(checked, 20, "too few cases were read");
}

Test(graders, equivalent_answers_share_a_canonical_key)
{
	const struct grader_ops *g = grader_find("choice");
	void *state;
	struct strbuf err = STRBUF_INIT;
	cr_assert_eq(g->init(&state, NULL, &err), 0);
	const char *forms[] = {"(B)", "**B**", "Answer: B", "the answer is B.", "\\boxed{B}"};
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		struct grade_input in = {.gold = "B", .content = forms[i]};
		struct grade out = {0};
		g->grade(state, &in, &out);
		cr_assert_str_eq(out.canonical, "B", "form '%s'", forms[i]);
		grade_release(&out);
	}
	g->free(state);
	strbuf_release(&err);
}
