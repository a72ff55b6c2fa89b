/*
 * local: start an OpenAI-compatible server from a command line, evaluate
 * through the openai engine, stop the server.
 *
 * "{port}" in the command becomes a free loopback port.  The command runs
 * as `sh -c 'exec COMMAND'` in a process group of its own, with its output
 * in local-server.log in the run directory, and with the parent-death
 * signal set to SIGKILL, so the server dies with reval even when reval is
 * killed outright.  open() waits until GET /v1/models or /health answers
 * 200 (--ready-timeout), failing with the server's last lines of output if
 * it exits first or never gets ready.  A server that dies mid-run stops
 * the run the same way.  close() sends SIGTERM to the group, then SIGKILL
 * after a grace period.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include "harness/engine/engine.h"
#include "harness/engine/openai.h"
#include "harness/net/http.h"
#include "harness/net/redact.h"

#define LOCAL_GRACE_MS 10000.0   /* between SIGTERM and SIGKILL */
#define LOCAL_READY_DEFAULT_S 600 /* model loading can take minutes */
#define LOCAL_TAIL_LINES 12       /* of the server's output quoted on failure */

struct local {
	pid_t pid;       /* the server, also its process group; 0 once reaped */
	char *log_path;
	char *url;       /* http://127.0.0.1:PORT/v1 */
	struct openai *oa;
	const char *key; /* the API key (borrowed), redacted from the server's output */
};

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	int port = -1;
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static char *expand_port(const char *cmd, int port)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = cmd; *p;) {
		if (!strncmp(p, "{port}", 6)) {
			strbuf_addf(&sb, "%d", port);
			p += 6;
		} else {
			strbuf_addch(&sb, *p++);
		}
	}
	return strbuf_detach(&sb);
}

/* The last lines of the server's log, for a failure message. */
static char *log_tail(const char *path, const char *key)
{
	char *text;
	size_t len;
	if (read_file(path, 64u << 20, &text, &len))
		return xstrdup("(no output)");
	size_t i = len;
	while (i && (text[i - 1] == '\n' || text[i - 1] == ' '))
		i--;
	text[i] = '\0';
	int lines = 0;
	while (i && lines < LOCAL_TAIL_LINES)
		if (text[--i] == '\n')
			lines++;
	const char *from = text + i + (text[i] == '\n');
	char *out = *text ? redact_text(from, strlen(from), key) : xstrdup("(no output)");
	free(text);
	return out;
}

static void describe_exit(int status, char *buf, size_t n)
{
	if (WIFEXITED(status))
		snprintf(buf, n, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, n, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, n, "status %d", status);
}

/* Has the server exited?  Reaps it and says so once, with its last output. */
static int server_gone(struct local *l, const char *when)
{
	if (!l->pid)
		return 1;
	int status;
	pid_t r = waitpid(l->pid, &status, WNOHANG);
	if (r == 0)
		return 0;
	char how[64] = "gone";
	if (r == l->pid)
		describe_exit(status, how, sizeof(how));
	l->pid = 0;
	char *tail = log_tail(l->log_path, l->key);
	diag("the local server exited %s (%s); its last output ('%s'):\n%s", when, how,
	     l->log_path, tail);
	free(tail);
	return 1;
}

static int watch(void *ud)
{
	return server_gone(ud, "during the run");
}

static void stop_server(struct local *l)
{
	pid_t pid = l->pid;
	if (pid <= 0)
		return;
	l->pid = 0;
	kill(-pid, SIGTERM);
	double deadline = now_ms() + LOCAL_GRACE_MS;
	while (now_ms() < deadline) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			kill(-pid, SIGKILL); /* anything it left behind in its group */
			return;
		}
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static enum reval_err spawn(struct local *l, const char *cmd)
{
	int fd = open(l->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		diag("cannot write the local server's log '%s': %s", l->log_path, strerror(errno));
		return RV_EIO;
	}
	char *script = xasprintf("exec %s", cmd);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		diag("cannot start the local server: %s", strerror(errno));
		close(fd);
		free(script);
		return RV_EINFRA;
	}
	if (!pid) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(fd);
	free(script);
	l->pid = pid;
	return RV_OK;
}

static enum reval_err wait_ready(struct local *l, const struct engine_options *opt)
{
	long secs = opt->ready_timeout_s < 0 ? LOCAL_READY_DEFAULT_S : opt->ready_timeout_s;
	double deadline = now_ms() + (double)secs * 1000.0;
	char *models = xasprintf("%s/models", l->url);
	char *health = xasprintf("%.*s/health", (int)(strlen(l->url) - 3), l->url);
	enum reval_err err = RV_EINFRA;
	long pause_ms = 50;
	for (;;) {
		if (server_gone(l, "before it was ready"))
			break;
		if (http_get(models, NULL, 2000, NULL) == 200 || http_get(health, NULL, 2000, NULL) == 200) {
			err = RV_OK;
			break;
		}
		if (now_ms() > deadline) {
			char *tail = log_tail(l->log_path, l->key);
			diag("the local server did not answer on %s within %ld s; its last output ('%s'):\n%s",
			     l->url, secs, l->log_path, tail);
			free(tail);
			break;
		}
		nanosleep(&(struct timespec){0, pause_ms * 1000 * 1000}, NULL);
		if (pause_ms < 500)
			pause_ms *= 2;
	}
	free(models);
	free(health);
	return err;
}

static void local_close(void *state)
{
	struct local *l = state;
	if (!l)
		return;
	openai_free(l->oa);
	stop_server(l);
	free(l->log_path);
	free(l->url);
	free(l);
}

static enum reval_err local_open(void **state, const char *arg, const struct engine_options *opt)
{
	if (!arg || !*arg) {
		diag("--engine local needs a command: --engine local:'llama-server -m M.gguf --port {port}'");
		return RV_EUSAGE;
	}
	int port = free_port();
	if (port < 0) {
		diag("cannot find a free loopback port: %s", strerror(errno));
		return RV_EINFRA;
	}
	struct local *l = xcalloc(1, sizeof(*l));
	l->url = xasprintf("http://127.0.0.1:%d/v1", port);
	l->key = opt->api_key;
	if (opt->out && !mkdir_p(opt->out))
		l->log_path = path_join(opt->out, "local-server.log");
	else
		l->log_path = xasprintf("/tmp/reval-local-%ld.log", (long)getpid());
	char *cmd = expand_port(arg, port);
	enum reval_err err = spawn(l, cmd);
	free(cmd);
	if (!err)
		err = wait_ready(l, opt);
	if (!err)
		err = openai_new(opt, &l->url, 1, &l->oa);
	if (err) {
		local_close(l);
		return err;
	}
	openai_set_watch(l->oa, watch, l);
	*state = l;
	return RV_OK;
}

static enum reval_err local_run(void *state, const struct engine_request *reqs, size_t n,
				engine_done_fn done, void *ud)
{
	struct local *l = state;
	return openai_run(l->oa, reqs, n, done, ud);
}

const struct engine_ops engine_local = {
	.name = "local",
	.help = "local:'CMD'  start an OpenAI-compatible server (CMD with {port}), evaluate, stop it",
	.open = local_open,
	.run = local_run,
	.close = local_close,
};
