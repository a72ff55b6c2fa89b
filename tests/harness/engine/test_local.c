#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/pipeline/run.h"
#include "tests/support/support.h"
#include "tests/support/fake.h"
#include "harness/base/json.h"

static struct config cfg;
static char dir[64];

static void setup(void)
{
	config_init(&cfg);
	cfg.concurrency = 4;
	cfg.timeout_s = 10;
	cfg.max_attempts = 3;
	cfg.ready_timeout_s = 20;
	cfg.model = xstrdup("fake-model");
	snprintf(dir, sizeof(dir), "%s/reval-local-XXXXXX", support_scratch());
	cr_assert(mkdtemp(dir));
	cfg.out = xstrdup(dir);
}

static void teardown(void)
{
	config_release(&cfg);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

TestSuite(local, .init = setup, .fini = teardown);

static char *spec(const char *flags)
{
	return xasprintf("local:%s --port {port} %s", getenv("REVAL_FAKE"), flags);
}

/* Is the process gone (or only a zombie nobody has reaped yet)? */
static int gone(pid_t pid)
{
	char path[64], st[256] = "";
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	size_t n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = '\0';
	const char *paren = strrchr(st, ')');
	return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

static int wait_gone(pid_t pid, int ms)
{
	for (int t = 0; t < ms; t += 20) {
		if (gone(pid))
			return 1;
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
	return gone(pid);
}

static pid_t read_pid(const char *path, int ms)
{
	for (int t = 0; t < ms; t += 20) {
		char *s;
		if (!read_file(path, 64, &s, NULL)) {
			pid_t pid = (pid_t)strtol(s, NULL, 10);
			free(s);
			if (pid > 0)
				return pid;
		}
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
	return 0;
}

Test(local, runs_through_a_started_server_and_stops_it)
{
	char *pidfile = path_join(dir, "fake.pid");
	char *flags = xasprintf("--pid-file %s --ready-after 300", pidfile);
	char *s = spec(flags);
	struct plan p;
	plan_make(&p, 5, 2, "chat");
	cr_assert_eq(plan_run(&p, s, &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		cr_assert_eq(p.got[i].calls, 1);
		cr_assert_null(p.got[i].error_kind);
		cr_assert(strstr(p.got[i].content, "\\boxed{42}"));
		cr_assert(!strncmp(p.got[i].endpoint, "http://127.0.0.1:", 17));
	}
	pid_t pid = read_pid(pidfile, 1000);
	cr_assert(pid > 0);
	cr_assert(gone(pid), "the server is still running after close");
	char *log = path_join(dir, "local-server.log");
	char *text;
	cr_assert(!read_file(log, 1 << 20, &text, NULL), "no server log in the run directory");
	cr_assert(strstr(text, "port "));
	free(text);
	free(log);
	plan_release(&p);
	free(s);
	free(flags);
	free(pidfile);
}

Test(local, a_server_that_exits_early_fails_with_its_output)
{
	cr_redirect_stderr();
	char *s = spec("--exit-early");
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_assert_eq(plan_run(&p, s, &cfg), RV_EINFRA);
	fflush(stderr);
	char buf[2048] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr());
	buf[n] = '\0';
	cr_assert(strstr(buf, "out of memory"), "%s", buf);
	cr_assert(strstr(buf, "exit status 1"), "%s", buf);
	plan_release(&p);
	free(s);
}

Test(local, a_server_that_never_gets_ready_is_stopped)
{
	cr_redirect_stderr();
	cfg.ready_timeout_s = 1;
	char *pidfile = path_join(dir, "fake.pid");
	char *flags = xasprintf("--never-ready --pid-file %s", pidfile);
	char *s = spec(flags);
	struct plan p;
	plan_make(&p, 2, 1, "chat");
	cr_assert_eq(plan_run(&p, s, &cfg), RV_EINFRA);
	fflush(stderr);
	char buf[2048] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr());
	buf[n] = '\0';
	cr_assert(strstr(buf, "did not answer") && strstr(buf, "port "), "%s", buf);
	pid_t pid = read_pid(pidfile, 1000);
	cr_assert(pid > 0 && gone(pid));
	plan_release(&p);
	free(s);
	free(flags);
	free(pidfile);
}

Test(local, a_server_that_dies_mid_run_stops_the_run)
{
	cr_redirect_stderr();
	cfg.concurrency = 1;
	char *s = spec("--die-after 4");
	struct plan p;
	plan_make(&p, 20, 1, "chat");
	cr_assert_eq(plan_run(&p, s, &cfg), RV_EINFRA);
	size_t delivered = 0;
	for (size_t i = 0; i < p.n; i++) {
		cr_assert_leq(p.got[i].calls, 1);
		if (p.got[i].calls) {
			cr_assert_null(p.got[i].error_kind, "no sample is failed for a dead server");
			delivered++;
		}
	}
	cr_assert_eq(delivered, 3);
	fflush(stderr);
	char buf[2048] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr());
	buf[n] = '\0';
	cr_assert(strstr(buf, "exited during the run"), "%s", buf);
	plan_release(&p);
	free(s);
}

Test(local, the_server_dies_with_a_killed_reval)
{
	char *pidfile = path_join(dir, "fake.pid");
	char *flags = xasprintf("--pid-file %s", pidfile);
	char *s = spec(flags);
	pid_t child = fork();
	cr_assert(child >= 0);
	if (!child) {
		const char *arg;
		const struct engine_ops *ops = engine_find(s, &arg);
		void *state;
		struct engine_options opt;
		run_engine_options(&opt, &cfg);
		if (ops->open(&state, arg, &opt))
			_exit(1);
		pause(); /* "mid-run" until killed */
		_exit(0);
	}
	pid_t server = read_pid(pidfile, 10000);
	cr_assert(server > 0, "the server never started");
	cr_assert(!gone(server));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	cr_assert(wait_gone(server, 5000), "the server outlived reval");
	free(s);
	free(flags);
	free(pidfile);
}
