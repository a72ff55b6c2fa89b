/*
 * http: HTTP transfers over one libcurl multi handle, in one event loop.
 *
 * The only module that includes curl.  A caller embeds a struct http_xfer
 * in its own per-request state, fills the request fields and submits it;
 * http_client_run waits for network activity (or a timeout), moves every
 * transfer along, and calls each finished transfer's on_done on the
 * caller's thread.  Transfers run concurrently over keep-alive connections,
 * with HTTP/2 multiplexing where a server offers it.
 *
 * Four limits bound an attempt, each reported as HTTP_ETIMEOUT with words
 * naming it: connecting, the wait for the first byte (a server's queue),
 * the silence between bytes (a stalled stream), and the whole attempt.
 *
 * A response body is buffered up to max_body bytes (more is the
 * HTTP_ETOOBIG error, never a silent truncation), or, for a 2xx response
 * with on_data set, handed over piece by piece as it arrives (streaming).
 * The client owns the curl handles and a copy of the common headers; the
 * caller owns each xfer and the body it points at until on_done returns.
 * A transfer can be submitted again after on_done (a retry).
 */
#ifndef REVAL_HTTP_H
#define REVAL_HTTP_H

#include <stddef.h>

#include "harness/base/util.h"

enum http_result {
	HTTP_OK,        /* a complete response arrived; see status */
	HTTP_ECONNECT,  /* could not connect (refused, unreachable, DNS) */
	HTTP_ETIMEOUT,  /* the attempt timed out */
	HTTP_EDROPPED,  /* the connection broke or the body was cut short */
	HTTP_ETOOBIG,   /* the body passed max_body */
	HTTP_EABORTED,  /* on_data asked to stop */
	HTTP_EOTHER,    /* anything else libcurl reports */
};

const char *http_result_name(enum http_result r); /* "connect", "timeout", ... */

#define HTTP_HINT_MAX 64 /* bytes kept of a wait-hint header's value */

struct http_xfer {
	/* Request: set before http_submit. */
	const char *url;
	const char *body;     /* POSTed when non-NULL, else GET */
	size_t body_len;
	long timeout_ms;      /* the whole attempt; 0: no limit */
	long connect_ms;      /* to connect (TCP and TLS); 0: 10 s or timeout_ms if less */
	long first_byte_ms;   /* from submit to the response's first byte; 0: no limit */
	long idle_ms;         /* longest silence between bytes once some arrived; 0: no limit */
	size_t max_body;      /* cap on a buffered body */
	int (*on_data)(void *ud, const char *p, size_t n); /* streaming 2xx; non-zero aborts */
	void (*on_done)(void *ud, struct http_xfer *x);
	void *ud;

	/* Response: valid inside on_done. */
	enum http_result result;
	long status;                          /* HTTP status, 0 when none arrived */
	struct strbuf resp;                   /* buffered body (not filled when streamed) */
	char retry_after[HTTP_HINT_MAX];      /* Retry-After, "" when absent */
	char reset_requests[HTTP_HINT_MAX];   /* x-ratelimit-reset-requests (or -reset) */
	char reset_tokens[HTTP_HINT_MAX];     /* x-ratelimit-reset-tokens */
	char error[256];                      /* libcurl's words when result != HTTP_OK */
	double t_start;                       /* now_ms() at submit */
	double t_first_byte;                  /* first body byte, or -1 */
	double t_last_byte;                   /* the latest byte (header or body), or -1 */
	double t_end;

	/* Private to http.c. */
	void *easy;
	struct http_client *client;
	int streaming; /* decided when the status line arrived */
	char why[128]; /* which of our own limits ended it */
};

struct http_client;

/*
 * headers: "Name: value" lines sent with every request (copied; may hold
 * the API key, which never leaves memory).  max_conns bounds open
 * connections (0: no bound).
 */
struct http_client *http_client_new(const char *const *headers, long max_conns);
void http_client_free(struct http_client *c);

void http_xfer_init(struct http_xfer *x);
void http_xfer_release(struct http_xfer *x);

void http_submit(struct http_client *c, struct http_xfer *x);
/* Abandon a transfer in flight; its on_done is not called. */
void http_cancel(struct http_xfer *x);

/* Transfers in flight. */
long http_client_active(const struct http_client *c);

/*
 * Wait up to timeout_ms for activity (sleeping when nothing is in flight),
 * progress all transfers and call on_done for each that finished.
 */
void http_client_run(struct http_client *c, long timeout_ms);

/*
 * Is url a usable base URL: scheme http or https, a host, a port from 1 to
 * 65535 when one is given?  0, or -1 with the reason in why.
 */
int http_url_check(const char *url, char *why, size_t n);

/*
 * A blocking GET for small answers (a health check, a model list): the
 * status (0 when no response) and, when body is not NULL, up to 1 MB of it.
 */
long http_get(const char *url, const char *const *headers, long timeout_ms, struct strbuf *body);

#endif
