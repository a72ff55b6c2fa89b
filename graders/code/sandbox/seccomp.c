#include "graders/code/sandbox/seccomp.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* Killed outright: none has a use in a test program. */
static const char *const killed[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
	"pivot_root", "chroot", "setns",
	"move_mount", "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
	"bpf", "keyctl", "add_key", "request_key", "perf_event_open",
	"io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd",
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"reboot", "swapon", "swapoff", "open_by_handle_at", "name_to_handle_at", "acct",
	"quotactl", "fanotify_init", "syslog", "settimeofday", "clock_settime", "clock_adjtime",
	"adjtimex", "vhangup", "lookup_dcookie",
};

/* Killed in test runners and candidates, allowed to the fork server alone:
 * it mounts each run's fresh /tmp and takes it down again. */
static const char *const fork_server_only[] = {"mount", "umount2"};

/* System V IPC and POSIX message queues refused to test runners and
 * candidates: their objects would outlive the run in the worker's IPC
 * namespace, outside the address-space limit, for the next sample to find. */
static const char *const ipc_calls[] = {
	"shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl",
	"msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend",
	"mq_timedreceive", "mq_notify", "mq_getsetattr", "ipc",
};

static const unsigned long ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
	CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
		const struct scmp_arg_cmp *cmp, struct strbuf *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* not on this architecture */
	int rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (rc < 0) {
		strbuf_addf(err, "seccomp rule for %s: %s", name, strerror(-rc));
		return -1;
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, enum sbx_filter kind, struct strbuf *err)
{
	const uint32_t kill = SCMP_ACT_KILL_PROCESS;
	/* On top of the worker's, which every child inherits: what the fork
	 * server alone may do. */
	if (kind == SBX_FILTER_CANDIDATE) {
		if (rule(ctx, kill, "unshare", 0, NULL, err) || rule(ctx, kill, "setns", 0, NULL, err))
			return -1;
		for (size_t i = 0; i < ARRAY_SIZE(fork_server_only); i++)
			if (rule(ctx, kill, fork_server_only[i], 0, NULL, err))
				return -1;
		for (size_t i = 0; i < ARRAY_SIZE(ipc_calls); i++)
			if (rule(ctx, SCMP_ACT_ERRNO(ENOSYS), ipc_calls[i], 0, NULL, err))
				return -1;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(killed); i++) {
		/* The fork server returns to its own PID namespace after forking
		 * each candidate into a fresh one; that is all setns may do there. */
		if (!strcmp(killed[i], "setns")) {
			struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_NE, CLONE_NEWPID);
			if (rule(ctx, kill, "setns", 1, &c, err))
				return -1;
			continue;
		}
		if (rule(ctx, kill, killed[i], 0, NULL, err))
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ns_flags); i++) {
		struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]);
		if (rule(ctx, kill, "clone", 1, &c, err))
			return -1;
	}
	struct scmp_arg_cmp newpid_only = SCMP_A0(SCMP_CMP_NE, CLONE_NEWPID);
	if (rule(ctx, kill, "unshare", 1, &newpid_only, err))
		return -1;
	if (rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err))
		return -1;
	struct scmp_arg_cmp unix_only = SCMP_A0(SCMP_CMP_NE, AF_UNIX);
	if (rule(ctx, kill, "socket", 1, &unix_only, err) ||
	    rule(ctx, kill, "socketpair", 1, &unix_only, err))
		return -1;
	return 0;
}

int sbx_seccomp_export(enum sbx_filter kind, struct strbuf *bpf, struct strbuf *err)
{
	int ret = -1, fd = -1;
	strbuf_reset(bpf);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		strbuf_adds(err, "seccomp_init failed");
		return -1;
	}
	/* Foreign ABIs (i386, x32) would bypass every rule: kill them. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0) {
		strbuf_adds(err, "seccomp: cannot refuse foreign architectures");
		goto out;
	}
	/* The rules as a binary tree of system call numbers, not a list: when
	 * a filter is installed -- by every runner and candidate -- the kernel
	 * runs it once per number, to cache the ones it always allows (35 us
	 * against 50 for the candidate's).  A libseccomp without the option
	 * (before 2.5) still writes a correct list. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (add_rules(ctx, kind, err))
		goto out;
	fd = memfd_create("reval-bpf", MFD_CLOEXEC);
	if (fd < 0) {
		strbuf_addf(err, "memfd_create: %s", strerror(errno));
		goto out;
	}
	int rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		strbuf_addf(err, "seccomp_export_bpf: %s", strerror(-rc));
		goto out;
	}
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % 8 || lseek(fd, 0, SEEK_SET) < 0) {
		strbuf_adds(err, "seccomp: bad exported program");
		goto out;
	}
	strbuf_grow(bpf, (size_t)size);
	if (pread(fd, bpf->buf, (size_t)size, 0) != size) {
		strbuf_adds(err, "seccomp: cannot read exported program");
		goto out;
	}
	bpf->len = (size_t)size;
	bpf->buf[bpf->len] = '\0';
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return ret;
}
