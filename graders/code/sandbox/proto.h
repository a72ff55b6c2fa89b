/*
 * sandbox_proto: the frames spoken between the checker and a worker's fork
 * server (graders/code/sandbox/zygote/).
 *
 * A frame is a 4-byte little-endian length followed by that many bytes;
 * headers are JSON objects.  Every read takes an absolute deadline on the
 * monotonic clock (now_ms()) so that the checker, never the sandbox, keeps
 * the wall clock.  Frames are capped: a longer one is an error, never a
 * silent truncation.  Descriptors can travel with a frame, so that payloads
 * reach the sandboxed process that needs them without passing through the
 * fork server's memory.  The caller owns the buffers it passes in.
 */
#ifndef REVAL_SANDBOX_PROTO_H
#define REVAL_SANDBOX_PROTO_H

#include <stddef.h>

#include "harness/base/util.h"

#define PROTO_MAX_FDS 8 /* descriptors one frame may carry */

enum proto_rc {
	PROTO_OK = 0,
	PROTO_TIMEOUT, /* the deadline passed first */
	PROTO_EOF,     /* the worker closed the channel */
	PROTO_ERROR,   /* I/O error or a frame above the cap; see errno */
};

/* Write one frame (blocking; the worker always drains its input). */
enum proto_rc proto_send(int fd, const void *data, size_t len);
/* Write one frame with nfds descriptors (SCM_RIGHTS) attached to its first
 * bytes; the receiver gets copies, the caller still owns fds. */
enum proto_rc proto_send_fds(int fd, const void *data, size_t len, const int *fds, size_t nfds);
/* Read one frame into out (reset first); deadline_ms < 0 waits forever. */
enum proto_rc proto_recv(int fd, struct strbuf *out, size_t cap, double deadline_ms);
/* A sealed memfd (close-on-exec) holding data, positioned at its start;
 * exec asks for one that may be mapped executable.  -1 with errno. */
int proto_memfd(const char *name, struct strview data, int exec);
/* Wait until fd is readable or the deadline passes. */
enum proto_rc proto_wait(int fd, double deadline_ms);

#endif
