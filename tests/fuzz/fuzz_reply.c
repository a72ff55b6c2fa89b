/*
 * libFuzzer target for what a server sends back: the input is a response
 * body, read whole as a chat and as a completions reply, for its error text,
 * and as JSON; and as an event stream, fed to the SSE parser in pieces cut
 * where the input's first byte says, each event read as a stream chunk.
 * Any crash, hang or sanitizer report is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/engine/openai_parse.h"
#include "harness/net/sse.h"
#include "harness/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_event(void *ud, const char *event, const char *d, size_t len)
{
	(void)event;
	oa_parse_chunk(ud, d, len, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	size_t cut = (size_t)data[0] + 1;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;

	for (int completions = 0; completions < 2; completions++) {
		struct oa_result r;
		oa_result_init(&r);
		oa_parse_body(&r, body, len, completions);
		oa_result_release(&r);
	}
	free(oa_error_text(body, len));
	cJSON_Delete(json_parse_len(body, len));
	char *text = xmalloc(len + 1);
	memcpy(text, body, len);
	text[len] = '\0';
	int line = 0;
	cJSON_Delete(json_parse_text(text, &line));
	json_defuse_nul(text, len);
	free(text);

	struct oa_result r;
	oa_result_init(&r);
	struct sse p;
	sse_init(&p, on_event, &r);
	for (size_t at = 0; at < len; at += cut) {
		size_t n = len - at < cut ? len - at : cut;
		if (sse_feed(&p, body + at, n))
			break;
	}
	oa_stream_complete(&r);
	sse_release(&p);
	oa_result_release(&r);
	return 0;
}
