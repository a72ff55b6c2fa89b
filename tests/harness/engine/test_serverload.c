#include <criterion/criterion.h>
#include <string.h>

#include "harness/engine/serverload.h"

static int parse(enum serverload_page p, const char *body, struct server_load *l)
{
	return serverload_parse(p, body, strlen(body), l);
}

Test(serverload, vllm_metrics_running_and_waiting_summed_over_models)
{
	struct server_load l;
	cr_assert_eq(parse(SL_METRICS,
			   "# HELP vllm:num_requests_running Number of requests.\n"
			   "# TYPE vllm:num_requests_running gauge\n"
			   "vllm:num_requests_running{model_name=\"a\"} 60.0\n"
			   "vllm:num_requests_running{model_name=\"b\"} 4.0\n"
			   "vllm:num_requests_waiting{model_name=\"a\"} 7.0\n"
			   "vllm:num_requests_waiting_by_reason{reason=\"x\"} 99.0\n"
			   "vllm:gpu_cache_usage_perc{model_name=\"a\"} 0.5\n",
			   &l),
		     0);
	cr_assert_eq(l.running, 64);
	cr_assert_eq(l.waiting, 7, "a longer name with the same prefix is another metric");
	cr_assert_eq(l.slots, 0);
}

Test(serverload, sglang_metrics)
{
	struct server_load l;
	cr_assert_eq(parse(SL_METRICS, "sglang:num_running_reqs{name=\"m\"} 12\nsglang:num_queue_reqs 3 1700000000\n", &l), 0);
	cr_assert_eq(l.running, 12);
	cr_assert_eq(l.waiting, 3, "a timestamp after the value is allowed");
}

Test(serverload, metrics_without_the_gauges_say_nothing)
{
	struct server_load l;
	cr_assert_eq(parse(SL_METRICS, "process_cpu_seconds_total 12\n", &l), -1);
	cr_assert_eq(parse(SL_METRICS, "vllm:num_requests_running{model_name=\"a\" 3\n", &l), -1,
		     "an unclosed label set");
	cr_assert_eq(parse(SL_METRICS, "vllm:num_requests_running NaN\n", &l), -1);
}

Test(serverload, llama_cpp_slots_and_props)
{
	struct server_load l;
	cr_assert_eq(parse(SL_SLOTS, "[{\"id\":0,\"is_processing\":true},{\"id\":1,\"is_processing\":false},"
				     "{\"id\":2,\"is_processing\":true}]", &l), 0);
	cr_assert_eq(l.slots, 3);
	cr_assert_eq(l.running, 2);
	cr_assert_eq(l.waiting, -1);
	cr_assert_eq(parse(SL_PROPS, "{\"total_slots\":4,\"model_path\":\"m.gguf\"}", &l), 0);
	cr_assert_eq(l.slots, 4);
	cr_assert_eq(parse(SL_SLOTS, "[]", &l), -1);
	cr_assert_eq(parse(SL_SLOTS, "{\"error\":\"slots disabled\"}", &l), -1);
}

Test(serverload, sglang_server_info)
{
	struct server_load l;
	cr_assert_eq(parse(SL_SGLANG_INFO, "{\"max_running_requests\":256,\"tp_size\":1}", &l), 0);
	cr_assert_eq(l.slots, 256);
	cr_assert_eq(parse(SL_SGLANG_INFO, "{\"max_running_requests\":0}", &l), -1);
	cr_assert_eq(parse(SL_SGLANG_INFO, "not json", &l), -1);
}
