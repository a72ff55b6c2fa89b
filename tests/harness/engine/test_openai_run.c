/* `reval run` end to end through the openai engine against the fake server. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/support.h"
#include "tests/support/fake.h"
#include "harness/base/json.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define TOY 12 /* problems in the toy task */

/* Answers for the toy task's prompts, so every delivered sample grades correct. */
static char *write_answers(const char *dir)
{
	char *src = support_path("tests/data/toy/toy/problems.jsonl");
	char *text;
	cr_assert(!read_file(src, 1 << 20, &text, NULL));
	struct strbuf sb = STRBUF_INIT;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(line);
		cJSON *a = cJSON_CreateObject();
		char *prompt = xasprintf("Q: %s\nA:", json_str(o, "q"));
		cJSON_AddStringToObject(a, "prompt", prompt);
		cJSON_AddStringToObject(a, "content", json_str(o, "a"));
		json_append(&sb, a);
		strbuf_addch(&sb, '\n');
		free(prompt);
		cJSON_Delete(a);
		cJSON_Delete(o);
	}
	char *path = path_join(dir, "answers.jsonl");
	cr_assert(!support_write(path, sb.buf));
	strbuf_release(&sb);
	free(text);
	free(src);
	return path;
}

struct tally_counts {
	int lines, infra, correct, wrong;
};

/* Each (problem, sample) exactly once; infrastructure errors never graded. */
static struct tally_counts check_journal(const char *dir, int n, int all_correct)
{
	char *path = path_join(dir, "samples.jsonl");
	char *text;
	cr_assert(!read_file(path, 1 << 26, &text, NULL), "no journal in %s", dir);
	int *seen = xcalloc((size_t)(TOY * n), sizeof(int));
	struct tally_counts t = {0, 0, 0, 0};
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(line);
		cr_assert(o);
		const char *p = json_str(o, "problem");
		int s = (int)json_num(o, "sample", -1);
		cr_assert(p && s >= 0 && s < n);
		seen[atoi(p + 1) * n + s]++;
		const cJSON *g = cJSON_GetObjectItem(o, "grade");
		const char *status = json_str(g, "status");
		int infra = cJSON_IsObject(cJSON_GetObjectItem(o, "error"));
		if (infra) {
			cr_assert_str_eq(status, "infra_error");
			t.infra++;
		} else {
			cr_assert(!all_correct || json_bool(g, "correct", 0),
				  "a delivered answer graded wrong: %s", line);
			t.correct += json_bool(g, "correct", 0);
		}
		t.lines++;
		cJSON_Delete(o);
	}
	for (int i = 0; i < TOY * n; i++)
		cr_assert_eq(seen[i], 1, "sample %d of problem %d appears %d times", i % n, i / n,
			     seen[i]);
	free(seen);
	free(text);
	free(path);
	return t;
}

static const char **run_args(const char *url, const char *out, const char *n, const char *const *extra)
{
	static const char *args[40];
	static char *data;
	free(data);
	data = support_path("tests/data/toy");
	int k = 0;
	const char *base[] = {"run", "--task", "toy", "--data-dir", data, "--base-url", url,
			      "--model", "fake-model", "--out", out, "--n", n, "--no-progress"};
	for (size_t i = 0; i < ARRAY_SIZE(base); i++)
		args[k++] = base[i];
	for (size_t i = 0; extra && extra[i]; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	return args;
}

Test(openai_run, a_third_failing_every_sample_once_none_graded_wrong, .timeout = 120)
{
	char *dir = support_tmpdir("oa-mixed");
	char *answers = write_answers(dir);
	struct fake f;
	fake_start(&f, ARGS("--answers", answers, "--seed", "3", "--n", "honour", "--fault-rate",
			    "0.06:500", "--fault-rate", "0.05:503", "--fault-rate", "0.05:429:0",
			    "--fault-rate", "0.04:drop", "--fault-rate", "0.04:malformed",
			    "--fault-rate", "0.04:truncate", "--fault-rate", "0.03:empty",
			    "--fault-rate", "0.02:400ctx"));
	char *out = path_join(dir, "run");
	struct proc_result r;
	support_reval(&r, run_args(f.url, out, "8", ARGS("--max-attempts", "12", "--concurrency", "6")));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	struct tally_counts t = check_journal(out, 8, 1);
	cr_assert_eq(t.lines, TOY * 8);
	cr_assert_gt(t.correct, 0);
	cJSON *log = fake_log(&f);
	int faults = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, log)
		faults += cJSON_IsString(cJSON_GetObjectItem(e, "fault"));
	cr_assert_gt(faults, 3);
	cJSON_Delete(log);
	fake_stop(&f);
	free(out);
	free(answers);
	free(dir);
}

Test(openai_run, killed_mid_run_then_resumed_loses_and_duplicates_nothing, .timeout = 120)
{
	char *dir = support_tmpdir("oa-kill");
	char *answers = write_answers(dir);
	struct fake f;
	fake_start(&f, ARGS("--answers", answers, "--n", "ignore", "--delay", "15"));
	char *out = path_join(dir, "run");
	const char **args = run_args(f.url, out, "20", ARGS("--concurrency", "8"));
	int killed = 0;
	srand(99);
	for (int round = 0; round < 4; round++) {
		pid_t pid = support_reval_spawn(args);
		cr_assert(pid > 0);
		nanosleep(&(struct timespec){0, (150 + rand() % 300) * 1000000L}, NULL);
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		killed += WIFSIGNALED(st);
	}
	cr_assert_gt(killed, 0, "no run was killed mid-way");
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	struct tally_counts t = check_journal(out, 20, 1);
	cr_assert_eq(t.lines, TOY * 20);
	cr_assert_eq(t.infra, 0);
	fake_stop(&f);
	free(out);
	free(answers);
	free(dir);
}

Test(openai_run, api_key_is_never_written_anywhere)
{
	const char *key = "sk-engine-secret-7777";
	char *dir = support_tmpdir("oa-key");
	char *out = path_join(dir, "run");
	char *cmd = xasprintf("local:%s --port {port} --api-key-env OPENAI_API_KEY", getenv("REVAL_FAKE"));
	setenv("OPENAI_API_KEY", key, 1);
	struct proc_result r;
	const char *const extra[] = {"--engine", cmd, NULL};
	support_reval(&r, run_args("http://unused.invalid/v1", out, "2", extra));
	unsetenv("OPENAI_API_KEY");
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert_null(strstr(r.out.buf, key));
	cr_assert_null(strstr(r.err.buf, key));
	proc_result_release(&r);
	struct tally_counts t = check_journal(out, 2, 0);
	cr_assert_eq(t.infra, 0, "the key was not sent, so the fake refused");
	char *grep = xasprintf("grep -r -l '%s' '%s'", key, out);
	int st = system(grep);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "the key is in a file under %s", out);
	free(grep);
	free(cmd);
	free(out);
	free(dir);
}

Test(openai_run, preset_r1_sets_the_protocol_and_warns_about_deviations)
{
	char *dir = support_tmpdir("oa-r1");
	struct fake f;
	fake_start(&f, ARGS("--n", "honour"));
	char *out = path_join(dir, "run");
	struct proc_result r;
	const char *const extra[] = {"--preset", "r1", "--temperature", "0.7", NULL};
	support_reval(&r, run_args(f.url, out, "4", extra));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "temperature is 0.7"), "%s", r.err.buf);
	proc_result_release(&r);
	char *rp = path_join(out, "results.json");
	char *text;
	cr_assert(!read_file(rp, 1 << 24, &text, NULL));
	cr_assert(strstr(text, "temperature is 0.7, the protocol uses 0.6"));
	free(text);
	free(rp);
	cJSON *log = fake_log(&f);
	const cJSON *b = cJSON_GetObjectItem(cJSON_GetArrayItem(log, 0), "body");
	cr_assert_float_eq(json_num(b, "temperature", -1), 0.7, 1e-9);
	cr_assert_float_eq(json_num(b, "top_p", -1), 0.95, 1e-9);
	cr_assert_float_eq(json_num(b, "max_tokens", -1), 32768, 1e-9);
	cJSON_Delete(log);
	fake_stop(&f);
	free(out);
	free(dir);
}
