/*
 * sandbox_cgroup: a cgroup v2 directory per worker, where one can be made.
 *
 * The checker creates "reval-<pid>-w<index>" under its own cgroup on the
 * cgroup2 mount, moves the worker's first process into it before the worker
 * starts, and at teardown writes cgroup.kill (Linux 5.14+) so that every
 * process the worker ever made dies at once, whatever it did to escape its
 * session or parent.  Without a writable cgroup2 (unprivileged, or a host
 * that does not delegate) cgroup_new fails and the sandbox relies on its PID
 * namespaces.  struct sbx_cgroup is owned by the worker; sbx_cgroup_free
 * kills what remains, removes the directory and frees; NULL is a no-op.
 */
#ifndef REVAL_SANDBOX_CGROUP_H
#define REVAL_SANDBOX_CGROUP_H

#include <sys/types.h>

#include "harness/base/util.h"

struct sbx_cgroup;

/* Create the worker's cgroup; NULL with a reason in err when impossible. */
struct sbx_cgroup *sbx_cgroup_new(int index, struct strbuf *err);
/* Move pid into it; 0 or an errno value. */
int sbx_cgroup_add(struct sbx_cgroup *cg, pid_t pid);
/* Kill every process in it and wait (up to 2 s) until it is empty. */
void sbx_cgroup_kill(struct sbx_cgroup *cg);
/* Number of processes in it, or -1 when unknown. */
int sbx_cgroup_count(const struct sbx_cgroup *cg);
const char *sbx_cgroup_path(const struct sbx_cgroup *cg);
void sbx_cgroup_free(struct sbx_cgroup *cg);

/*
 * A cpuset per worker, so that the CPU it is pinned to is enforced, not
 * advisory (sched_setaffinity cannot widen it): the worker's cgroup v2
 * directory with the cpuset controller enabled above it, or else a
 * directory "reval-<pid>-w<index>" of a cgroup v1 cpuset hierarchy.
 * sbx_cpuset_new fails (NULL, a reason in err) where neither can be made;
 * the pin is then advisory.  sbx_cpuset_free removes what it made (the
 * worker must be gone); NULL is a no-op.
 */
struct sbx_cpuset;

struct sbx_cpuset *sbx_cpuset_new(int index, int cpu, struct sbx_cgroup *cg, struct strbuf *err);
/* Move pid into it (a no-op for the v2 kind: the worker's cgroup holds
 * it); 0 or an errno value. */
int sbx_cpuset_add(struct sbx_cpuset *cs, pid_t pid);
void sbx_cpuset_free(struct sbx_cpuset *cs);

#endif
