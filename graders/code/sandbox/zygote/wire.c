#include "wire.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* All n bytes read into or written from p, despite short transfers and
 * signals; -1 on an error or at end of file. */
static int transfer(int fd, char *p, size_t n, int out)
{
	while (n) {
		ssize_t k = out ? write(fd, p, n) : read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int wire_read_exact(int fd, void *buf, size_t n)
{
	return transfer(fd, buf, n, 0);
}

int wire_write_all(int fd, const void *buf, size_t n)
{
	return transfer(fd, (char *)(uintptr_t)buf, n, 1); /* write(2) only reads it */
}

int wire_send(int fd, const void *data, size_t n)
{
	if (n > UINT32_MAX)
		return -1;
	unsigned char h[4];
	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(n >> (8 * i));
	char *body = (char *)(uintptr_t)data;
	struct iovec iov[2] = {{h, sizeof(h)}, {body, n}};
	ssize_t k;
	do
		k = writev(fd, iov, 2);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return -1;
	size_t sent = (size_t)k;
	if (sent < sizeof(h) && transfer(fd, (char *)h + sent, sizeof(h) - sent, 1))
		return -1;
	sent = sent > sizeof(h) ? sent - sizeof(h) : 0;
	return transfer(fd, body + sent, n - sent, 1);
}

void wire_close_fds(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* A frame's length, and the descriptors that came with its first bytes
 * (beyond WIRE_MAX_FDS they are closed); -1 at end of stream. */
static long recv_head(int fd, int *fds, int *nfds)
{
	unsigned char h[4];
	union {
		char buf[CMSG_SPACE(WIRE_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {h, sizeof(h)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			   .msg_controllen = sizeof(u.buf)};
	*nfds = 0;
	ssize_t k;
	do
		k = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
	while (k < 0 && errno == EINTR);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*nfds < WIRE_MAX_FDS)
				fds[(*nfds)++] = f;
			else
				close(f);
		}
	}
	if (k <= 0 || (k < 4 && wire_read_exact(fd, h + k, (size_t)(4 - k))))
		return -1;
	return (long)((unsigned long)h[0] | (unsigned long)h[1] << 8 | (unsigned long)h[2] << 16 |
		      (unsigned long)h[3] << 24);
}

/* One frame, NUL-terminated, and the descriptors that came with its first
 * bytes; NULL at end of stream or on a frame above cap. */
char *wire_recv_frame(int fd, size_t cap, int *fds, int *nfds, size_t *len)
{
	long n = recv_head(fd, fds, nfds);
	if (n < 0 || (size_t)n > cap)
		return NULL;
	char *body = malloc((size_t)n + 1);
	if (!body || wire_read_exact(fd, body, (size_t)n)) {
		free(body);
		return NULL;
	}
	body[n] = 0;
	if (len)
		*len = (size_t)n;
	return body;
}

/* A frame into buf (NUL-terminated), descriptors closed; -1 at end of
 * stream or on a frame longer than cap - 1.  No heap: the fork server reads
 * these while a candidate shares its pages. */
int wire_recv_small(int fd, char *buf, size_t cap)
{
	int fds[WIRE_MAX_FDS], nfds;
	long n = recv_head(fd, fds, &nfds);
	wire_close_fds(fds, nfds);
	if (n < 0 || (size_t)n >= cap || wire_read_exact(fd, buf, (size_t)n))
		return -1;
	buf[n] = 0;
	return 0;
}
