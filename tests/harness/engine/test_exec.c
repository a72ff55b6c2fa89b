#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake.h"
#include "harness/base/json.h"

static struct config cfg;

static void setup(void)
{
	config_init(&cfg);
	cfg.concurrency = 4;
	cfg.timeout_s = 20;
	cfg.max_attempts = 1;
	cfg.model = xstrdup("scripted");
}

static void teardown(void)
{
	config_release(&cfg);
}

TestSuite(exec, .init = setup, .fini = teardown);

Test(exec, plain_text_is_the_content)
{
	struct plan p;
	plan_make(&p, 6, 2, "chat");
	cr_assert_eq(plan_run(&p, "exec:cat >/dev/null; echo 'The answer is 42'", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		cr_assert_eq(p.got[i].calls, 1);
		cr_assert_null(p.got[i].error_kind);
		cr_assert_str_eq(p.got[i].content, "The answer is 42\n");
		cr_assert_str_eq(p.got[i].endpoint, "exec");
	}
	plan_release(&p);
}

Test(exec, a_nul_byte_does_not_end_the_content)
{
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_assert_eq(plan_run(&p, "exec:cat >/dev/null; printf 'so \\000 \\\\boxed{42}'", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		cr_assert_null(p.got[i].error_kind);
		cr_assert_str_eq(p.got[i].content, "so \xEF\xBF\xBD \\boxed{42}");
	}
	plan_release(&p);
}

Test(exec, json_answer_with_reasoning_and_usage)
{
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_assert_eq(plan_run(&p,
			      "exec:cat >/dev/null; printf '%s' '{\"content\":\"42\",\"reasoning\":\"6*7\","
			      "\"finish_reason\":\"stop\",\"usage\":{\"completion_tokens\":3}}'",
			      &cfg),
		     RV_OK);
	cr_assert_str_eq(p.got[1].content, "42");
	cr_assert_str_eq(p.got[1].reasoning, "6*7");
	cr_assert_str_eq(p.got[1].finish, "stop");
	cr_assert_eq(p.got[1].completion_tokens, 3);
	cr_assert_eq(p.got[1].prompt_tokens, -1);
	plan_release(&p);
}

Test(exec, the_request_arrives_on_stdin)
{
	struct plan p;
	plan_make(&p, 3, 1, "chat");
	p.s.temperature = 0.5;
	cr_assert_eq(plan_run(&p, "exec:cat", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		cJSON *req = cJSON_Parse(p.got[i].content);
		cr_assert(req, "%s", p.got[i].content);
		cr_assert_str_eq(json_str(req, "prompt"), p.reqs[i].prompt);
		cr_assert_str_eq(json_str(req, "problem"), p.reqs[i].problem_id);
		cr_assert_str_eq(json_str(req, "model"), "scripted");
		cr_assert_float_eq(json_num(req, "seed", -1), (double)p.reqs[i].seed, 0.5);
		cr_assert_float_eq(json_num(cJSON_GetObjectItem(req, "sampling"), "temperature", -1),
				   0.5, 1e-9);
		cJSON_Delete(req);
	}
	plan_release(&p);
}

Test(exec, failure_is_an_infrastructure_error_with_stderr)
{
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_assert_eq(plan_run(&p, "exec:echo 'model file missing' >&2; exit 3", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		cr_assert_eq(p.got[i].calls, 1);
		cr_assert_str_eq(p.got[i].error_kind, "exec_failed");
		cr_assert(strstr(p.got[i].error_message, "exit status 3"));
		cr_assert(strstr(p.got[i].error_message, "model file missing"));
	}
	plan_release(&p);
}

Test(exec, timeout_kills_the_program)
{
	cfg.timeout_s = 1;
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_assert_eq(plan_run(&p, "exec:sleep 30", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		cr_assert_eq(p.got[i].calls, 1);
		cr_assert_str_eq(p.got[i].error_kind, "timeout");
	}
	plan_release(&p);
}

Test(exec, a_program_that_ignores_stdin_is_fine)
{
	struct plan p;
	plan_make(&p, 8, 1, "chat");
	cr_assert_eq(plan_run(&p, "exec:echo ok", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++)
		cr_assert_str_eq(p.got[i].content, "ok\n");
	plan_release(&p);
}
