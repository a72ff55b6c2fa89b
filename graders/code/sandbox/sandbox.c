#include "graders/code/sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "graders/code/sandbox/cgroup.h"
#include "graders/code/sandbox/cpu.h"
#include "graders/code/sandbox/proto.h"
#include "graders/code/sandbox/seccomp.h"
#include "graders/code/sandbox/spawn.h"
#include "graders/code/sandbox/zygote.h"

#define HEADER_CAP (16u << 20)  /* result headers hold the runner's per-test list */
#define START_MS 15000.0        /* a fork server that is not ready by then is broken */
#define ABORT_GRACE_MS 3000.0   /* after an abort, the fork server must answer within this */
#define SETUP_SLACK_MS 1000.0   /* fork, namespace and pipe setup before the program runs */

struct sandbox {
	struct sandbox_opts opts;
	char *python;
	struct strbuf bpf_worker;
	struct strbuf bpf_cand;
	struct sbx_cgroup *cg;
	struct sbx_cpuset *cs;    /* enforces the CPU where cgroups allow, else NULL */
	char *host_tmp;           /* unisolated fallback only */
	struct sbx_spawned w;     /* the running worker; w.pid <= 0 when down */
	int rchan;                /* our end of R's channel; -1 while R is down */
	int jobs;                 /* 1 when a job directory may exist (compiled programs) */
	struct strbuf layers;
	int degraded;
	uid_t cand_uid;
	struct sbx_cpu cpu;       /* the CPU the worker and its callers run on */
	char *no_ns;              /* why namespaces are not used here, when it is not the kernel */
};

const char *sandbox_status_name(enum sandbox_status s)
{
	switch (s) {
	case SBX_EXITED: return "exited";
	case SBX_SIGNALED: return "signaled";
	case SBX_TIMEOUT: return "timeout";
	case SBX_OUTPUT_LIMIT: return "output_limit";
	case SBX_SETUP_FAILED: return "setup_failed";
	case SBX_INFRA: return "infra_error";
	}
	return "unknown";
}

static void worker_down(struct sandbox *sb)
{
	if (sb->rchan >= 0)
		close(sb->rchan);
	sb->rchan = -1;
	sb->jobs = 0;
	if (sb->w.pid <= 0)
		return;
	if (sb->w.ctl >= 0)
		close(sb->w.ctl);
	sbx_cgroup_kill(sb->cg);
	if (sb->w.pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, sb->w.pidfd, SIGKILL, NULL, 0);
		close(sb->w.pidfd);
	} else {
		kill(sb->w.pid, SIGKILL);
	}
	waitpid(sb->w.pid, NULL, 0);
	sb->w.pid = -1;
	sb->w.ctl = sb->w.pidfd = -1;
}

static void describe(struct sandbox *sb)
{
	struct strbuf *l = &sb->layers;
	strbuf_reset(l);
	sb->degraded = 0;
	if (sb->w.ns)
		strbuf_addf(l, "namespaces(%spid,mount,net,ipc,uts), minimal read-only root, "
			    "fresh /tmp per run, per-test pid namespace",
			    sb->w.userns ? "user," : "");
	else
		strbuf_addf(l, "NO namespaces (%s): host filesystem "
			       "visible, network reachable, no per-test pid namespace, "
			       "a fresh directory per run but the host's /tmp",
			    sb->no_ns ? sb->no_ns : "the kernel refused them");
	strbuf_adds(l, sb->w.multi_uid ? ", dedicated uids" : ", NO dedicated uids");
	strbuf_adds(l, ", rlimits, no_new_privs, seccomp (no SysV IPC or message queues)");
	strbuf_adds(l, sb->cg ? ", cgroup" : ", no cgroup");
	if (sb->cpu.cpu >= 0)
		strbuf_addf(l, sb->cs ? ", cpuset (CPU %d)" : ", CPU %d pinned (advisory: no cpuset)",
			    sb->cpu.cpu);
	if (sb->w.notes[0])
		strbuf_addf(l, " [%s]", sb->w.notes);
	sb->degraded = !sb->w.ns || !sb->w.multi_uid || sb->w.notes[0];
}

static int hello(struct sandbox *sb, struct strbuf *err)
{
	struct strbuf f = STRBUF_INIT;
	int ret = -1;
	double deadline = now_ms() + START_MS;
	enum proto_rc rc = proto_recv(sb->w.ctl, &f, 4096, deadline);
	if (rc) {
		strbuf_adds(err, "the worker did not start");
		goto out;
	}
	snprintf(sb->w.notes, sizeof(sb->w.notes), "%s", f.buf);
	cJSON *cfg = cJSON_CreateObject();
	int ns = sb->w.ns;
	unsigned long r = 1, c = 2;
	if (!sb->w.userns && sb->w.multi_uid) {
		/* Root without a user namespace: real host uids, dedicated to us. */
		r = (1ul << 30) + ((unsigned long)getpid() % (1ul << 22)) * 256 +
		    (unsigned long)sb->opts.index * 4 + 1;
		c = r + 1;
	}
	sb->cand_uid = sb->w.userns ? (uid_t)(sb->w.outer_uid + (sb->w.multi_uid ? 2 : 0))
				    : (sb->w.multi_uid ? (uid_t)c : geteuid());
	cJSON_AddBoolToObject(cfg, "setuid", sb->w.multi_uid);
	cJSON_AddNumberToObject(cfg, "uid_r", (double)r);
	cJSON_AddNumberToObject(cfg, "gid_r", (double)r);
	cJSON_AddNumberToObject(cfg, "uid_c", (double)c);
	cJSON_AddNumberToObject(cfg, "gid_c", (double)c);
	cJSON_AddBoolToObject(cfg, "pidns", ns);
	cJSON_AddBoolToObject(cfg, "need_seccomp", 1);
	cJSON_AddStringToObject(cfg, "tmp", ns ? "/tmp" : sb->host_tmp);
	/* With namespaces every run gets a fresh tmpfs of this size on /tmp. */
	cJSON_AddBoolToObject(cfg, "fresh_tmp", ns);
	if (ns)
		cJSON_AddStringToObject(cfg, "graves", SBX_GRAVES);
	cJSON_AddNumberToObject(cfg, "tmp_mb", (double)(sb->opts.tmp_mb > 0 ? sb->opts.tmp_mb : 64));
	char *text = cJSON_PrintUnformatted(cfg);
	cJSON_Delete(cfg);
	rc = proto_send(sb->w.ctl, text, strlen(text));
	free(text);
	if (!rc)
		rc = proto_send(sb->w.ctl, sb->bpf_cand.buf, sb->bpf_cand.len);
	if (!rc)
		rc = proto_recv(sb->w.ctl, &f, 4096, deadline);
	if (rc || !strstr(f.buf, "\"ready\"")) {
		strbuf_adds(err, "the fork server did not start");
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&f);
	return ret;
}

static int worker_up(struct sandbox *sb, struct strbuf *err)
{
	struct sbx_spawn_plan plan = {
		.index = sb->opts.index,
		.try_ns = !sb->opts.no_namespaces,
		.tmp_mb = sb->opts.tmp_mb,
		.python = sb->python,
		.zygote = sbx_zygote_boot,
		.core = {(const char *)sbx_zygote_core, sbx_zygote_core_len},
		.bpf = {sb->bpf_worker.buf, sb->bpf_worker.len},
		.cg = sb->cg,
		.cs = sb->cs,
		.host_tmp = sb->host_tmp,
		.cpu = sb->cpu.cpu,
	};
	if (!sb->no_ns && sbx_spawn(&plan, &sb->w, err)) {
		if (!sb->w.shared_chroot)
			return -1;
		/* Said once, in the layers: the pool warns with them. */
		sb->no_ns = strbuf_detach(err);
		if (!sb->host_tmp) {
			char tmpl[] = "/tmp/reval-sandbox-XXXXXX";
			if (!mkdtemp(tmpl)) {
				strbuf_addf(err, "cannot create a scratch directory: %s", strerror(errno));
				return -1;
			}
			sb->host_tmp = xstrdup(tmpl);
		}
	}
	if (sb->no_ns) {
		plan.try_ns = 0;
		plan.host_tmp = sb->host_tmp;
		if (sbx_spawn(&plan, &sb->w, err))
			return -1;
	}
	if (hello(sb, err)) {
		worker_down(sb);
		return -1;
	}
	describe(sb);
	return 0;
}

int sandbox_new(struct sandbox **out, const struct sandbox_opts *o, struct strbuf *err)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));
	sb->opts = *o;
	sb->python = xstrdup(o->python ? o->python : "/usr/bin/python3");
	strbuf_init(&sb->bpf_worker);
	strbuf_init(&sb->bpf_cand);
	strbuf_init(&sb->layers);
	sb->w.pid = -1;
	sb->w.ctl = sb->w.pidfd = -1;
	sb->rchan = -1;
	sbx_cpu_claim(&sb->cpu, o->index);
	if (sbx_seccomp_export(SBX_FILTER_WORKER, &sb->bpf_worker, err) ||
	    sbx_seccomp_export(SBX_FILTER_CANDIDATE, &sb->bpf_cand, err))
		goto fail;
	struct strbuf cgerr = STRBUF_INIT;
	sb->cg = sbx_cgroup_new(o->index, &cgerr);
	if (sb->cpu.cpu >= 0)
		sb->cs = sbx_cpuset_new(o->index, sb->cpu.cpu, sb->cg, &cgerr);
	strbuf_release(&cgerr);
	if (o->no_namespaces) {
		char tmpl[] = "/tmp/reval-sandbox-XXXXXX";
		if (!mkdtemp(tmpl)) {
			strbuf_addf(err, "cannot create a scratch directory: %s", strerror(errno));
			goto fail;
		}
		sb->host_tmp = xstrdup(tmpl);
	}
	if (worker_up(sb, err))
		goto fail;
	*out = sb;
	return 0;
fail:
	sandbox_free(sb);
	return -1;
}

static void rm_tree(const char *path)
{
	/* Only our own mkdtemp directory, whose files the fork server made. */
	pid_t p = fork();
	if (p == 0) {
		execl("/bin/rm", "rm", "-rf", "--", path, (char *)NULL);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
}

void sandbox_free(struct sandbox *sb)
{
	if (!sb)
		return;
	worker_down(sb);
	sbx_cgroup_free(sb->cg);
	sbx_cpuset_free(sb->cs);
	if (sb->host_tmp) {
		rm_tree(sb->host_tmp);
		free(sb->host_tmp);
	}
	strbuf_release(&sb->bpf_worker);
	strbuf_release(&sb->bpf_cand);
	strbuf_release(&sb->layers);
	free(sb->python);
	sbx_cpu_release(&sb->cpu);
	free(sb->no_ns);
	free(sb);
}

void sandbox_result_release(struct sandbox_result *res)
{
	strbuf_release(&res->out);
	strbuf_release(&res->err);
	cJSON_Delete(res->runner);
	free(res->error);
	memset(res, 0, sizeof(*res));
}

static char *run_header(const struct sandbox_run *run, const char *const *names, size_t nfds)
{
	static const char *const modes[] = {"py_stdio", "py_func", "exec"};
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "op", "run");
	cJSON_AddStringToObject(h, "mode", modes[run->mode]);
	cJSON_AddStringToObject(h, "job", run->job ? run->job : "job");
	cJSON *fa = cJSON_AddArrayToObject(h, "fds");
	for (size_t i = 0; i < nfds; i++)
		cJSON_AddItemToArray(fa, cJSON_CreateString(names[i]));
	if (run->argv) {
		cJSON *a = cJSON_AddArrayToObject(h, "argv");
		for (size_t i = 0; run->argv[i]; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(run->argv[i]));
	}
	if (run->src_name)
		cJSON_AddStringToObject(h, "src_name", run->src_name);
	if (run->keep)
		cJSON_AddStringToObject(h, "keep", run->keep);
	const struct sandbox_limits *l = &run->lim;
	cJSON *lim = cJSON_AddObjectToObject(h, "lim");
	cJSON_AddNumberToObject(lim, "cpu_s", l->cpu_s > 0 ? l->cpu_s : 4);
	cJSON_AddNumberToObject(lim, "mem_mb", (double)(l->mem_mb > 0 ? l->mem_mb : 512));
	cJSON_AddNumberToObject(lim, "fsize_mb", (double)(l->fsize_mb > 0 ? l->fsize_mb : 16));
	cJSON_AddNumberToObject(lim, "nproc", (double)(l->nproc > 0 ? l->nproc : 64));
	cJSON_AddNumberToObject(lim, "nofile", (double)(l->nofile > 0 ? l->nofile : 64));
	char *s = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	return s;
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void parse_result(const struct strbuf *f, struct sandbox_result *res)
{
	cJSON *j = cJSON_Parse(f->buf);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
	const char *s = cJSON_IsString(st) ? st->valuestring : "";
	res->cpu_ms = num(j, "cpu_ms");
	res->wall_ms = num(j, "wall_ms");
	res->maxrss_kb = (long)num(j, "maxrss_kb");
	res->exit_code = (int)num(j, "code");
	res->signal = (int)num(j, "signal");
	if (!strcmp(s, "exited")) {
		res->status = SBX_EXITED;
	} else if (!strcmp(s, "signaled")) {
		res->status = SBX_SIGNALED;
	} else if (!strcmp(s, "aborted")) {
		res->status = SBX_TIMEOUT;
	} else {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
		res->status = j && !strcmp(s, "setup_failed") ? SBX_SETUP_FAILED : SBX_INFRA;
		res->error = xstrdup(cJSON_IsString(e) ? e->valuestring : "the candidate was not confined");
	}
	cJSON_Delete(j);
}

/* ---- One run's descriptors ---- */

enum { IO_PROGRAM, IO_STDIN, IO_OUT, IO_ERR, IO_RC, IO_N };

/* What a run hands to the worker (the candidate's ends) and what the checker
 * keeps: the read ends of stdout and stderr, and R's end of its socket to C. */
struct run_io {
	int give[IO_N];   /* -1 when absent */
	int out_r, err_r; /* drained here, under the caps */
	int rc_r;         /* for R */
};

static const char *const io_names[IO_N] = {"program", "stdin", "out", "err", "rc"};

static void io_close(struct run_io *io)
{
	for (int i = 0; i < IO_N; i++)
		if (io->give[i] >= 0)
			close(io->give[i]);
	int *mine[] = {&io->out_r, &io->err_r, &io->rc_r};
	for (size_t i = 0; i < ARRAY_SIZE(mine); i++) {
		if (*mine[i] >= 0)
			close(*mine[i]);
		*mine[i] = -1;
	}
	for (int i = 0; i < IO_N; i++)
		io->give[i] = -1;
}

static int io_open(struct run_io *io, const struct sandbox_run *run)
{
	int p[2];
	for (int i = 0; i < IO_N; i++)
		io->give[i] = -1;
	io->out_r = io->err_r = io->rc_r = -1;
	io->give[IO_PROGRAM] = proto_memfd("program", run->program, 0);
	if (io->give[IO_PROGRAM] < 0)
		return -1;
	if (run->input.len && (io->give[IO_STDIN] = proto_memfd("stdin", run->input, 0)) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	io->out_r = p[0];
	io->give[IO_OUT] = p[1];
	if (pipe2(p, O_CLOEXEC))
		return -1;
	io->err_r = p[0];
	io->give[IO_ERR] = p[1];
	if (fcntl(io->out_r, F_SETFL, O_NONBLOCK) || fcntl(io->err_r, F_SETFL, O_NONBLOCK))
		return -1;
	if (run->mode == SBX_PY_FUNC) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
			return -1;
		io->rc_r = p[0];
		io->give[IO_RC] = p[1];
	}
	return 0;
}

/* ---- The runner ---- */

static void runner_drop(struct sandbox *sb)
{
	if (sb->rchan >= 0)
		close(sb->rchan);
	sb->rchan = -1;
}

/* Make sure R is up: a runner that spoke out of turn or hung up (it leaves
 * after a quota of tests) is replaced by a fresh one from the fork server. */
static int runner_up(struct sandbox *sb)
{
	if (sb->rchan >= 0) {
		struct pollfd p = {.fd = sb->rchan, .events = POLLIN};
		if (poll(&p, 1, 0) == 0)
			return 0;
		runner_drop(sb);
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	static const char hdr[] = "{\"op\":\"runner\"}";
	enum proto_rc rc = proto_send_fds(sb->w.ctl, hdr, sizeof(hdr) - 1, &sv[1], 1);
	close(sv[1]);
	if (rc) {
		close(sv[0]);
		return -1;
	}
	sb->rchan = sv[0];
	return 0;
}

/* The test spec goes straight to R with its socket to C: test data never
 * passes through the fork server. */
static int runner_send(struct sandbox *sb, const struct sandbox_run *run, int rc_r)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (runner_up(sb))
			return -1;
		if (!proto_send_fds(sb->rchan, run->spec.ptr, run->spec.len, &rc_r, 1))
			return 0;
		runner_drop(sb);
	}
	return -1;
}

/* ---- Runs ---- */

static int infra(struct sandbox *sb, struct sandbox_result *res, const char *what)
{
	res->status = SBX_INFRA;
	free(res->error);
	res->error = xstrdup(what);
	worker_down(sb);
	return 0;
}

static void send_kill(struct sandbox *sb, int abort, int runner)
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "{\"op\":\"kill\",\"abort\":%s,\"runner\":%s}",
			 abort ? "true" : "false", runner ? "true" : "false");
	proto_send(sb->w.ctl, msg, (size_t)n);
}

/* Append what fd has to sb up to cap bytes; 1 when more than cap came,
 * -1 at end of file (fd is closed and set to -1), 0 otherwise. */
static int drain(int *fd, struct strbuf *sb, size_t cap)
{
	char buf[65536];
	ssize_t k = read(*fd, buf, sizeof(buf));
	if (k < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : (close(*fd), *fd = -1, -1);
	if (k == 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	size_t room = sb->len < cap ? cap - sb->len : 0;
	strbuf_add(sb, buf, (size_t)k < room ? (size_t)k : room);
	return (size_t)k > room;
}

struct watch {
	int z_done;  /* the fork server's result is in: C and its namespace are gone */
	int r_done;  /* R's result is in, or R is gone */
	int aborted; /* the wall clock ran out */
	int over;    /* stdout passed its cap */
	int killed;  /* C was told to end */
};

static void stop_candidate(struct sandbox *sb, struct watch *w)
{
	if (!w->z_done && !w->killed)
		send_kill(sb, 0, 0);
	w->killed = 1;
}

/* Wait for the fork server's result, R's verdicts and C's output, keeping
 * the wall clock.  0, or -1 when the worker failed (res says how). */
static int collect(struct sandbox *sb, const struct sandbox_run *run, struct run_io *io,
		   struct sandbox_result *res)
{
	double wall = run->lim.wall_s > 0 ? run->lim.wall_s : 10;
	double deadline = now_ms() + wall * 1000 + SETUP_SLACK_MS;
	size_t out_cap = (size_t)(run->lim.out_bytes > 0 ? run->lim.out_bytes : 8l << 20);
	struct watch w = {.r_done = run->mode != SBX_PY_FUNC};
	struct strbuf f = STRBUF_INIT;
	int ret = 0;
	while (!w.z_done || !w.r_done || io->out_r >= 0 || io->err_r >= 0) {
		struct pollfd p[4];
		int n = 0, iz = -1, ir = -1, io_ = -1, ie = -1;
		if (!w.z_done)
			iz = n, p[n++] = (struct pollfd){.fd = sb->w.ctl, .events = POLLIN};
		if (!w.r_done)
			ir = n, p[n++] = (struct pollfd){.fd = sb->rchan, .events = POLLIN};
		if (io->out_r >= 0)
			io_ = n, p[n++] = (struct pollfd){.fd = io->out_r, .events = POLLIN};
		if (io->err_r >= 0)
			ie = n, p[n++] = (struct pollfd){.fd = io->err_r, .events = POLLIN};
		double left = deadline - now_ms();
		int k = left > 0 ? poll(p, (nfds_t)n, (int)left + 1) : 0;
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			ret = infra(sb, res, "cannot wait for the worker");
			goto out;
		}
		if (k == 0 && now_ms() >= deadline) {
			if (w.aborted || w.z_done) {
				/* The fork server does not answer after an abort, or output
				 * pipes stay open after it did: end the whole worker. */
				if (!w.z_done) {
					worker_down(sb);
					res->status = SBX_TIMEOUT;
					res->wall_ms = wall * 1000;
					ret = -1;
					goto out;
				}
				break;
			}
			w.aborted = 1;
			send_kill(sb, 1, !w.r_done);
			if (!w.r_done) {
				/* The fork server kills R too: its verdicts are void. */
				runner_drop(sb);
				w.r_done = 1;
			}
			deadline = now_ms() + ABORT_GRACE_MS;
			continue;
		}
		if (io_ >= 0 && p[io_].revents && drain(&io->out_r, &res->out, out_cap) == 1) {
			w.over = 1;
			close(io->out_r);
			io->out_r = -1;
			stop_candidate(sb, &w);
		}
		if (ie >= 0 && p[ie].revents)
			drain(&io->err_r, &res->err, 64u << 10);
		if (ir >= 0 && p[ir].revents) {
			if (proto_recv(sb->rchan, &f, HEADER_CAP, deadline)) {
				runner_drop(sb); /* R died: the run has no verdicts */
			} else {
				res->runner = json_parse_len(f.buf, f.len);
				if (!res->runner)
					res->runner = cJSON_Parse("{\"error\":\"unreadable runner result\"}");
			}
			w.r_done = 1;
			stop_candidate(sb, &w);
		}
		if (iz >= 0 && p[iz].revents) {
			if (proto_recv(sb->w.ctl, &f, 1u << 16, deadline)) {
				int was_aborted = w.aborted;
				infra(sb, res, "the worker ended during a run");
				if (was_aborted)
					res->status = SBX_TIMEOUT;
				ret = -1;
				goto out;
			}
			parse_result(&f, res);
			w.z_done = 1;
		}
	}
	if (w.over && res->status != SBX_INFRA)
		res->status = SBX_OUTPUT_LIMIT;
	if (w.aborted && res->status != SBX_INFRA)
		res->status = SBX_TIMEOUT;
out:
	strbuf_release(&f);
	return ret;
}

static int exec_run(struct sandbox *sb, const struct sandbox_run *run, struct sandbox_result *res)
{
	memset(res, 0, sizeof(*res));
	strbuf_init(&res->out);
	strbuf_init(&res->err);
	if (sb->w.pid <= 0) {
		struct strbuf e = STRBUF_INIT;
		if (worker_up(sb, &e)) {
			res->status = SBX_SETUP_FAILED;
			res->error = strbuf_detach(&e);
			return 0;
		}
		strbuf_release(&e);
	}
	struct run_io io;
	if (io_open(&io, run)) {
		res->status = SBX_SETUP_FAILED;
		res->error = xasprintf("cannot set up the run: %s", strerror(errno));
		io_close(&io);
		return 0;
	}
	if (run->mode == SBX_EXEC)
		sb->jobs = 1;
	if (run->mode == SBX_PY_FUNC && runner_send(sb, run, io.rc_r)) {
		io_close(&io);
		return infra(sb, res, "the test runner does not take requests");
	}
	int fds[IO_N];
	const char *names[IO_N];
	size_t nfds = 0;
	for (int i = 0; i < IO_N; i++)
		if (io.give[i] >= 0) {
			names[nfds] = io_names[i];
			fds[nfds++] = io.give[i];
		}
	char *hdr = run_header(run, names, nfds);
	enum proto_rc rc = proto_send_fds(sb->w.ctl, hdr, strlen(hdr), fds, nfds);
	free(hdr);
	/* Only the candidate holds its ends now, so their end of file is its. */
	for (int i = 0; i < IO_N; i++)
		if (io.give[i] >= 0) {
			close(io.give[i]);
			io.give[i] = -1;
		}
	close(io.rc_r);
	io.rc_r = -1;
	if (rc) {
		io_close(&io);
		return infra(sb, res, "the worker stopped taking requests");
	}
	collect(sb, run, &io, res);
	io_close(&io);
	/* The fork server could not set the run up: whatever it holds is
	 * suspect, so the next run gets a fresh worker. */
	if (res->status == SBX_SETUP_FAILED)
		worker_down(sb);
	return 0;
}

/* The calling thread's stay on a worker's CPU: on from sandbox_stay_begin
 * to sandbox_stay_end, or for one run; the CPU it is pinned to (-1 while it
 * is not), and the CPUs it had before, saved when it was first pinned. */
static __thread struct {
	int on, cpu;
	cpu_set_t saved;
} stay = {.cpu = -1};

void sandbox_stay_begin(void)
{
	stay.on = 1;
}

void sandbox_stay_end(void)
{
	if (stay.cpu >= 0)
		sched_setaffinity(0, sizeof(stay.saved), &stay.saved);
	stay.on = 0;
	stay.cpu = -1;
}

int sandbox_exec(struct sandbox *sb, const struct sandbox_run *run, struct sandbox_result *res)
{
	/* The calling thread joins the worker's CPU for the run: every hand-over
	 * between checker, fork server, runner and candidate then stays on one
	 * CPU, never an interprocessor wakeup.  Outside a batch's stay, it
	 * leaves the CPU after the run. */
	int one_run = !stay.on;
	int cpu = sb->cpu.cpu;
	if (cpu >= 0 && cpu != stay.cpu &&
	    (stay.cpu >= 0 || !sched_getaffinity(0, sizeof(stay.saved), &stay.saved)) &&
	    !sbx_cpu_pin(cpu))
		stay.cpu = cpu;
	int rc = exec_run(sb, run, res);
	if (one_run)
		sandbox_stay_end();
	return rc;
}

void sandbox_job_end(struct sandbox *sb, const char *job)
{
	/* Only compiled programs leave a job directory behind. */
	if (sb->w.pid <= 0 || !sb->jobs)
		return;
	sb->jobs = 0;
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "op", "job_end");
	cJSON_AddStringToObject(h, "job", job);
	char *s = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	/* No answer: the fork server drops the sample's kept program while the
	 * checker goes on, before it reads the next run. */
	if (proto_send(sb->w.ctl, s, strlen(s)))
		worker_down(sb);
	free(s);
}

const char *sandbox_layers(const struct sandbox *sb)
{
	return sb->layers.buf;
}

int sandbox_degraded(const struct sandbox *sb)
{
	return sb->degraded;
}

int sandbox_cpu(const struct sandbox *sb)
{
	return sb->cpu.cpu;
}

int sandbox_cpu_enforced(const struct sandbox *sb)
{
	return sb->cs != NULL;
}

pid_t sandbox_pid(const struct sandbox *sb)
{
	return sb->w.pid;
}

int sandbox_cgroup_count(const struct sandbox *sb)
{
	return sb->cg ? sbx_cgroup_count(sb->cg) : -1;
}

int sandbox_resident(const struct sandbox *sb)
{
	return sb->w.pid > 0 ? 1 + (sb->rchan >= 0) : 0;
}

uid_t sandbox_candidate_uid(const struct sandbox *sb)
{
	return sb->cand_uid;
}
