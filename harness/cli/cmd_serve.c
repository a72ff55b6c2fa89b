/*
 * cmd_serve: `reval serve` -- the graders served as rewards to RL trainers
 * (harness/serve/server.h).  Parses the flags into struct serve_opts, runs
 * the server until SIGTERM or SIGINT, then stops it gracefully: requests in
 * flight are answered before the process exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "harness/base/util.h"
#include "harness/cli/cmd.h"
#include "harness/cli/cmdopt.h"
#include "harness/serve/server.h"

#define TOKEN_MAX 4096 /* bytes of a --token-file */

struct serve_args {
	const char *listen;
	const char *port_file;
	const char *token_file;
	const char *grader;
	const char *options;
	const char *format_pattern;
	double w_accuracy, w_format;
	int partial;
	long workers, code_workers, queue, max_items, max_body_mb, max_buffered_mb, max_connections;
	double deadline, idle_timeout, max_run_timeout;
	long max_memory_mb;
};

#define SERVE_OPTS(a)                                                                              \
	{                                                                                          \
		{"listen", CMDOPT_STR, &(a).listen, "ADDR:PORT",                                   \
		 "where to listen (default 127.0.0.1:8000; port 0 picks a free one)", 0},          \
		{"port-file", CMDOPT_STR, &(a).port_file, "F",                                     \
		 "write the port to F once listening", 0},                                          \
		{"token-file", CMDOPT_STR, &(a).token_file, "F",                                   \
		 "require 'Authorization: Bearer <the file's text>' (all but /health)", 0},        \
		{"grader", CMDOPT_STR, &(a).grader, "NAME",                                        \
		 "grader of labels and of items naming none: math (default), choice, exact, "      \
		 "regex, rg, code", 0},                                                            \
		{"options", CMDOPT_STR, &(a).options, "JSON", "that grader's options", 0},         \
		{"accuracy-weight", CMDOPT_DOUBLE, &(a).w_accuracy, "W",                           \
		 "weight of the accuracy reward (default 1)", 0},                                  \
		{"format-weight", CMDOPT_DOUBLE, &(a).w_format, "W",                               \
		 "weight of the format reward (default 1; 0 turns it off)", 0},                    \
		{"format-pattern", CMDOPT_STR, &(a).format_pattern, "REGEX",                       \
		 "PCRE2 (dot matches newline) a well-formatted response matches, instead of the "  \
		 "built-in rule", 0},                                                              \
		{"partial", CMDOPT_FLAG, &(a).partial, NULL,                                       \
		 "accuracy is the share of tests passed (code) instead of 1/0", 0},                \
		{"workers", CMDOPT_LONG, &(a).workers, "N", "grading threads (default: one per CPU)", \
		 0},                                                                               \
		{"code-workers", CMDOPT_LONG, &(a).code_workers, "N",                              \
		 "sandbox workers for code (default: one per CPU)", 0},                            \
		{"queue", CMDOPT_LONG, &(a).queue, "N",                                            \
		 "items waiting at most; past it requests get 429 (default 100000)", 0},           \
		{"max-items", CMDOPT_LONG, &(a).max_items, "N",                                    \
		 "items per request at most (default 65536)", 0},                                  \
		{"max-body-mb", CMDOPT_LONG, &(a).max_body_mb, "N",                                \
		 "request body size at most (default 64)", 0},                                     \
		{"max-buffered-mb", CMDOPT_LONG, &(a).max_buffered_mb, "N",                        \
		 "request bodies held at most over all connections; past it 429 (default 1024)", \
		 0},                                                                               \
		{"max-connections", CMDOPT_LONG, &(a).max_connections, "N",                        \
		 "open connections at most (default 16384)", 0},                                   \
		{"deadline", CMDOPT_DOUBLE, &(a).deadline, "S",                                    \
		 "seconds an item may take from its request's arrival; later it scores 0 as "      \
		 "\"timeout\" (default 60)", 0},                                                   \
		{"idle-timeout", CMDOPT_DOUBLE, &(a).idle_timeout, "S",                            \
		 "close connections silent this long (default 60)", 0},                            \
		{"max-run-timeout", CMDOPT_DOUBLE, &(a).max_run_timeout, "S",                      \
		 "/run_code: largest compile_timeout and run_timeout granted (default 60)", 0},    \
		{"max-memory-mb", CMDOPT_LONG, &(a).max_memory_mb, "N",                            \
		 "/run_code: largest (and default) memory_limit_MB (default 1024)", 0},            \
	}

void cmd_serve_options(void)
{
	struct serve_args a;
	const struct cmdopt opts[] = SERVE_OPTS(a);
	cmdopt_print_help(opts, ARRAY_SIZE(opts));
}

static int stop_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	char c = (char)sig;
	ssize_t r = write(stop_pipe[1], &c, 1);
	(void)r;
}

static enum reval_err parse_listen(const char *listen, char *host, size_t hostcap, int *port)
{
	const char *colon = strrchr(listen, ':');
	long p;
	if (!colon || (size_t)(colon - listen) >= hostcap || parse_long(colon + 1, &p) || p < 0 ||
	    p > 65535) {
		diag("--listen wants ADDR:PORT (e.g. 127.0.0.1:8000), not '%s'", listen);
		return RV_EUSAGE;
	}
	snprintf(host, hostcap, "%.*s", (int)(colon - listen), listen);
	if (!*host)
		snprintf(host, hostcap, "127.0.0.1");
	*port = (int)p;
	return RV_OK;
}

static enum reval_err read_token(const char *path, char **out)
{
	char *text = NULL, why[128];
	size_t len = 0;
	if (read_text_file(path, TOKEN_MAX, &text, &len, why, sizeof(why))) {
		diag("cannot read --token-file '%s': %s", path, why);
		return RV_EINPUT;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, text);
	strbuf_trim(&sb);
	free(text);
	if (!sb.len || strpbrk(sb.buf, "\r\n")) {
		diag("--token-file '%s' must hold one non-empty line", path);
		strbuf_release(&sb);
		return RV_EINPUT;
	}
	*out = strbuf_detach(&sb);
	return RV_OK;
}

/* Enough descriptors for many idle connections. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

enum reval_err cmd_serve(int argc, char **argv)
{
	struct serve_args a = {.listen = "127.0.0.1:8000", .grader = "math", .w_accuracy = 1,
			       .w_format = 1, .workers = 0, .code_workers = 0, .queue = 100000,
			       .max_items = 65536, .max_body_mb = 64, .max_buffered_mb = 1024, .max_connections = 16384,
			       .deadline = 60, .idle_timeout = 60, .max_run_timeout = 60,
			       .max_memory_mb = 1024};
	const struct cmdopt opts[] = SERVE_OPTS(a);
	char **pos = NULL, *token = NULL;
	int npos = 0;
	cJSON *options = NULL;
	struct serve *s = NULL;
	enum reval_err err = cmdopt_parse(opts, ARRAY_SIZE(opts), "serve", argc, argv, &pos, &npos);
	if (err)
		goto out;
	err = RV_EUSAGE;
	if (npos) {
		diag("'reval serve' takes no arguments, only options (see 'reval help serve')");
		goto out;
	}
	char host[64];
	struct serve_opts o;
	serve_opts_default(&o);
	if (parse_listen(a.listen, host, sizeof(host), &o.port))
		goto out;
	o.host = host;
	if (a.options && !cJSON_IsObject(options = cJSON_Parse(a.options))) {
		diag("--options wants a JSON object, not '%s'", a.options);
		goto out;
	}
	if (a.deadline <= 0 || a.idle_timeout <= 0 || a.max_run_timeout <= 0 || !a.queue ||
	    !a.max_items || !a.max_body_mb || !a.max_buffered_mb || !a.max_connections || !a.max_memory_mb) {
		diag("--deadline, --idle-timeout, --max-run-timeout, --queue, --max-items, "
		     "--max-body-mb, --max-buffered-mb, --max-connections and --max-memory-mb must be "
		     "positive");
		goto out;
	}
	if (a.token_file && (err = read_token(a.token_file, &token)))
		goto out;
	o.token = token;
	o.workers = (int)a.workers;
	o.code_workers = (int)a.code_workers;
	o.queue_items = a.queue;
	o.max_items = a.max_items;
	o.max_body = a.max_body_mb << 20;
	o.max_buffered = a.max_buffered_mb << 20;
	o.max_connections = a.max_connections;
	o.deadline_s = a.deadline;
	o.idle_timeout_s = a.idle_timeout;
	o.rule.grader = a.grader;
	o.rule.options = options;
	o.rule.w_accuracy = a.w_accuracy;
	o.rule.w_format = a.w_format;
	o.rule.partial = a.partial;
	o.rule.format_pattern = a.format_pattern;
	o.caps.max_timeout_s = a.max_run_timeout;
	o.caps.max_memory_mb = a.max_memory_mb;

	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	if (pipe(stop_pipe)) {
		diag("serve: cannot make a pipe: %s", strerror(errno));
		err = RV_EINFRA;
		goto out;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	struct strbuf why = STRBUF_INIT;
	s = serve_start(&o, &why);
	if (!s) {
		diag("serve: %s", why.buf);
		strbuf_release(&why);
		err = RV_EUSAGE;
		goto out;
	}
	strbuf_release(&why);
	if (a.port_file) {
		char num[16];
		int n = snprintf(num, sizeof(num), "%d\n", serve_port(s));
		int e = write_file_atomic(a.port_file, num, (size_t)n);
		if (e) {
			diag("cannot write --port-file '%s': %s", a.port_file, strerror(e));
			err = RV_EIO;
			goto out;
		}
	}
	diag("serve: listening on http://%s:%d (grader %s, rewards %g x accuracy + %g x format)",
	     host, serve_port(s), a.grader, a.w_accuracy, a.w_format);
	char c;
	while (read(stop_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	diag("serve: stopping; answering the requests in flight");
	err = RV_OK;
out:
	serve_stop(s);
	if (stop_pipe[0] >= 0) {
		close(stop_pipe[0]);
		close(stop_pipe[1]);
	}
	cJSON_Delete(options);
	free(token);
	free(pos);
	return err;
}
