#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int confine_fds(const int (*want)[2], int n)
{
	int tmp[CONFINE_MAX_FDS];
	if (n > CONFINE_MAX_FDS) {
		errno = EINVAL;
		return -1;
	}
	/* Copies above every target first, so no dup2 below overwrites a
	 * source still to be placed; as low as that allows, so a small limit on
	 * descriptors (ulimit -n) still leaves room. */
	int top = 0, above = 0;
	for (int i = 0; i < n; i++)
		if (want[i][1] >= above)
			above = want[i][1] + 1;
	for (int i = 0; i < n; i++) {
		tmp[i] = fcntl(want[i][0], F_DUPFD_CLOEXEC, above);
		if (tmp[i] < 0)
			return -1;
	}
	for (int i = 0; i < n; i++) {
		if (dup2(tmp[i], want[i][1]) < 0)
			return -1;
		if (want[i][1] > top)
			top = want[i][1];
	}
	for (int fd = 0; fd <= top; fd++) {
		int keep = 0;
		for (int i = 0; i < n; i++)
			keep |= want[i][1] == fd;
		if (!keep)
			close(fd);
	}
	if (syscall(SYS_close_range, (unsigned)top + 1, ~0u, 0)) {
		for (int fd = top + 1; fd < 1024; fd++)
			close(fd);
	}
	return 0;
}

static int failed(char *why, size_t cap, const char *what)
{
	snprintf(why, cap, "%s: %s", what, strerror(errno));
	return -1;
}

/* A limit of at most soft/hard: where the limit this process was started
 * with is lower (a `ulimit` of its user), that one stays -- a limit here
 * only ever tightens, and raising a hard limit is not ours to do. */
static int lim_set(int res, rlim_t soft, rlim_t hard)
{
	struct rlimit now, r = {soft, hard};
	if (!getrlimit(res, &now) && now.rlim_max != RLIM_INFINITY) {
		if (r.rlim_max > now.rlim_max)
			r.rlim_max = now.rlim_max;
		if (r.rlim_cur > r.rlim_max)
			r.rlim_cur = r.rlim_max;
	}
	return setrlimit(res, &r);
}

static int drop_capabilities(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	return (int)syscall(SYS_capset, &h, d);
}

int confine_process(const struct confine_policy *p, const struct confine_limits *l, uid_t uid,
		     gid_t gid, int candidate, char *why, size_t cap)
{
	if (p->setuid) {
		uid_t r, e, s;
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			return failed(why, cap, "uid drop");
		if (getresuid(&r, &e, &s) || r != uid || e != uid || s != uid)
			return failed(why, cap, "uid drop");
	}
	if (lim_set(RLIMIT_CORE, 0, 0))
		return failed(why, cap, "RLIMIT_CORE");
	rlim_t mem = (rlim_t)l->mem_mb << 20;
	if (lim_set(RLIMIT_AS, mem, mem))
		return failed(why, cap, "RLIMIT_AS");
	if (candidate) {
		rlim_t cpu = (rlim_t)fmax(1, ceil(l->cpu_s));
		rlim_t fsize = (rlim_t)l->fsize_mb << 20;
		if (lim_set(RLIMIT_CPU, cpu, cpu + 1) || lim_set(RLIMIT_FSIZE, fsize, fsize) ||
		    lim_set(RLIMIT_NOFILE, (rlim_t)l->nofile, (rlim_t)l->nofile))
			return failed(why, cap, "rlimits");
		if (p->setuid && lim_set(RLIMIT_NPROC, (rlim_t)l->nproc, (rlim_t)l->nproc))
			return failed(why, cap, "RLIMIT_NPROC");
	} else if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		return failed(why, cap, "undumpable");
	}
	/* Single-uid mode keeps the namespace's root uid: its capabilities go
	 * explicitly, and no_new_privs keeps an exec from bringing them back. */
	if (!p->setuid && drop_capabilities())
		return failed(why, cap, "capset");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return failed(why, cap, "no_new_privs");
	if (p->filter->len) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, p->filter, 0, 0))
			return failed(why, cap, "seccomp");
	} else if (p->need_seccomp) {
		errno = EINVAL;
		return failed(why, cap, "no seccomp filter");
	}
	return 0;
}
