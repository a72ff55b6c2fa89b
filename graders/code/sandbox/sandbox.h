/*
 * sandbox: run untrusted programs in isolated, reusable workers.
 *
 * A worker (struct sandbox) is a set of namespaces with a minimal read-only
 * root (see sandbox_spawn.h) whose first process is a Python fork server
 * (graders/code/sandbox/zygote/), plus, once a function problem has run, one trusted
 * test runner forked from it before any test data existed.  Each
 * sandbox_exec forks, inside the worker, one fresh candidate process with
 * its own session, PID namespace, dedicated uid, rlimits, no_new_privs and
 * seccomp filter.  For function problems the runner, under another uid,
 * runs the tests and calls the candidate through plain data.  The candidate
 * is the first process of its PID namespace, so when it ends the kernel
 * kills and reaps everything it started, before the fork server reports.
 *
 * Nothing a run does is visible to a later one: each run's /tmp, which is
 * also its working directory, is a fresh size-capped tmpfs that the fork
 * server unmounts when the run ends; System V IPC and POSIX message queues
 * are refused by the candidate filter; a compiler's output is kept for the
 * rest of its sample as an unlinked file only the fork server can name, and
 * executed by descriptor -- there is no job path a candidate could create
 * in advance.  A run the fork server cannot set up ends SBX_SETUP_FAILED and
 * the worker is replaced; whatever fails once the candidate's code started
 * is the candidate's.
 *
 * Nothing a test needs passes through the fork server's memory, so no later
 * candidate (a copy of it) can find it: the program and stdin travel as
 * sealed memfds and stdout and stderr as pipes, passed with SCM_RIGHTS and
 * drained here, under the caps; the test spec goes straight to the runner on
 * its own channel.  The runner is long-lived but never forks, is
 * undumpable, and runs as a uid the candidate cannot signal or trace; it
 * keeps nothing from one test to the next but the reference results of
 * recent problems (computed by the trusted reference itself).  It is
 * replaced when it dies, after a timeout, and after a quota of tests.
 *
 * The wall clock lives here, in the checker: past the deadline the run is
 * aborted (candidate and runner killed), and a worker that does not answer
 * is killed (cgroup.kill where a cgroup could be made, SIGKILL to its first
 * process otherwise, which ends its PID namespace) and restarted on the
 * next run.
 *
 * A worker serves one thread at a time; a pool (sandbox_pool.h) shares
 * several.  Each worker runs on a CPU it claims (sandbox_cpu.h: one of its
 * own while any is free, across every reval process on the machine), held
 * there by a cpuset where cgroups allow (sandbox_cgroup.h), and
 * the thread driving a run joins that CPU for the run, so every hand-over
 * between checker, fork server, runner and candidate stays on one CPU.
 * struct sandbox_result owns its buffers: release them with
 * sandbox_result_release.  Where the kernel refuses a layer, sandbox_layers
 * names what runs and what does not and sandbox_degraded is non-zero.
 */
#ifndef REVAL_SANDBOX_H
#define REVAL_SANDBOX_H

#include <cjson/cJSON.h>
#include <sys/types.h>

#include "harness/base/util.h"

struct sandbox;

struct sandbox_opts {
	int index;          /* worker number: names its cgroup and picks its uids */
	int no_namespaces;  /* 1 forces the unisolated path (tests of the fallback) */
	long tmp_mb;        /* size of each run's fresh /tmp; 0 = 64 */
	const char *python; /* interpreter; NULL = /usr/bin/python3 */
};

struct sandbox_limits {
	double cpu_s;    /* CPU seconds per run: RLIMIT_CPU soft (hard = soft + 1) */
	double wall_s;   /* wall seconds per run, kept by the checker */
	long mem_mb;     /* address space of the candidate */
	long out_bytes;  /* stdout cap: more ends the run as SBX_OUTPUT_LIMIT */
	long fsize_mb;   /* largest file the candidate may write */
	long nproc;      /* processes and threads of the candidate's uid */
	long nofile;     /* open files */
};

enum sandbox_mode {
	SBX_PY_STDIO, /* program is Python, run as __main__ on input */
	SBX_PY_FUNC,  /* program is Python; spec (JSON) drives the trusted runner */
	SBX_EXEC,     /* argv is executed (compilers, compiled programs) */
};

struct sandbox_run {
	enum sandbox_mode mode;
	const char *job;          /* the sample ([A-Za-z0-9_-]); a kept program serves its runs only */
	const char *const *argv;  /* SBX_EXEC: NULL-terminated; argv[0] "@job/x": the kept program */
	const char *src_name;     /* SBX_EXEC: program is written to this file in the cwd */
	const char *keep;         /* SBX_EXEC: file of the cwd kept for the sample after exit 0 */
	struct strview input;     /* stdin */
	struct strview program;   /* Python source, or the contents of src_name */
	struct strview spec;      /* SBX_PY_FUNC: the runner's test spec */
	struct sandbox_limits lim;
};

enum sandbox_status {
	SBX_EXITED,       /* exit_code holds the status */
	SBX_SIGNALED,     /* signal holds the signal (SIGSYS: seccomp) */
	SBX_TIMEOUT,      /* the checker's wall clock ran out */
	SBX_OUTPUT_LIMIT, /* stdout passed out_bytes */
	SBX_SETUP_FAILED, /* the run could not be set up (worker, descriptors, confinement):
			   * the candidate never ran; the next run gets a fresh worker */
	SBX_INFRA,        /* the worker failed; the run may be retried */
};

struct sandbox_result {
	enum sandbox_status status;
	int exit_code;
	int signal;
	double cpu_ms;    /* user + system time of the candidate and its reaped children */
	double wall_ms;   /* from the candidate's fork to its end, as the fork server saw it */
	long maxrss_kb;   /* peak resident memory of the candidate */
	struct strbuf out; /* stdout, at most out_bytes */
	struct strbuf err; /* stderr, at most 64 KiB */
	cJSON *runner;    /* SBX_PY_FUNC: {"tests":[{"v","ms","msg"}...]} or {"error"}; or NULL */
	char *error;      /* SBX_SETUP_FAILED / SBX_INFRA: what went wrong */
};

int sandbox_new(struct sandbox **out, const struct sandbox_opts *o, struct strbuf *err);
void sandbox_free(struct sandbox *sb);

/* Run one program; fills res (init not needed).  Returns 0 even when the
 * program failed; non-zero only when res could not be filled at all. */
int sandbox_exec(struct sandbox *sb, const struct sandbox_run *run, struct sandbox_result *res);
/* A thread that drives many runs in a row (a batch) may stay on the CPU of
 * the worker it drives between them, instead of joining it for each run
 * and leaving after: after sandbox_stay_begin, the thread's sandbox_exec
 * pins it only when the worker's CPU is not the one it is on already, and
 * leaves it there; sandbox_stay_end gives it back the CPUs it had. */
void sandbox_stay_begin(void);
void sandbox_stay_end(void);
/* The sample is over: the worker drops its kept program (no answer awaited). */
void sandbox_job_end(struct sandbox *sb, const char *job);
void sandbox_result_release(struct sandbox_result *res);

/* Which layers are active, e.g. "namespaces(user,pid,mount,net,ipc,uts) ...". */
const char *sandbox_layers(const struct sandbox *sb);
/* Non-zero when a layer the issue asks for is missing on this kernel. */
int sandbox_degraded(const struct sandbox *sb);
/* The CPU the worker and the runs it serves are pinned to, or -1 (see
 * sandbox_cpu.h for how workers claim CPUs). */
int sandbox_cpu(const struct sandbox *sb);
/* Non-zero when a cpuset holds the worker to that CPU; otherwise the pin is
 * advisory (a program may widen its affinity) and sandbox_layers says so. */
int sandbox_cpu_enforced(const struct sandbox *sb);
/* The worker's first process (host pid), or -1 while it is down. */
pid_t sandbox_pid(const struct sandbox *sb);
/* Processes in the worker's cgroup, or -1 without one. */
int sandbox_cgroup_count(const struct sandbox *sb);
/* Processes an idle worker holds: the fork server and, once a function
 * problem ran, its test runner (for tests that look for leftovers). */
int sandbox_resident(const struct sandbox *sb);
/* Host uid the candidate runs as (for tests that look for leftovers). */
uid_t sandbox_candidate_uid(const struct sandbox *sb);

const char *sandbox_status_name(enum sandbox_status s);

#endif
