#include "harness/net/http.h"

#include <curl/curl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define POOL_MAX 4096 /* idle easy handles kept for reuse */

struct http_client {
	CURLM *multi;
	struct curl_slist *headers;
	CURL **pool; /* idle easy handles */
	size_t npool, pool_cap;
	long active;
	char **answered; /* origins ("https://host:port") that have sent a response */
	size_t nanswered, answered_cap;
};

/* The origin of url, scheme to port: the part before the path. */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

static int has_answered(const struct http_client *c, const char *url)
{
	size_t n = origin_len(url);
	for (size_t i = 0; i < c->nanswered; i++)
		if (strlen(c->answered[i]) == n && !strncmp(c->answered[i], url, n))
			return 1;
	return 0;
}

static int curl_ready;

static void global_init(void)
{
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			die("cannot initialise libcurl");
		curl_ready = 1;
	}
}

const char *http_result_name(enum http_result r)
{
	switch (r) {
	case HTTP_OK: return "ok";
	case HTTP_ECONNECT: return "connect";
	case HTTP_ETIMEOUT: return "timeout";
	case HTTP_EDROPPED: return "dropped";
	case HTTP_ETOOBIG: return "too_big";
	case HTTP_EABORTED: return "aborted";
	case HTTP_EOTHER: return "transport";
	}
	return "transport";
}

static struct curl_slist *header_list(const char *const *headers)
{
	struct curl_slist *l = NULL;
	for (size_t i = 0; headers && headers[i]; i++) {
		struct curl_slist *n = curl_slist_append(l, headers[i]);
		if (!n)
			die("out of memory building request headers");
		l = n;
	}
	/* No "Expect: 100-continue" round trip before large prompts. */
	struct curl_slist *n = curl_slist_append(l, "Expect:");
	if (!n)
		die("out of memory building request headers");
	return n;
}

struct http_client *http_client_new(const char *const *headers, long max_conns)
{
	global_init();
	struct http_client *c = xcalloc(1, sizeof(*c));
	c->multi = curl_multi_init();
	if (!c->multi)
		die("cannot create a libcurl multi handle");
	c->headers = header_list(headers);
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	if (max_conns > 0)
		curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_conns);
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->npool; i++)
		curl_easy_cleanup(c->pool[i]);
	for (size_t i = 0; i < c->nanswered; i++)
		free(c->answered[i]);
	free(c->answered);
	free(c->pool);
	curl_multi_cleanup(c->multi);
	curl_slist_free_all(c->headers);
	free(c);
}

void http_xfer_init(struct http_xfer *x)
{
	memset(x, 0, sizeof(*x));
	strbuf_init(&x->resp);
	x->t_first_byte = -1;
}

void http_xfer_release(struct http_xfer *x)
{
	if (x->easy)
		http_cancel(x);
	strbuf_release(&x->resp);
}

/* Keep a header's value if it is one of the wait hints. */
static void take_hint(struct http_xfer *x, const char *line, size_t len)
{
	static const struct {
		const char *name;
		size_t off;
	} hints[] = {
		{"retry-after", offsetof(struct http_xfer, retry_after)},
		{"x-ratelimit-reset-requests", offsetof(struct http_xfer, reset_requests)},
		{"x-ratelimit-reset", offsetof(struct http_xfer, reset_requests)},
		{"x-ratelimit-reset-tokens", offsetof(struct http_xfer, reset_tokens)},
	};
	const char *colon = memchr(line, ':', len);
	if (!colon)
		return;
	size_t nlen = (size_t)(colon - line);
	for (size_t i = 0; i < ARRAY_SIZE(hints); i++) {
		if (strlen(hints[i].name) != nlen || strncasecmp(line, hints[i].name, nlen))
			continue;
		struct strview v = sv_trim((struct strview){colon + 1, len - nlen - 1});
		if (v.len >= HTTP_HINT_MAX)
			v.len = HTTP_HINT_MAX - 1;
		char *dst = (char *)x + hints[i].off;
		memcpy(dst, v.ptr, v.len);
		dst[v.len] = '\0';
	}
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct http_xfer *x = ud;
	size_t len = size * nitems;
	x->t_last_byte = now_ms();
	if (len >= 5 && !memcmp(buf, "HTTP/", 5)) {
		/* A new response (after a 100 or a redirect): forget the last one's hints. */
		x->retry_after[0] = x->reset_requests[0] = x->reset_tokens[0] = '\0';
	} else {
		take_hint(x, buf, len);
	}
	return len;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_xfer *x = ud;
	size_t n = size * nmemb;
	x->t_last_byte = now_ms();
	if (x->t_first_byte < 0) {
		x->t_first_byte = x->t_last_byte;
		long status = 0;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		x->streaming = x->on_data && status >= 200 && status < 300;
	}
	if (x->streaming) {
		if (x->on_data(x->ud, p, n)) {
			x->result = HTTP_EABORTED;
			return 0;
		}
		return n;
	}
	if (x->resp.len + n > x->max_body) {
		x->result = HTTP_ETOOBIG;
		return 0;
	}
	strbuf_add(&x->resp, p, n);
	return n;
}

/*
 * The limits curl has no option for: no first byte within first_byte_ms
 * (a queue that does not move), no byte for idle_ms once the response began
 * (a stalled stream).  curl calls this at least once a second.
 */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct http_xfer *x = ud;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	double now = now_ms();
	if (x->t_last_byte < 0 && x->first_byte_ms && now - x->t_start > (double)x->first_byte_ms) {
		snprintf(x->why, sizeof(x->why),
			 "no response within %ld s of sending (the first-byte limit)",
			 x->first_byte_ms / 1000);
		x->result = HTTP_ETIMEOUT;
		return 1;
	}
	if (x->t_last_byte >= 0 && x->idle_ms && now - x->t_last_byte > (double)x->idle_ms) {
		snprintf(x->why, sizeof(x->why),
			 "the response stalled: no byte for %ld s (the idle limit)", x->idle_ms / 1000);
		x->result = HTTP_ETIMEOUT;
		return 1;
	}
	return 0;
}

static CURL *take_easy(struct http_client *c)
{
	if (c->npool)
		return c->pool[--c->npool];
	CURL *e = curl_easy_init();
	if (!e)
		die("cannot create a libcurl easy handle");
	return e;
}

static void give_easy(struct http_client *c, CURL *e)
{
	if (c->npool >= POOL_MAX) {
		curl_easy_cleanup(e);
		return;
	}
	GROW(c->pool, c->pool_cap, c->npool + 1);
	c->pool[c->npool++] = e;
}

static void set_common(CURL *e, const char *url, long timeout_ms, long connect_ms)
{
	if (!connect_ms)
		connect_ms = timeout_ms && timeout_ms < 10000 ? timeout_ms : 10000L;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
}

void http_submit(struct http_client *c, struct http_xfer *x)
{
	CURL *e = take_easy(c);
	x->easy = e;
	x->client = c;
	x->result = HTTP_OK;
	x->status = 0;
	x->streaming = 0;
	strbuf_reset(&x->resp);
	x->retry_after[0] = x->reset_requests[0] = x->reset_tokens[0] = x->error[0] = '\0';
	x->t_start = now_ms();
	x->t_first_byte = -1;
	x->t_end = 0;

	x->t_last_byte = -1;
	x->why[0] = '\0';
	set_common(e, x->url, x->timeout_ms, x->connect_ms);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, x->first_byte_ms || x->idle_ms ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
	if (x->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	/* Waiting for a connection in progress, to share it over HTTP/2, only
	 * once the server has answered: one that never completes its TLS
	 * handshake would otherwise hold every request behind the first. */
	curl_easy_setopt(e, CURLOPT_PIPEWAIT,
			 !strncmp(x->url, "https:", 6) && has_answered(c, x->url) ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(c->multi, e) != CURLM_OK)
		die("cannot add a transfer to the libcurl multi handle");
	c->active++;
}

void http_cancel(struct http_xfer *x)
{
	if (!x->easy)
		return;
	struct http_client *c = x->client;
	curl_multi_remove_handle(c->multi, x->easy);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, NULL);
	give_easy(c, x->easy);
	x->easy = NULL;
	c->active--;
}

long http_client_active(const struct http_client *c)
{
	return c->active;
}

static enum http_result map_code(struct http_xfer *x, CURLcode rc)
{
	switch (rc) {
	case CURLE_OK: return HTTP_OK;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: return HTTP_ECONNECT;
	case CURLE_OPERATION_TIMEDOUT: return HTTP_ETIMEOUT;
	case CURLE_ABORTED_BY_CALLBACK: return x->result != HTTP_OK ? x->result : HTTP_EOTHER;
	case CURLE_WRITE_ERROR:
		/* Our own callback said stop, and already said why. */
		return x->result != HTTP_OK ? x->result : HTTP_EOTHER;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_WEIRD_SERVER_REPLY: return HTTP_EDROPPED;
	default: return HTTP_EOTHER;
	}
}

static void finish(struct http_client *c, CURL *e, CURLcode rc)
{
	struct http_xfer *x = NULL;
	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
	x->t_end = now_ms();
	x->result = map_code(x, rc);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->status > 0 && x->url && !has_answered(c, x->url)) {
		GROW(c->answered, c->answered_cap, c->nanswered + 1);
		c->answered[c->nanswered++] = xstrndup(x->url, origin_len(x->url));
	}
	double connected = 0;
	if (rc == CURLE_OPERATION_TIMEDOUT &&
	    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME, &connected) == CURLE_OK && connected <= 0)
		x->result = HTTP_ECONNECT; /* the connect limit: the server was never reached */
	if (rc == CURLE_ABORTED_BY_CALLBACK && x->why[0])
		snprintf(x->error, sizeof(x->error), "%s", x->why);
	if (x->result != HTTP_OK && !x->error[0])
		snprintf(x->error, sizeof(x->error), "%s", curl_easy_strerror(rc));
	if (x->result == HTTP_ETOOBIG)
		snprintf(x->error, sizeof(x->error), "response body over %zu bytes", x->max_body);
	curl_multi_remove_handle(c->multi, e);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
	give_easy(c, e);
	x->easy = NULL;
	c->active--;
	x->on_done(x->ud, x);
}

void http_client_run(struct http_client *c, long timeout_ms)
{
	int running = 0;
	if (timeout_ms > 0)
		curl_multi_poll(c->multi, NULL, 0, (int)timeout_ms, NULL);
	curl_multi_perform(c->multi, &running);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		finish(c, m->easy_handle, m->data.result);
	}
}

static size_t get_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct strbuf *sb = ud;
	size_t n = size * nmemb;
	if (!sb)
		return n;
	if (sb->len + n > (1u << 20))
		return 0;
	strbuf_add(sb, p, n);
	return n;
}

long http_get(const char *url, const char *const *headers, long timeout_ms, struct strbuf *body)
{
	global_init();
	CURL *e = curl_easy_init();
	if (!e)
		die("cannot create a libcurl easy handle");
	struct curl_slist *h = header_list(headers);
	set_common(e, url, timeout_ms, 0);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, get_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
	long status = 0;
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(e);
	curl_slist_free_all(h);
	return status;
}

int http_url_check(const char *url, char *why, size_t n)
{
	CURLU *u = curl_url();
	if (!u)
		die("out of memory parsing a URL");
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		snprintf(why, n, "not a URL (want http://HOST[:PORT]/PATH)");
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		snprintf(why, n, "the scheme is '%s', not http or https", scheme ? scheme : "");
		goto out;
	}
	if (!host || !*host) {
		snprintf(why, n, "it names no host");
		goto out;
	}
	char *end = NULL;
	long p = port ? strtol(port, &end, 10) : 80;
	if (port && (*end || p < 1 || p > 65535)) {
		snprintf(why, n, "port %s is not from 1 to 65535", port);
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}
