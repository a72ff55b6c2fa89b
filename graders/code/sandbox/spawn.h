/*
 * sandbox_spawn: start one worker, the first process of a set of fresh
 * namespaces, and exec the Python fork server in it, its C core at fd 4.
 *
 * Layers, each taken when the kernel allows it (sbx_spawn reports which):
 *   user namespace  as root, ids 0..2 inside map to three host uids
 *                   dedicated to this worker (1<<30 + pid*256 + index*4 ...),
 *                   so even the fork server is no host root; unprivileged,
 *                   one id maps to the caller's own uid.
 *   PID, mount, network (no interface up: no network at all), IPC and UTS
 *                   namespaces.
 *   minimal root    a read-only tmpfs holding read-only binds of /usr/bin,
 *                   /usr/lib, /usr/lib64, /usr/libexec and /usr/include (the
 *                   Python and gcc runtimes), /dev/{null,zero,random,urandom},
 *                   /proc with hidepid=2, and a size-capped /tmp of the
 *                   fork server's own, under the fresh one it mounts for
 *                   each run.
 *                   Nothing else of the host, so never the datasets, the run
 *                   directory or the journal.
 *   capabilities    the bounding set shrinks to what the fork server needs
 *                   (setuid/setgid, kill, the PID namespace per test, file
 *                   ownership in its /tmp); no_new_privs; the worker filter.
 * When the kernel refuses namespaces the worker runs unisolated but for
 * rlimits, uids where possible and seccomp, and the result says so.
 * In a chroot (the root is not a mount point, and no user namespace can be
 * made there) the new root is moved over the old one instead of pivoted;
 * where the chroot's mounts propagate to the host, sbx_spawn fails with
 * shared_chroot set, for the caller to start the worker without namespaces.
 *
 * The caller owns the returned pidfd and control socket and must reap pid.
 */
#ifndef REVAL_SANDBOX_SPAWN_H
#define REVAL_SANDBOX_SPAWN_H

#include <sys/types.h>

#include "harness/base/util.h"

struct sbx_cgroup;
struct sbx_cpuset;

/* In a worker with namespaces: where the fork server gathers the worlds
 * (/tmp mounts) of ended runs before it unmounts them together.  Its parent
 * is mode 0 on the read-only root, out of every candidate's reach. */
#define SBX_GRAVES_DIR "/.graves"
#define SBX_GRAVES SBX_GRAVES_DIR "/h"

struct sbx_spawn_plan {
	int index;               /* worker number, for uids and names */
	int try_ns;              /* 0 forces the unisolated path (tests) */
	long tmp_mb;             /* size of the private /tmp */
	const char *python;      /* interpreter path (host and sandbox) */
	const char *zygote;      /* what python3 runs to start the fork server (sandbox_zygote.h) */
	struct strview core;     /* its C core, a shared object (sandbox_zygote.h) */
	struct strview bpf;      /* the worker seccomp filter */
	struct sbx_cgroup *cg;   /* the worker's cgroup, or NULL */
	struct sbx_cpuset *cs;   /* the worker's cpuset, or NULL (the pin is advisory) */
	const char *host_tmp;   /* unisolated path only: the worker's scratch directory */
	int cpu;                 /* the CPU the worker's processes run on, or -1 */
};

struct sbx_spawned {
	pid_t pid;      /* the worker's first process, our child */
	int pidfd;      /* its pidfd, or -1 */
	int ctl;        /* our end of the control socket */
	int userns;     /* 1 when a user namespace holds it */
	int ns;         /* 1 when PID/mount/net/IPC/UTS namespaces hold it */
	int multi_uid;  /* 1 when distinct uids exist for runner and candidate */
	uid_t outer_uid; /* host uid of id 0 inside (first of three when multi_uid) */
	char notes[256]; /* what the worker could not set up (e.g. "proc: none") */
	int shared_chroot; /* sbx_spawn failed: in a chroot whose mounts reach the host,
			    * namespaces cannot be used (err says so); try without */
};

/* Start a worker; 0, or -1 with the reason in err. */
int sbx_spawn(const struct sbx_spawn_plan *plan, struct sbx_spawned *out, struct strbuf *err);

#endif
