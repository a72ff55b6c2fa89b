/*
 * reval serve end to end: the real server on a free loopback port, driven by
 * the trainers' clients as they really call it (clients.py) and by hostile
 * traffic (hostile.py), every reward checked against `reval check`.  Each
 * test starts its own server and stops it with SIGTERM, which must end it
 * with exit status 0.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/support.h"

extern char **environ;

struct server {
	pid_t pid;
	int port;
	char *dir;
	char url[64];
};

static void server_start(struct server *s, const char *const *extra)
{
	s->dir = support_tmpdir("serve");
	char *port_file = path_join(s->dir, "port"), *log = path_join(s->dir, "stderr");
	const char *argv[32] = {getenv("REVAL_BIN"), "serve", "--listen", "127.0.0.1:0",
				"--port-file", port_file};
	int n = 6;
	for (; extra && *extra && n < 30; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_eq(posix_spawn(&s->pid, argv[0], &fa, NULL, (char *const *)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 200 && !s->port; i++) {
		char *text = NULL;
		size_t len = 0;
		if (!read_file(port_file, 64, &text, &len))
			s->port = (int)strtol(text, NULL, 10);
		free(text);
		if (!s->port)
			usleep(50000);
	}
	cr_assert_gt(s->port, 0, "reval serve did not write its port");
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	free(port_file);
	free(log);
}

/* SIGTERM (unless sent already); the server must exit 0. */
static void server_stop(struct server *s, int signalled)
{
	if (!signalled)
		kill(s->pid, SIGTERM);
	int status = 0;
	cr_assert_eq(waitpid(s->pid, &status, 0), s->pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "reval serve ended with status %d after SIGTERM", status);
	free(s->dir);
}

/* Run a client script; its stdout comes back; asserts it succeeded. */
static char *client(const struct server *s, const char *script, const char *mode)
{
	char *path = support_path(script), *pid = xasprintf("%d", (int)s->pid);
	char *out = path_join(s->dir, mode);
	int trainer = !strcmp(script, "tests/harness/serve/clients.py");
	const char *argv[] = {"python3", path, mode, s->url, trainer ? s->dir : pid, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t child;
	cr_assert_eq(posix_spawnp(&child, "python3", &fa, NULL, (char *const *)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	int status = 0;
	waitpid(child, &status, 0);
	char *text = NULL;
	size_t len = 0;
	int ok = !read_file(out, 1 << 20, &text, &len) && WIFEXITED(status) && !WEXITSTATUS(status);
	if (!ok) { /* no server outlives a failed test */
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	cr_assert(ok, "%s %s failed:\n%s", script, mode, text ? text : "(no output)");
	free(path);
	free(pid);
	free(out);
	return text;
}

Test(serve, openrlhf_one_sample_per_post_matches_reval_check)
{
	struct server s = {0};
	server_start(&s, NULL);
	char *out = client(&s, "tests/harness/serve/clients.py", "openrlhf");
	cr_expect(strstr(out, "openrlhf: 800 rewards"), "%s", out);
	free(out);
	server_stop(&s, 0);
}

Test(serve, verl_and_trl_batches_match_reval_check)
{
	struct server s = {0};
	server_start(&s, NULL);
	char *out = client(&s, "tests/harness/serve/clients.py", "verl");
	cr_expect(strstr(out, "verl: 800 rewards") && strstr(out, "trl: 64 rewards match"), "%s", out);
	free(out);
	server_stop(&s, 0);
}

Test(serve, sandboxfusion_run_code_matches_reval_check_code)
{
	struct server s = {0};
	server_start(&s, NULL);
	char *out = client(&s, "tests/harness/serve/clients.py", "sandbox");
	cr_expect(strstr(out, "compile_error, pass, runtime_error, timeout, wrong_answer"), "%s", out);
	free(out);
	server_stop(&s, 0);
}

Test(serve, hostile_traffic_gets_its_own_errors_and_the_server_keeps_serving)
{
	struct server s = {0};
	const char *const extra[] = {"--max-body-mb", "1", "--grader", "code", "--options",
				     "{\"time_s\": 1}", NULL};
	server_start(&s, extra);
	char *out = client(&s, "tests/harness/serve/hostile.py", "traffic");
	cr_expect(strstr(out, "ok: resident memory"), "%s", out);
	free(out);
	server_stop(&s, 0);
}

Test(serve, full_queue_is_429_and_a_late_item_times_out_alone)
{
	struct server s = {0};
	const char *const extra[] = {"--queue",	   "4", "--code-workers",   "1",
				     "--deadline", "1", "--max-buffered-mb", "1", NULL};
	server_start(&s, extra);
	char *out = client(&s, "tests/harness/serve/hostile.py", "limits");
	cr_expect(strstr(out, "ok: /metrics counts the timeout"), "%s", out);
	free(out);
	server_stop(&s, 0);
}

Test(serve, sigterm_answers_the_requests_in_flight_then_exits_0)
{
	struct server s = {0};
	server_start(&s, NULL);
	char *out = client(&s, "tests/harness/serve/hostile.py", "drain");
	cr_expect(strstr(out, "it was answered: pass"), "%s", out);
	free(out);
	server_stop(&s, 1);
}

Test(serve, bearer_token_is_required_except_for_health)
{
	char *dir = support_tmpdir("serve-token");
	char *file = path_join(dir, "token");
	cr_assert_eq(support_write(file, "s3cret\n"), 0);
	struct server s = {0};
	const char *const extra[] = {"--token-file", file, NULL};
	server_start(&s, extra);
	char *out = client(&s, "tests/harness/serve/hostile.py", "token");
	cr_expect(strstr(out, "ok: the bearer token is required"), "%s", out);
	free(out);
	server_stop(&s, 0);
	free(file);
	free(dir);
}

/* Bad settings: exit 2 and one line naming what is wrong, before listening. */
static const struct {
	const char *args[6];
	const char *want;
} bad_flags[] = {
	{{"--grader", "telepathy"}, "unknown grader 'telepathy'"},
	{{"--options", "{bad"}, "--options wants a JSON object"},
	{{"--grader", "math", "--options", "{\"precision\": \"x\"}"}, "precision"},
	{{"--listen", "localhost"}, "--listen wants ADDR:PORT"},
	{{"--listen", "127.0.0.1:70000"}, "--listen wants ADDR:PORT"},
	{{"--format-pattern", "(open"}, "bad regex '(open'"},
	{{"--deadline", "0"}, "must be positive"},
	{{"--token-file", "/nonexistent/token"}, "cannot read --token-file '/nonexistent/token'"},
	{{"--grader", "code", "--options", "{\"kind\": \"essay\"}"}, "\"kind\""},
	{{"stray"}, "takes no arguments"},
};

Test(serve, bad_settings_are_one_line_and_exit_2)
{
	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		const char *args[10] = {"serve", "--listen", "127.0.0.1:0"};
		size_t n = 3;
		for (size_t k = 0; bad_flags[i].args[k]; k++)
			args[n++] = bad_flags[i].args[k];
		struct proc_result r;
		support_reval(&r, args);
		cr_expect_eq(r.status, 2, "case %zu: status %d", i, r.status);
		cr_expect(strstr(r.err.buf, bad_flags[i].want), "case %zu: %s", i, r.err.buf);
		cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "case %zu: %s", i, r.err.buf);
		proc_result_release(&r);
	}
}
