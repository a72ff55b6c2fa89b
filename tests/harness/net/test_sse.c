#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness/net/sse.h"

struct events {
	char buf[4096];
	int n;
};

static int collect(void *ud, const char *event, const char *data, size_t len)
{
	struct events *e = ud;
	size_t used = strlen(e->buf);
	snprintf(e->buf + used, sizeof(e->buf) - used, "[%s|%.*s]", event, (int)len, data);
	e->n++;
	return 0;
}

/* Feed text one byte at a time and all at once: the events must not differ. */
static void check(const char *text, const char *want, int nwant)
{
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct events ev = {{0}, 0};
		struct sse p;
		sse_init(&p, collect, &ev);
		if (bytewise)
			for (size_t i = 0; text[i]; i++)
				cr_assert_eq(sse_feed(&p, text + i, 1), 0);
		else
			cr_assert_eq(sse_feed(&p, text, strlen(text)), 0);
		cr_assert_str_eq(ev.buf, want, "bytewise=%d", bytewise);
		cr_assert_eq(ev.n, nwant);
		sse_release(&p);
	}
}

Test(sse, plain_events)
{
	check("data: {\"a\":1}\n\ndata: [DONE]\n\n", "[|{\"a\":1}][|[DONE]]", 2);
}

Test(sse, comments_and_blank_lines_are_skipped)
{
	check(": keep-alive\n\n\n\ndata: x\n\n: ping\n\n", "[|x]", 1);
}

Test(sse, crlf_and_cr_line_endings)
{
	check("data: a\r\n\r\ndata: b\r\rdata: c\n\n", "[|a][|b][|c]", 3);
}

Test(sse, multi_line_data_is_joined)
{
	check("data: one\ndata: two\n\n", "[|one\ntwo]", 1);
}

Test(sse, event_names_and_other_fields)
{
	check("event: error\nid: 7\nretry: 100\ndata: {}\n\n", "[error|{}]", 1);
}

Test(sse, no_space_after_colon)
{
	check("data:x\n\n", "[|x]", 1);
}

Test(sse, an_event_cut_before_its_blank_line_is_never_delivered)
{
	check("data: whole\n\ndata: {\"partial\"", "[|whole]", 1);
}

static int stop(void *ud, const char *event, const char *data, size_t len)
{
	(void)ud;
	(void)event;
	(void)data;
	(void)len;
	return 7;
}

Test(sse, callback_can_stop)
{
	struct sse p;
	sse_init(&p, stop, NULL);
	cr_assert_eq(sse_feed(&p, "data: a\n\n", 9), 7);
	sse_release(&p);
}
