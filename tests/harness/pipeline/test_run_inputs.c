/*
 * The smaller input checks of a run: sampling knobs out of range, text
 * that is not UTF-8, two answers for one sample in a replay file, and a
 * pass@k that n cannot give -- each said, never passed on or dropped quietly.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "tests/support/support.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static char *replay_file(const char *dir, const char *extra_line)
{
	char *path = path_join(dir, "replay.jsonl");
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 12; i++)
		strbuf_addf(&sb,
			    "{\"task\":\"toy\",\"problem\":\"p%02d\",\"sample\":0,\"content\":\"%d\"}\n",
			    i, 2 * i);
	if (extra_line)
		strbuf_adds(&sb, extra_line);
	cr_assert(!support_write(path, sb.buf));
	strbuf_release(&sb);
	return path;
}

static struct proc_result run(const char *dir, const char *replay, const char *const *extra)
{
	char *data = support_path("tests/data/toy");
	char *engine = xasprintf("replay:%s", replay);
	char *out = path_join(dir, "run");
	const char *args[32] = {"run", "--task", "toy", "--data-dir", data, "--engine", engine,
				"--out", out};
	size_t k = 9;
	for (size_t i = 0; extra && extra[i]; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	free(out);
	free(engine);
	free(data);
	return r;
}

Test(run_inputs, sampling_knobs_out_of_range_are_refused)
{
	char *dir = support_tmpdir("knobs");
	char *replay = replay_file(dir, NULL);
	const char *const bad[][2] = {{"--temperature", "-1"}, {"--top-p", "0"},
				      {"--top-p", "1.5"}, {"--min-p", "-0.1"}};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct proc_result r = run(dir, replay, ARGS(bad[i][0], bad[i][1], "--n", "1"));
		cr_assert_eq(r.status, 2, "%s %s: %s", bad[i][0], bad[i][1], r.err.buf);
		cr_assert(strstr(r.err.buf, bad[i][0]), "%s", r.err.buf);
		proc_result_release(&r);
	}
	free(replay);
	free(dir);
}

Test(run_inputs, a_model_name_that_is_not_utf8_is_refused)
{
	char *dir = support_tmpdir("utf8");
	char *replay = replay_file(dir, NULL);
	struct proc_result r = run(dir, replay, ARGS("--model", "m\xff\xfe", "--n", "1"));
	cr_assert_eq(r.status, 2, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "--model is not valid UTF-8 (byte 2)"), "%s", r.err.buf);
	proc_result_release(&r);
	free(replay);
	free(dir);
}

Test(run_inputs, two_different_answers_for_one_sample_in_a_replay_file_are_refused)
{
	char *dir = support_tmpdir("dupreplay");
	char *replay = replay_file(dir, "{\"task\":\"toy\",\"problem\":\"p03\",\"sample\":0,"
					"\"content\":\"7\"}\n");
	struct proc_result r = run(dir, replay, ARGS("--n", "1"));
	cr_assert_eq(r.status, 2, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "line 13") && strstr(r.err.buf, "p03") &&
			  strstr(r.err.buf, "different answer"),
		  "%s", r.err.buf);
	proc_result_release(&r);
	free(replay);
	free(dir);
}

Test(run_inputs, a_pass_k_above_n_is_said_not_dropped_quietly)
{
	char *dir = support_tmpdir("passk");
	char *replay = replay_file(dir, NULL);
	struct proc_result r = run(dir, replay, ARGS("--n", "1"));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "pass@4 needs n >= 4; with n = 1 it is not reported"), "%s",
		  r.err.buf);
	proc_result_release(&r);
	char *rp = path_join(dir, "run/results.json"), *text;
	cr_assert(!read_file(rp, 1 << 20, &text, NULL));
	cr_assert(strstr(text, "pass@4 needs n >= 4"), "the warning is in results.json");
	free(text);
	free(rp);
	free(replay);
	free(dir);
}
