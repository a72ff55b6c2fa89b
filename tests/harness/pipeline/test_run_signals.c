/*
 * SIGINT, SIGTERM and SIGHUP: the first stops sending, lets requests in
 * flight finish, saves them and results.json, and prints the command that
 * resumes; a second one ends the process at once.  Base URLs that cannot
 * work are refused before anything starts.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "tests/support/fake.h"
#include "tests/support/support.h"

extern char **environ;

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define TOY 12

static pid_t spawn_reval(const char *const *args, const char *errpath)
{
	const char *argv[48];
	int k = 0;
	argv[k++] = getenv("REVAL_BIN");
	for (size_t i = 0; args[i]; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid = -1;
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ))
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static int wait_exit(pid_t pid)
{
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

/* Lines of the journal; each (problem, sample) at most once. */
static int journal_lines(const char *out, int n)
{
	char *p = path_join(out, "samples.jsonl"), *text;
	if (read_file(p, 1 << 24, &text, NULL)) {
		free(p);
		return 0;
	}
	int *seen = xcalloc((size_t)(TOY * n), sizeof(int)), lines = 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(l);
		int s = (int)json_num(o, "sample", -1);
		int i = atoi(json_str(o, "problem") + 1);
		cr_assert_eq(++seen[i * n + s], 1, "sample %d of p%02d twice", s, i);
		cr_assert(!cJSON_IsObject(cJSON_GetObjectItem(o, "error")), "%s", l);
		lines++;
		cJSON_Delete(o);
	}
	free(seen);
	free(text);
	free(p);
	return lines;
}

static void first_signal_saves_and_resumes(int sig, const char *tag)
{
	char *dir = support_tmpdir(tag);
	char *data = support_path("tests/data/toy");
	struct fake f;
	fake_start(&f, ARGS("--delay", "300", "--n", "ignore"));
	char *out = path_join(dir, "run"), *err = path_join(dir, "stderr");
	const char *const *args =
		ARGS("run", "--task", "toy", "--data-dir", data, "--base-url", f.url, "--model",
		     "fake-model", "--out", out, "--n", "4", "--concurrency", "4", "--no-progress");
	pid_t pid = spawn_reval(args, err);
	cr_assert(pid > 0);
	sleep_ms(1200);
	kill(pid, sig);
	cr_assert_eq(wait_exit(pid), 130);
	char *text;
	cr_assert(!read_file(err, 1 << 16, &text, NULL));
	cr_assert(strstr(text, "resume with: reval run --task toy") && strstr(text, out), "%s", text);
	free(text);
	int lines = journal_lines(out, 4);
	cr_assert(lines > 0 && lines < TOY * 4, "%d lines: the stop came mid-run", lines);
	cr_assert_eq(fake_requests(&f), lines, "every request sent was waited for and saved");
	char *rp = path_join(out, "results.json");
	cJSON *res = support_json_file(rp);
	cr_assert(res, "no results.json after the stop");
	const cJSON *counts =
		cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(res, "tasks"), "toy"),
				    "counts");
	cr_assert_eq((int)json_num(counts, "graded", -1), lines);
	cJSON_Delete(res);
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(journal_lines(out, 4), TOY * 4);
	fake_stop(&f);
	free(rp);
	free(err);
	free(out);
	free(data);
	free(dir);
}

Test(run_signals, sigint_stops_sending_saves_what_finished_and_says_how_to_resume, .timeout = 120)
{
	first_signal_saves_and_resumes(SIGINT, "sigint");
}

Test(run_signals, sigterm_likewise, .timeout = 120)
{
	first_signal_saves_and_resumes(SIGTERM, "sigterm");
}

Test(run_signals, sighup_likewise, .timeout = 120)
{
	first_signal_saves_and_resumes(SIGHUP, "sighup");
}

Test(run_signals, a_second_signal_exits_at_once, .timeout = 120)
{
	char *dir = support_tmpdir("sig2");
	char *data = support_path("tests/data/toy");
	struct fake f;
	fake_start(&f, ARGS("--fault-rate", "1:hang"));
	char *out = path_join(dir, "run"), *err = path_join(dir, "stderr");
	pid_t pid = spawn_reval(ARGS("run", "--task", "toy", "--data-dir", data, "--base-url", f.url,
				     "--model", "fake-model", "--out", out, "--n", "1",
				     "--no-progress"),
				err);
	sleep_ms(800);
	kill(pid, SIGTERM); /* would wait for the hung requests */
	sleep_ms(300);
	int st;
	cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "the first signal waits for requests in flight");
	kill(pid, SIGTERM);
	cr_assert_eq(wait_exit(pid), 128 + SIGTERM, "the second signal ends it at once");
	fake_stop(&f);
	free(err);
	free(out);
	free(data);
	free(dir);
}

Test(run_signals, base_urls_that_cannot_work_are_refused_at_start)
{
	const char *bad[] = {"ftp://127.0.0.1/v1", "not a url", "http://127.0.0.1:99999/v1",
			     "http://127.0.0.1:0/v1"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct proc_result r;
		support_reval(&r, ARGS("run", "--task", "toy", "--base-url", bad[i], "--out",
				       "/nonexistent/never"));
		cr_assert_eq(r.status, 2, "'%s' accepted: %s", bad[i], r.err.buf);
		cr_assert(strstr(r.err.buf, "--base-url") && strstr(r.err.buf, "cannot be used"), "%s",
			  r.err.buf);
		cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
		proc_result_release(&r);
	}
}
