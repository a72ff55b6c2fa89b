#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake.h"
#include "harness/base/json.h"
#include "harness/engine/openai_body.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const cJSON *entry(const cJSON *log, int i)
{
	return cJSON_GetArrayItem(log, i);
}

static const cJSON *body_of(const cJSON *e)
{
	return cJSON_GetObjectItemCaseSensitive(e, "body");
}

/* Every request delivered exactly once, and without an infrastructure error. */
static void assert_all_ok(const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		cr_assert_eq(p->got[i].calls, 1, "request %zu delivered %d times", i, p->got[i].calls);
		cr_assert_null(p->got[i].error_kind, "request %zu: %s: %s", i, p->got[i].error_kind,
			       p->got[i].error_message);
		cr_assert(p->got[i].content && strstr(p->got[i].content, "\\boxed{42}"));
	}
}

Test(openai, chat_with_reasoning_content_and_usage_details)
{
	struct fake f;
	fake_start(&f, ARGS("--reasoning", "reasoning_content", "--usage", "details"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	struct plan p;
	plan_make(&p, 3, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	assert_all_ok(&p);
	for (size_t i = 0; i < p.n; i++) {
		char want[64];
		snprintf(want, sizeof(want), "Sample s=%llu.",
			 (unsigned long long)oa_wire_seed(p.reqs[i].seed));
		cr_assert(strstr(p.got[i].content, want), "%s", p.got[i].content);
		cr_assert(p.got[i].reasoning && strstr(p.got[i].reasoning, "Let me think"));
		cr_assert_eq(p.got[i].finish[0], 's');
		cr_assert_gt(p.got[i].completion_tokens, 0);
		cr_assert_gt(p.got[i].reasoning_tokens, 0);
		cr_assert_gt(p.got[i].prompt_tokens, 0);
		cr_assert_eq(p.got[i].attempts, 1);
		cr_assert_str_eq(p.got[i].endpoint, f.url);
		cr_assert_lt(p.got[i].ttft_ms, 0);
		cr_assert_geq(p.got[i].latency_ms, 0);
	}
	cr_assert_eq(fake_requests(&f), 3);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

static void reasoning_style(const char *style, int stream)
{
	struct fake f;
	fake_start(&f, ARGS("--reasoning", style, "--usage", "basic"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.stream = stream;
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	assert_all_ok(&p);
	for (size_t i = 0; i < p.n; i++) {
		const struct got *g = &p.got[i];
		if (!strcmp(style, "reasoning") || !strcmp(style, "reasoning_content")) {
			cr_assert(g->reasoning && strstr(g->reasoning, "Let me think about sample"),
				  "%s: reasoning %s", style, g->reasoning);
			cr_assert(!strstr(g->content, "think"));
		} else if (!strcmp(style, "think")) {
			cr_assert_null(g->reasoning);
			cr_assert(!strncmp(g->content, "<think>Let me think", 19), "%s", g->content);
		} else if (!strcmp(style, "close")) {
			cr_assert(strstr(g->content, "</think>Sample") && !strstr(g->content, "<think>"));
		}
		cr_assert_eq(g->reasoning_tokens, -1); /* basic usage has no details */
		cr_assert_gt(g->completion_tokens, 0);
		if (stream)
			cr_assert_geq(g->ttft_ms, 0);
	}
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai, reasoning_field_newer_vllm) { reasoning_style("reasoning", 0); }
Test(openai, think_tags_in_content) { reasoning_style("think", 0); }
Test(openai, closing_tag_only) { reasoning_style("close", 0); }
Test(openai, stream_reasoning_content) { reasoning_style("reasoning_content", 1); }
Test(openai, stream_reasoning_field) { reasoning_style("reasoning", 1); }
Test(openai, stream_think_tags) { reasoning_style("think", 1); }

Test(openai, no_usage_means_unknown_tokens)
{
	struct fake f;
	fake_start(&f, ARGS("--usage", "none"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	struct plan p;
	plan_make(&p, 1, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cr_assert_eq(p.got[0].completion_tokens, -1);
	cr_assert_eq(p.got[0].prompt_tokens, -1);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai, sampling_parameters_and_extra_body_are_sent)
{
	struct fake f;
	fake_start(&f, ARGS("--n", "honour"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.extra_body = xstrdup("{\"top_k\": 5, \"chat_template_kwargs\": {\"thinking\": true}}");
	struct plan p;
	plan_make(&p, 1, 1, "chat");
	p.s.temperature = 0.6;
	p.s.top_p = 0.95;
	p.s.top_k = 20;
	p.s.min_p = 0.05;
	p.s.presence_penalty = 0.5;
	p.s.frequency_penalty = 0.25;
	p.s.max_tokens = 32768;
	p.s.stop = xcalloc(2, sizeof(char *));
	p.s.stop[0] = xstrdup("</answer>");
	p.s.nstop = 1;
	p.s.reasoning_effort = xstrdup("high");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cJSON *log = fake_log(&f);
	const cJSON *b = body_of(entry(log, 0));
	cr_assert_str_eq(json_str(b, "model"), "fake-model");
	cr_assert_float_eq(json_num(b, "temperature", -1), 0.6, 1e-9);
	cr_assert_float_eq(json_num(b, "top_p", -1), 0.95, 1e-9);
	cr_assert_float_eq(json_num(b, "top_k", -1), 5, 1e-9, "extra-body overrides");
	cr_assert_float_eq(json_num(b, "min_p", -1), 0.05, 1e-9);
	cr_assert_float_eq(json_num(b, "presence_penalty", -1), 0.5, 1e-9);
	cr_assert_float_eq(json_num(b, "frequency_penalty", -1), 0.25, 1e-9);
	cr_assert_float_eq(json_num(b, "max_tokens", -1), 32768, 1e-9);
	cr_assert_float_eq(json_num(b, "seed", -1), (double)oa_wire_seed(p.reqs[0].seed), 1e-9);
	cr_assert_str_eq(json_str(b, "reasoning_effort"), "high");
	cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "stop"), 0)->valuestring,
			 "</answer>");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "chat_template_kwargs"),
						   "thinking")));
	cr_assert_null(cJSON_GetObjectItem(b, "n"), "n=1 is not sent");
	cr_assert_null(cJSON_GetObjectItem(b, "stream"));
	cJSON_Delete(log);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai, unset_sampling_is_left_to_the_server)
{
	struct fake f;
	fake_start(&f, ARGS("--n", "honour"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	struct plan p;
	plan_make(&p, 1, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cJSON *log = fake_log(&f);
	const cJSON *b = body_of(entry(log, 0));
	static const char *const absent[] = {"temperature", "top_p", "top_k", "min_p",
					     "max_tokens", "stop", "reasoning_effort",
					     "presence_penalty"};
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++)
		cr_assert_null(cJSON_GetObjectItem(b, absent[i]), "%s was sent", absent[i]);
	cJSON_Delete(log);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai, completions_api_for_base_models)
{
	struct fake f;
	fake_start(&f, ARGS("--reasoning", "none"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	struct plan p;
	plan_make(&p, 2, 1, "completions");
	for (int stream = 0; stream < 2; stream++) {
		cfg.stream = stream;
		memset(p.got, 0, p.n * sizeof(*p.got));
		cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
		assert_all_ok(&p);
	}
	cJSON *log = fake_log(&f);
	cr_assert_eq(cJSON_GetArraySize(log), 4);
	const cJSON *e;
	cJSON_ArrayForEach(e, log)
	{
		cr_assert_str_eq(json_str(e, "path"), "/v1/completions");
		cr_assert(json_str(body_of(e), "prompt"));
		cr_assert_null(cJSON_GetObjectItem(body_of(e), "messages"));
	}
	cJSON_Delete(log);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai, truncated_output_reports_length)
{
	struct fake f;
	fake_start(&f, ARGS("--reasoning", "none"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	struct plan p;
	plan_make(&p, 1, 1, "chat");
	p.s.max_tokens = 2;
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cr_assert_str_eq(p.got[0].finish, "length");
	cr_assert_null(p.got[0].error_kind);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

/* ---- Server-side n and its fallbacks ---- */

static void check_n(const char *mode, int problems, int n, int stream)
{
	struct fake f;
	fake_start(&f, ARGS("--n", mode));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.stream = stream;
	cfg.concurrency = 4;
	struct plan p;
	plan_make(&p, problems, n, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	assert_all_ok(&p);
	/* Exactly n samples per problem, each a distinct choice. */
	for (int i = 0; i < problems; i++)
		for (int a = 0; a < n; a++)
			for (int b = a + 1; b < n; b++)
				cr_assert_str_neq(p.got[i * n + a].content, p.got[i * n + b].content,
						  "%s: problem %d samples %d and %d are one choice",
						  mode, i, a, b);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai, n_honoured_in_one_request)
{
	check_n("honour", 3, 4, 0);
	struct fake f;
	fake_start(&f, ARGS("--n", "honour"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	struct plan p;
	plan_make(&p, 2, 5, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cJSON *log = fake_log(&f);
	cr_assert_eq(cJSON_GetArraySize(log), 2, "one request per problem");
	for (int i = 0; i < 2; i++) {
		const cJSON *b = body_of(entry(log, i));
		cr_assert_float_eq(json_num(b, "n", 0), 5, 1e-9);
	}
	/* Sent with the first sample's seed, each choice is the sample its own seed makes. */
	for (int i = 0; i < 2; i++)
		cr_assert_eq((uint64_t)json_num(body_of(entry(log, i)), "seed", -1),
			     oa_wire_seed(p.reqs[(size_t)i * 5].seed));
	for (size_t i = 0; i < p.n; i++) {
		char want[64];
		snprintf(want, sizeof(want), "Sample s=%llu.",
			 (unsigned long long)oa_wire_seed(p.reqs[i].seed));
		cr_assert(strstr(p.got[i].content, want), "sample %zu: %s", i, p.got[i].content);
	}
	cJSON_Delete(log);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai, n_groups_only_samples_whose_seeds_follow_one_another)
{
	struct fake f;
	fake_start(&f, ARGS("--n", "honour"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.concurrency = 1;
	struct plan p;
	plan_make(&p, 1, 5, "chat");
	p.reqs[2].seed += 100; /* 0 1 | 2 | 3 4 */
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	assert_all_ok(&p);
	cJSON *log = fake_log(&f);
	cr_assert_eq(cJSON_GetArraySize(log), 3);
	const int n[] = {2, 1, 2}, first[] = {0, 2, 3};
	for (int i = 0; i < 3; i++) {
		const cJSON *b = body_of(entry(log, i));
		cr_assert_eq((int)json_num(b, "n", 1), n[i], "request %d", i);
		cr_assert_eq((uint64_t)json_num(b, "seed", -1), oa_wire_seed(p.reqs[first[i]].seed));
	}
	for (size_t i = 0; i < p.n; i++) {
		char want[64];
		snprintf(want, sizeof(want), "Sample s=%llu.",
			 (unsigned long long)oa_wire_seed(p.reqs[i].seed));
		cr_assert(strstr(p.got[i].content, want), "sample %zu: %s", i, p.got[i].content);
	}
	cJSON_Delete(log);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai, n_ignored_falls_back_to_single_requests) { check_n("ignore", 3, 4, 0); }
Test(openai, n_rejected_like_llama_cpp) { check_n("reject", 3, 4, 0); }
Test(openai, n_capped_by_the_server) { check_n("cap:3", 2, 8, 0); }
Test(openai, n_ignored_while_streaming) { check_n("ignore", 2, 3, 1); }

Test(openai, n_rejected_sends_each_sample_its_own_seed)
{
	struct fake f;
	fake_start(&f, ARGS("--n", "reject"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.concurrency = 1;
	struct plan p;
	plan_make(&p, 2, 3, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	assert_all_ok(&p);
	cJSON *log = fake_log(&f);
	/* After the first rejection every request is single, with a distinct seed. */
	int singles = 0;
	double seeds[16];
	const cJSON *e;
	cJSON_ArrayForEach(e, log)
	{
		const cJSON *b = body_of(e);
		if (json_num(b, "n", 1) > 1)
			continue;
		cr_assert_lt(singles, 16);
		seeds[singles] = json_num(b, "seed", -1);
		for (int k = 0; k < singles; k++)
			cr_assert(seeds[k] != seeds[singles], "seed sent twice");
		singles++;
	}
	cr_assert_eq(singles, 6);
	cr_assert_eq(cJSON_GetArraySize(log), 7, "one rejected n request, then six singles");
	cJSON_Delete(log);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}
