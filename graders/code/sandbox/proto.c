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
	return proto_send_fds(fd, data, len, NULL, 0);
}

/* Header and body go in one sendmsg: a receiver woken by the header alone
 * would read it, find no body yet and sleep again -- two more switches
 * between processes per frame, on the CPU they share. */
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
	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(len >> (8 * i));
	struct iovec iov[2] = {{.iov_base = h, .iov_len = 4},
			       {.iov_base = (void *)(uintptr_t)data, .iov_len = len}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	if (nfds) {
		memset(ctl.buf, 0, sizeof(ctl.buf));
		m.msg_control = ctl.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ssize_t k;
	do
		k = sendmsg(fd, &m, MSG_NOSIGNAL);
	while (k < 0 && errno == EINTR);
	if (k < 0 && errno == ENOTSOCK && !nfds)
		do
			k = writev(fd, iov, (int)m.msg_iovlen);
		while (k < 0 && errno == EINTR);
	if (k < 0)
		return errno == EPIPE ? PROTO_EOF : PROTO_ERROR;
	/* The rest of a frame the socket did not take at once. */
	size_t sent = (size_t)k;
	enum proto_rc rc = sent < 4 ? write_all(fd, h + sent, 4 - sent) : PROTO_OK;
	sent = sent > 4 ? sent - 4 : 0;
	if (rc == PROTO_OK && sent < len)
		rc = write_all(fd, (const char *)data + sent, len - sent);
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

/* Reads first and waits only when nothing is there: a frame's body most
 * often came with its header, and the caller most often polled already. */
static enum proto_rc read_exact(int fd, char *buf, size_t len, double deadline_ms)
{
	int sock = 1, wait = 0;
	while (len) {
		if (wait) {
			enum proto_rc rc = proto_wait(fd, deadline_ms);
			if (rc)
				return rc;
		}
		ssize_t k = sock ? recv(fd, buf, len, MSG_DONTWAIT) : read(fd, buf, len);
		if (k < 0 && sock && errno == ENOTSOCK) {
			sock = 0, wait = 1; /* a pipe, blocking: wait, then read */
			continue;
		}
		wait = !sock || (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
		if (k < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
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
