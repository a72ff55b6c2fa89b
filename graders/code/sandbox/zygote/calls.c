/* See calls.h. */
#include "calls.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#define CHUNK (64u << 10) /* asked for per read: below malloc's mmap threshold */

/* Bytes read from a socket and not yet taken as a frame. */
struct inbox {
	char *p;
	size_t len, cap;
};

/* One per process: R's for the sample it runs, C's for its life. */
static struct inbox box;

static double monotonic_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Room for a read of CHUNK bytes, the buffer doubling as a large frame
 * arrives; -1 when there is no memory. */
static int room(struct inbox *b)
{
	if (b->cap - b->len >= CHUNK)
		return 0;
	size_t cap = b->cap ? b->cap : CHUNK;
	while (cap - b->len < CHUNK)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* The length in a frame's header. */
static size_t header(const char *h)
{
	const unsigned char *u = (const unsigned char *)h;
	return (size_t)u[0] | (size_t)u[1] << 8 | (size_t)u[2] << 16 | (size_t)u[3] << 24;
}

enum { GOT = 1, ENDED = 0, FAILED = -1, LATE = -2, TOO_LARGE = -3, INTERRUPTED = -4 };

/* More bytes from fd into b, waited for until deadline (monotonic seconds;
 * < 0: no limit): how many (> 0), or ENDED, FAILED, LATE, or INTERRUPTED
 * when a signal's Python handler raised. */
static long fill(int fd, struct inbox *b, double deadline)
{
	for (;;) {
		long k = 1;
		if (deadline >= 0) {
			double left = deadline - monotonic_s();
			if (left <= 0)
				return LATE;
			struct pollfd p = {.fd = fd, .events = POLLIN};
			double ms = left * 1000 + 0.999;
			k = poll(&p, 1, ms > INT32_MAX ? INT32_MAX : ms < 1 ? 1 : (int)ms);
			if (!k)
				return LATE;
		}
		if (k > 0) {
			if (room(b))
				return FAILED;
			k = read(fd, b->p + b->len, CHUNK);
			if (k >= 0)
				return k ? k : ENDED;
		}
		if (errno != EINTR)
			return FAILED;
		if (PyErr_CheckSignals())
			return INTERRUPTED;
	}
}

/* The next frame from fd into b: GOT with its body at b->p + 4 and its
 * length in *n (take it with drop_frame), TOO_LARGE (*n its length) above
 * cap, or what fill returned when it brought no bytes. */
static int next_frame(int fd, struct inbox *b, size_t cap, double deadline, size_t *n)
{
	for (;;) {
		if (b->len >= 4) {
			*n = header(b->p);
			if (*n > cap)
				return TOO_LARGE;
			if (b->len - 4 >= *n)
				return GOT;
		}
		long k = fill(fd, b, deadline);
		if (k <= 0)
			return (int)k;
		b->len += (size_t)k;
	}
}

/* The frame of n bytes at the head of b is taken. */
static void drop_frame(struct inbox *b, size_t n)
{
	b->len -= 4 + n;
	memmove(b->p, b->p + 4 + n, b->len);
}

PyObject *calls_reset(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	box.len = 0;
	/* A large reply's buffer goes with its sample. */
	if (box.cap > 4 * CHUNK) {
		free(box.p);
		box = (struct inbox){0};
	}
	Py_RETURN_NONE;
}

PyObject *calls_call(PyObject *self, PyObject *args)
{
	(void)self;
	int fd;
	const char *req;
	Py_ssize_t req_len, cap;
	double deadline;
	if (!PyArg_ParseTuple(args, "iy#dn", &fd, &req, &req_len, &deadline, &cap))
		return NULL;
	if (cap < 0)
		cap = 0;
	if (wire_send(fd, req, (size_t)req_len))
		Py_RETURN_NONE;
	size_t n = 0;
	/* A negative deadline has passed; it never means "no limit" here. */
	switch (next_frame(fd, &box, (size_t)cap, deadline < 0 ? 0 : deadline, &n)) {
	case GOT: {
		PyObject *body = PyBytes_FromStringAndSize(box.p + 4, (Py_ssize_t)n);
		if (body)
			drop_frame(&box, n);
		return body;
	}
	case TOO_LARGE:
		return PyLong_FromSize_t(n);
	case LATE:
		Py_RETURN_FALSE;
	case INTERRUPTED:
		return NULL;
	default:
		Py_RETURN_NONE;
	}
}

PyObject *calls_serve(PyObject *self, PyObject *args)
{
	(void)self;
	int fd;
	PyObject *answer, *g;
	if (!PyArg_ParseTuple(args, "iOO", &fd, &answer, &g))
		return NULL;
	for (;;) {
		size_t n = 0;
		int got = next_frame(fd, &box, (size_t)1 << 28, -1, &n);
		if (got == INTERRUPTED)
			return NULL;
		if (got != GOT)
			Py_RETURN_NONE;
		PyObject *req = PyBytes_FromStringAndSize(box.p + 4, (Py_ssize_t)n);
		if (!req)
			return NULL;
		drop_frame(&box, n);
		PyObject *rep = PyObject_CallFunctionObjArgs(answer, g, req, NULL);
		Py_DECREF(req);
		if (!rep)
			return NULL;
		char *data;
		Py_ssize_t len;
		int failed = PyBytes_AsStringAndSize(rep, &data, &len) || wire_send(fd, data, (size_t)len);
		Py_DECREF(rep);
		if (failed) {
			PyErr_Clear();
			Py_RETURN_NONE;
		}
	}
}
