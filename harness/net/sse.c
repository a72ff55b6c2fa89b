#include "harness/net/sse.h"

#include <string.h>

void sse_init(struct sse *p, sse_event_fn on_event, void *ud)
{
	memset(p, 0, sizeof(*p));
	strbuf_init(&p->line);
	strbuf_init(&p->data);
	strbuf_init(&p->event);
	p->on_event = on_event;
	p->ud = ud;
}

void sse_release(struct sse *p)
{
	strbuf_release(&p->line);
	strbuf_release(&p->data);
	strbuf_release(&p->event);
}

void sse_reset(struct sse *p)
{
	strbuf_reset(&p->line);
	strbuf_reset(&p->data);
	strbuf_reset(&p->event);
	p->has_data = 0;
	p->skip_lf = 0;
}

static int dispatch(struct sse *p)
{
	int rc = 0;
	if (p->has_data)
		rc = p->on_event(p->ud, p->event.buf, p->data.buf, p->data.len);
	strbuf_reset(&p->data);
	strbuf_reset(&p->event);
	p->has_data = 0;
	return rc;
}

/* One complete line, without its terminator. */
static int take_line(struct sse *p, const char *s, size_t n)
{
	if (n == 0)
		return dispatch(p);
	if (s[0] == ':')
		return 0; /* a comment, e.g. ": keep-alive" */
	const char *colon = memchr(s, ':', n);
	size_t flen = colon ? (size_t)(colon - s) : n;
	const char *val = colon ? colon + 1 : s + n;
	size_t vlen = n - (size_t)(val - s);
	if (vlen && *val == ' ') {
		val++;
		vlen--;
	}
	if (flen == 4 && !memcmp(s, "data", 4)) {
		if (p->data.len + vlen + 1 > SSE_MAX_EVENT)
			return -1;
		if (p->has_data)
			strbuf_addch(&p->data, '\n');
		strbuf_add(&p->data, val, vlen);
		p->has_data = 1;
	} else if (flen == 5 && !memcmp(s, "event", 5)) {
		strbuf_reset(&p->event);
		strbuf_add(&p->event, val, vlen < 64 ? vlen : 64);
	}
	return 0;
}

int sse_feed(struct sse *p, const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (p->skip_lf) {
			p->skip_lf = 0;
			if (buf[i] == '\n') {
				i++;
				continue;
			}
		}
		/* Find the end of the line within this piece. */
		size_t j = i;
		while (j < len && buf[j] != '\n' && buf[j] != '\r')
			j++;
		if (j == len) {
			if (p->line.len + (j - i) > SSE_MAX_EVENT)
				return -1;
			strbuf_add(&p->line, buf + i, j - i);
			break;
		}
		int rc;
		if (p->line.len) {
			if (p->line.len + (j - i) > SSE_MAX_EVENT)
				return -1;
			strbuf_add(&p->line, buf + i, j - i);
			rc = take_line(p, p->line.buf, p->line.len);
			strbuf_reset(&p->line);
		} else {
			rc = take_line(p, buf + i, j - i);
		}
		if (rc)
			return rc;
		p->skip_lf = buf[j] == '\r';
		i = j + 1;
	}
	return 0;
}
