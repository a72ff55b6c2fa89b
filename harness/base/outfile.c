#include "harness/base/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/base/util.h"

static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a file reval writes";
}

static enum reval_err fail(const char *path, int e)
{
	diag("cannot write '%s': %s", path, strerror(e));
	return RV_EIO;
}

/* A FIFO or character device: opened as it is, never truncated or renamed over. */
static enum reval_err write_in_place(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(path, errno);
	int e = write_full(fd, data, len);
	if (close(fd) < 0 && !e)
		e = errno;
	return e ? fail(path, e) : RV_OK;
}

static enum reval_err write_replacing(const char *path, const void *data, size_t len)
{
	int e = write_file_atomic(path, data, len);
	return e ? fail(path, e) : RV_OK;
}

static enum reval_err write_new(const char *path, const void *data, size_t len)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int e = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		e = mkdir_p(dir);
	}
	if (e)
		diag("cannot create the directory '%s' for '%s': %s", dir, path, strerror(e));
	free(dir);
	return e ? RV_EIO : write_replacing(path, data, len);
}

static enum reval_err write_stdout(const void *data, size_t len)
{
	int e = fflush(stdout) ? errno : 0;
	if (!e)
		e = write_full(STDOUT_FILENO, data, len);
	if (e) {
		diag("cannot write to stdout: %s", strerror(e));
		return RV_EIO;
	}
	return RV_OK;
}

static enum reval_err write_through_link(const char *path, const void *data, size_t len)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		diag("refusing to write '%s': it is a symbolic link to a missing file", path);
		return RV_EIO;
	}
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
		return write_in_place(path, data, len);
	if (!S_ISREG(st.st_mode)) {
		diag("refusing to write '%s': it links to %s", path, kind_of(st.st_mode));
		return RV_EIO;
	}
	char *target = realpath(path, NULL);
	if (!target)
		return fail(path, errno);
	enum reval_err err = write_replacing(target, data, len);
	free(target);
	return err;
}

enum reval_err outfile_write(const char *path, const void *data, size_t len)
{
	if (!strcmp(path, "-"))
		return write_stdout(data, len);
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return write_new(path, data, len);
		return fail(path, errno);
	}
	if (S_ISREG(st.st_mode))
		return write_replacing(path, data, len);
	if (S_ISLNK(st.st_mode))
		return write_through_link(path, data, len);
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
		return write_in_place(path, data, len);
	diag("refusing to write '%s': it is %s", path, kind_of(st.st_mode));
	return RV_EIO;
}
