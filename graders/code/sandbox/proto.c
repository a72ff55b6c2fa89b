#include "graders/code/sandbox/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static enum proto_rc write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t k = send(fd, p, len, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == ENOTSOCK)
			k = write(fd, p, len);
		if (k <= 0)
			return errno == EPIPE ? PROTO_EOF : PROTO_ERROR;
		p += k;
		len -= (size_t)k;
	}
	return PROTO_OK;
}

enum proto_rc proto_send(int fd, const void *data, size_t len)
{
	unsigned char h[4];
	if (len > UINT32_MAX) {
		errno = EMSGSIZE;
		return PROTO_ERROR;
	}
	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(len >> (8 * i));
	enum proto_rc rc = write_all(fd, h, 4);
	if (rc == PROTO_OK && len)
		rc = write_all(fd, data, len);
	return rc;
}

enum proto_rc proto_send_fds(int fd, const void *data, size_t len, const int *fds, size_t nfds)
{
	unsigned char h[4];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
	} ctl;
	if (len > UINT32_MAX || nfds > PROTO_MAX_FDS) {
		errno = EMSGSIZE;
		return PROTO_ERROR;
	}
	if (!nfds)
		return proto_send(fd, data, len);
	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(len >> (8 * i));
	struct iovec iov = {.iov_base = h, .iov_len = 4};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			   .msg_controllen = CMSG_SPACE(sizeof(int) * nfds)};
	memset(ctl.buf, 0, sizeof(ctl.buf));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	ssize_t k;
	do
		k = sendmsg(fd, &m, MSG_NOSIGNAL);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return errno == EPIPE ? PROTO_EOF : PROTO_ERROR;
	enum proto_rc rc = k < 4 ? write_all(fd, h + k, 4 - (size_t)k) : PROTO_OK;
	if (rc == PROTO_OK && len)
		rc = write_all(fd, data, len);
	return rc;
}

enum proto_rc proto_wait(int fd, double deadline_ms)
{
	for (;;) {
		int timeout = -1;
		if (deadline_ms >= 0) {
			double left = deadline_ms - now_ms();
			if (left <= 0)
				return PROTO_TIMEOUT;
			timeout = (int)(left + 1);
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return PROTO_ERROR;
		if (n > 0)
			return PROTO_OK;
	}
}

static enum proto_rc read_exact(int fd, char *buf, size_t len, double deadline_ms)
{
	while (len) {
		enum proto_rc rc = proto_wait(fd, deadline_ms);
		if (rc)
			return rc;
		ssize_t k = read(fd, buf, len);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0)
			return PROTO_ERROR;
		if (k == 0)
			return PROTO_EOF;
		buf += k;
		len -= (size_t)k;
	}
	return PROTO_OK;
}

enum proto_rc proto_recv(int fd, struct strbuf *out, size_t cap, double deadline_ms)
{
	unsigned char h[4];
	strbuf_reset(out);
	enum proto_rc rc = read_exact(fd, (char *)h, 4, deadline_ms);
	if (rc)
		return rc;
	size_t len = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16 | (size_t)h[3] << 24;
	if (len > cap) {
		errno = EMSGSIZE;
		return PROTO_ERROR;
	}
	strbuf_grow(out, len);
	rc = read_exact(fd, out->buf, len, deadline_ms);
	if (rc)
		return rc;
	out->len = len;
	out->buf[len] = '\0';
	return PROTO_OK;
}

int proto_memfd(const char *name, struct strview data, int exec)
{
#ifndef MFD_EXEC
#define MFD_EXEC 0x10u
#endif
	unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	int fd = memfd_create(name, flags | (exec ? MFD_EXEC : 0));
	if (fd < 0 && exec && errno == EINVAL) /* kernels before 6.3 know no MFD_EXEC */
		fd = memfd_create(name, flags);
	if (fd < 0)
		return -1;
	int e = write_full(fd, data.ptr, data.len);
	if (!e && (lseek(fd, 0, SEEK_SET) < 0 ||
		   fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)))
		e = errno;
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
