/*
 * Regrading real model outputs with the math grader and comparing with the
 * labels their publishers computed: the 800 Qwen2.5-Math responses (labels
 * from the Qwen2.5-Math grader; disagreements are judged by hand in
 * datasets/recordings/qwen25-math-rm-maj-example/DISAGREEMENTS.md) and
 * OpenAI's GSM8K GPT-3 solutions (is_correct per setting).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "graders/math/judge.h"
#include "harness/base/util.h"

static char *load(const char *rel)
{
	const char *root = getenv("REVAL_ROOT");
	char *path = path_join(root ? root : ".", rel), *data = NULL;
	size_t len;
	int rc = read_file(path, 64u << 20, &data, &len);
	cr_assert_eq(rc, 0, "cannot read %s", path);
	free(path);
	return data;
}

Test(math_recordings, qwen25_math_800_responses, .timeout = 120)
{
	char *data = load("datasets/recordings/qwen25-math-rm-maj-example/math_cot_100.jsonl"), *save = NULL;
	struct math_opts o;
	math_opts_default(&o);
	struct math_checker *c = math_checker_new(&o);
	int total = 0, agree = 0;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(line);
		cr_assert_not_null(j);
		const char *gt = cJSON_GetObjectItem(j, "gt")->valuestring;
		const cJSON *code = cJSON_GetObjectItem(j, "code"), *score = cJSON_GetObjectItem(j, "score");
		for (int i = 0; i < cJSON_GetArraySize(code); i++) {
			struct math_verdict v;
			math_judge(c, gt, cJSON_GetArrayItem(code, i)->valuestring, 1, &v);
			int label = cJSON_IsTrue(cJSON_GetArrayItem(score, i));
			total++;
			if (v.correct == label)
				agree++;
			else
				cr_log_info("idx %d sample %d: gold %s extracted %s: reval %d, qwen %d",
					    cJSON_GetObjectItem(j, "idx")->valueint, i, gt,
					    v.extracted ? v.extracted : "(none)", v.correct, label);
			math_verdict_release(&v);
		}
		cJSON_Delete(j);
	}
	math_checker_free(c);
	free(data);
	cr_assert_eq(total, 800);
	cr_expect_geq(agree * 100, total * 99, "agreement %d/%d", agree, total);
}

/* The gold of a GSM8K GPT-3 row: the text after the last "A: ". */
static const char *gsm8k_gold(const char *solution)
{
	const char *last = NULL;
	for (const char *p = strstr(solution, "A: "); p; p = strstr(p + 1, "A: "))
		last = p;
	return last ? last + 3 : solution;
}

Test(math_recordings, gsm8k_gpt3_four_settings, .timeout = 120)
{
	static const char *const settings[] = {"6b_finetuning", "6b_verification", "175b_finetuning",
					       "175b_verification"};
	char *data = load("datasets/recordings/gsm8k-gpt3-cobbe2021/example_model_solutions.jsonl"), *save = NULL;
	struct math_opts o;
	math_opts_default(&o);
	o.fallback_last_number = 1; /* gsm8k is a per-task fallback task */
	struct math_checker *c = math_checker_new(&o);
	int total[4] = {0}, agree[4] = {0}, solved[4] = {0};
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(line);
		cr_assert_not_null(j);
		const char *gold = gsm8k_gold(cJSON_GetObjectItem(j, "ground_truth")->valuestring);
		for (int s = 0; s < 4; s++) {
			const cJSON *x = cJSON_GetObjectItem(j, settings[s]);
			struct math_verdict v;
			math_judge(c, gold, cJSON_GetObjectItem(x, "solution")->valuestring, 1, &v);
			int label = cJSON_IsTrue(cJSON_GetObjectItem(x, "is_correct"));
			total[s]++;
			agree[s] += v.correct == label;
			solved[s] += v.correct;
			math_verdict_release(&v);
		}
		cJSON_Delete(j);
	}
	math_checker_free(c);
	free(data);
	for (int s = 0; s < 4; s++) {
		cr_assert_eq(total[s], 1319);
		cr_log_info("%s: agreement %d/%d, accuracy %.2f%%", settings[s], agree[s], total[s],
			    100.0 * solved[s] / total[s]);
		cr_expect_geq(agree[s] * 100, total[s] * 99, "%s: agreement %d/%d", settings[s], agree[s], total[s]);
	}
}
