/*
 * One process per run directory: a second `reval run` on the same --out,
 * started at the same instant or a little later, is refused with the
 * holder's pid, and no sample is requested or journaled twice.
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
#define N 2

/* Start reval with stderr into errpath. */
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

static int exit_of(pid_t pid)
{
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void each_sample_once(const char *out)
{
	char *path = path_join(out, "samples.jsonl"), *text;
	cr_assert(!read_file(path, 1 << 24, &text, NULL));
	int seen[TOY * N] = {0}, lines = 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(l);
		const char *p = json_str(o, "problem");
		int s = (int)json_num(o, "sample", -1);
		cr_assert(p && s >= 0 && s < N);
		seen[atoi(p + 1) * N + s]++;
		lines++;
		cJSON_Delete(o);
	}
	cr_assert_eq(lines, TOY * N, "%s has %d lines", path, lines);
	for (int i = 0; i < TOY * N; i++)
		cr_assert_eq(seen[i], 1, "sample %d of p%02d journaled %d times", i % N, i / N, seen[i]);
	free(text);
	free(path);
}

static void two_at_once(int staggered)
{
	char *dir = support_tmpdir(staggered ? "lock-stagger" : "lock-together");
	char *data = support_path("tests/data/toy");
	struct fake f;
	/* 24 requests, 4 at a time, 150 ms each: about a second of run to collide with. */
	fake_start(&f, ARGS("--delay", "150", "--n", "ignore"));
	srand(staggered ? 7 : 8);
	for (int round = 0; round < 20; round++) {
		char name[16];
		snprintf(name, sizeof(name), "r%02d", round);
		char *out = path_join(dir, name);
		char *ea = xasprintf("%s.a.err", out), *eb = xasprintf("%s.b.err", out);
		const char *const *args =
			ARGS("run", "--task", "toy", "--data-dir", data, "--base-url", f.url, "--model",
			     "fake-model", "--out", out, "--n", "2", "--concurrency", "4", "--no-progress");
		int before = fake_requests(&f);
		pid_t a = spawn_reval(args, ea);
		if (staggered)
			nanosleep(&(struct timespec){0, (20 + rand() % 300) * 1000000L}, NULL);
		pid_t b = spawn_reval(args, eb);
		cr_assert(a > 0 && b > 0);
		int sa = exit_of(a), sb = exit_of(b);
		cr_assert((sa == 0 && sb == 1) || (sa == 1 && sb == 0),
			  "round %d: exits %d and %d; one runs, the other is refused", round, sa, sb);
		char *text;
		cr_assert(!read_file(sa == 1 ? ea : eb, 1 << 16, &text, NULL));
		char want[64];
		snprintf(want, sizeof(want), "in use by process %ld", (long)(sa == 1 ? b : a));
		cr_assert(strstr(text, want), "round %d: the refusal names the holder: '%s'", round,
			  text);
		cr_assert_eq(support_nonempty_lines(text), 1, "one line: '%s'", text);
		free(text);
		cr_assert_eq(fake_requests(&f) - before, TOY * N, "round %d: a sample was sent twice",
			     round);
		each_sample_once(out);
		free(ea);
		free(eb);
		free(out);
	}
	fake_stop(&f);
	free(data);
	free(dir);
}

Test(run_lock, two_runs_started_together_one_runs_the_other_is_refused, .timeout = 300)
{
	two_at_once(0);
}

Test(run_lock, two_runs_staggered_one_runs_the_other_is_refused, .timeout = 300)
{
	two_at_once(1);
}
