/*
 * The fork server's loop (see zygote.py for the roles and the wire format).
 *
 * A CPython extension module, reval_zygote, on the stable ABI (3.11 and
 * later), which also carries zygote.py (source.c).  The worker's python3
 * runs a few lines (sbx_zygote_boot, graders/code/sandbox/zygote.c) that
 * load this module and run the source it returns; zygote.py imports the
 * standard library, freezes its heap and calls serve(), which never returns
 * in the fork server: it serves the checker's frames in C and returns only
 * in the processes it forks, already confined, to tell Python what to
 * become.  A loop in Python would write to every object it touches
 * (reference counts), and after each fork every such write is a
 * copy-on-write fault, in the fork server and in the child; in C the fork
 * server writes a few pages per run.
 *
 * Built, with calls.c, confine.c, source.c and wire.c, without sanitizers
 * (it runs inside python3), embedded in reval, and handed to the worker as a
 * sealed memfd.
 */
#define Py_LIMITED_API 0x030B0000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/filter.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "calls.h"
#include "confine.h"
#include "source.h"
#include "wire.h"

/* What serve() returns in a child: the Python body it must run. */
enum role { ROLE_PY_STDIO = 1, ROLE_PY_FUNC = 2, ROLE_RUNNER = 3 };

PyMODINIT_FUNC PyInit_reval_zygote(void);

#define CTL 3
#define MAX_FRAME (1u << 20)
#define RUNNER_MEM_MB 2048

static struct {
	int setuid;       /* distinct uids for runner and candidate */
	uid_t uid_r, uid_c;
	gid_t gid_r, gid_c;
	int pidns;        /* a PID namespace per run (and one for the worker) */
	char tmp[256];    /* where run directories go (no fresh_tmp), or "/tmp" */
	int fresh_tmp;    /* mount a fresh tmpfs on /tmp for every run (namespaces) */
	long tmp_mb;      /* its size */
	dev_t tmp_dev;    /* the worker's own /tmp, seen again once a run's is unmounted */
	char graves[64];  /* where ended runs' worlds gather (see bury_world), or "" */
	long runner_mem_mb;
	struct sock_fprog filter;     /* the candidate filter, kept for every child */
	struct confine_policy policy; /* what confine_process applies */
} cfg;

static pid_t runner_pid = -1;
static int dev_null = -1;   /* a candidate's stdin when the checker sends none */
static int self_pidns = -1; /* to return to after forking into a fresh one */
static char *program;       /* in a Python candidate: its source, read here */
static size_t program_len;
/* The program a compiler run left for the rest of its sample: an unlinked
 * file only the fork server can name, opened read-only; -1 when none. */
static int kept_fd = -1;
static char kept_job[65];   /* the job (sample) it belongs to */

/* ---- Answers ---- */

static void send_frame(const char *s)
{
	if (wire_send(CTL, s, strlen(s)))
		_exit(0); /* the checker is gone */
}

static void send_json(cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!s)
		_exit(4);
	send_frame(s);
	free(s);
}

/* ---- Small helpers ---- */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_of(const cJSON *o, const char *k, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static int bool_of(const cJSON *o, const char *k, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

static int valid_job(const char *job)
{
	if (!job || !*job || strlen(job) > 64)
		return 0;
	for (const char *p = job; *p; p++)
		if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
		      ('0' <= *p && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* rm -rf, never following links; errors show later, when mkdir fails. */
static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* A directory no earlier run can have named: a random name under dir,
 * created exclusively (an existing one is never reused), for the candidate
 * alone.  0, or -1 with errno. */
static int new_dir(char *path, size_t cap, const char *dir)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		unsigned char r[12];
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -1;
		char name[sizeof(r) * 2 + 1];
		for (size_t i = 0; i < sizeof(r); i++)
			snprintf(name + 2 * i, 3, "%02x", r[i]);
		snprintf(path, cap, "%s/r-%s", dir, name);
		if (mkdir(path, 0700) == 0) {
			if (cfg.setuid && chown(path, cfg.uid_c, cfg.gid_c))
				return -1;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* The run's world: with namespaces, a fresh tmpfs on /tmp that belongs to
 * the candidate and is its working directory (every process of the worker
 * shares the mount, and one run at a time exists); without, a fresh
 * directory of its own.  0, or -1 with errno. */
static int world_up(char *cwd, size_t cap)
{
	if (!cfg.fresh_tmp)
		return new_dir(cwd, cap, cfg.tmp);
	struct stat st;
	if (stat("/tmp", &st))
		return -1;
	if (st.st_dev != cfg.tmp_dev) {
		/* An earlier run's /tmp is still mounted. */
		errno = EBUSY;
		return -1;
	}
	char opt[128];
	snprintf(opt, sizeof(opt), "size=%ldm,nr_inodes=65536,mode=0700,uid=%lu,gid=%lu",
		 cfg.tmp_mb, (unsigned long)(cfg.setuid ? cfg.uid_c : 0),
		 (unsigned long)(cfg.setuid ? cfg.gid_c : 0));
	if (mount("reval-run", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opt))
		return -1;
	snprintf(cwd, cap, "/tmp");
	return 0;
}

/*
 * Unmounting waits for every CPU to pass a quiescent state (the kernel's
 * expedited RCU grace period): some 60 us a run with the other cores busy
 * (bench_code measures it), while the next run waits.
 * So a run's /tmp that the candidate left empty is not unmounted: it is
 * moved, whole and unread, under a holder at cfg.graves, and the holder with
 * every world under it goes in one unmount once GRAVES_MAX have gathered.
 * The holder's parent is mode 0 on the read-only root: no candidate can
 * look up a name in it, whatever its uid (its capabilities are gone), nor
 * change its mode.  A /tmp that holds anything (files, or space in use)
 * is unmounted at once, so the holder never pins a candidate's memory.
 */
#define GRAVES_MAX 64
static int buried = -1; /* worlds under the holder; -1 when none is mounted */

/* 0 when the run's /tmp was moved under the holder, -1 to unmount it. */
static int bury_world(void)
{
	struct statfs fs;
	if (!cfg.graves[0] || statfs("/tmp", &fs) || fs.f_files - fs.f_ffree > 1 ||
	    fs.f_bfree != fs.f_blocks)
		return -1;
	if (buried >= GRAVES_MAX) {
		umount2(cfg.graves, MNT_DETACH);
		buried = -1;
	}
	if (buried < 0) {
		if (mount("reval-graves", cfg.graves, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=64k,nr_inodes=128,mode=0700"))
			return -1;
		buried = 0;
	}
	char dst[sizeof(cfg.graves) + 16];
	snprintf(dst, sizeof(dst), "%s/%d", cfg.graves, buried);
	if (mkdir(dst, 0700))
		return -1;
	buried++;
	return mount("/tmp", dst, NULL, MS_MOVE, NULL) ? -1 : 0;
}

/* Take the run's world down: everything in it goes at once, however deep
 * or full the candidate made it.  A failure shows at the next world_up. */
static void world_down(const char *cwd)
{
	if (!cfg.fresh_tmp)
		rm_rf(cwd);
	else if (bury_world())
		umount2("/tmp", MNT_DETACH);
}

static void drop_kept(void)
{
	if (kept_fd >= 0)
		close(kept_fd);
	kept_fd = -1;
	kept_job[0] = '\0';
}

/* ---- The test runner ---- */

static void kill_runner(void)
{
	if (runner_pid > 0)
		kill(runner_pid, SIGKILL);
}

/* Fork the trusted runner on channel chan.  Returns ROLE_RUNNER in it, 0 here. */
static int start_runner(int chan)
{
	kill_runner();
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		prctl(PR_SET_NAME, "reval-runner", 0, 0, 0);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		const int want[4][2] = {{null, 0}, {null, 1}, {null, 2}, {chan, 3}};
		struct confine_limits l = {.mem_mb = cfg.runner_mem_mb};
		char why[256];
		if (null < 0 || confine_fds(want, 4) ||
		    confine_process(&cfg.policy, &l, cfg.uid_r, cfg.gid_r, 0, why, sizeof(why)))
			_exit(1);
		return ROLE_RUNNER;
	}
	runner_pid = pid;
	return 0;
}

/* ---- One run ---- */

enum { FD_PROGRAM, FD_STDIN, FD_OUT, FD_ERR, FD_RC, FD_N };
static const char *const fd_names[FD_N] = {"program", "stdin", "out", "err", "rc"};

struct run {
	int mode;        /* ROLE_PY_STDIO, ROLE_PY_FUNC, or 0 for exec */
	int fd[FD_N];    /* -1 when absent */
	char job[65];
	char cwd[400];
	int world;       /* cwd (and /tmp) exist for this run */
	int use_kept;    /* exec: argv[0] is the sample's kept program */
	char **argv;     /* exec: "@job/..." as argv[0] is the kept program */
	/* Copies, not pointers into the request: the request is freed before
	 * the fork (see run).  "" when absent. */
	char src_name[NAME_MAX + 1], keep[NAME_MAX + 1];
	struct confine_limits lim;
};

static void child_fail(const char *what)
{
	char msg[400];
	int n = snprintf(msg, sizeof(msg), "reval sandbox: setup failed: %s\n", what);
	if (n > 0 && write(2, msg, (size_t)n) < 0)
		_exit(127);
	_exit(127);
}

/* In the candidate, once confined: a failure that is the candidate's. */
static void cand_fail(const char *what)
{
	char msg[300];
	int n = snprintf(msg, sizeof(msg), "%s: %s\n", what, strerror(errno));
	if (n > 0 && write(2, msg, (size_t)n) < 0)
		_exit(126);
	_exit(126);
}

/* Copy what in holds to out; 0 or -1. */
static int copy_fd(int in, int out)
{
	char buf[1 << 16];
	ssize_t k;
	while ((k = read(in, buf, sizeof(buf))) > 0)
		if (wire_write_all(out, buf, (size_t)k))
			return -1;
	return k < 0 ? -1 : 0;
}

/* In the candidate: its session, descriptors, uid and limits.  Returns the
 * Python role; an exec run never returns. */
static int candidate(struct run *r, int setup_w)
{
	prctl(PR_SET_NAME, "reval-candidate", 0, 0, 0);
	if (setsid() < 0)
		child_fail("setsid");
	if (chdir(r->cwd))
		child_fail("chdir");
	int in = r->fd[FD_STDIN] >= 0 ? r->fd[FD_STDIN]
		 : dev_null >= 0     ? dev_null
				     : open("/dev/null", O_RDONLY | O_CLOEXEC);
	int want[6][2] = {{in, 0}, {r->fd[FD_OUT], 1}, {r->fd[FD_ERR], 2},
			  {r->fd[FD_PROGRAM], 4}, {setup_w, 5}, {r->fd[FD_RC], 3}};
	int nwant = r->mode == ROLE_PY_FUNC ? 6 : 5;
	if (r->use_kept && kept_fd >= 0)
		want[nwant][0] = kept_fd, want[nwant++][1] = 6;
	if (in < 0 || confine_fds((const int(*)[2])want, nwant))
		child_fail("descriptors");
	if (r->use_kept && kept_fd >= 0 && fcntl(6, F_SETFD, FD_CLOEXEC))
		child_fail("descriptors");
	if (!r->mode) {
		/* Python ignores these; a compiled program gets the defaults. */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGXFSZ, SIG_DFL);
	}
	char why[256];
	if (confine_process(&cfg.policy, &r->lim, cfg.uid_c, cfg.gid_c, 1, why, sizeof(why)))
		child_fail(why);
	/* Confined: from here on whatever fails is the candidate's (its
	 * program too large for its limits, its world full). */
	if (write(5, "k", 1) != 1)
		_exit(127);
	close(5);
	if (r->mode) {
		/* A sealed memfd: its size is final. */
		struct stat st;
		if (fstat(4, &st) || st.st_size < 0 || !(program = malloc((size_t)st.st_size + 1)) ||
		    wire_read_exact(4, program, (size_t)st.st_size))
			cand_fail("cannot read the program within the limits");
		program_len = (size_t)st.st_size;
		close(4);
		return r->mode;
	}
	if (*r->src_name) {
		int out = open(r->src_name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (out < 0 || copy_fd(4, out) || close(out))
			cand_fail("cannot write the source file within the limits");
	}
	close(4);
	char *env[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8", "TMPDIR=/tmp", NULL};
	if (r->use_kept) {
		/* The kept program, by descriptor: no path a candidate could
		 * have planted, and never a script (its descriptor closes on
		 * exec, so an interpreter could not open it). */
		if (kept_fd >= 0)
			syscall(SYS_execveat, 6, "", r->argv, env, AT_EMPTY_PATH);
		else
			errno = ENOENT;
	} else {
		execve(r->argv[0], r->argv, env);
	}
	char msg[300];
	int n = snprintf(msg, sizeof(msg), "exec failed: %s\n", strerror(errno));
	if (n > 0 && write(2, msg, (size_t)n) < 0)
		_exit(126);
	_exit(126);
}

/* Collect ended children: the runner, and in a worker without a PID
 * namespace, orphans of candidates (the fork server is their subreaper). */
static void reap(void)
{
	pid_t p;
	while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
		if (p == runner_pid)
			runner_pid = -1;
}

/* Whether process pid runs as uid (real, effective or saved): OWNED_LIVE,
 * OWNED_ZOMBIE (it holds nothing and a signal cannot end it, but it is
 * still there to be reaped), or 0. */
#define OWNED_LIVE 1
#define OWNED_ZOMBIE 2
static int runs_as(long pid, uid_t uid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	const char *u = strstr(buf, "\nUid:");
	unsigned long ids[3];
	if (!u || sscanf(u + 5, "%lu %lu %lu", &ids[0], &ids[1], &ids[2]) != 3)
		return 0;
	if (ids[0] != uid && ids[1] != uid && ids[2] != uid)
		return 0;
	return strstr(buf, "\nState:\tZ") ? OWNED_ZOMBIE : OWNED_LIVE;
}

/* Without a PID namespace (the kernel refused them): SIGKILL the
 * candidate's process group, then, where the candidate has a uid of its own
 * (dedicated to this worker), every process /proc lists as that uid, since
 * setsid'd daemons leave the group.  Each is signalled through a pidfd
 * opened before its uid is read, so that a recycled pid is never hit.  Their
 * orphans come to us, as subreaper, and are reaped after every pass.  Passes
 * go on until one finds no process of that uid at all, zombies included, 50
 * at most: a pass reads /proc's entries in batches, so a daemon forked after
 * its batch was read is missed by that pass, and its parent may be a zombie
 * by the time the pass looks at it -- a pass that merely killed nothing
 * proves nothing. */
static void kill_rest(pid_t cpid)
{
	kill(-cpid, SIGKILL);
	for (int round = 0; cfg.setuid && round < 50; round++) {
		DIR *d = opendir("/proc");
		int victims = 0, zombies = 0;
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char *end;
			long p = strtol(e->d_name, &end, 10);
			if (*end || p <= 1)
				continue;
			int pfd = (int)syscall(SYS_pidfd_open, (pid_t)p, 0);
			if (pfd < 0)
				continue;
			int owned = runs_as(p, cfg.uid_c);
			if (owned == OWNED_LIVE &&
			    !syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0))
				victims++;
			zombies += owned == OWNED_ZOMBIE;
			close(pfd);
		}
		if (d)
			closedir(d);
		reap();
		if (!victims && !zombies)
			break;
		usleep(1000);
	}
	reap();
}

/* How a run ended, as watch saw it. */
struct outcome {
	const char *status; /* "exited", "signaled", "aborted" or "setup_failed" */
	int code, signal;
	double cpu_ms;
	long maxrss_kb;
};

/* Wait for the candidate; the checker may end it early with {"op":"kill"}
 * (its wall clock, an output cap, or the runner's verdict being in). */
static void watch(pid_t cpid, int pidfd, struct outcome *o)
{
	int aborted = 0;
	struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = CTL, .events = POLLIN}};
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(5);
		}
		if (p[1].revents) {
			char msg[4096];
			if (wire_recv_small(CTL, msg, sizeof(msg))) {
				/* The checker went away: end everything. */
				kill(cpid, SIGKILL);
				kill_runner();
				_exit(0);
			}
			/* The checker writes these itself: {"op":"kill","abort":B,"runner":B}. */
			if (strstr(msg, "\"op\":\"kill\"")) {
				kill(cpid, SIGKILL);
				aborted |= strstr(msg, "\"abort\":true") != NULL;
				if (strstr(msg, "\"runner\":true"))
					kill_runner();
			}
		}
		if (p[0].revents)
			break;
	}
	/* With a PID namespace per run the candidate is its pid 1: when wait4
	 * returns, the kernel has killed and reaped everything it started. */
	int st;
	struct rusage ru;
	while (wait4(cpid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			_exit(5);
	close(pidfd);
	if (!cfg.pidns)
		kill_rest(cpid);
	o->cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	o->maxrss_kb = ru.ru_maxrss;
	o->code = o->signal = 0;
	if (aborted) {
		o->status = "aborted";
	} else if (WIFEXITED(st)) {
		o->status = "exited";
		o->code = WEXITSTATUS(st);
	} else {
		o->status = "signaled";
		o->signal = WTERMSIG(st);
	}
}

/* A compiler's output survives its run for the rest of its sample as an
 * unlinked file of the fork server's own /tmp, which no candidate sees:
 * later runs execute it by descriptor and cannot change it.  The output is
 * opened without following links and must be a regular file.  1 when kept,
 * 0 when the run left no such file (the candidate's doing), -1 when the
 * fork server could not keep it.  Takes the run's world down. */
static int keep_output(struct run *r)
{
	char src[sizeof(r->cwd) + 1 + sizeof(r->keep)];
	snprintf(src, sizeof(src), "%s/%s", r->cwd, r->keep);
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (in >= 0 && (fstat(in, &st) || !S_ISREG(st.st_mode))) {
		close(in);
		in = -1;
	}
	/* Unmounted, the run's /tmp stays readable through in. */
	world_down(r->cwd);
	r->world = 0;
	if (in < 0)
		return 0;
	int ret = -1, out = open(cfg.tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0755), ro = -1;
	if (out >= 0 && !copy_fd(in, out) && !fchmod(out, 0755)) {
		char self[64];
		snprintf(self, sizeof(self), "/proc/self/fd/%d", out);
		ro = open(self, O_RDONLY | O_CLOEXEC);
	}
	if (ro >= 0) {
		drop_kept();
		kept_fd = ro;
		snprintf(kept_job, sizeof(kept_job), "%s", r->job);
		ret = 1;
	}
	if (out >= 0)
		close(out);
	close(in);
	return ret;
}

static int parse_run(const cJSON *h, const int *fds, int nfds, struct run *r, const char **err)
{
	const char *mode = str_of(h, "mode");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(h, "fds");
	for (int i = 0; i < FD_N; i++)
		r->fd[i] = -1;
	*err = "the run's descriptors are missing";
	if (!cJSON_IsArray(names) || cJSON_GetArraySize(names) != nfds)
		return -1;
	int i = 0;
	for (const cJSON *n = names->child; n; n = n->next, i++)
		for (int k = 0; k < FD_N; k++)
			if (cJSON_IsString(n) && !strcmp(n->valuestring, fd_names[k]))
				r->fd[k] = fds[i];
	*err = "unknown mode";
	r->mode = !mode ? -1 : !strcmp(mode, "py_stdio") ? ROLE_PY_STDIO
		: !strcmp(mode, "py_func") ? ROLE_PY_FUNC : !strcmp(mode, "exec") ? 0 : -1;
	if (r->mode < 0)
		return -1;
	*err = "the run's descriptors are missing";
	if (r->fd[FD_PROGRAM] < 0 || r->fd[FD_OUT] < 0 || r->fd[FD_ERR] < 0 ||
	    (r->mode == ROLE_PY_FUNC && r->fd[FD_RC] < 0))
		return -1;
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(h, "lim");
	r->lim = (struct confine_limits){
		.cpu_s = num_of(lim, "cpu_s", 4),
		.mem_mb = (long)num_of(lim, "mem_mb", 512),
		.fsize_mb = (long)num_of(lim, "fsize_mb", 16),
		.nproc = (long)num_of(lim, "nproc", 64),
		.nofile = (long)num_of(lim, "nofile", 64),
	};
	const char *job = str_of(h, "job");
	*err = "bad job name";
	if (!valid_job(job))
		return -1;
	snprintf(r->job, sizeof(r->job), "%s", job);
	/* A kept program serves its own sample only. */
	if (strcmp(kept_job, r->job))
		drop_kept();
	if (r->mode)
		return 0;
	const cJSON *argv = cJSON_GetObjectItemCaseSensitive(h, "argv");
	int argc = cJSON_GetArraySize(argv);
	*err = "exec without argv";
	if (!cJSON_IsArray(argv) || argc < 1)
		return -1;
	r->argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!r->argv)
		_exit(4);
	i = 0;
	for (const cJSON *a = argv->child; a; a = a->next, i++) {
		const char *s = cJSON_IsString(a) ? a->valuestring : "";
		/* "@job/NAME" as the program: what this sample's compiler left. */
		if (!i && !strncmp(s, "@job/", 5)) {
			r->use_kept = 1;
			s = strrchr(s, '/') + 1;
		}
		if (!(r->argv[i] = strdup(s)))
			_exit(4);
	}
	const char *src_name = str_of(h, "src_name"), *keep = str_of(h, "keep");
	*err = "bad source file name";
	if (src_name && (!*src_name || strlen(src_name) >= sizeof(r->src_name)))
		return -1;
	*err = "bad keep name";
	if (keep && (!*keep || strlen(keep) >= sizeof(r->keep) || strchr(keep, '/') ||
		     !strcmp(keep, "..") || !strcmp(keep, ".")))
		return -1;
	snprintf(r->src_name, sizeof(r->src_name), "%s", src_name ? src_name : "");
	snprintf(r->keep, sizeof(r->keep), "%s", keep ? keep : "");
	return 0;
}

static void free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* The answer for a run that never started: what failed, and errno's
 * account of it when errnum is not 0. */
static cJSON *setup_failed(const char *what, int errnum)
{
	cJSON *res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "status", "setup_failed");
	char msg[512];
	snprintf(msg, sizeof(msg), errnum ? "%s: %s" : "%s", what, strerror(errnum));
	cJSON_AddStringToObject(res, "error", msg);
	return res;
}

/* Fork the candidate with the descriptors the checker sent, watch it, and
 * answer.  Takes h and frees it before the fork: a heap block freed while
 * the candidate lives is a page copied.  Returns 0 here, or the Python role
 * in the candidate.  The candidate and every process it made are gone when
 * the answer is sent. */
static int run(cJSON *h, int *fds, int nfds)
{
	struct run r = {0};
	const char *bad = NULL;
	cJSON *res = NULL;
	int setup[2] = {-1, -1};
	int parsed = parse_run(h, fds, nfds, &r, &bad);
	cJSON_Delete(h);
	if (parsed) {
		res = setup_failed(bad, 0);
		goto out;
	}
	if (world_up(r.cwd, sizeof(r.cwd))) {
		res = setup_failed("the run's fresh /tmp", errno);
		goto out;
	}
	r.world = 1;
	if (pipe2(setup, O_CLOEXEC | O_NONBLOCK)) {
		res = setup_failed("pipe", errno);
		goto out;
	}
	if (cfg.pidns && unshare(CLONE_NEWPID)) {
		res = setup_failed("unshare(CLONE_NEWPID)", errno);
		goto out;
	}
	pid_t cpid = fork();
	if (cpid == 0) {
		close(setup[0]);
		return candidate(&r, setup[1]);
	}
	/* Later children (the next candidate, a new runner) belong in our own
	 * PID namespace; a fork server that cannot return there is useless. */
	if (cfg.pidns && setns(self_pidns, CLONE_NEWPID))
		_exit(3);
	if (cpid < 0) {
		res = setup_failed("fork", errno);
		goto out;
	}
	double t0 = now_ms();
	close(setup[1]);
	setup[1] = -1;
	wire_close_fds(fds, nfds);
	nfds = 0;
	int pidfd = (int)syscall(SYS_pidfd_open, cpid, 0);
	if (pidfd < 0) {
		int e = errno;
		kill(cpid, SIGKILL);
		waitpid(cpid, NULL, 0);
		res = setup_failed("pidfd_open", e);
		goto out;
	}
	struct outcome o;
	watch(cpid, pidfd, &o);
	double wall_ms = now_ms() - t0;
	char k = 0;
	if ((read(setup[0], &k, 1) != 1 || k != 'k') && strcmp(o.status, "aborted"))
		o.status = "setup_failed";
	int kept = 0;
	if (!r.mode && *r.keep && !strcmp(o.status, "exited") && !o.code &&
	    (kept = keep_output(&r)) < 0) {
		res = setup_failed("keeping the compiled program", errno);
		goto out;
	}
	wire_close_fds(setup, 2);
	free_argv(r.argv);
	/* Formatted and sent on the stack: the heap pages stay shared with the next
	 * fork. */
	char msg[512];
	snprintf(msg, sizeof(msg),
		 "{\"status\":\"%s\",\"code\":%d,\"signal\":%d,\"cpu_ms\":%.3f,"
		 "\"maxrss_kb\":%ld,\"wall_ms\":%.3f%s}",
		 o.status, o.code, o.signal, o.cpu_ms, o.maxrss_kb, wall_ms,
		 kept > 0 ? ",\"kept\":true" : "");
	send_frame(msg);
	/* After the answer: the checker goes on while the mount goes. */
	if (r.world)
		world_down(r.cwd);
	return 0;
out:
	if (r.world)
		world_down(r.cwd);
	wire_close_fds(setup, 2);
	wire_close_fds(fds, nfds);
	free_argv(r.argv);
	send_json(res);
	return 0;
}

/* ---- The loop ---- */

static int configure(void)
{
	int fds[WIRE_MAX_FDS], nfds;
	char *hello = wire_recv_frame(CTL, MAX_FRAME, fds, &nfds, NULL);
	wire_close_fds(fds, nfds);
	cJSON *c = hello ? cJSON_Parse(hello) : NULL;
	free(hello);
	if (!c)
		return -1;
	cfg.setuid = bool_of(c, "setuid", 0);
	cfg.uid_r = (uid_t)num_of(c, "uid_r", 0);
	cfg.gid_r = (gid_t)num_of(c, "gid_r", 0);
	cfg.uid_c = (uid_t)num_of(c, "uid_c", 0);
	cfg.gid_c = (gid_t)num_of(c, "gid_c", 0);
	cfg.pidns = bool_of(c, "pidns", 0);
	cfg.policy.need_seccomp = bool_of(c, "need_seccomp", 1);
	cfg.runner_mem_mb = (long)num_of(c, "runner_mem_mb", RUNNER_MEM_MB);
	const char *tmp = str_of(c, "tmp");
	snprintf(cfg.tmp, sizeof(cfg.tmp), "%s", tmp ? tmp : "/tmp");
	cfg.fresh_tmp = bool_of(c, "fresh_tmp", 0);
	cfg.tmp_mb = (long)num_of(c, "tmp_mb", 64);
	const char *graves = str_of(c, "graves");
	if (graves && strlen(graves) >= sizeof(cfg.graves))
		return -1;
	snprintf(cfg.graves, sizeof(cfg.graves), "%s", graves ? graves : "");
	struct stat st = {0};
	if (cfg.fresh_tmp && (strcmp(cfg.tmp, "/tmp") || stat("/tmp", &st)))
		return -1;
	cfg.tmp_dev = cfg.fresh_tmp ? st.st_dev : 0;
	cJSON_Delete(c);
	size_t len;
	char *bpf = wire_recv_frame(CTL, MAX_FRAME, fds, &nfds, &len);
	wire_close_fds(fds, nfds);
	if (!bpf || len % sizeof(struct sock_filter) || len / sizeof(struct sock_filter) > USHRT_MAX)
		return -1;
	/* Kept for the life of the fork server: every child installs it. */
	cfg.filter.len = (unsigned short)(len / sizeof(struct sock_filter));
	cfg.filter.filter = (struct sock_filter *)(void *)bpf;
	cfg.policy.setuid = cfg.setuid;
	cfg.policy.filter = &cfg.filter;
	return 0;
}

static int serve_loop(int ctl, const char *python_version)
{
	if (ctl != CTL)
		return -1;
	prctl(PR_SET_NAME, "reval-zygote", 0, 0, 0);
	if (configure())
		_exit(2);
	umask(022);
	dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (cfg.pidns && (self_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0)
		_exit(2);
	/* Without a PID namespace of our own, orphans of candidates come to us
	 * rather than to an init that may never reap them. */
	if (!cfg.pidns)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	cJSON *ready = cJSON_CreateObject();
	cJSON_AddStringToObject(ready, "op", "ready");
	cJSON_AddStringToObject(ready, "python", python_version ? python_version : "");
	cJSON_AddNumberToObject(ready, "pid", getpid());
	send_json(ready);
	/* What starting up freed (the compiler's work on zygote.py) goes back
	 * to the kernel: every fork copies the page table entries of the heap's
	 * resident pages, and every candidate unmaps them. */
	malloc_trim(0);
	for (;;) {
		int fds[WIRE_MAX_FDS], nfds, role = 0;
		char *raw = wire_recv_frame(CTL, MAX_FRAME, fds, &nfds, NULL);
		if (!raw) {
			kill_runner();
			_exit(0);
		}
		cJSON *h = cJSON_Parse(raw);
		free(raw);
		const char *op = str_of(h, "op");
		if (!op) {
			wire_close_fds(fds, nfds);
		} else if (!strcmp(op, "run")) {
			role = run(h, fds, nfds);
			h = NULL; /* run freed it */
		} else if (!strcmp(op, "runner")) {
			if (nfds > 0)
				role = start_runner(fds[0]);
			if (!role)
				wire_close_fds(fds, nfds);
		} else if (!strcmp(op, "job_end")) {
			/* The sample is over: its kept program goes.  No answer. */
			wire_close_fds(fds, nfds);
			drop_kept();
		} else if (!strcmp(op, "ping")) {
			send_frame("{\"op\":\"end\"}");
		} else {
			/* "kill" frames that arrive after a run already ended. */
			wire_close_fds(fds, nfds);
		}
		if (role)
			return role; /* a child: what the fork server holds is left as it is */
		cJSON_Delete(h);
		reap();
	}
}

/* ---- The module ---- */

static PyObject *serve(PyObject *self, PyObject *args)
{
	(void)self;
	int ctl;
	const char *version;
	if (!PyArg_ParseTuple(args, "is", &ctl, &version))
		return NULL;
	int role = serve_loop(ctl, version);
	if (role < 0) {
		PyErr_SetString(PyExc_ValueError, "the control socket must be descriptor 3");
		return NULL;
	}
	/* The fork server is one thread that held no lock when it forked, so a
	 * candidate skips Python's after-fork hooks (threading's bookkeeping, a
	 * fresh seed for random): they would copy some 260 pages per test.  The
	 * runner, long-lived, runs them. */
	if (role == ROLE_RUNNER)
		PyOS_AfterFork_Child();
	PyObject *ret = Py_BuildValue("(iy#)", role, program ? program : "", (Py_ssize_t)program_len);
	free(program);
	program = NULL;
	return ret;
}

static PyObject *recv_frame(PyObject *self, PyObject *args)
{
	(void)self;
	int fd;
	Py_ssize_t cap;
	if (!PyArg_ParseTuple(args, "in", &fd, &cap))
		return NULL;
	int fds[WIRE_MAX_FDS], nfds = 0;
	size_t len = 0;
	char *body = wire_recv_frame(fd, cap < 0 ? 0 : (size_t)cap, fds, &nfds, &len);
	PyObject *data = body ? PyBytes_FromStringAndSize(body, (Py_ssize_t)len) : Py_NewRef(Py_None);
	free(body);
	PyObject *list = PyList_New(nfds);
	for (int i = 0; list && i < nfds; i++) {
		PyObject *f = PyLong_FromLong(fds[i]);
		if (!f || PyList_SetItem(list, i, f))
			Py_CLEAR(list);
	}
	if (!data || !list) {
		/* No descriptor reached Python: none is left open. */
		wire_close_fds(fds, nfds);
		Py_XDECREF(data);
		Py_XDECREF(list);
		return NULL;
	}
	return Py_BuildValue("(NN)", data, list);
}

static PyObject *source(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	return PyBytes_FromStringAndSize(zygote_source, (Py_ssize_t)zygote_source_len);
}

static PyMethodDef methods[] = {
	{"source", source, METH_NOARGS, "source() -> bytes: the fork server's Python source."},
	{"recv_frame", recv_frame, METH_VARARGS,
	 "recv_frame(fd, cap) -> (bytes | None, [fds]): one frame and the descriptors that "
	 "came with it; None at end of stream or above cap."},
	{"reset", calls_reset, METH_NOARGS, "reset(): see calls.h."},
	{"call", calls_call, METH_VARARGS,
	 "call(fd, request, deadline, cap) -> bytes | None | int | False: see calls.h."},
	{"serve_calls", calls_serve, METH_VARARGS,
	 "serve_calls(fd, answer, g) -> None: see calls.h."},
	{"serve", serve, METH_VARARGS,
	 "serve(ctl, python_version) -> (role, program): the fork server's loop; "
	 "returns only in a forked child, confined."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT, "reval_zygote", "The reval fork server's loop.", -1, methods,
	NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_reval_zygote(void)
{
	return PyModule_Create(&module);
}
