/*
 * confine: what turns a child of the fork server into a candidate or a test
 * runner, called in the child right after fork, before any of its own code
 * runs.  Its descriptors become exactly the ones it is given; then it drops
 * to its uid (or, with one uid for all, its capabilities) and takes its
 * rlimits, no_new_privs and the candidate seccomp filter.  Nothing here can
 * be undone, and any failure is final: the caller exits, never runs
 * unconfined.
 */
#ifndef REVAL_ZYGOTE_CONFINE_H
#define REVAL_ZYGOTE_CONFINE_H

#include <linux/filter.h>
#include <stddef.h>
#include <sys/types.h>

#define CONFINE_MAX_FDS 8 /* descriptors confine_fds may keep */

struct confine_policy {
	int setuid;                      /* distinct uids: drop to one; else drop capabilities */
	int need_seccomp;                /* refuse to go on without a filter */
	const struct sock_fprog *filter; /* the candidate filter; len 0 when there is none */
};

struct confine_limits {
	double cpu_s;  /* RLIMIT_CPU soft, rounded up (hard = soft + 1) */
	long mem_mb;   /* RLIMIT_AS */
	long fsize_mb; /* RLIMIT_FSIZE */
	long nproc;    /* RLIMIT_NPROC, with a uid of its own only */
	long nofile;   /* RLIMIT_NOFILE */
};

/* Make want[i][0] the descriptor want[i][1], for i < n, and those the only
 * open descriptors.  0, or -1 with errno. */
int confine_fds(const int (*want)[2], int n);

/* Drop to uid and gid, then set the limits (all of them for a candidate,
 * the address space alone and undumpable for a runner), no_new_privs and the
 * filter.  0, or -1 with what failed in why (cap bytes). */
int confine_process(const struct confine_policy *p, const struct confine_limits *l, uid_t uid,
		    gid_t gid, int candidate, char *why, size_t cap);

#endif
