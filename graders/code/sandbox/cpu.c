/* See sandbox_cpu.h. */
#include "graders/code/sandbox/cpu.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* A lock on cpu's claim file, or -1 when another process holds it or the
 * file cannot be opened.  The files are shared by every user: a sticky
 * /tmp may refuse O_CREAT on one another user made (protected_regular),
 * and a lock needs no more than a read-only descriptor. */
static int try_claim(const char *dir, int cpu)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/.reval-cpu-%d.lock", dir, cpu);
	int fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EACCES)
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Readable by every user whatever our umask (fails, harmlessly, on a
	 * file another user made). */
	if (fchmod(fd, 0644))
		errno = 0;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return -1;
	}
	return fd;
}

void sbx_cpu_claim(struct sbx_cpu *c, int index)
{
	c->cpu = c->fd = -1;
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return;
	int n = CPU_COUNT(&allowed);
	if (n <= 1)
		return;
	const char *dir = getenv(SBX_CPU_CLAIMS_ENV);
	if (!dir || !*dir)
		dir = "/tmp";
	int cpus[CPU_SETSIZE], k = 0;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			cpus[k++] = cpu;
	/* Worker i tries the i-th CPU first, then the ones after it: alone on
	 * the machine, each worker's first try succeeds. */
	int first = index % n;
	for (int j = 0; j < n; j++) {
		int cpu = cpus[(first + j) % n];
		if ((c->fd = try_claim(dir, cpu)) >= 0) {
			c->cpu = cpu;
			return;
		}
	}
	c->cpu = cpus[first];
}

int sbx_cpu_pin(int cpu)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

void sbx_cpu_release(struct sbx_cpu *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->cpu = -1;
}
