/*
 * graders/options.c: every grader reads its options from one typed table,
 * so a misspelt key or a value of the wrong type is an error naming the
 * key, for every grader alike.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "graders/grader.h"
#include "graders/options.h"

/* init with these options; returns non-zero on refusal, the reason in err. */
static int try_init(const struct grader_ops *g, const char *json, struct strbuf *err)
{
	cJSON *o = cJSON_Parse(json);
	cr_assert(o, "bad JSON %s", json);
	void *state = NULL;
	int bad = g->init(&state, o, err);
	if (!bad)
		g->free(state);
	cJSON_Delete(o);
	return bad;
}

Test(grader_options, every_grader_refuses_an_unknown_key_by_name)
{
	for (size_t i = 0; grader_table[i]; i++) {
		const struct grader_ops *g = grader_table[i];
		struct strbuf err = STRBUF_INIT;
		/* regex needs its pattern to get as far as the other keys. */
		int bad = try_init(g, "{\"pattern\":\"(x)\",\"colapse_space\":true}", &err);
		if (strcmp(g->name, "regex"))
			bad = (strbuf_reset(&err), try_init(g, "{\"colapse_space\":true}", &err));
		cr_expect(bad, "grader %s accepted a misspelt option", g->name);
		cr_expect(strstr(err.buf, "colapse_space"), "grader %s: %s", g->name, err.buf);
		strbuf_release(&err);
	}
}

/* "no" once meant true to one grader and false to another; now it is no boolean. */
Test(grader_options, a_boolean_must_be_a_boolean_for_every_grader)
{
	static const char *const cases[][2] = {
		{"exact", "{\"collapse_space\":\"no\"}"},
		{"regex", "{\"pattern\":\"(x)\",\"collapse_space\":\"no\"}"},
		{"exact", "{\"fold_case\":1}"},
		{"regex", "{\"pattern\":\"(x)\",\"fold_case\":\"yes\"}"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf err = STRBUF_INIT;
		cr_expect(try_init(grader_find(cases[i][0]), cases[i][1], &err), "%s %s accepted",
			  cases[i][0], cases[i][1]);
		cr_expect(strstr(err.buf, "must be a boolean"), "%s: %s", cases[i][0], err.buf);
		strbuf_release(&err);
	}
}

Test(grader_options, wrong_types_and_ranges_are_refused_naming_the_key)
{
	static const char *const cases[][3] = {
		{"choice", "{\"n_choices\":1}", "n_choices"},
		{"choice", "{\"n_choices\":4.5}", "n_choices"},
		{"choice", "{\"n_choices\":\"4\"}", "n_choices"},
		{"regex", "{\"pattern\":\"(x)\",\"match\":\"middle\"}", "match"},
		{"regex", "{\"pattern\":\"(x)\",\"group\":2}", "group"},
		{"regex", "{\"pattern\":7}", "pattern"},
		{"exact", "{\"after\":true}", "after"},
		{"rg", "{\"mode\":\"fuzzy\"}", "mode"},
		{"code", "{\"time_s\":\"3\"}", "time_s"},
		{"code", "{\"tests_format\":\"asserts\"}", "tests_format"},
		{"code", "{\"stdin_key\":\"input\"}", "stdin_key"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf err = STRBUF_INIT;
		cr_expect(try_init(grader_find(cases[i][0]), cases[i][1], &err), "%s %s accepted",
			  cases[i][0], cases[i][1]);
		cr_expect(strstr(err.buf, cases[i][2]), "%s %s: %s", cases[i][0], cases[i][1],
			  err.buf);
		strbuf_release(&err);
	}
}

Test(grader_options, the_documented_options_are_accepted)
{
	static const char *const cases[][2] = {
		{"exact", "{\"after\":\"So the answer is \",\"strip_end\":\".\",\"collapse_space\":false,"
			  "\"fold_case\":true,\"require_marker\":true}"},
		{"regex", "{\"pattern\":\"(\\\\d+)\",\"flags\":\"i\",\"match\":\"first\",\"group\":1}"},
		{"choice", "{\"n_choices\":4}"},
		{"rg", "{\"mode\":\"knights_knaves\"}"},
		{"code", "{\"kind\":\"function\",\"form\":\"check\",\"time_s\":3,\"memory_mb\":1024,"
			 "\"inputs_fields\":[\"base_input\"],\"compare\":\"float_abs_or_rel:1e-6\"}"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf err = STRBUF_INIT;
		cr_expect(!try_init(grader_find(cases[i][0]), cases[i][1], &err), "%s %s: %s",
			  cases[i][0], cases[i][1], err.buf);
		strbuf_release(&err);
	}
}

/* The registry lists each grader's table, so documentation can be made from it. */
Test(grader_options, every_table_is_listed_and_complete)
{
	for (size_t i = 0; grader_table[i]; i++) {
		const struct grader_ops *g = grader_table[i];
		cr_expect(g->options && g->noptions, "grader %s lists no options", g->name);
		for (size_t k = 0; k < g->noptions; k++)
			cr_expect(g->options[k].name && g->options[k].help && g->options[k].def,
				  "grader %s option %zu lacks a name, help or default", g->name, k);
	}
}
