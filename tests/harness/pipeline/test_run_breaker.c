/*
 * The circuit breaker: an endpoint that fails N attempts in a row, or
 * fails without a success for T seconds, is taken out for the rest of the
 * run; with none left the run stops at once with one line naming the
 * endpoint, its last error and how to resume, instead of crawling for hours.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "tests/support/fake.h"
#include "tests/support/support.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static struct proc_result run(const char *const *urls, const char *out, const char *const *extra)
{
	char *data = support_path("tests/data/toy");
	const char *args[48] = {"run", "--task", "toy", "--data-dir", data, "--model", "fake-model",
				"--out", out, "--n", "1", "--no-progress"};
	size_t k = 12;
	for (size_t i = 0; urls[i]; i++) {
		args[k++] = "--base-url";
		args[k++] = urls[i];
	}
	for (size_t i = 0; extra && extra[i]; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	free(data);
	return r;
}

static int lines_with(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

Test(run_breaker, an_always_failing_server_stops_the_run_after_n_failures, .timeout = 60)
{
	char *dir = support_tmpdir("brk500");
	struct fake f;
	fake_start(&f, ARGS("--fault-rate", "1:500"));
	char *out = path_join(dir, "run");
	struct proc_result r = run(ARGS(f.url), out,
				   ARGS("--breaker-failures", "5", "--concurrency", "1",
					"--max-attempts", "6"));
	cr_assert_eq(r.status, 1, "%s", r.err.buf);
	cr_assert_eq(lines_with(r.err.buf, "stopping:"), 1, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, f.url) && strstr(r.err.buf, "failed 5 attempts in a row") &&
			  strstr(r.err.buf, "http_500: The server had an error") &&
			  strstr(r.err.buf, "rerun the same command"),
		  "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(fake_requests(&f), 5, "nothing more was sent once it tripped");
	fake_stop(&f);
	free(out);
	free(dir);
}

Test(run_breaker, a_server_that_dies_mid_run_stops_the_run, .timeout = 60)
{
	char *dir = support_tmpdir("brkdie");
	struct fake f;
	fake_start(&f, ARGS("--die-after", "6"));
	char *out = path_join(dir, "run");
	struct proc_result r =
		run(ARGS(f.url), out, ARGS("--breaker-failures", "4", "--concurrency", "1"));
	cr_assert_eq(r.status, 1, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "stopping:") && strstr(r.err.buf, "connect"), "%s", r.err.buf);
	proc_result_release(&r);
	char *jp = path_join(out, "samples.jsonl");
	cr_assert_geq(support_count_lines(jp), 5, "what finished before it died is kept");
	free(jp);
	fake_stop(&f);
	free(out);
	free(dir);
}

Test(run_breaker, no_success_within_the_window_stops_the_run, .timeout = 60)
{
	char *dir = support_tmpdir("brkwin");
	struct fake f;
	fake_start(&f, ARGS("--fault-rate", "1:500"));
	char *out = path_join(dir, "run");
	struct proc_result r = run(ARGS(f.url), out,
				   ARGS("--breaker-failures", "100000", "--breaker-window", "1",
					"--max-attempts", "1000", "--concurrency", "2"));
	cr_assert_eq(r.status, 1, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "stopping:") && strstr(r.err.buf, "no success for"), "%s",
		  r.err.buf);
	proc_result_release(&r);
	fake_stop(&f);
	free(out);
	free(dir);
}

Test(run_breaker, with_two_endpoints_the_failing_one_is_taken_out_and_the_run_finishes,
     .timeout = 60)
{
	char *dir = support_tmpdir("brk2");
	struct fake good, bad;
	fake_start(&good, NULL);
	fake_start(&bad, ARGS("--fault-rate", "1:500"));
	char *out = path_join(dir, "run");
	struct proc_result r = run(ARGS(good.url, bad.url), out,
				   ARGS("--breaker-failures", "3", "--max-attempts", "8"));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "taking '") && strstr(r.err.buf, bad.url), "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert_leq(fake_requests(&bad), 3 + 16, "the bad endpoint got no work once out");
	char *jp = path_join(out, "samples.jsonl");
	cr_assert_eq(support_count_lines(jp), 12);
	free(jp);
	fake_stop(&good);
	fake_stop(&bad);
	free(out);
	free(dir);
}
