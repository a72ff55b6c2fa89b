/*
 * exec: run a program per prompt, for scripted local models.
 *
 * The command runs as `sh -c COMMAND`, one process per request and up to
 * --concurrency (default EXEC_WIDTH) at once, each in its own process group.  It gets the
 * request as one JSON object on stdin ({"task", "problem", "sample",
 * "seed", "model", "api", "system", "prompt", "sampling"}) and answers on
 * stdout: either a JSON object {"content", "reasoning", "finish_reason",
 * "usage": {...}} or plain text, which is taken as the content (a NUL byte
 * in it reads as U+FFFD, as \u0000 does in the JSON).  A non-zero
 * exit, a timeout (--timeout, the whole group is killed) or output over
 * EXEC_MAX_OUT is an infrastructure error carrying the tail of stderr.
 * stdin is a socket so that a program that exits without reading it cannot
 * raise SIGPIPE in reval.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/engine/engine.h"
#include "harness/base/json.h"

#define EXEC_MAX_OUT (64u << 20) /* bytes of stdout; more is an error */
#define EXEC_ERR_TAIL 2000       /* bytes of stderr kept for messages */
#define EXEC_WIDTH 16            /* processes at once without --concurrency */

struct exec_engine {
	char *cmd;
	const struct engine_options *opt;
};

struct child {
	const struct engine_request *req;
	pid_t pid;
	int in, out, err; /* our ends; -1 once closed */
	struct strbuf input;
	size_t written;
	struct strbuf output;
	struct strbuf errtail;
	double t_start;
	double deadline;
	const char *fail; /* "timeout", "too_big", or NULL */
};

static char *request_json(const struct engine_request *r, const struct engine_options *opt)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "task", r->task_id);
	cJSON_AddStringToObject(o, "problem", r->problem_id);
	cJSON_AddNumberToObject(o, "sample", r->sample);
	cJSON_AddNumberToObject(o, "seed", (double)r->seed);
	if (opt->model)
		cJSON_AddStringToObject(o, "model", opt->model);
	cJSON_AddStringToObject(o, "api", r->api);
	if (r->system)
		cJSON_AddStringToObject(o, "system", r->system);
	else
		cJSON_AddNullToObject(o, "system");
	cJSON_AddStringToObject(o, "prompt", r->prompt);
	cJSON_AddItemToObject(o, "sampling", sampling_to_json(r->sampling));
	char *s = cJSON_PrintUnformatted(o);
	char *out = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(o);
	return out;
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int start_child(struct exec_engine *x, struct child *c, const struct engine_request *r)
{
	memset(c, 0, sizeof(*c));
	c->req = r;
	c->in = c->out = c->err = -1;
	int sin[2], sout[2], serr[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sin))
		return -1;
	if (pipe2(sout, O_CLOEXEC)) {
		close(sin[0]);
		close(sin[1]);
		return -1;
	}
	if (pipe2(serr, O_CLOEXEC)) {
		close(sin[0]);
		close(sin[1]);
		close(sout[0]);
		close(sout[1]);
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(sin[1], 0);
		dup2(sout[1], 1);
		dup2(serr[1], 2);
		execl("/bin/sh", "sh", "-c", x->cmd, (char *)NULL);
		_exit(127);
	}
	close(sin[1]);
	close(sout[1]);
	close(serr[1]);
	if (pid < 0) {
		close(sin[0]);
		close(sout[0]);
		close(serr[0]);
		return -1;
	}
	setpgid(pid, pid);
	c->pid = pid;
	c->in = sin[0];
	c->out = sout[0];
	c->err = serr[0];
	set_nonblock(c->in);
	set_nonblock(c->out);
	set_nonblock(c->err);
	strbuf_init(&c->input);
	strbuf_init(&c->output);
	strbuf_init(&c->errtail);
	char *json = request_json(r, x->opt);
	strbuf_adds(&c->input, json);
	strbuf_addch(&c->input, '\n');
	free(json);
	c->t_start = now_ms();
	long limit_s = x->opt->timeout_s ? x->opt->timeout_s : x->opt->first_byte_timeout_s;
	c->deadline = c->t_start + (double)limit_s * 1000.0;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void kill_child(struct child *c, const char *why)
{
	if (!c->fail)
		c->fail = why;
	kill(-c->pid, SIGKILL);
	close_fd(&c->in);
	close_fd(&c->out);
	close_fd(&c->err);
}

static void pump_in(struct child *c)
{
	ssize_t n = send(c->in, c->input.buf + c->written, c->input.len - c->written, MSG_NOSIGNAL);
	if (n > 0)
		c->written += (size_t)n;
	if ((n < 0 && errno != EAGAIN && errno != EINTR) || c->written == c->input.len)
		close_fd(&c->in); /* all written, or the program stopped reading */
}

static void pump_out(struct child *c, int *fd, int is_err)
{
	char buf[65536];
	ssize_t n = read(*fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_fd(fd);
		return;
	}
	if (is_err) {
		strbuf_add(&c->errtail, buf, (size_t)n);
		if (c->errtail.len > 2 * EXEC_ERR_TAIL) {
			memmove(c->errtail.buf, c->errtail.buf + c->errtail.len - EXEC_ERR_TAIL,
				EXEC_ERR_TAIL);
			c->errtail.len = EXEC_ERR_TAIL;
			c->errtail.buf[c->errtail.len] = '\0';
		}
	} else if (c->output.len + (size_t)n > EXEC_MAX_OUT) {
		kill_child(c, "too_big");
	} else {
		strbuf_add(&c->output, buf, (size_t)n);
	}
}

static long num_or_unknown(const cJSON *o, const char *k)
{
	double v = json_num(o, k, -1);
	return v >= 0 ? (long)v : -1;
}

/* The content is text: a NUL byte in it reads as U+FFFD, as \u0000 does in
 * JSON, so that the content does not end there. */
static void nul_to_replacement(struct strbuf *sb)
{
	if (!memchr(sb->buf, 0, sb->len))
		return;
	struct strbuf t = STRBUF_INIT;
	for (size_t i = 0; i < sb->len; i++) {
		if (sb->buf[i])
			strbuf_addch(&t, sb->buf[i]);
		else
			strbuf_adds(&t, "\xEF\xBF\xBD");
	}
	strbuf_release(sb);
	*sb = t;
}

/* The child has exited (status) and its pipes are closed: report it. */
static int report(struct child *c, int status, engine_done_fn done, void *ud)
{
	struct completion comp;
	completion_init(&comp);
	comp.endpoint = "exec";
	comp.attempts = 1;
	comp.latency_ms = now_ms() - c->t_start;
	char *msg = NULL;
	cJSON *doc = NULL;
	struct strview err = sv_trim(sv_from(c->errtail.buf));
	if (c->fail) {
		comp.error_kind = c->fail;
		msg = !strcmp(c->fail, "timeout")
			      ? xasprintf("no answer within %ld s", (long)((c->deadline - c->t_start) / 1000))
			      : xasprintf("more than %u bytes of output", EXEC_MAX_OUT);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		comp.error_kind = "exec_failed";
		msg = WIFEXITED(status)
			      ? xasprintf("exit status %d: %.*s", WEXITSTATUS(status), (int)err.len, err.ptr)
			      : xasprintf("killed by signal %d: %.*s", WTERMSIG(status), (int)err.len,
					  err.ptr);
	} else {
		nul_to_replacement(&c->output);
		struct strview out = sv_trim(sv_from(c->output.buf));
		if (out.len && out.ptr[0] == '{')
			doc = json_parse_len(out.ptr, out.len);
		if (doc && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "content"))) {
			comp.content = json_str(doc, "content");
			comp.reasoning = json_str(doc, "reasoning");
			comp.finish_reason = json_str(doc, "finish_reason");
			const cJSON *u = cJSON_GetObjectItemCaseSensitive(doc, "usage");
			comp.prompt_tokens = num_or_unknown(u, "prompt_tokens");
			comp.completion_tokens = num_or_unknown(u, "completion_tokens");
			comp.reasoning_tokens = num_or_unknown(u, "reasoning_tokens");
		} else {
			comp.content = c->output.buf;
		}
	}
	comp.error_message = msg;
	int rc = done(ud, c->req, &comp);
	cJSON_Delete(doc);
	free(msg);
	strbuf_release(&c->input);
	strbuf_release(&c->output);
	strbuf_release(&c->errtail);
	return rc;
}

static int fail_to_start(const struct engine_request *r, engine_done_fn done, void *ud)
{
	struct completion comp;
	completion_init(&comp);
	comp.endpoint = "exec";
	comp.attempts = 1;
	comp.error_kind = "exec_failed";
	char *msg = xasprintf("cannot start the command: %s", strerror(errno));
	comp.error_message = msg;
	int rc = done(ud, r, &comp);
	free(msg);
	return rc;
}

static enum reval_err exec_run(void *state, const struct engine_request *reqs, size_t n,
			       engine_done_fn done, void *ud)
{
	struct exec_engine *x = state;
	size_t width = x->opt->concurrency > 0 ? (size_t)x->opt->concurrency : EXEC_WIDTH;
	struct child *kids = xcalloc(width, sizeof(*kids));
	struct pollfd *pfd = xcalloc(3 * width, sizeof(*pfd));
	size_t next = 0, running = 0;
	int stop = 0;
	while ((next < n && !stop) || running) {
		while (running < width && next < n && !stop) {
			struct child *c = &kids[running];
			if (start_child(x, c, &reqs[next])) {
				stop = fail_to_start(&reqs[next++], done, ud);
				continue;
			}
			next++;
			running++;
		}
		size_t np = 0;
		double now = now_ms(), soonest = now + 1000;
		for (size_t i = 0; i < running; i++) {
			struct child *c = &kids[i];
			if (c->in >= 0)
				pfd[np++] = (struct pollfd){c->in, POLLOUT, 0};
			if (c->out >= 0)
				pfd[np++] = (struct pollfd){c->out, POLLIN, 0};
			if (c->err >= 0)
				pfd[np++] = (struct pollfd){c->err, POLLIN, 0};
			if (c->deadline < soonest)
				soonest = c->deadline;
		}
		int wait = soonest > now ? (int)(soonest - now) + 1 : 0;
		poll(pfd, np, np ? wait : (wait < 10 ? wait : 10));
		for (size_t i = 0; i < running; i++) {
			struct child *c = &kids[i];
			if (c->in >= 0)
				pump_in(c);
			if (c->out >= 0)
				pump_out(c, &c->out, 0);
			if (c->err >= 0)
				pump_out(c, &c->err, 1);
			if (now_ms() > c->deadline && (c->out >= 0 || c->err >= 0 || c->in >= 0))
				kill_child(c, "timeout");
		}
		/* Reap children whose output is complete. */
		for (size_t i = 0; i < running;) {
			struct child *c = &kids[i];
			int status = 0;
			if (c->out >= 0 || c->err >= 0) {
				if (now_ms() <= c->deadline) {
					i++;
					continue;
				}
				kill_child(c, "timeout");
			}
			if (waitpid(c->pid, &status, c->fail ? 0 : WNOHANG) == 0) {
				if (now_ms() > c->deadline)
					kill_child(c, "timeout");
				i++;
				continue;
			}
			close_fd(&c->in);
			if (stop) {
				/* Abandoned after the runner asked to stop: not reported. */
				strbuf_release(&c->input);
				strbuf_release(&c->output);
				strbuf_release(&c->errtail);
				kids[i] = kids[--running];
				continue;
			}
			int rc = report(c, status, done, ud);
			if (rc && !stop) {
				/* The runner asked to stop: abandon what is still running. */
				stop = rc;
				for (size_t k = 0; k < running; k++)
					if (k != i)
						kill_child(&kids[k], "abandoned");
			}
			kids[i] = kids[--running];
		}
	}
	free(kids);
	free(pfd);
	return (enum reval_err)stop;
}

static enum reval_err exec_open(void **state, const char *arg, const struct engine_options *opt)
{
	if (!arg || !*arg) {
		diag("--engine exec needs a command: --engine exec:'./my-model --json'");
		return RV_EUSAGE;
	}
	struct exec_engine *x = xcalloc(1, sizeof(*x));
	x->cmd = xstrdup(arg);
	x->opt = opt;
	*state = x;
	return RV_OK;
}

static void exec_close(void *state)
{
	struct exec_engine *x = state;
	if (!x)
		return;
	free(x->cmd);
	free(x);
}

const struct engine_ops engine_exec = {
	.name = "exec",
	.help = "exec:'CMD'  run CMD per prompt: request JSON on stdin, completion on stdout",
	.open = exec_open,
	.run = exec_run,
	.close = exec_close,
};
