#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake.h"
#include "harness/base/json.h"
#include "harness/engine/openai_body.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const cJSON *body_of(const cJSON *e)
{
	return cJSON_GetObjectItemCaseSensitive(e, "body");
}

/* The log entries whose request carried this seed, in order. */
static int entries_for_seed(const cJSON *log, double seed, const cJSON **out, int max)
{
	int k = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, log)
	{
		if (json_num(body_of(e), "seed", -1) == seed && k < max)
			out[k++] = e;
	}
	return k;
}

/* One request that hits `fault` first; the retry must come at least min_gap_ms later. */
static void check_wait(const char *fault, double min_gap_ms)
{
	struct fake f;
	fake_start(&f, ARGS("--fault", fault));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.concurrency = 1;
	struct plan p;
	plan_make(&p, 1, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cr_assert_null(p.got[0].error_kind);
	cr_assert_eq(p.got[0].attempts, 2);
	cJSON *log = fake_log(&f);
	cr_assert_eq(cJSON_GetArraySize(log), 2);
	const cJSON *a = cJSON_GetArrayItem(log, 0), *b = cJSON_GetArrayItem(log, 1);
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(a, "fault")));
	double gap = json_num(b, "t_ms", 0) - json_num(a, "t_ms", 0);
	cr_assert_geq(gap, min_gap_ms, "%s: retried after %.0f ms", fault, gap);
	cr_assert_eq(json_num(body_of(a), "seed", -1), json_num(body_of(b), "seed", -2),
		     "the retry is the same sample");
	cJSON_Delete(log);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

/* Generous margins: a 2 s Retry-After must not be retried within 1.5 s. */
Test(openai_faults, retry_after_seconds_is_honoured) { check_wait("1:429:2", 1500); }
Test(openai_faults, retry_after_http_date_is_honoured) { check_wait("1:429date:1", 900); }
Test(openai_faults, ratelimit_reset_header_is_honoured) { check_wait("1:429reset:1500ms", 1100); }

static void check_recovers(const char *fault, const char *const *extra, int stream)
{
	const char *args[8] = {"--fault", fault};
	for (int i = 0; extra && extra[i]; i++)
		args[2 + i] = extra[i];
	struct fake f;
	fake_start(&f, args);
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.concurrency = 1;
	cfg.stream = stream;
	cfg.timeout_s = 1;
	struct plan p;
	plan_make(&p, 1, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cr_assert_eq(p.got[0].calls, 1);
	cr_assert_null(p.got[0].error_kind, "%s: %s", fault, p.got[0].error_message);
	cr_assert_eq(p.got[0].attempts, 2, "%s", fault);
	cr_assert(strstr(p.got[0].content, "\\boxed{42}"), "%s accepted '%s'", fault,
		  p.got[0].content);
	cr_assert_eq(fake_requests(&f), 2);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai_faults, server_errors_are_retried)
{
	check_recovers("1:500", NULL, 0);
	check_recovers("1:503", NULL, 0);
}
Test(openai_faults, dropped_connection_is_retried) { check_recovers("1:drop", NULL, 0); }
Test(openai_faults, malformed_body_is_retried) { check_recovers("1:malformed", NULL, 0); }
Test(openai_faults, truncated_body_is_retried) { check_recovers("1:truncate", NULL, 0); }
Test(openai_faults, empty_choices_are_retried) { check_recovers("1:empty", NULL, 0); }
Test(openai_faults, hang_times_out_and_is_retried) { check_recovers("1:hang", NULL, 0); }
Test(openai_faults, stream_cut_midway_is_retried) { check_recovers("1:cut", NULL, 1); }
Test(openai_faults, stream_ending_early_is_never_an_answer)
{
	check_recovers("1:nodone", NULL, 1);
}

Test(openai_faults, context_length_is_recorded_not_retried)
{
	struct fake f;
	fake_start(&f, ARGS("--fault", "2:400ctx"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.concurrency = 1;
	struct plan p;
	plan_make(&p, 3, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cr_assert_null(p.got[0].error_kind);
	cr_assert_str_eq(p.got[1].error_kind, "context_length");
	cr_assert(strstr(p.got[1].error_message, "maximum context length"));
	cr_assert_eq(p.got[1].attempts, 1);
	cr_assert_null(p.got[2].error_kind);
	cr_assert_eq(fake_requests(&f), 3);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

/* A stream that never ends stops at the text cap: the sample fails as too_big,
 * once, and the run goes on. */
Test(openai_faults, endless_stream_is_too_big_not_retried, .timeout = 120)
{
	struct fake f;
	fake_start(&f, ARGS("--fault", "1:flood"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.concurrency = 1;
	cfg.stream = 1;
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cr_assert_str_eq(p.got[0].error_kind, "too_big");
	cr_assert_str_eq(p.got[0].error_message, "the response's text is over 64 MiB");
	cr_assert_eq(p.got[0].attempts, 1);
	cr_assert_null(p.got[1].error_kind);
	cr_assert_eq(fake_requests(&f), 2);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai_faults, attempts_are_limited_per_sample)
{
	struct fake f;
	fake_start(&f, ARGS("--fault", "1-100:500"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.max_attempts = 3;
	struct plan p;
	plan_make(&p, 1, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cr_assert_eq(p.got[0].calls, 1);
	cr_assert_str_eq(p.got[0].error_kind, "http_500");
	cr_assert_eq(p.got[0].attempts, 3);
	cr_assert_eq(fake_requests(&f), 3);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

static void check_fatal(const char *const *fake_args, const char *model)
{
	struct fake f;
	fake_start(&f, fake_args);
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	free(cfg.model);
	cfg.model = xstrdup(model);
	cfg.concurrency = 2;
	struct plan p;
	plan_make(&p, 50, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_EINFRA);
	/* Stopped at once: no sample journaled as failed, and the dataset not burned. */
	for (size_t i = 0; i < p.n; i++)
		cr_assert_eq(p.got[i].calls, 0);
	cr_assert_leq(fake_requests(&f), 2);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai_faults, unknown_model_stops_the_run)
{
	cr_redirect_stderr();
	check_fatal(ARGS("--model", "served-model"), "fake-model");
}

Test(openai_faults, bad_key_stops_the_run)
{
	cr_redirect_stderr();
	check_fatal(ARGS("--api-key", "sk-right"), "fake-model");
}

Test(openai_faults, forbidden_stops_the_run)
{
	cr_redirect_stderr();
	check_fatal(ARGS("--fault", "1-2:403"), "fake-model");
}

Test(openai_faults, fatal_message_names_url_and_model)
{
	struct fake f;
	fake_start(&f, ARGS("--model", "served-model"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_redirect_stderr();
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_EINFRA);
	fflush(stderr);
	char buf[1024] = "";
	FILE *err = cr_get_redirected_stderr();
	size_t n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	cr_assert(strstr(buf, f.url) && strstr(buf, "fake-model") && strstr(buf, "404"), "%s",
		  buf);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai_faults, unreachable_server_stops_the_run)
{
	struct config cfg;
	test_config(&cfg, ARGS("http://127.0.0.1:1/v1"));
	cfg.max_attempts = 2;
	struct plan p;
	plan_make(&p, 3, 1, "chat");
	cr_redirect_stderr();
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_EINFRA);
	plan_release(&p);
	config_release(&cfg);
}

Test(openai_faults, api_key_is_sent_as_bearer)
{
	struct fake f;
	fake_start(&f, ARGS("--api-key", "sk-test-123"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.api_key = xstrdup("sk-test-123");
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	cr_assert_null(p.got[0].error_kind);
	char *text;
	cr_assert(!read_file(f.log, 1 << 20, &text, NULL));
	cr_assert(!strstr(text, "sk-test-123"));
	free(text);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

/* ---- Many endpoints ---- */

Test(openai_faults, dead_endpoint_fails_over_without_losing_samples)
{
	struct fake f;
	fake_start(&f, ARGS("--n", "honour"));
	struct config cfg;
	test_config(&cfg, ARGS("http://127.0.0.1:1/v1", f.url));
	struct plan p;
	plan_make(&p, 30, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		cr_assert_eq(p.got[i].calls, 1);
		cr_assert_null(p.got[i].error_kind, "%zu: %s", i, p.got[i].error_message);
		cr_assert_str_eq(p.got[i].endpoint, f.url);
	}
	cr_assert_eq(fake_requests(&f), 30, "each sample answered once");
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai_faults, load_is_spread_over_endpoints)
{
	struct fake a, b;
	fake_start(&a, ARGS("--delay", "20"));
	fake_start(&b, ARGS("--delay", "20"));
	struct config cfg;
	test_config(&cfg, ARGS(a.url, b.url));
	struct plan p;
	plan_make(&p, 40, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	int na = fake_requests(&a), nb = fake_requests(&b);
	cr_assert_eq(na + nb, 40);
	cr_assert(na >= 10 && nb >= 10, "a got %d, b got %d", na, nb);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&a);
	fake_stop(&b);
}

Test(openai_faults, failing_endpoint_is_taken_out_and_samples_complete)
{
	struct fake bad, good;
	fake_start(&bad, ARGS("--fault", "1-100000:503"));
	fake_start(&good, ARGS("--n", "honour"));
	struct config cfg;
	test_config(&cfg, ARGS(bad.url, good.url));
	cfg.concurrency = 4;
	struct plan p;
	plan_make(&p, 60, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		cr_assert_eq(p.got[i].calls, 1);
		cr_assert_null(p.got[i].error_kind);
	}
	cr_assert_eq(fake_requests(&good), 60);
	cr_assert_lt(fake_requests(&bad), 30, "the failing endpoint was not taken out");
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&bad);
	fake_stop(&good);
}

/* ---- A third of requests failing in mixed ways ---- */

static void mixed(int stream)
{
	struct fake f;
	fake_start(&f, ARGS("--seed", "7", "--fault-rate", "0.05:500", "--fault-rate", "0.05:503",
			    "--fault-rate", "0.04:429:0", "--fault-rate", "0.04:drop",
			    "--fault-rate", "0.04:malformed", "--fault-rate", "0.04:truncate",
			    "--fault-rate", "0.04:cut", "--fault-rate", "0.03:empty",
			    "--fault-rate", "0.03:slow:50", "--n", "ignore"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.max_attempts = 12;
	cfg.stream = stream;
	cfg.concurrency = 8;
	struct plan p;
	plan_make(&p, 40, 2, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		const struct got *g = &p.got[i];
		cr_assert_eq(g->calls, 1, "sample %zu delivered %d times", i, g->calls);
		cr_assert_null(g->error_kind, "%zu: %s", i, g->error_message);
		/* The answer is this sample's own (its seed), never a neighbour's or a fragment. */
		char want[64];
		snprintf(want, sizeof(want), "Sample s=%llu. The answer is \\boxed{42}.",
			 (unsigned long long)oa_wire_seed(p.reqs[i].seed));
		cr_assert_str_eq(g->content, want);
	}
	cJSON *log = fake_log(&f);
	int faults = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, log)
		faults += cJSON_IsString(cJSON_GetObjectItem(e, "fault"));
	cr_assert_gt(faults, 15, "the script should have failed many requests, not %d", faults);
	/* Every sample's seed reached the server, and singles never share one. */
	for (size_t i = 1; i < p.n; i++) {
		const cJSON *hits[64];
		int k = entries_for_seed(log, (double)oa_wire_seed(p.reqs[i].seed), hits, 64);
		cr_assert_geq(k, 1);
	}
	cJSON_Delete(log);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

Test(openai_faults, mixed_failures_every_sample_once, .timeout = 60) { mixed(0); }
Test(openai_faults, mixed_failures_streaming, .timeout = 60) { mixed(1); }

Test(openai_faults, rate_limit_storm_lowers_concurrency_without_collapse)
{
	struct fake f;
	fake_start(&f, ARGS("--fault", "1-24:429:0", "--delay", "30"));
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.concurrency = 16;
	cfg.max_attempts = 2; /* a 429 spends no attempt: 24 of them lose no sample */
	struct plan p;
	plan_make(&p, 120, 1, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++)
		cr_assert_null(p.got[i].error_kind);
	cJSON *log = fake_log(&f);
	/* Right after the storm, fewer requests are in flight than before it... */
	int n = cJSON_GetArraySize(log);
	double after = 0;
	for (int i = 24; i < 34 && i < n; i++)
		after = fmax(after, json_num(cJSON_GetArrayItem(log, i), "inflight", 0));
	cr_assert_lt(after, 16, "in flight after the storm: %.0f", after);
	cr_assert_geq(after, 12, "just below where the 429s began, not halved: %.0f", after);
	/* ...and by the end it is back up. */
	double late = 0;
	for (int i = n - 30; i < n; i++)
		late = fmax(late, json_num(cJSON_GetArrayItem(log, i), "inflight", 0));
	cr_assert_gt(late, after, "concurrency never rose again (%.0f)", late);
	cJSON_Delete(log);
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}
