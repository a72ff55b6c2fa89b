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

/* The cgroup2 mount point, from /proc/self/mountinfo; caller frees. */
static char *cgroup2_mount(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	char line[4096];
	char *found = NULL;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
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

/* Our own cgroup v2 path ("0::/x/y" in /proc/self/cgroup); caller frees. */
static char *own_cgroup(void)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return NULL;
	char line[4096];
	char *found = NULL;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		size_t n = strcspn(line + 3, "\n");
		found = xstrndup(line + 3, n);
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
	char *mnt = cgroup2_mount();
	char *own = own_cgroup();
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
