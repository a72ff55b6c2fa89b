/*
 * The pipeline end to end through the binary: a toy task replayed from a
 * recording, resume after interruptions and torn lines, sharding and
 * merging, regrading, and refusal to resume with other settings.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "tests/support/support.h"

#define TOY_PROBLEMS 12

static char *data_dir(void)
{
	return support_path("tests/data/toy");
}

/* The toy recording: sample s of problem i is right unless (i + s) % 3 == 0. */
static int toy_correct(int i, int s)
{
	return (i + s) % 3 != 0;
}

static char *write_replay(const char *dir, int n, int drop_every)
{
	char *path = path_join(dir, "replay.jsonl");
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < TOY_PROBLEMS; i++)
		for (int s = 0; s < n; s++) {
			if (drop_every && (i * n + s) % drop_every == 0)
				continue;
			strbuf_addf(&sb,
				    "{\"task\":\"toy\",\"problem\":\"p%02d\",\"sample\":%d,\"content\":"
				    "\"%d\",\"finish_reason\":\"stop\"}\n",
				    i, s, toy_correct(i, s) ? 2 * i : 2 * i + 1);
		}
	cr_assert_eq(support_write(path, sb.buf), 0);
	strbuf_release(&sb);
	return path;
}

/* Exact binomial for small arguments, as an independent check of pass@k. */
static double binom(int n, int k)
{
	if (k < 0 || k > n)
		return 0;
	double r = 1;
	for (int i = 1; i <= k; i++)
		r = r * (n - k + i) / i;
	return r;
}

static double expected_pass(int n, int k)
{
	double sum = 0;
	for (int i = 0; i < TOY_PROBLEMS; i++) {
		int c = 0;
		for (int s = 0; s < n; s++)
			c += toy_correct(i, s);
		sum += 1.0 - binom(n - c, k) / binom(n, k);
	}
	return sum / TOY_PROBLEMS;
}

static struct proc_result run_toy(const char *out, const char *replay, const char *extra1,
				  const char *extra2)
{
	char *data = data_dir();
	char *engine = xasprintf("replay:%s", replay);
	const char *args[] = {"run", "--task", "toy", "--data-dir", data, "--engine", engine,
			      "--out", out, extra1, extra2, NULL};
	struct proc_result r;
	support_reval(&r, args);
	free(engine);
	free(data);
	return r;
}

static cJSON *results_of(const char *dir)
{
	char *p = path_join(dir, "results.json");
	cJSON *doc = support_json_file(p);
	free(p);
	cr_assert_not_null(doc, "no results.json in %s", dir);
	return doc;
}

Test(pipeline, replayed_run_scores_match_independent_computation)
{
	char *dir = support_tmpdir("toy");
	char *replay = write_replay(dir, 4, 0);
	char *out = path_join(dir, "run");
	struct proc_result r = run_toy(out, replay, NULL, NULL);
	cr_assert_eq(r.status, 0, "reval failed: %s", r.err.buf);
	cJSON *res = results_of(out);
	cr_assert_float_eq(support_metric(res, "toy", "avg@4"), 32.0 / 48.0, 1e-12);
	for (int k = 1; k <= 4; k *= 2) {
		char name[16];
		snprintf(name, sizeof(name), "pass@%d", k);
		cr_assert_float_eq(support_metric(res, "toy", name), expected_pass(4, k), 1e-12,
				   "%s", name);
	}
	/* Two of four wrong answers tie with two right ones where i % 3 == 0: the earliest vote
	 * (sample 0, wrong) wins, so those 4 problems are lost and the other 8 won. */
	cr_assert_float_eq(support_metric(res, "toy", "cons@4"), 8.0 / 12.0, 1e-12);
	char *csv = path_join(out, "results.csv");
	cr_assert_eq(support_count_lines(csv), 6); /* header + 5 metrics */
	char *journal = path_join(out, "samples.jsonl");
	cr_assert_eq(support_count_lines(journal), 48);
	cJSON_Delete(res);
	proc_result_release(&r);
	free(csv);
	free(journal);
	free(out);
	free(replay);
	free(dir);
}

Test(pipeline, missing_recordings_are_infrastructure_errors_and_resume_fills_them)
{
	char *dir = support_tmpdir("gaps");
	char *partial = write_replay(dir, 4, 5);
	char *full_dir = path_join(dir, "full");
	mkdir_p(full_dir);
	char *full = write_replay(full_dir, 4, 0);
	char *out = path_join(dir, "run");
	struct proc_result r = run_toy(out, partial, NULL, NULL);
	cr_assert_eq(r.status, 3, "%s", r.err.buf);
	cJSON *res = results_of(out);
	const cJSON *counts = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "tasks"), "toy"),
		"counts");
	int gaps = (48 + 4) / 5; /* every fifth sample is missing */
	cr_assert_eq((int)json_num(counts, "infra_error", -1), gaps);
	cr_assert_eq((int)json_num(counts, "graded", -1), 48 - gaps);
	cJSON_Delete(res);
	proc_result_release(&r);

	/* The same run with the full recording retries exactly the failed samples. */
	char *engine = xasprintf("replay:%s", full);
	char *data = data_dir();
	const char *args[] = {"run", "--task", "toy", "--data-dir", data, "--engine", engine,
			      "--out", out, NULL};
	support_reval(&r, args);
	cr_assert_eq(r.status, 2, "a different engine path must be refused: %s", r.err.buf);
	cr_assert(strstr(r.err.buf, "engine"), "%s", r.err.buf);
	proc_result_release(&r);
	/* Swap the recording in place instead: same settings, the gaps get filled. */
	char *text;
	cr_assert_eq(read_file(full, 1 << 20, &text, NULL), 0);
	support_write(partial, text);
	free(text);
	r = run_toy(out, partial, NULL, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "resuming"), "%s", r.err.buf);
	res = results_of(out);
	cr_assert_float_eq(support_metric(res, "toy", "avg@4"), 32.0 / 48.0, 1e-12);
	char *journal = path_join(out, "samples.jsonl");
	cr_assert_eq(support_count_lines(journal), 48 + gaps);
	cJSON_Delete(res);
	proc_result_release(&r);
	free(journal);
	free(engine);
	free(data);
	free(out);
	free(partial);
	free(full);
	free(full_dir);
	free(dir);
}

Test(pipeline, torn_last_line_is_dropped_on_resume)
{
	char *dir = support_tmpdir("torn");
	char *replay = write_replay(dir, 4, 0);
	char *out = path_join(dir, "run");
	struct proc_result r = run_toy(out, replay, NULL, NULL);
	cr_assert_eq(r.status, 0);
	proc_result_release(&r);
	/* Cut the journal in the middle of its last line, as a kill during write would. */
	char *journal = path_join(out, "samples.jsonl"), *text;
	size_t len;
	cr_assert_eq(read_file(journal, 1 << 24, &text, &len), 0);
	text[len - 40] = '\0';
	support_write(journal, text);
	free(text);
	cr_assert_eq(support_count_lines(journal), 47);
	r = run_toy(out, replay, NULL, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "torn"), "the dropped line must be reported: %s", r.err.buf);
	cr_assert_eq(support_count_lines(journal), 48);
	cJSON *res = results_of(out);
	cr_assert_float_eq(support_metric(res, "toy", "avg@4"), 32.0 / 48.0, 1e-12);
	cJSON_Delete(res);
	proc_result_release(&r);
	free(journal);
	free(out);
	free(replay);
	free(dir);
}

/* Every (problem, sample) of a journal appears exactly once. */
static void assert_each_sample_once(const char *journal, int problems, int n)
{
	FILE *f = fopen(journal, "r");
	cr_assert_not_null(f);
	int *seen = xcalloc((size_t)(problems * n), sizeof(int));
	char *line = NULL;
	size_t cap = 0;
	long lines = 0;
	while (getline(&line, &cap, f) > 0) {
		cJSON *o = cJSON_Parse(line);
		cr_assert_not_null(o, "journal line %ld is not JSON", lines + 1);
		const char *p = json_str(o, "problem");
		int s = (int)json_num(o, "sample", -1);
		cr_assert(p && s >= 0 && s < n);
		seen[atoi(p + 1) * n + s]++;
		cJSON_Delete(o);
		lines++;
	}
	free(line);
	fclose(f);
	for (int i = 0; i < problems * n; i++)
		cr_assert_eq(seen[i], 1, "sample %d of problem %d appears %d times", i % n, i / n,
			     seen[i]);
	free(seen);
}

Test(pipeline, kill_at_random_moments_loses_and_duplicates_nothing, .timeout = 300)
{
	const int n = 1500; /* 18,000 samples: long enough to be killed mid-run */
	char *dir = support_tmpdir("kill");
	char *replay = write_replay(dir, n, 0);
	char *ref = path_join(dir, "ref");
	char *out = path_join(dir, "run");
	struct proc_result r = run_toy(ref, replay, "--n", "1500");
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);

	char *data = data_dir();
	char *engine = xasprintf("replay:%s", replay);
	const char *args[] = {"run", "--task", "toy", "--data-dir", data, "--engine", engine,
			      "--out", out, "--n", "1500", NULL};
	srand(12345);
	int killed = 0;
	for (int round = 0; round < 25; round++) {
		pid_t pid = support_reval_spawn(args);
		cr_assert(pid > 0);
		struct timespec ts = {0, (long)(rand() % 150000) * 1000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		killed += WIFSIGNALED(st);
	}
	cr_assert(killed > 0, "no run was killed mid-way; the test did not test anything");
	r = run_toy(out, replay, "--n", "1500");
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	char *journal = path_join(out, "samples.jsonl");
	assert_each_sample_once(journal, TOY_PROBLEMS, n);
	cJSON *a = results_of(ref), *b = results_of(out);
	const char *metrics[] = {"avg@1500", "pass@1", "pass@2", "pass@4"};
	for (size_t i = 0; i < ARRAY_SIZE(metrics); i++)
		cr_assert_float_eq(support_metric(a, "toy", metrics[i]),
				   support_metric(b, "toy", metrics[i]), 1e-15, "%s", metrics[i]);
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(journal);
	free(engine);
	free(data);
	free(out);
	free(ref);
	free(replay);
	free(dir);
}

Test(pipeline, shards_merge_into_the_unsharded_results)
{
	char *dir = support_tmpdir("shard");
	char *replay = write_replay(dir, 4, 0);
	char *whole = path_join(dir, "whole"), *s0 = path_join(dir, "s0"), *s1 = path_join(dir, "s1"),
	     *s2 = path_join(dir, "s2"), *merged = path_join(dir, "merged");
	struct proc_result r = run_toy(whole, replay, NULL, NULL);
	cr_assert_eq(r.status, 0);
	proc_result_release(&r);
	const char *shards[] = {"0/3", "1/3", "2/3"};
	char *dirs[] = {s0, s1, s2};
	long total = 0;
	for (int i = 0; i < 3; i++) {
		r = run_toy(dirs[i], replay, "--shard", shards[i]);
		cr_assert_eq(r.status, 0, "%s", r.err.buf);
		proc_result_release(&r);
		char *j = path_join(dirs[i], "samples.jsonl");
		long lines = support_count_lines(j);
		cr_assert(lines > 0 && lines < 48, "shard %d has %ld samples", i, lines);
		total += lines;
		free(j);
	}
	cr_assert_eq(total, 48);
	const char *margs[] = {"merge", s0, s1, s2, "--out", merged, NULL};
	support_reval(&r, margs);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cJSON *a = results_of(whole), *b = results_of(merged);
	cJSON *ma = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "tasks"), "toy"),
		"metrics");
	cJSON *mb = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "tasks"), "toy"),
		"metrics");
	cr_assert(cJSON_Compare(ma, mb, 1), "merged metrics differ from the unsharded run");
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(whole);
	free(s0);
	free(s1);
	free(s2);
	free(merged);
	free(replay);
	free(dir);
}

Test(pipeline, resume_with_other_sampling_is_refused_naming_the_setting)
{
	char *dir = support_tmpdir("refuse");
	char *replay = write_replay(dir, 4, 0);
	char *out = path_join(dir, "run");
	struct proc_result r = run_toy(out, replay, NULL, NULL);
	cr_assert_eq(r.status, 0);
	proc_result_release(&r);
	r = run_toy(out, replay, "--temperature", "0.9");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "sampling.temperature"), "%s", r.err.buf);
	cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	proc_result_release(&r);
	free(out);
	free(replay);
	free(dir);
}

Test(pipeline, regrade_reproduces_results_and_config_file_equals_flags)
{
	char *dir = support_tmpdir("regrade");
	char *replay = write_replay(dir, 4, 0);
	char *out = path_join(dir, "run");
	struct proc_result r = run_toy(out, replay, NULL, NULL);
	cr_assert_eq(r.status, 0);
	proc_result_release(&r);
	const char *gargs[] = {"grade", out, NULL};
	support_reval(&r, gargs);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "0 verdicts changed"), "%s", r.err.buf);
	proc_result_release(&r);
	cJSON *a = results_of(out);

	/* The same run driven by a --config file. */
	char *cfgpath = path_join(dir, "cfg.json"), *data = data_dir(), *out2 = path_join(dir, "run2");
	char *text = xasprintf("{\"task\": \"toy\", \"engine\": \"replay:%s\", \"data-dir\": \"%s\", "
			       "\"n\": 4}",
			       replay, data);
	support_write(cfgpath, text);
	const char *cargs[] = {"run", "--config", cfgpath, "--out", out2, NULL};
	support_reval(&r, cargs);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cJSON *b = results_of(out2);
	cr_assert_float_eq(support_metric(a, "toy", "pass@2"), support_metric(b, "toy", "pass@2"),
			   1e-15);
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(text);
	free(cfgpath);
	free(data);
	free(out2);
	free(out);
	free(replay);
	free(dir);
}

Test(pipeline, api_key_is_never_written)
{
	char *dir = support_tmpdir("secret");
	char *replay = write_replay(dir, 4, 0);
	char *out = path_join(dir, "run");
	setenv("OPENAI_API_KEY", "sk-test-never-write-me-4242", 1);
	struct proc_result r = run_toy(out, replay, NULL, NULL);
	unsetenv("OPENAI_API_KEY");
	cr_assert_eq(r.status, 0);
	cr_assert_null(strstr(r.out.buf, "never-write-me"));
	cr_assert_null(strstr(r.err.buf, "never-write-me"));
	proc_result_release(&r);
	const char *files[] = {"config.json", "results.json", "results.csv", "samples.jsonl"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *p = path_join(out, files[i]), *text;
		cr_assert_eq(read_file(p, 1 << 24, &text, NULL), 0, "%s", files[i]);
		cr_assert_null(strstr(text, "never-write-me"), "the key leaked into %s", files[i]);
		free(text);
		free(p);
	}
	free(out);
	free(replay);
	free(dir);
}
