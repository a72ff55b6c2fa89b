#include "harness/model/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/base/json.h"

enum reval_err journal_open(struct journal *j, const char *path, int *torn)
{
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	*torn = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		diag("cannot open journal '%s': %s", path, strerror(errno));
		return RV_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		diag("cannot open journal '%s': %s", path, strerror(errno));
		close(fd);
		return RV_EIO;
	}
	/* Walk back from the end to the last newline; anything after it is torn. */
	off_t end = st.st_size, keep = 0;
	char buf[4096];
	while (end > 0) {
		off_t start = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		ssize_t n = pread(fd, buf, (size_t)(end - start), start);
		if (n <= 0) {
			diag("cannot read journal '%s': %s", path, n < 0 ? strerror(errno) : "short read");
			close(fd);
			return RV_EIO;
		}
		char *nl = memrchr(buf, '\n', (size_t)n);
		if (nl) {
			keep = start + (nl - buf) + 1;
			break;
		}
		end = start;
	}
	if (keep != st.st_size) {
		*torn = 1;
		if (ftruncate(fd, keep) < 0) {
			diag("cannot cut the torn last line of journal '%s': %s", path,
			     strerror(errno));
			close(fd);
			return RV_EIO;
		}
	}
	j->fd = fd;
	j->path = xstrdup(path);
	j->sync_ms = 1000;
	j->last_sync = now_ms();
	return RV_OK;
}

enum reval_err journal_append(struct journal *j, const char *line, size_t len)
{
	if (j->failed)
		return RV_EIO;
	if (len + 1 > JOURNAL_MAX_LINE) {
		diag("journal '%s': a sample of %zu bytes is over the %u-byte line cap", j->path, len,
		     JOURNAL_MAX_LINE);
		return RV_EIO;
	}
	/* One write for line and newline, so the line is never split by a crash of ours. */
	char *buf = xmalloc(len + 1);
	memcpy(buf, line, len);
	buf[len] = '\n';
	size_t off = 0;
	enum reval_err err = RV_OK;
	while (off < len + 1) {
		ssize_t n = write(j->fd, buf + off, len + 1 - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			j->failed = errno;
			diag("cannot append to journal '%s': %s; the samples before are saved: rerun "
			     "the same command to resume once there is room",
			     j->path, strerror(errno));
			err = RV_EIO;
			break;
		}
		off += (size_t)n;
	}
	free(buf);
	if (err)
		return err;
	j->appended++;
	double now = now_ms();
	if (now - j->last_sync >= j->sync_ms) {
		fdatasync(j->fd);
		j->last_sync = now;
	}
	return RV_OK;
}

enum reval_err journal_close(struct journal *j)
{
	enum reval_err err = j->failed ? RV_EIO : RV_OK;
	if (j->fd >= 0) {
		if (fdatasync(j->fd) < 0 && errno != EINVAL && !err) {
			diag("cannot flush journal '%s': %s", j->path, strerror(errno));
			err = RV_EIO;
		}
		if (close(j->fd) < 0 && !err) {
			diag("cannot close journal '%s': %s", j->path, strerror(errno));
			err = RV_EIO;
		}
	}
	free(j->path);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	return err;
}

enum reval_err journal_read(const char *path, journal_fn fn, void *ud, long *torn)
{
	if (torn)
		*torn = 0;
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return RV_OK;
		diag("cannot read journal '%s': %s", path, strerror(errno));
		return RV_EINPUT;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	enum reval_err err = RV_OK;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			if (torn)
				(*torn)++;
			break;
		}
		line[n - 1] = '\0';
		if (memchr(line, '\0', (size_t)n - 1)) {
			/* A C string would end there: the line would be skipped, or
			 * only its start read. */
			diag("cannot read journal '%s' line %ld: it holds a NUL byte", path, lineno);
			err = RV_EINPUT;
			break;
		}
		if (!sv_trim(sv_from(line)).len)
			continue;
		json_defuse_nul(line, (size_t)n - 1);
		cJSON *obj = cJSON_Parse(line);
		if (!cJSON_IsObject(obj)) {
			diag("cannot read journal '%s' line %ld: malformed JSON", path, lineno);
			cJSON_Delete(obj);
			err = RV_EINPUT;
			break;
		}
		err = fn(ud, obj, lineno);
		cJSON_Delete(obj);
		if (err)
			break;
	}
	if (!err && ferror(f)) {
		diag("cannot read journal '%s': %s", path, strerror(errno));
		err = RV_EINPUT;
	}
	free(line);
	fclose(f);
	return err;
}
