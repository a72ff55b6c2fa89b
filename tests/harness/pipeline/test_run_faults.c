/*
 * `reval run` against a misbehaving server or input, through the binary:
 * secrets a server echoes never stored or printed, a response without the
 * shape of a completion never graded, and an exit status that tells a run
 * with failed samples from a clean one.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "tests/support/fake.h"
#include "tests/support/support.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define TOY 12 /* problems in the toy task */
#define KEY "sk-live-DoNotLeak0123456789"

static const char **run_args(const char *url, const char *out, const char *n,
			     const char *const *extra)
{
	static const char *args[48];
	static char *data;
	free(data);
	data = support_path("tests/data/toy");
	int k = 0;
	const char *base[] = {"run",   "--task", "toy",     "--data-dir", data,     "--base-url", url,
			      "--model", "fake-model", "--out", out,      "--n",    n,  "--no-progress"};
	for (size_t i = 0; i < ARRAY_SIZE(base); i++)
		args[k++] = base[i];
	for (size_t i = 0; extra && extra[i]; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	return args;
}

static char *slurp(const char *dir, const char *name)
{
	char *p = path_join(dir, name), *text = NULL;
	cr_assert(!read_file(p, 1 << 26, &text, NULL), "cannot read %s", p);
	free(p);
	return text;
}

/* Count journal lines whose error kind is `kind`, and lines graded (no error). */
static void journal_kinds(const char *dir, const char *kind, int *with_kind, int *graded)
{
	char *text = slurp(dir, "samples.jsonl");
	*with_kind = *graded = 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(l);
		cr_assert(o);
		const cJSON *e = cJSON_GetObjectItem(o, "error");
		if (cJSON_IsObject(e))
			*with_kind += json_str(e, "kind") && !strcmp(json_str(e, "kind"), kind);
		else
			(*graded)++;
		cJSON_Delete(o);
	}
	free(text);
}

/* ---- 1. Secrets ---- */

Test(run_faults, a_key_echoed_by_a_401_is_never_printed)
{
	char *dir = support_tmpdir("leak401");
	setenv("OPENAI_API_KEY", KEY, 1);
	struct fake f;
	fake_start(&f, ARGS("--api-key-env", "OPENAI_API_KEY", "--fault", "1-1000:echokey"));
	char *out = path_join(dir, "run");
	struct proc_result r;
	support_reval(&r, run_args(f.url, out, "1", NULL));
	unsetenv("OPENAI_API_KEY");
	cr_assert_eq(r.status, 1, "a 401 before any success stops the run: %s", r.err.buf);
	cr_assert_null(strstr(r.err.buf, "DoNotLeak"), "the key was printed: %s", r.err.buf);
	cr_assert(strstr(r.err.buf, "[redacted]"), "%s", r.err.buf);
	proc_result_release(&r);
	fake_stop(&f);
	free(out);
	free(dir);
}

Test(run_faults, a_key_echoed_in_500_bodies_is_never_stored)
{
	char *dir = support_tmpdir("leak500");
	setenv("OPENAI_API_KEY", KEY, 1);
	struct fake f;
	fake_start(&f, ARGS("--api-key-env", "OPENAI_API_KEY", "--fault-rate", "1:echokey:500"));
	char *out = path_join(dir, "run");
	struct proc_result r;
	support_reval(&r, run_args(f.url, out, "1", ARGS("--max-attempts", "1")));
	unsetenv("OPENAI_API_KEY");
	cr_assert_eq(r.status, 3, "%s", r.err.buf);
	cr_assert_null(strstr(r.err.buf, "DoNotLeak"), "the key was printed: %s", r.err.buf);
	proc_result_release(&r);
	const char *files[] = {"samples.jsonl", "results.json", "config.json", "problems.jsonl"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *text = slurp(out, files[i]);
		cr_assert_null(strstr(text, "DoNotLeak"), "the key is in %s", files[i]);
		if (!i)
			cr_assert(strstr(text, "Bearer [redacted]"), "%s", text);
		free(text);
	}
	fake_stop(&f);
	free(out);
	free(dir);
}

/* ---- 6. Malformed successes ---- */

static void non_string_content(const char *stream)
{
	char *dir = support_tmpdir("numcontent");
	struct fake f;
	fake_start(&f, ARGS("--fault-rate", "1:numcontent"));
	char *out = path_join(dir, "run");
	struct proc_result r;
	support_reval(&r, run_args(f.url, out, "1", ARGS("--max-attempts", "2", stream)));
	cr_assert_eq(r.status, 3, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "malformed"), "%s", r.err.buf);
	proc_result_release(&r);
	int bad, graded;
	journal_kinds(out, "malformed", &bad, &graded);
	cr_assert_eq(bad, TOY, "every sample is a malformed infrastructure error");
	cr_assert_eq(graded, 0, "a number where the text should be was graded as an answer");
	cr_assert_eq(fake_requests(&f), 2 * TOY, "each sample retried once");
	fake_stop(&f);
	free(out);
	free(dir);
}

Test(run_faults, a_number_as_content_is_malformed_not_a_wrong_answer)
{
	non_string_content("--no-stream");
}

Test(run_faults, a_number_as_streamed_content_is_malformed_not_a_wrong_answer)
{
	non_string_content("--stream");
}

static char *toy_replay(const char *dir, int skip_content_of)
{
	char *path = path_join(dir, "replay.jsonl");
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < TOY; i++) {
		if (i == skip_content_of)
			strbuf_addf(&sb, "{\"task\":\"toy\",\"problem\":\"p%02d\",\"sample\":0}\n", i);
		else
			strbuf_addf(&sb,
				    "{\"task\":\"toy\",\"problem\":\"p%02d\",\"sample\":0,"
				    "\"content\":\"%d\",\"finish_reason\":\"stop\"}\n",
				    i, 2 * i);
	}
	cr_assert(!support_write(path, sb.buf));
	strbuf_release(&sb);
	return path;
}

static struct proc_result replay_run(const char *out, const char *replay)
{
	char *data = support_path("tests/data/toy");
	char *engine = xasprintf("replay:%s", replay);
	struct proc_result r;
	support_reval(&r, ARGS("run", "--task", "toy", "--data-dir", data, "--engine", engine,
			       "--out", out, "--n", "1"));
	free(engine);
	free(data);
	return r;
}

Test(run_faults, a_replay_line_without_content_is_malformed_not_a_wrong_answer)
{
	char *dir = support_tmpdir("nocontent");
	char *replay = toy_replay(dir, 3);
	char *out = path_join(dir, "run");
	struct proc_result r = replay_run(out, replay);
	cr_assert_eq(r.status, 3, "%s", r.err.buf);
	proc_result_release(&r);
	int bad, graded;
	journal_kinds(out, "malformed", &bad, &graded);
	cr_assert_eq(bad, 1);
	cr_assert_eq(graded, TOY - 1);
	cJSON *res = support_json_file(path_join(out, "results.json"));
	cr_assert_float_eq(support_metric(res, "toy", "avg@1"), 1.0, 1e-12,
			   "the broken line counted in the score");
	cJSON_Delete(res);
	free(out);
	free(replay);
	free(dir);
}

Test(run_faults, a_journal_line_without_grade_is_redone_not_counted_wrong)
{
	char *dir = support_tmpdir("nograde");
	char *replay = toy_replay(dir, -1);
	char *out = path_join(dir, "run");
	struct proc_result r = replay_run(out, replay);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	/* Strip the verdict from the fifth line, as a hand edit or a foreign writer might. */
	char *text = slurp(out, "samples.jsonl");
	struct strbuf sb = STRBUF_INIT;
	int line = 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(l);
		if (line++ == 4)
			cJSON_DeleteItemFromObject(o, "grade");
		json_append(&sb, o);
		strbuf_addch(&sb, '\n');
		cJSON_Delete(o);
	}
	char *jpath = path_join(out, "samples.jsonl");
	cr_assert(!support_write(jpath, sb.buf));
	r = replay_run(out, replay);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "1 to do"), "the line without a verdict is redone: %s", r.err.buf);
	proc_result_release(&r);
	cJSON *res = support_json_file(path_join(out, "results.json"));
	cr_assert_float_eq(support_metric(res, "toy", "avg@1"), 1.0, 1e-12);
	cJSON_Delete(res);
	strbuf_release(&sb);
	free(jpath);
	free(text);
	free(out);
	free(replay);
	free(dir);
}

/* ---- 7. Exit status ---- */

Test(run_faults, every_sample_failing_on_500_exits_3_with_the_kinds_counted)
{
	char *dir = support_tmpdir("all500");
	struct fake f;
	fake_start(&f, ARGS("--fault-rate", "1:500"));
	char *out = path_join(dir, "run");
	struct proc_result r;
	support_reval(&r, run_args(f.url, out, "1", ARGS("--max-attempts", "1")));
	cr_assert_eq(r.status, 3, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "12 samples failed"), "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "http_500") && strstr(r.err.buf, "e.g. The server had an error"),
		  "%s", r.err.buf);
	cr_assert(strstr(r.out.buf, "results.json"), "the outputs are still named: %s", r.out.buf);
	proc_result_release(&r);
	fake_stop(&f);
	free(out);
	free(dir);
}

Test(run_faults, a_replay_with_missing_samples_exits_3_and_a_whole_one_0)
{
	char *dir = support_tmpdir("exit3");
	char *replay = toy_replay(dir, -1);
	char *out = path_join(dir, "run");
	char *data = support_path("tests/data/toy");
	char *engine = xasprintf("replay:%s", replay);
	struct proc_result r;
	support_reval(&r, ARGS("run", "--task", "toy", "--data-dir", data, "--engine", engine,
			       "--out", out, "--n", "2"));
	cr_assert_eq(r.status, 3, "sample 1 of each problem has no recording: %s", r.err.buf);
	cr_assert(strstr(r.err.buf, "no_recording"), "%s", r.err.buf);
	proc_result_release(&r);
	char *out1 = path_join(dir, "run1");
	r = replay_run(out1, replay);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	support_reval(&r, ARGS("help", "run"));
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out.buf, "Exit status") && strstr(r.out.buf, "  3  "), "%s", r.out.buf);
	proc_result_release(&r);
	free(out1);
	free(engine);
	free(data);
	free(out);
	free(replay);
	free(dir);
}
