/*
 * sandbox_seccomp: the seccomp filters of the sandbox, built with libseccomp
 * and exported as raw BPF so that they can be loaded after fork without
 * libseccomp (by the worker before it execs the fork server, and by the fork
 * server's children through prctl).
 *
 * The worker filter, loaded before the fork server starts and inherited by
 * everything it forks, kills the whole process (SIGSYS, reported as
 * sandbox_violation) on: new namespaces (unshare, setns, clone with a
 * CLONE_NEW* flag), ptrace and cross-process memory access, mount and the
 * new mount API, chroot and pivot_root, sockets other than AF_UNIX, bpf,
 * keyctl, perf events, io_uring, userfaultfd, module loading, kexec, reboot,
 * swap, clock setting and syslog.  mount and umount2 stay open to the fork
 * server alone, which mounts a fresh /tmp for every run.  clone3 fails with ENOSYS (its flags live
 * in memory a filter cannot read) so that libc falls back to clone.  Two
 * exceptions serve the fork server: unshare(CLONE_NEWPID) alone, because it
 * gives each test its own PID namespace, and setns(fd, CLONE_NEWPID), with
 * which it returns to its own afterwards (the kernel only lets it enter its
 * own namespace or one below).
 *
 * The candidate filter is what every runner and candidate adds on top: it
 * kills unshare, setns, mount and umount2 outright, so the fork server's
 * exceptions never reach them, and refuses System V IPC and POSIX message
 * queues (ENOSYS): their objects would outlive the run in the worker's IPC
 * namespace, for a later sample to find.
 * A short second filter rather than a full copy of the first: each process
 * installs it, and every system call runs through both.
 *
 * The exported program is written into a caller-owned strbuf.
 */
#ifndef REVAL_SANDBOX_SECCOMP_H
#define REVAL_SANDBOX_SECCOMP_H

#include "harness/base/util.h"

enum sbx_filter {
	SBX_FILTER_WORKER,    /* the fork server */
	SBX_FILTER_CANDIDATE, /* added by test runners and candidates */
};

/* Build a filter as BPF bytes into bpf (reset first); 0 or -1 with err. */
int sbx_seccomp_export(enum sbx_filter kind, struct strbuf *bpf, struct strbuf *err);

#endif
