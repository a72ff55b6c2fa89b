#include "graders/code/sandbox/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct sbx_cgroup {
	char *path; /* absolute directory of the worker's cgroup */
};

/* The mount point of the first mount of type fstype whose super options
 * hold option (NULL: any), from /proc/self/mountinfo; caller frees. */
static char *find_mount(const char *fstype, const char *option)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	char line[4096];
	char *found = NULL;
	size_t tl = strlen(fstype);
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, fstype, tl) || sep[3 + tl] != ' ')
			continue;
		if (option) {
			/* " - type source options": the options are the last field. */
			char *opts = strrchr(line, ' ');
			char want[64];
			snprintf(want, sizeof(want), ",%s,", option);
			char *all = xasprintf(",%.*s,", (int)strcspn(opts + 1, "\n"), opts + 1);
			int has = strstr(all, want) != NULL;
			free(all);
			if (!has)
				continue;
		}
		/* Field 5 is the mount point. */
		char *p = line;
		for (int i = 0; i < 4 && p; i++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (!p)
			continue;
		char *end = strchr(p, ' ');
		if (end)
			found = xstrndup(p, (size_t)(end - p));
	}
	fclose(f);
	return found;
}

/* Our own cgroup path in the hierarchy whose line in /proc/self/cgroup
 * has prefix ("0::" for v2, or ":cpuset:" after the id); caller frees. */
static char *own_cgroup(const char *prefix)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return NULL;
	char line[4096];
	char *found = NULL;
	size_t pl = strlen(prefix);
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line[0] == '0' && !strcmp(prefix, "0::") ? line : strstr(line, prefix);
		if (!p || strncmp(p, prefix, pl))
			continue;
		found = xstrndup(p + pl, strcspn(p + pl, "\n"));
	}
	fclose(f);
	return found;
}

static int write_str(const char *dir, const char *file, const char *s)
{
	char *p = path_join(dir, file);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return errno;
	ssize_t n = write(fd, s, strlen(s));
	int e = n < 0 ? errno : 0;
	close(fd);
	return e;
}

struct sbx_cgroup *sbx_cgroup_new(int index, struct strbuf *err)
{
	char *mnt = find_mount("cgroup2", NULL);
	char *own = own_cgroup("0::");
	struct sbx_cgroup *cg = NULL;
	if (!mnt || !own) {
		strbuf_adds(err, "no cgroup2 hierarchy");
		goto out;
	}
	char *path = xasprintf("%s%s%sreval-%ld-w%d", mnt, own,
			       own[strlen(own) - 1] == '/' ? "" : "/", (long)getpid(), index);
	if (mkdir(path, 0755) && errno != EEXIST) {
		strbuf_addf(err, "cannot create cgroup '%s': %s", path, strerror(errno));
		free(path);
		goto out;
	}
	char *kill = path_join(path, "cgroup.kill");
	int has_kill = access(kill, W_OK) == 0;
	free(kill);
	if (!has_kill) {
		strbuf_addf(err, "cgroup '%s' has no writable cgroup.kill", path);
		rmdir(path);
		free(path);
		goto out;
	}
	cg = xcalloc(1, sizeof(*cg));
	cg->path = path;
out:
	free(mnt);
	free(own);
	return cg;
}

int sbx_cgroup_add(struct sbx_cgroup *cg, pid_t pid)
{
	char s[32];
	snprintf(s, sizeof(s), "%ld", (long)pid);
	return write_str(cg->path, "cgroup.procs", s);
}

int sbx_cgroup_count(const struct sbx_cgroup *cg)
{
	char *p = path_join(cg->path, "cgroup.procs");
	FILE *f = fopen(p, "re");
	free(p);
	if (!f)
		return -1;
	int n = 0, c, prev = '\n';
	while ((c = getc(f)) != EOF) {
		if (c == '\n' && prev != '\n')
			n++;
		prev = c;
	}
	fclose(f);
	return n;
}

void sbx_cgroup_kill(struct sbx_cgroup *cg)
{
	if (!cg)
		return;
	write_str(cg->path, "cgroup.kill", "1");
	for (int i = 0; i < 200 && sbx_cgroup_count(cg) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

const char *sbx_cgroup_path(const struct sbx_cgroup *cg)
{
	return cg->path;
}

void sbx_cgroup_free(struct sbx_cgroup *cg)
{
	if (!cg)
		return;
	sbx_cgroup_kill(cg);
	rmdir(cg->path);
	free(cg->path);
	free(cg);
}

/* ---- cpusets ---- */

struct sbx_cpuset {
	char *path; /* a v1 directory of our own, or NULL when the v2 cgroup holds the set */
};

static int read_small(const char *dir, const char *file, char *buf, size_t cap)
{
	char *p = path_join(dir, file);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The v2 kind: the worker's cgroup, with cpuset enabled in its parent. */
static int cpuset_v2(struct sbx_cgroup *cg, const char *cpus)
{
	char *parent = xstrdup(cg->path);
	char *slash = strrchr(parent, '/');
	char buf[512];
	int ok = 0;
	if (slash) {
		*slash = '\0';
		if (!read_small(parent, "cgroup.controllers", buf, sizeof(buf)) &&
		    strstr(buf, "cpuset")) {
			if (read_small(parent, "cgroup.subtree_control", buf, sizeof(buf)) ||
			    !strstr(buf, "cpuset"))
				write_str(parent, "cgroup.subtree_control", "+cpuset");
			ok = write_str(cg->path, "cpuset.cpus", cpus) == 0;
		}
	}
	free(parent);
	return ok;
}

/* The v1 kind: a directory of our own in the cpuset hierarchy. */
static char *cpuset_v1(int index, const char *cpus, struct strbuf *err)
{
	char *mnt = find_mount("cgroup", "cpuset");
	char *own = own_cgroup(":cpuset:");
	char *path = NULL, mems[256];
	if (!mnt || !own) {
		strbuf_adds(err, "no cpuset controller");
		goto out;
	}
	char *parent = xasprintf("%s%s", mnt, own);
	path = xasprintf("%s%sreval-%ld-w%d", parent, own[strlen(own) - 1] == '/' ? "" : "/",
			 (long)getpid(), index);
	int e = 0;
	if (read_small(parent, "cpuset.mems", mems, sizeof(mems)))
		e = errno;
	else if (mkdir(path, 0755) && errno != EEXIST)
		e = errno;
	else if ((e = write_str(path, "cpuset.mems", mems)) == 0)
		e = write_str(path, "cpuset.cpus", cpus);
	free(parent);
	if (e) {
		strbuf_addf(err, "cannot make cpuset '%s': %s", path, strerror(e));
		rmdir(path);
		free(path);
		path = NULL;
	}
out:
	free(mnt);
	free(own);
	return path;
}

struct sbx_cpuset *sbx_cpuset_new(int index, int cpu, struct sbx_cgroup *cg, struct strbuf *err)
{
	char cpus[16];
	snprintf(cpus, sizeof(cpus), "%d", cpu);
	if (cg && cpuset_v2(cg, cpus))
		return xcalloc(1, sizeof(struct sbx_cpuset));
	char *path = cpuset_v1(index, cpus, err);
	if (!path)
		return NULL;
	struct sbx_cpuset *cs = xcalloc(1, sizeof(*cs));
	cs->path = path;
	return cs;
}

int sbx_cpuset_add(struct sbx_cpuset *cs, pid_t pid)
{
	if (!cs->path)
		return 0;
	char s[32];
	snprintf(s, sizeof(s), "%ld", (long)pid);
	return write_str(cs->path, "cgroup.procs", s);
}

void sbx_cpuset_free(struct sbx_cpuset *cs)
{
	if (!cs)
		return;
	/* Its processes are dead; the last may still be leaving. */
	for (int i = 0; cs->path && i < 200 && rmdir(cs->path) && errno == EBUSY; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	free(cs->path);
	free(cs);
}
