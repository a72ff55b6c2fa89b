#include "graders/code/sandbox/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graders/code/sandbox/cgroup.h"
#include "graders/code/sandbox/cpu.h"
#include "graders/code/sandbox/proto.h"

#define NEWROOT "/tmp" /* where the root tmpfs is assembled, inside the new mount namespace */
#define EXIT_SHARED_CHROOT 119 /* the child's exit code: see SBX_SHARED_CHROOT */

/* Host directories bound read-only into the root: the language runtimes. */
static const char *const ro_dirs[] = {
	"/usr/bin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/include",
};
static const char *const dev_files[] = {"null", "zero", "random", "urandom"};
/* Capabilities the fork server keeps; everything else leaves the bounding set. */
static const int kept_caps[] = {
	CAP_SETUID, CAP_SETGID, CAP_KILL, CAP_SYS_ADMIN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN,
};

/* ---- The child: async-signal-safe work only (no malloc) ---- */

struct child_ctx {
	const struct sbx_spawn_plan *plan;
	int ns;        /* set up mounts (namespaces were created) */
	int userns;    /* a user namespace was created */
	int ctl;       /* the worker's end of the control socket */
	int sync_rd;   /* parent says go */
	int err_wr;    /* we report a failure here; closed by exec on success */
	int core;      /* the fork server's C core (a sealed memfd, or an unlinked file): fd 4 after exec */
	char notes[256];
	char tmpopt[64];
	char *const *argv;
	char *const *envp;
};

static void fail(struct child_ctx *c, const char *what)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errno));
	if (n > 0 && write(c->err_wr, msg, (size_t)n) < 0)
		_exit(121);
	_exit(120);
}

static void note(struct child_ctx *c, const char *s)
{
	size_t len = strlen(c->notes);
	snprintf(c->notes + len, sizeof(c->notes) - len, "%s%s", len ? "; " : "", s);
}

static unsigned long mount_flags_of(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;
	if (statvfs(path, &sv))
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

static void mkdirs(struct child_ctx *c, const char *path)
{
	char p[512];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			fail(c, p);
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		fail(c, p);
}

static void bind_ro(struct child_ctx *c, const char *src, const char *dst, int is_file)
{
	if (is_file) {
		int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			fail(c, dst);
		close(fd);
	} else {
		mkdirs(c, dst);
	}
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL))
		fail(c, src);
	/* Files too: /etc/ld.so.cache, and the device nodes, which a
	 * read-only mount still lets a program read and write. */
	unsigned long f = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | mount_flags_of(src);
	if (!is_file)
		f |= MS_NODEV;
	if (mount(NULL, dst, NULL, f, NULL))
		fail(c, dst);
}

static void write_text(struct child_ctx *c, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		fail(c, path);
	close(fd);
}

/* Whether the mount at path (as this process sees it) is shared, from the
 * optional fields of its line in /proc/self/mountinfo; 1 when unknown.
 * Without the heap: the child of a threaded process may not allocate. */
static int mount_is_shared(const char *path)
{
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	char buf[8192];
	size_t have = 0, plen = strlen(path);
	int shared = 1, found = 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		char *line = buf, *nl;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			/* id parent major:minor root mountpoint options [optional...] - ... */
			char *f = line;
			for (int i = 0; i < 4 && f; i++)
				f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
			if (f && !strncmp(f, path, plen) && f[plen] == ' ') {
				/* The last line for a mount point is the one on top. */
				char *sep = strstr(f, " - ");
				char *opt = sep ? strstr(f, " shared:") : NULL;
				shared = opt && opt < sep;
				found = 1;
			}
			line = nl + 1;
		}
		have = (size_t)(buf + have - line);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0; /* a line longer than the buffer: not ours */
	}
	close(fd);
	return found ? shared : 1;
}

/* The root is not a mount point (a chroot, as Debian's sbuild and pbuilder
 * build in), so it can be neither made private nor pivoted away.  That is
 * safe when the mounts made here do not propagate back to the host: the
 * root tmpfs, just mounted, tells.  Where they do, the tmpfs is taken down
 * again (which propagates too) and the worker starts without namespaces. */
static void chroot_check(struct child_ctx *c)
{
	if (!mount_is_shared(NEWROOT))
		return;
	umount2(NEWROOT, 0);
	char msg[] = "the root is not a mount point (a chroot) and shares its mounts with the "
		     "host; run reval under `unshare --mount --propagation private` to isolate it";
	if (write(c->err_wr, msg, sizeof(msg) - 1) < 0)
		_exit(EXIT_SHARED_CHROOT);
	_exit(EXIT_SHARED_CHROOT);
}

static void build_root(struct child_ctx *c)
{
	char dst[512];
	int chrooted = 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		if (errno != EINVAL)
			fail(c, "making mounts private");
		chrooted = 1;
	}
	if (mount("reval", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755"))
		fail(c, "root tmpfs");
	if (chrooted)
		chroot_check(c);
	for (size_t i = 0; i < ARRAY_SIZE(ro_dirs); i++) {
		struct stat st;
		if (lstat(ro_dirs[i], &st) || !S_ISDIR(st.st_mode))
			continue;
		snprintf(dst, sizeof(dst), NEWROOT "%s", ro_dirs[i]);
		bind_ro(c, ro_dirs[i], dst, 0);
	}
	static const char *const links[][2] = {
		{"usr/bin", NEWROOT "/bin"},   {"usr/lib", NEWROOT "/lib"},
		{"usr/lib64", NEWROOT "/lib64"}, {"usr/bin", NEWROOT "/sbin"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlink(links[i][0], links[i][1]))
			fail(c, links[i][1]);
	mkdirs(c, NEWROOT "/etc");
	write_text(c, NEWROOT "/etc/passwd",
		   "root:x:0:0:reval:/tmp:/bin/sh\nrunner:x:1:1:reval:/tmp:/bin/sh\n"
		   "sandbox:x:2:2:reval:/tmp:/bin/sh\n");
	write_text(c, NEWROOT "/etc/group", "root:x:0:\nrunner:x:1:\nsandbox:x:2:\n");
	write_text(c, NEWROOT "/etc/hostname", "reval\n");
	if (access("/etc/ld.so.cache", R_OK) == 0)
		bind_ro(c, "/etc/ld.so.cache", NEWROOT "/etc/ld.so.cache", 1);
	mkdirs(c, NEWROOT "/dev");
	for (size_t i = 0; i < ARRAY_SIZE(dev_files); i++) {
		char src[64];
		snprintf(src, sizeof(src), "/dev/%s", dev_files[i]);
		snprintf(dst, sizeof(dst), NEWROOT "/dev/%s", dev_files[i]);
		bind_ro(c, src, dst, 1);
	}
	static const char *const devlinks[][2] = {
		{"/proc/self/fd", NEWROOT "/dev/fd"},     {"/proc/self/fd/0", NEWROOT "/dev/stdin"},
		{"/proc/self/fd/1", NEWROOT "/dev/stdout"}, {"/proc/self/fd/2", NEWROOT "/dev/stderr"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(devlinks); i++)
		if (symlink(devlinks[i][0], devlinks[i][1]))
			fail(c, devlinks[i][1]);
	mkdirs(c, NEWROOT "/proc");
	unsigned long pf = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (mount("proc", NEWROOT "/proc", "proc", pf, "hidepid=2")) {
		if (mount("proc", NEWROOT "/proc", "proc", pf, NULL))
			note(c, "proc: not mounted (the kernel refused)");
		else
			note(c, "proc: without hidepid");
	}
	mkdirs(c, NEWROOT "/tmp");
	if (mount("reval-tmp", NEWROOT "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, c->tmpopt))
		fail(c, "private /tmp");
	mkdirs(c, NEWROOT SBX_GRAVES);
	if (chmod(NEWROOT SBX_GRAVES_DIR, 0))
		fail(c, NEWROOT SBX_GRAVES_DIR);
	if (chdir(NEWROOT))
		fail(c, "the new root");
	if (chrooted) {
		/* The new root moves over the old one, which stays beneath,
		 * out of reach: no descriptor, no chroot (the filter kills it). */
		if (mount(".", "/", NULL, MS_MOVE, NULL) || chroot(".") || chdir("/"))
			fail(c, "entering the new root");
	} else {
		if (syscall(SYS_pivot_root, ".", "."))
			fail(c, "pivot_root");
		if (umount2(".", MNT_DETACH) || chdir("/"))
			fail(c, "detaching the host root");
	}
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL))
		fail(c, "read-only root");
	if (sethostname("reval", 5))
		fail(c, "sethostname");
}

static void drop_bounding_set(struct child_ctx *c)
{
	for (int cap = 0; cap <= 63; cap++) {
		int keep = 0;
		for (size_t i = 0; i < ARRAY_SIZE(kept_caps); i++)
			keep |= kept_caps[i] == cap;
		if (keep)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			fail(c, "dropping capabilities");
	}
}

static void load_filter(struct child_ctx *c)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(c->plan->bpf.len / 8),
		.filter = (struct sock_filter *)(void *)c->plan->bpf.ptr,
	};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		fail(c, "no_new_privs");
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		fail(c, "seccomp");
}

static int child_main(struct child_ctx *c)
{
	char go;
	if (read(c->sync_rd, &go, 1) != 1)
		_exit(122);
	close(c->sync_rd);
	/* Not a layer of isolation: where it fails the worker runs anywhere. */
	if (c->plan->cpu >= 0)
		sbx_cpu_pin(c->plan->cpu);
	if (c->userns) {
		/* Become the mapped root: our credentials still carry the host ids. */
		if (setgroups(0, NULL) && errno != EPERM)
			fail(c, "setgroups");
		if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
			fail(c, "taking the namespace's ids");
	}
	if (c->ns) {
		build_root(c);
		drop_bounding_set(c);
	} else if (c->plan->host_tmp && chdir(c->plan->host_tmp)) {
		fail(c, c->plan->host_tmp);
	}
	load_filter(c);
	/* Out of the way of fds 3 and 4 before they are assigned. */
	int core = fcntl(c->core, F_DUPFD_CLOEXEC, 16);
	if (core < 0 || (c->err_wr == 4 && (c->err_wr = fcntl(4, F_DUPFD_CLOEXEC, 16)) < 0))
		fail(c, "the fork server's core");
	if (c->ctl != 3) {
		if (dup2(c->ctl, 3) < 0)
			fail(c, "dup2");
		close(c->ctl);
	}
	int fl = fcntl(3, F_GETFD);
	if (fl < 0 || fcntl(3, F_SETFD, fl & ~FD_CLOEXEC))
		fail(c, "control socket");
	if (dup2(core, 4) < 0)
		fail(c, "the fork server's core");
	/* The first frame carries the notes (unset mounts) to the checker. */
	unsigned char h[4];
	size_t n = strlen(c->notes);
	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(n >> (8 * i));
	if (write(3, h, 4) != 4 || write(3, c->notes, n) != (ssize_t)n)
		fail(c, "control socket");
	/* Everything above 4 but the error pipe goes; the pipe closes on exec. */
	for (int fd = 5; fd < 1024; fd++)
		if (fd != c->err_wr)
			close(fd);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
	execve(c->plan->python, c->argv, c->envp);
	fail(c, "exec of the fork server");
	return 0;
}

/* ---- The parent ---- */

static int write_file_str(pid_t pid, const char *name, const char *text, struct strbuf *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		strbuf_addf(err, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The dedicated host uids of a worker: far above any system or user uid. */
static uid_t worker_uid_base(int index)
{
	return (uid_t)((1u << 30) + ((unsigned)getpid() % (1u << 22)) * 256u +
		       (unsigned)index * 4u);
}

static pid_t clone_with(unsigned long flags, int *pidfd)
{
	*pidfd = -1;
	return (pid_t)syscall(SYS_clone, flags | CLONE_PIDFD | SIGCHLD, NULL, pidfd, NULL, 0);
}

/* The core in an unlinked file of a fresh private directory under dir,
 * opened for reading, or -1 when dir cannot hold it or its filesystem
 * forbids executable mappings (noexec). */
static int core_file(const char *dir, struct strview core)
{
	char tmp[PATH_MAX], file[PATH_MAX + 16];
	if (snprintf(tmp, sizeof(tmp), "%s/reval-core-XXXXXX", dir) >= (int)sizeof(tmp) ||
	    !mkdtemp(tmp))
		return -1;
	snprintf(file, sizeof(file), "%s/core.so", tmp);
	int w = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	int bad = w < 0 || write_full(w, core.ptr, core.len);
	if (w >= 0 && close(w))
		bad = 1;
	int fd = bad ? -1 : open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	unlink(file);
	rmdir(tmp);
	if (fd < 0)
		return -1;
	void *m = mmap(NULL, 1, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return -1;
	}
	munmap(m, 1);
	return fd;
}

/* The fork server's core as a descriptor it can load: a sealed memfd, or,
 * where the kernel forbids executable memfds (vm.memfd_noexec = 2), an
 * unlinked file in a temporary directory that allows executable mappings. */
static int core_fd(struct strview core, struct strbuf *err)
{
	int fd = proto_memfd("reval-zygote-core", core, 1);
	if (fd >= 0)
		return fd;
	if (errno != EACCES && errno != EPERM) {
		strbuf_addf(err, "cannot load the fork server's core: %s", strerror(errno));
		return -1;
	}
	const char *env = getenv("TMPDIR");
	const char *dirs[] = {env && *env == '/' ? env : "/tmp", "/var/tmp", "/dev/shm"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if ((fd = core_file(dirs[i], core)) >= 0)
			return fd;
	strbuf_addf(err,
		    "cannot load the fork server's core: the kernel forbids executable memfds "
		    "(vm.memfd_noexec = 2), and none of %s, /var/tmp and /dev/shm can hold an "
		    "executable file; point TMPDIR at a directory that can",
		    dirs[0]);
	return -1;
}

int sbx_spawn(const struct sbx_spawn_plan *plan, struct sbx_spawned *out, struct strbuf *err)
{
	int sv[2] = {-1, -1}, sync[2] = {-1, -1}, errp[2] = {-1, -1};
	memset(out, 0, sizeof(*out));
	out->pidfd = out->ctl = -1;
	int core = core_fd(plan->core, err);
	if (core < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) || pipe2(sync, O_CLOEXEC) ||
	    pipe2(errp, O_CLOEXEC)) {
		strbuf_addf(err, "cannot create the worker's channels: %s", strerror(errno));
		goto fail;
	}
	char tmpopt[64];
	snprintf(tmpopt, sizeof(tmpopt), "size=%ldm,mode=1777", plan->tmp_mb > 0 ? plan->tmp_mb : 64);
	/* -s -P is -I without -E: the environment is ours alone, and in it a
	 * fixed hash seed, so that a program's set and dict order -- and so its
	 * verdict -- is the same in every worker and every run. */
	char *argv[] = {"python3", "-s", "-P", "-c", (char *)plan->zygote, NULL};
	char *envp[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8", "TMPDIR=/tmp",
			"PYTHONHASHSEED=0", NULL};
	int root = geteuid() == 0;
	const unsigned long nsf = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC |
				  CLONE_NEWUTS;
	/* Preferred first: a user namespace on top of the rest. */
	unsigned long tries[3];
	size_t ntries = 0;
	if (plan->try_ns) {
		tries[ntries++] = nsf | CLONE_NEWUSER;
		if (root)
			tries[ntries++] = nsf;
	}
	tries[ntries++] = 0;
	pid_t pid = -1;
	int pidfd = -1;
	unsigned long used = 0;
	for (size_t i = 0; i < ntries && pid < 0; i++) {
		used = tries[i];
		pid = clone_with(used, &pidfd);
	}
	if (pid < 0) {
		strbuf_addf(err, "cannot start a worker: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		struct child_ctx c = {
			.plan = plan, .ns = used != 0,
			.userns = (used & CLONE_NEWUSER) != 0, .ctl = sv[1], .sync_rd = sync[0],
			.err_wr = errp[1], .core = core, .argv = argv, .envp = envp,
		};
		memcpy(c.tmpopt, tmpopt, sizeof(tmpopt));
		close(sv[0]);
		close(sync[1]);
		close(errp[0]);
		/* Keep the error pipe open across nothing but our own setup. */
		_exit(child_main(&c));
	}
	close(sv[1]);
	close(sync[0]);
	close(errp[1]);
	close(core);
	sv[1] = sync[0] = errp[1] = core = -1;
	out->pid = pid;
	out->pidfd = pidfd;
	out->ctl = sv[0];
	out->ns = used != 0;
	out->userns = (used & CLONE_NEWUSER) != 0;
	out->outer_uid = geteuid();
	if (out->userns) {
		char map[96];
		if (root) {
			uid_t base = worker_uid_base(plan->index);
			snprintf(map, sizeof(map), "0 %lu 3\n", (unsigned long)base);
			out->multi_uid = 1;
			out->outer_uid = base;
			if (write_file_str(pid, "uid_map", map, err) ||
			    write_file_str(pid, "gid_map", map, err))
				goto kill;
		} else {
			if (write_file_str(pid, "setgroups", "deny", err))
				goto kill;
			snprintf(map, sizeof(map), "0 %lu 1\n", (unsigned long)geteuid());
			if (write_file_str(pid, "uid_map", map, err))
				goto kill;
			snprintf(map, sizeof(map), "0 %lu 1\n", (unsigned long)getegid());
			if (write_file_str(pid, "gid_map", map, err))
				goto kill;
		}
	} else if (root) {
		out->multi_uid = 1;
		out->outer_uid = 0;
	}
	if (plan->cg && sbx_cgroup_add(plan->cg, pid)) {
		/* Not fatal: the worker's PID namespace still bounds it. */
	}
	if (plan->cs && sbx_cpuset_add(plan->cs, pid)) {
		/* Not fatal: the pin stays advisory, as the worker's layers say. */
	}
	if (write(sync[1], "g", 1) != 1) {
		strbuf_addf(err, "cannot start the worker: %s", strerror(errno));
		goto kill;
	}
	close(sync[1]);
	sync[1] = -1;
	char msg[512];
	ssize_t n = read(errp[0], msg, sizeof(msg) - 1);
	close(errp[0]);
	errp[0] = -1;
	if (n > 0) {
		msg[n] = '\0';
		int st = 0;
		waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_SHARED_CHROOT) {
			out->shared_chroot = 1;
			strbuf_adds(err, msg);
		} else {
			strbuf_addf(err, "worker setup failed: %s", msg);
		}
		goto fail;
	}
	return 0;
kill:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
fail:
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (sync[i] >= 0)
			close(sync[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (pidfd >= 0)
		close(pidfd);
	if (core >= 0)
		close(core);
	out->pidfd = out->ctl = -1;
	return -1;
}
