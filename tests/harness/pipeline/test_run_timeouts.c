/*
 * Long reasoning never times out into a better score: limits that follow
 * what the server does (a queue before the first byte, silence between
 * bytes) instead of a wall; a stalled choice among n costs only itself; a
 * sample that still never finishes is counted wrong (as R1 counts it) and
 * shown, per task, in results.json, the report and the gate.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "tests/support/fake.h"
#include "tests/support/support.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Answers for the toy task's prompts, so every finished sample grades correct. */
static char *write_answers(const char *dir)
{
	char *src = support_path("tests/data/toy/toy/problems.jsonl"), *text;
	cr_assert(!read_file(src, 1 << 20, &text, NULL));
	struct strbuf sb = STRBUF_INIT;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(line);
		strbuf_adds(&sb, "{\"prompt\":");
		char *prompt = xasprintf("Q: %s\nA:", json_str(o, "q"));
		json_quote(&sb, prompt);
		strbuf_adds(&sb, ",\"content\":");
		json_quote(&sb, json_str(o, "a"));
		strbuf_adds(&sb, "}\n");
		free(prompt);
		cJSON_Delete(o);
	}
	char *path = path_join(dir, "answers.jsonl");
	cr_assert(!support_write(path, sb.buf));
	strbuf_release(&sb);
	free(text);
	free(src);
	return path;
}

static struct proc_result run(const char *url, const char *out, const char *n, const char *limit,
			      const char *const *extra)
{
	char *data = support_path("tests/data/toy");
	const char *args[48] = {"run",	 "--task", "toy",  "--data-dir", data,	  "--base-url",
				url,	 "--model", "fake-model", "--out", out,     "--n",
				n,	 "--limit", limit,	  "--no-progress"};
	size_t k = 16;
	for (size_t i = 0; extra && extra[i]; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	free(data);
	return r;
}

static cJSON *results(const char *out)
{
	char *p = path_join(out, "results.json");
	cJSON *doc = support_json_file(p);
	cr_assert(doc, "no %s", p);
	free(p);
	return doc;
}

static double count(const cJSON *res, const char *name)
{
	const cJSON *t = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "tasks"), "toy");
	return json_num(cJSON_GetObjectItem(t, "counts"), name, -1);
}

Test(run_timeouts, a_generation_longer_than_every_limit_but_alive_completes, .timeout = 120)
{
	char *dir = support_tmpdir("longgen");
	char *answers = write_answers(dir);
	struct fake f;
	/* 1.5 s in the queue, then 60 words at 40 ms: 2.4 s of generation, 3.9 s in all. */
	fake_start(&f, ARGS("--answers", answers, "--fault-rate", "1:gen:40:1500:60"));
	char *out = path_join(dir, "run");
	struct proc_result r = run(f.url, out, "1", "2",
				   ARGS("--stream", "--first-byte-timeout", "2", "--idle-timeout", "1",
					"--max-attempts", "1"));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cJSON *res = results(out);
	cr_assert_eq(count(res, "graded"), 2);
	cr_assert_eq(count(res, "unfinished"), 0);
	cr_assert_eq(count(res, "infra_error"), 0);
	cJSON_Delete(res);
	cr_assert_eq(fake_requests(&f), 2, "no attempt was cut and redone");
	char *jp = path_join(out, "samples.jsonl"), *text;
	cr_assert(!read_file(jp, 1 << 20, &text, NULL));
	cr_assert(strstr(text, "step step") && strstr(text, "\"finish_reason\":\"stop\""),
		  "the whole generation arrived: %s", text);
	free(text);
	free(jp);
	fake_stop(&f);
	free(out);
	free(answers);
	free(dir);
}

Test(run_timeouts, zero_is_refused_for_every_limit)
{
	const char *flags[] = {"--timeout", "--connect-timeout", "--first-byte-timeout",
			       "--idle-timeout"};
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		struct proc_result r = run("http://127.0.0.1:9/v1", "/nonexistent/never", "1", "1",
					   ARGS(flags[i], "0"));
		cr_assert_eq(r.status, 2, "%s 0: %s", flags[i], r.err.buf);
		cr_assert(strstr(r.err.buf, flags[i]), "%s", r.err.buf);
		proc_result_release(&r);
	}
}

Test(run_timeouts, a_stalled_stream_is_cut_by_the_idle_limit_and_counts_wrong_everywhere,
     .timeout = 120)
{
	char *dir = support_tmpdir("stall");
	char *answers = write_answers(dir);
	struct fake clean, stall;
	fake_start(&clean, ARGS("--answers", answers));
	fake_start(&stall, ARGS("--answers", answers, "--fault-rate", "1:stall:3"));
	char *base = path_join(dir, "base"), *cand = path_join(dir, "cand"),
	     *excl = path_join(dir, "excl");
	const char *const limits[] = {"--stream", "--idle-timeout", "1", "--max-attempts", "2", NULL};
	struct proc_result r = run(clean.url, base, "1", "3", limits);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	r = run(stall.url, cand, "1", "3", limits);
	cr_assert_eq(r.status, 0, "unfinished samples are graded (wrong), not failed: %s", r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(fake_requests(&stall), 6, "each sample tried twice, each cut by the idle limit");
	cJSON *res = results(cand);
	cr_assert_eq(count(res, "unfinished"), 3);
	cr_assert_eq(count(res, "infra_error"), 0);
	cr_assert_float_eq(support_metric(res, "toy", "avg@1"), 0.0, 1e-12);
	cJSON_Delete(res);

	/* Asked to, they are left out instead, and shown as timeouts. */
	r = run(stall.url, excl, "1", "3",
		ARGS("--stream", "--idle-timeout", "1", "--max-attempts", "1", "--exclude-unfinished"));
	cr_assert_eq(r.status, 3, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "timeout") && strstr(r.err.buf, "idle limit"), "%s", r.err.buf);
	proc_result_release(&r);
	res = results(excl);
	cr_assert_eq(count(res, "unfinished"), 0);
	cr_assert_eq(count(res, "infra_error"), 3);
	cJSON_Delete(res);

	/* The report says how many, and the gate treats more of them as a change. */
	support_reval(&r, ARGS("report", cand));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.out.buf, "3 unfinished generations"), "%s", r.out.buf);
	proc_result_release(&r);
	char *html = path_join(dir, "report.html"), *page = NULL;
	support_reval(&r, ARGS("report", cand, "--html", html));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert(!read_file(html, 1 << 26, &page, NULL));
	cr_assert(strstr(page, "<small class=\"unf\"> 3 unfinished</small>"),
		  "the leaderboard shows the count next to the score");
	cr_assert(strstr(page, "3 unfinished generations (timed out), counted wrong"),
		  "and says what it means");
	cr_assert(strstr(page, "<th data-sort=\"num\">unfinished %</th>"),
		  "the outcomes table has a column for them");
	free(page);
	free(html);
	support_reval(&r, ARGS("gate", "--baseline", base, "--candidate", cand, "--max-drop", "100"));
	cr_assert_eq(r.status, 1, "%s%s", r.out.buf, r.err.buf);
	cr_assert(strstr(r.out.buf, "unfinished generations rose from 0 to 3"), "%s", r.out.buf);
	proc_result_release(&r);
	fake_stop(&clean);
	fake_stop(&stall);
	free(base);
	free(cand);
	free(excl);
	free(answers);
	free(dir);
}

/* Sample index and content of each journal line, by sample. */
static void journal_by_sample(const char *out, int n, char **content, long *seed)
{
	char *p = path_join(out, "samples.jsonl"), *text;
	cr_assert(!read_file(p, 1 << 24, &text, NULL));
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(l);
		int s = (int)json_num(o, "sample", -1);
		cr_assert(s >= 0 && s < n && !content[s], "sample %d twice or out of range", s);
		content[s] = xstrdup(json_str(o, "content") ? json_str(o, "content") : "");
		seed[s] = (long)json_num(o, "seed", -1);
		cr_assert(!cJSON_IsObject(cJSON_GetObjectItem(o, "error")), "%s", l);
		cJSON_Delete(o);
	}
	free(text);
	free(p);
}

Test(run_timeouts, n8_with_one_stalled_choice_keeps_the_seven_that_finished, .timeout = 120)
{
	char *dir = support_tmpdir("stall1of8");
	struct fake f;
	fake_start(&f, ARGS("--n", "honour", "--fault", "1:stall:3:5"));
	char *out = path_join(dir, "run");
	struct proc_result r =
		run(f.url, out, "8", "1",
		    ARGS("--stream", "--no-split-n", "--idle-timeout", "1", "--max-attempts", "3"));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(fake_requests(&f), 2, "one request for 8, one for the stalled choice alone");
	cJSON *log = fake_log(&f);
	const cJSON *second = cJSON_GetObjectItem(cJSON_GetArrayItem(log, 1), "body");
	cr_assert_eq((int)json_num(second, "n", 1), 1, "only the stalled sample is asked again");
	char *content[8] = {0};
	long seed[8];
	journal_by_sample(out, 8, content, seed);
	cr_assert_eq((long)json_num(second, "seed", -1), seed[5], "with its own seed");
	cJSON_Delete(log);
	for (int s = 0; s < 8; s++) {
		cr_assert(content[s], "sample %d missing", s);
		cr_assert_eq(seed[s], seed[0] + s, "a problem's seeds are consecutive");
		/* Choice i of the first request is seed + i, as is the sample retried alone. */
		char want[64];
		snprintf(want, sizeof(want), "Sample s=%ld.", seed[s]);
		cr_assert(strstr(content[s], want), "sample %d: %s", s, content[s]);
		free(content[s]);
	}
	fake_stop(&f);
	free(out);
	free(dir);
}

Test(run_timeouts, under_preset_r1_a_never_finishing_sample_scores_as_wrong, .timeout = 120)
{
	char *dir = support_tmpdir("r1unfinished");
	char *answers = write_answers(dir);
	struct fake f;
	fake_start(&f, ARGS("--answers", answers, "--n", "honour", "--fault", "1:stall:2:2"));
	char *out = path_join(dir, "run");
	struct proc_result r = run(f.url, out, "4", "1",
				   ARGS("--preset", "r1", "--no-split-n", "--idle-timeout", "1",
					"--max-attempts", "1"));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "preset r1: streaming, no limit on a whole attempt"), "%s",
		  r.err.buf);
	proc_result_release(&r);
	cJSON *res = results(out);
	cr_assert_eq(count(res, "unfinished"), 1);
	/* Counting it wrong gives 3/4; dropping it would give 3/3. */
	cr_assert_float_eq(support_metric(res, "toy", "avg@4"), 0.75, 1e-12);
	cJSON_Delete(res);
	fake_stop(&f);
	free(out);
	free(answers);
	free(dir);
}
