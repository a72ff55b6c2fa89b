#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox_cgroup.h"
#include "sandbox_proto.h"
#include "sandbox_seccomp.h"
#include "sandbox_spawn.h"
#include "sandbox_zygote.h"

#define HEADER_CAP (16u << 20)  /* result headers hold the runner's per-test list */
#define START_MS 15000.0        /* a fork server that is not ready by then is broken */
#define ABORT_GRACE_MS 3000.0   /* after an abort, the monitor must answer within this */
#define SETUP_SLACK_MS 1000.0   /* fork, namespace and pipe setup before the program runs */

struct sandbox {
	struct sandbox_opts opts;
	char *python;
	struct strbuf bpf_worker;
	struct strbuf bpf_cand;
	struct sbx_cgroup *cg;
	char *host_tmp;           /* unisolated fallback only */
	struct sbx_spawned w;     /* the running worker; w.pid <= 0 when down */
	struct strbuf layers;
	int degraded;
	uid_t cand_uid;
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
			    "private /tmp, per-test pid namespace",
			    sb->w.userns ? "user," : "");
	else
		strbuf_adds(l, "NO namespaces (the kernel refused them): host filesystem "
			       "visible, network reachable, no per-test pid namespace");
	strbuf_adds(l, sb->w.multi_uid ? ", dedicated uids" : ", NO dedicated uids");
	strbuf_adds(l, ", rlimits, no_new_privs, seccomp");
	strbuf_adds(l, sb->cg ? ", cgroup" : ", no cgroup");
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
	cJSON_AddBoolToObject(cfg, "worker_pidns", ns);
	cJSON_AddBoolToObject(cfg, "need_seccomp", 1);
	cJSON_AddStringToObject(cfg, "tmp", ns ? "/tmp" : sb->host_tmp);
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
		.zygote = sbx_zygote_src,
		.bpf = {sb->bpf_worker.buf, sb->bpf_worker.len},
		.cg = sb->cg,
		.host_tmp = sb->host_tmp,
	};
	if (sbx_spawn(&plan, &sb->w, err))
		return -1;
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
	if (sbx_seccomp_export(SBX_FILTER_WORKER, &sb->bpf_worker, err) ||
	    sbx_seccomp_export(SBX_FILTER_CANDIDATE, &sb->bpf_cand, err))
		goto fail;
	struct strbuf cgerr = STRBUF_INIT;
	sb->cg = sbx_cgroup_new(o->index, &cgerr);
	strbuf_release(&cgerr);
	if (o->no_namespaces) {
		char tmpl[] = "/tmp/reval-sandbox-XXXXXX";
		if (!mkdtemp(tmpl)) {
			strbuf_addf(err, "cannot create a scratch directory: %s", strerror(errno));
			goto fail;
		}
		sb->host_tmp = xstrdup(tmpl);
	}
	if (worker_up(sb, err)) {
		/* Namespaces refused in a way clone did not report: go without. */
		if (!o->no_namespaces)
			goto fail;
		goto fail;
	}
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
	if (sb->host_tmp) {
		rm_tree(sb->host_tmp);
		free(sb->host_tmp);
	}
	strbuf_release(&sb->bpf_worker);
	strbuf_release(&sb->bpf_cand);
	strbuf_release(&sb->layers);
	free(sb->python);
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

static char *run_header(const struct sandbox_run *run)
{
	static const char *const modes[] = {"py_stdio", "py_func", "exec"};
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "op", "run");
	cJSON_AddStringToObject(h, "mode", modes[run->mode]);
	cJSON_AddStringToObject(h, "job", run->job ? run->job : "job");
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
	cJSON_AddNumberToObject(lim, "out_bytes",
				(double)(l->out_bytes > 0 ? l->out_bytes : 8l << 20));
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
	} else if (!strcmp(s, "output_limit")) {
		res->status = SBX_OUTPUT_LIMIT;
	} else if (!strcmp(s, "aborted")) {
		res->status = SBX_TIMEOUT;
	} else {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
		res->status = j && !strcmp(s, "setup_failed") ? SBX_SETUP_FAILED : SBX_INFRA;
		res->error = xstrdup(cJSON_IsString(e) ? e->valuestring : "the candidate was not confined");
	}
	cJSON *r = cJSON_DetachItemFromObjectCaseSensitive(j, "runner");
	if (r && !cJSON_IsNull(r))
		res->runner = r;
	else
		cJSON_Delete(r);
	cJSON_Delete(j);
}

static int infra(struct sandbox *sb, struct sandbox_result *res, const char *what)
{
	res->status = SBX_INFRA;
	res->error = xstrdup(what);
	worker_down(sb);
	return 0;
}

int sandbox_exec(struct sandbox *sb, const struct sandbox_run *run, struct sandbox_result *res)
{
	memset(res, 0, sizeof(*res));
	strbuf_init(&res->out);
	strbuf_init(&res->err);
	if (sb->w.pid <= 0) {
		struct strbuf e = STRBUF_INIT;
		if (worker_up(sb, &e)) {
			res->status = SBX_INFRA;
			res->error = strbuf_detach(&e);
			return 0;
		}
		strbuf_release(&e);
	}
	int ctl = sb->w.ctl;
	char *hdr = run_header(run);
	enum proto_rc rc = proto_send(ctl, hdr, strlen(hdr));
	free(hdr);
	if (!rc)
		rc = proto_send(ctl, run->input.ptr, run->input.len);
	if (!rc)
		rc = proto_send(ctl, run->program.ptr, run->program.len);
	if (!rc)
		rc = proto_send(ctl, run->spec.ptr, run->spec.len);
	if (rc)
		return infra(sb, res, "the worker stopped taking requests");
	double wall = run->lim.wall_s > 0 ? run->lim.wall_s : 10;
	double deadline = now_ms() + wall * 1000 + SETUP_SLACK_MS;
	struct strbuf f = STRBUF_INIT;
	rc = proto_recv(ctl, &f, HEADER_CAP, deadline);
	int aborted = 0;
	if (rc == PROTO_TIMEOUT) {
		static const char abort_msg[] = "{\"op\":\"abort\"}";
		aborted = 1;
		proto_send(ctl, abort_msg, sizeof(abort_msg) - 1);
		rc = proto_recv(ctl, &f, HEADER_CAP, now_ms() + ABORT_GRACE_MS);
		if (rc == PROTO_TIMEOUT) {
			/* The monitor itself is stuck: end the whole worker. */
			strbuf_release(&f);
			worker_down(sb);
			res->status = SBX_TIMEOUT;
			res->wall_ms = wall * 1000;
			return 0;
		}
	}
	if (rc) {
		strbuf_release(&f);
		return infra(sb, res, "the worker ended during a run");
	}
	parse_result(&f, res);
	if (aborted && res->status != SBX_INFRA)
		res->status = SBX_TIMEOUT;
	size_t out_cap = (size_t)(run->lim.out_bytes > 0 ? run->lim.out_bytes : 8l << 20) + 65536;
	double tail = now_ms() + ABORT_GRACE_MS * 4;
	if (proto_recv(ctl, &res->out, out_cap, tail) || proto_recv(ctl, &res->err, 1u << 20, tail) ||
	    proto_recv(ctl, &f, 4096, tail)) {
		strbuf_release(&f);
		worker_down(sb);
		if (res->status != SBX_TIMEOUT) {
			res->status = SBX_INFRA;
			free(res->error);
			res->error = xstrdup("the worker ended while reporting");
		}
		return 0;
	}
	strbuf_release(&f);
	return 0;
}

void sandbox_job_end(struct sandbox *sb, const char *job)
{
	if (sb->w.pid <= 0)
		return;
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "op", "job_end");
	cJSON_AddStringToObject(h, "job", job);
	char *s = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	struct strbuf f = STRBUF_INIT;
	if (proto_send(sb->w.ctl, s, strlen(s)) ||
	    proto_recv(sb->w.ctl, &f, 4096, now_ms() + ABORT_GRACE_MS * 4))
		worker_down(sb);
	free(s);
	strbuf_release(&f);
}

const char *sandbox_layers(const struct sandbox *sb)
{
	return sb->layers.buf;
}

int sandbox_degraded(const struct sandbox *sb)
{
	return sb->degraded;
}

pid_t sandbox_pid(const struct sandbox *sb)
{
	return sb->w.pid;
}

int sandbox_cgroup_count(const struct sandbox *sb)
{
	return sb->cg ? sbx_cgroup_count(sb->cg) : -1;
}

uid_t sandbox_candidate_uid(const struct sandbox *sb)
{
	return sb->cand_uid;
}
