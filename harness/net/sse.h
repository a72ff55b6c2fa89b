/*
 * sse: an incremental parser for server-sent events (text/event-stream).
 *
 * Bytes arrive in whatever pieces the network delivers; sse_feed takes
 * them, splits lines on LF, CRLF or CR (even when a CRLF is split across
 * two pieces), skips comment lines (": keep-alive") and fields other than
 * "data" and "event", and calls on_event once per complete event: the
 * data lines joined by "\n", NUL-terminated, borrowed for the call only.
 * An event with no data lines (a stray blank line) is not delivered.  An
 * event still open when the stream ends is dropped, as the standard says:
 * a cut stream never yields a half event.  The parser owns its buffers;
 * sse_release frees them.
 */
#ifndef REVAL_SSE_H
#define REVAL_SSE_H

#include <stddef.h>

#include "harness/base/util.h"

#define SSE_MAX_EVENT (16u << 20) /* bytes in one event; more is an error */

/* Return non-zero to stop parsing; sse_feed then returns that value. */
typedef int (*sse_event_fn)(void *ud, const char *event, const char *data, size_t len);

struct sse {
	struct strbuf line;  /* the line being read */
	struct strbuf data;  /* data lines of the current event */
	struct strbuf event; /* the event's name, "" for the default "message" */
	int has_data;        /* a data line was seen in the current event */
	int skip_lf;         /* the last byte was CR: a following LF ends nothing */
	sse_event_fn on_event;
	void *ud;
};

void sse_init(struct sse *p, sse_event_fn on_event, void *ud);
void sse_release(struct sse *p);
/* Forget any partial line or event (before a retry reuses the parser). */
void sse_reset(struct sse *p);

/* 0, the callback's non-zero value, or -1 when an event exceeds SSE_MAX_EVENT. */
int sse_feed(struct sse *p, const char *buf, size_t len);

#endif
