/*
 * sandbox_seccomp: the seccomp filters of the sandbox, built with libseccomp
 * and exported as raw BPF so that they can be loaded after fork without
 * libseccomp (by the worker before it execs the fork server, and by the fork
 * server's children through prctl).
 *
 * Both filters kill the whole process (SIGSYS, reported as
 * sandbox_violation) on: new namespaces (unshare, setns, clone with a
 * CLONE_NEW* flag), ptrace and cross-process memory access, mount and the
 * new mount API, chroot and pivot_root, sockets other than AF_UNIX, bpf,
 * keyctl, perf events, io_uring, userfaultfd, module loading, kexec, reboot,
 * swap, clock setting and syslog.  clone3 fails with ENOSYS (its flags live
 * in memory a filter cannot read) so that libc falls back to clone.
 * The worker filter differs in two rules: unshare(CLONE_NEWPID) alone is
 * allowed, because the fork server gives each test its own PID namespace,
 * and so is setns(fd, CLONE_NEWPID), with which it returns to its own
 * afterwards (the kernel only lets it enter its own namespace or one below).
 * Every process the fork server forks adds the candidate filter on top, so
 * neither call reaches a runner or a candidate.
 *
 * The exported program is written into a caller-owned strbuf.
 */
#ifndef REVAL_SANDBOX_SECCOMP_H
#define REVAL_SANDBOX_SECCOMP_H

#include "util.h"

enum sbx_filter {
	SBX_FILTER_WORKER,    /* the fork server */
	SBX_FILTER_CANDIDATE, /* test runners and candidate programs */
};

/* Build a filter as BPF bytes into bpf (reset first); 0 or -1 with err. */
int sbx_seccomp_export(enum sbx_filter kind, struct strbuf *bpf, struct strbuf *err);

#endif
