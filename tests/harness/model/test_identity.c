/*
 * harness/model/identity.c: the one table of what must agree for resume,
 * merge, regrade and the gate.  Each row changes one key of a run's
 * config.json and says, per use, whether the runs still agree.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness/base/util.h"
#include "harness/model/identity.h"

static const char *base_doc =
	"{\"fingerprint\":{\"engine\":\"openai\",\"model\":\"m\",\"api\":\"chat\",\"seed\":1},"
	"\"tasks\":[{\"id\":\"t\",\"dataset_sha256\":\"aa\",\"prompt_sha256\":\"pp\","
	"\"grader\":\"math\",\"grader_version\":\"3\",\"grader_options\":{},"
	"\"sampling\":{\"n\":4,\"temperature\":0.6}}]}";

/* Differences found between base_doc and its variant for one use. */
static size_t diffs(const char *variant, enum identity_use use, int force)
{
	cJSON *a = cJSON_Parse(base_doc), *b = cJSON_Parse(variant);
	cr_assert(a && b, "bad JSON: %s", variant);
	struct identity_diffs d = {0};
	identity_compare_run(a, b, use, force, &d);
	const cJSON *ta = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "tasks"), 0);
	const cJSON *tb = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b, "tasks"), 0);
	identity_compare_task("t", ta, tb, NULL, use, force, &d);
	size_t n = d.n;
	identity_diffs_release(&d);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return n;
}

/* base_doc with the first occurrence of from replaced by to. */
static char *variant(const char *from, const char *to)
{
	const char *at = strstr(base_doc, from);
	cr_assert(at, "'%s' not in the base document", from);
	return xasprintf("%.*s%s%s", (int)(at - base_doc), base_doc, to, at + strlen(from));
}

Test(identity, each_key_matters_for_exactly_the_uses_in_the_table)
{
	static const struct {
		const char *from, *to;
		int resume, merge, regrade, gate, report; /* 1: the runs differ for that use */
	} rows[] = {
		{"\"engine\":\"openai\"", "\"engine\":\"exec\"", 1, 1, 0, 0, 1},
		{"\"model\":\"m\"", "\"model\":\"other\"", 1, 1, 0, 0, 1},
		{"\"api\":\"chat\"", "\"api\":\"completions\"", 1, 1, 0, 0, 1},
		{"\"seed\":1", "\"seed\":2", 1, 1, 0, 0, 1},
		{"\"dataset_sha256\":\"aa\"", "\"dataset_sha256\":\"bb\"", 1, 1, 1, 1, 1},
		{"\"prompt_sha256\":\"pp\"", "\"prompt_sha256\":\"qq\"", 1, 1, 0, 1, 1},
		{"\"grader\":\"math\"", "\"grader\":\"exact\"", 1, 1, 0, 1, 1},
		{"\"grader_version\":\"3\"", "\"grader_version\":\"4\"", 1, 1, 0, 1, 1},
		{"\"grader_options\":{}", "\"grader_options\":{\"units\":false}", 1, 1, 0, 1, 1},
		{"\"temperature\":0.6", "\"temperature\":1", 1, 1, 0, 1, 1},
		{"\"temperature\":0.6", "\"temperature\":0.6,\"top_p\":0.9", 1, 1, 0, 1, 1},
		/* More samples extend a resumed run; shards and gated runs must agree on n. */
		{"\"n\":4", "\"n\":8", 0, 1, 0, 1, 1},
		/* A key an older run did not record: the same run must record it, a report may not. */
		{",\"prompt_sha256\":\"pp\"", "", 1, 1, 0, 0, 0},
		/* The run's own prompt settings, recorded only when set: absent is the task's own. */
		{"\"prompt_sha256\"", "\"system_prompt\":\"\",\"prompt_sha256\"", 1, 1, 0, 1, 1},
		{"\"prompt_sha256\"", "\"prompt_template\":\"{question}\",\"prompt_sha256\"", 1, 1, 0, 1, 1},
		{"\"prompt_sha256\"", "\"num_fewshot\":0,\"prompt_sha256\"", 1, 1, 0, 1, 1},
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *v = variant(rows[i].from, rows[i].to);
		cr_expect_eq(diffs(v, IDENTITY_RESUME, 0) > 0, rows[i].resume, "resume: %s", v);
		cr_expect_eq(diffs(v, IDENTITY_MERGE, 0) > 0, rows[i].merge, "merge: %s", v);
		cr_expect_eq(diffs(v, IDENTITY_REGRADE, 0) > 0, rows[i].regrade, "regrade: %s", v);
		cr_expect_eq(diffs(v, IDENTITY_GATE, 0) > 0, rows[i].gate, "gate: %s", v);
		cr_expect_eq(diffs(v, IDENTITY_REPORT, 0) > 0, rows[i].report, "report: %s", v);
		free(v);
	}
	cr_expect_eq(diffs(base_doc, IDENTITY_RESUME, 0), 0);
}

Test(identity, force_skips_only_what_the_table_marks)
{
	char *model = variant("\"model\":\"m\"", "\"model\":\"other\"");
	char *seed = variant("\"seed\":1", "\"seed\":2");
	char *temp = variant("\"temperature\":0.6", "\"temperature\":1");
	char *data = variant("\"dataset_sha256\":\"aa\"", "\"dataset_sha256\":\"bb\"");
	cr_expect_eq(diffs(model, IDENTITY_RESUME, 1), 0, "a resume may change the model on purpose");
	cr_expect_eq(diffs(seed, IDENTITY_RESUME, 1), 1, "never the seed");
	cr_expect_eq(diffs(temp, IDENTITY_RESUME, 1), 0);
	cr_expect_eq(diffs(seed, IDENTITY_MERGE, 1), 0);
	cr_expect_eq(diffs(data, IDENTITY_RESUME, 1), 1, "never the data");
	cr_expect_eq(diffs(data, IDENTITY_MERGE, 1), 1, "never the data");
	free(model);
	free(seed);
	free(temp);
	free(data);
}

Test(identity, a_difference_names_the_key_and_both_values)
{
	char *v = variant("\"temperature\":0.6", "\"temperature\":1.5");
	cJSON *a = cJSON_Parse(base_doc), *b = cJSON_Parse(v);
	struct identity_diffs d = {0};
	identity_compare_task("t", cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "tasks"), 0),
			      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b, "tasks"), 0), NULL,
			      IDENTITY_RESUME, 0, &d);
	cr_assert_eq(d.n, 1);
	cr_expect_str_eq(d.d[0].what, "task 't' sampling.temperature");
	cr_expect_str_eq(d.d[0].key, "sampling.temperature");
	cr_expect_str_eq(d.d[0].a, "0.6");
	cr_expect_str_eq(d.d[0].b, "1.5");
	identity_diffs_release(&d);
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(v);
}
