/*
 * calls: both ends of a call between the trusted runner (R) and a function
 * candidate (C), in C so that a call costs the two processes their system
 * calls and little else.  The frames are wire.h's: a 4-byte little-endian
 * length, then the bytes (marshal data, which zygote.py makes and reads).
 *
 * R's end trusts nothing C sends: every wait for a byte has the call's
 * deadline, and a reply's length is checked against a cap before its body
 * is read.  Bytes past a reply's frame are kept for R's next call in the
 * same sample (calls_reset drops them when a sample starts).
 */
#ifndef REVAL_ZYGOTE_CALLS_H
#define REVAL_ZYGOTE_CALLS_H

#define Py_LIMITED_API 0x030B0000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* reset() -> None: R starts a sample; what an earlier candidate sent is
 * gone. */
PyObject *calls_reset(PyObject *self, PyObject *args);
/* call(fd, request, deadline, cap) -> bytes | None | int | False, in R: the
 * request sent as one frame, then the reply's body; None when C ended (or
 * the socket failed), the reply's length when it is above cap, False when
 * deadline (time.monotonic()) passed before the whole reply arrived. */
PyObject *calls_call(PyObject *self, PyObject *args);
/* serve_calls(fd, answer, g) -> None, in C: answer(g, request) for every
 * request frame, its bytes sent back as a frame, until R closes the socket
 * or a frame cannot be read or written.  An exception from answer ends the
 * loop and is raised. */
PyObject *calls_serve(PyObject *self, PyObject *args);

#endif
