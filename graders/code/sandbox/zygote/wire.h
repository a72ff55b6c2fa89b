/*
 * wire: the fork server's side of the frames it speaks with the checker
 * (graders/code/sandbox/proto.h has the checker's): a 4-byte little-endian
 * length, then the bytes; descriptors travel with a frame's first bytes.
 * Reads block; every frame has a cap, and one above it is an error.
 */
#ifndef REVAL_ZYGOTE_WIRE_H
#define REVAL_ZYGOTE_WIRE_H

#include <stddef.h>

#define WIRE_MAX_FDS 8 /* descriptors one frame may carry; more are closed */

/* Exactly n bytes, or -1 (end of stream or error). */
int wire_read_exact(int fd, void *buf, size_t n);
/* All n bytes, or -1. */
int wire_write_all(int fd, const void *buf, size_t n);
/* One frame of the n bytes at data, header and body in one writev, without
 * the heap; -1 on an error. */
int wire_send(int fd, const void *data, size_t n);
/* Close the fds[i] that are not -1, for i < n. */
void wire_close_fds(const int *fds, int n);
/* One frame, NUL-terminated, malloc'd, and the descriptors that came with
 * it; NULL at end of stream or above cap.  len, when not NULL, gets its
 * length. */
char *wire_recv_frame(int fd, size_t cap, int *fds, int *nfds, size_t *len);
/* One frame into buf (NUL-terminated, below cap bytes), its descriptors
 * closed, without the heap; -1 at end of stream or when it does not fit. */
int wire_recv_small(int fd, char *buf, size_t cap);

#endif
