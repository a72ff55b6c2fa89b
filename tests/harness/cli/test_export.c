/*
 * reval export: every bundled recording regraded and exported, the counts
 * per reason recomputed from the journal and every output line validated
 * against its format's schema and read back (export_check.py); and bad
 * input, one line and exit 2.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/support/support.h"

extern char **environ;

Test(export, bundled_recordings_counts_per_reason_and_schema_round_trip, .timeout = 300)
{
	char *dir = support_tmpdir("export");
	char *script = support_path("tests/harness/cli/export_check.py");
	char *out = path_join(dir, "check.out");
	const char *argv[] = {"python3", script, dir, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid;
	cr_assert_eq(posix_spawnp(&pid, "python3", &fa, NULL, (char *const *)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	int status = 0;
	waitpid(pid, &status, 0);
	char *text = NULL;
	size_t len = 0;
	read_file(out, 1 << 20, &text, &len);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "export_check.py failed:\n%s",
		  text ? text : "");
	cr_expect(strstr(text, "qwen25-math-rm-maj-example/maj8") && strstr(text, "kept 729, wrong 71"),
		  "%s", text);
	cr_expect(strstr(text, "duplicate") && strstr(text, "over_per_problem") &&
			  strstr(text, "too_short") && strstr(text, "format"),
		  "%s", text);
	free(text);
	free(out);
	free(script);
	free(dir);
}

/* A run to export from: the bundled Qwen2.5-Math recording, replayed. */
static char *small_run(void)
{
	char *dir = support_tmpdir("export-bad");
	char *run = path_join(dir, "run");
	char *replay =
		support_path("datasets/recordings/qwen25-math-rm-maj-example/maj8.samples.jsonl");
	char *engine = xasprintf("replay:%s", replay);
	const char *args[] = {"run", "--task", "qwen25_math100", "--engine", engine, "--n", "8",
			      "--out", run, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	free(replay);
	free(engine);
	free(dir);
	return run;
}

Test(export, bad_input_is_one_line_and_exit_2)
{
	char *run = small_run();
	char *sft = xasprintf("%s/out.jsonl", run);
	static const struct {
		const char *args[8];
		const char *want;
	} bad[] = {
		{{NULL}, "needs --sft FILE"},
		{{"--sft", "@", "--format", "alpaca"}, "--format wants messages, sharegpt"},
		{{"--sft", "@", "--reasoning", "hidden"}, "--reasoning wants think, field or none"},
		{{"--sft", "@", "--format", "sharegpt", "--reasoning", "field"}, "ShareGPT"},
		{{"--sft", "@", "--min-tokens", "10", "--max-tokens", "5"}, "above --max-tokens"},
		{{"--sft", "@", "--per-problem", "-1"}, "--per-problem wants a whole number"},
		{{"--sft", "@", "--frobnicate"}, "unknown option '--frobnicate'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[12] = {"export", run};
		size_t n = 2;
		for (size_t k = 0; bad[i].args[k]; k++)
			args[n++] = !strcmp(bad[i].args[k], "@") ? sft : bad[i].args[k];
		struct proc_result r;
		support_reval(&r, args);
		cr_expect_eq(r.status, 2, "case %zu: status %d", i, r.status);
		cr_expect(strstr(r.err.buf, bad[i].want), "case %zu: %s", i, r.err.buf);
		cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "case %zu: %s", i, r.err.buf);
		proc_result_release(&r);
	}
	/* Not a run directory. */
	const char *args[] = {"export", "/nonexistent/run", "--sft", sft, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err.buf, "/nonexistent/run"), "%s", r.err.buf);
	proc_result_release(&r);
	/* Prompts that changed since the run: the samples answered other questions. */
	char *cfg_path = path_join(run, "config.json"), *cfg = NULL;
	size_t len;
	cr_assert_eq(read_file(cfg_path, 1 << 24, &cfg, &len), 0);
	char *at = strstr(cfg, "\"prompt_sha256\":");
	cr_assert(at);
	at = strchr(at + strlen("\"prompt_sha256\":"), '"') + 1;
	*at = *at == '0' ? '1' : '0';
	cr_assert_eq(support_write(cfg_path, cfg), 0);
	support_reval(&r, (const char *const[]){"export", run, "--sft", sft, NULL});
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err.buf, "the prompts of task 'qwen25_math100' changed"), "%s", r.err.buf);
	proc_result_release(&r);
	free(cfg);
	free(cfg_path);
	free(sft);
	free(run);
}
