#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness/engine/openai_parse.h"

static int parse(struct oa_result *r, const char *body, int completions)
{
	oa_result_init(r);
	return oa_parse_body(r, body, strlen(body), completions);
}

Test(openai_parse, chat_body_with_reasoning_and_details)
{
	struct oa_result r;
	cr_assert_eq(parse(&r,
			   "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
			   "\"content\":\"4\",\"reasoning_content\":\"2+2\"},\"finish_reason\":\"stop\"}],"
			   "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,"
			   "\"completion_tokens_details\":{\"reasoning_tokens\":3}}}",
			   0),
		     0);
	cr_assert_eq(r.nchoices, 1);
	cr_assert_str_eq(r.choices[0].content.buf, "4");
	cr_assert_str_eq(r.choices[0].reasoning.buf, "2+2");
	cr_assert(r.choices[0].has_reasoning);
	cr_assert_str_eq(r.choices[0].finish_reason, "stop");
	cr_assert_eq(r.prompt_tokens, 5);
	cr_assert_eq(r.completion_tokens, 9);
	cr_assert_eq(r.reasoning_tokens, 3);
	oa_result_release(&r);
}

Test(openai_parse, null_content_and_no_reasoning)
{
	struct oa_result r;
	cr_assert_eq(parse(&r, "{\"choices\":[{\"message\":{\"content\":null},\"finish_reason\":\"length\"}]}", 0), 0);
	cr_assert_str_eq(r.choices[0].content.buf, "");
	cr_assert(!r.choices[0].has_reasoning);
	cr_assert_eq(r.completion_tokens, -1);
	oa_result_release(&r);
}

Test(openai_parse, completions_body)
{
	struct oa_result r;
	cr_assert_eq(parse(&r, "{\"choices\":[{\"text\":\" 42\",\"index\":0,\"finish_reason\":\"stop\"},"
			       "{\"text\":\" 41\",\"index\":1,\"finish_reason\":\"stop\"}]}", 1), 0);
	cr_assert_eq(r.nchoices, 2);
	cr_assert_str_eq(r.choices[1].content.buf, " 41");
	oa_result_release(&r);
}

Test(openai_parse, malformed_bodies_are_errors)
{
	static const char *const bad[] = {
		"{\"choices\": [{\"index\": 0, \"message\": {\"content\": \"oo",
		"{\"choices\": []}",
		"{\"object\": \"chat.completion\"}",
		"{\"choices\": [{\"index\": 0}]}",
		"{\"choices\": [{\"index\": 99999, \"message\": {}}]}",
		"[]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct oa_result r;
		cr_assert_eq(parse(&r, bad[i], 0), -1, "%s", bad[i]);
		cr_assert(r.error);
		oa_result_release(&r);
	}
}

Test(openai_parse, in_band_error_is_a_server_error)
{
	struct oa_result r;
	cr_assert_eq(parse(&r, "{\"error\":{\"message\":\"overloaded\",\"code\":503}}", 0), -1);
	cr_assert(r.server_error);
	cr_assert_str_eq(r.error, "overloaded");
	oa_result_release(&r);
}

static void feed(struct oa_result *r, const char *chunk)
{
	cr_assert_eq(oa_parse_chunk(r, chunk, strlen(chunk), 0), 0, "%s", chunk);
}

Test(openai_parse, stream_chunks_accumulate_per_choice)
{
	struct oa_result r;
	oa_result_init(&r);
	feed(&r, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}");
	cr_assert_eq(r.tokens, 0, "a role-only chunk is not a token");
	feed(&r, "{\"choices\":[{\"index\":1,\"delta\":{\"reasoning\":\"hm\"}}]}");
	feed(&r, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}");
	feed(&r, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]}");
	cr_assert(!oa_stream_complete(&r));
	feed(&r, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
	feed(&r, "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"length\"}]}");
	cr_assert(oa_stream_complete(&r), "every choice finished");
	feed(&r, "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}");
	feed(&r, " [DONE] ");
	cr_assert(r.done);
	cr_assert_str_eq(r.choices[0].content.buf, "Hello");
	cr_assert_str_eq(r.choices[1].reasoning.buf, "hm");
	cr_assert_str_eq(r.choices[1].finish_reason, "length");
	cr_assert_eq(r.completion_tokens, 4);
	cr_assert_eq(r.tokens, 4);
	oa_result_release(&r);
}

Test(openai_parse, stream_cut_is_incomplete)
{
	struct oa_result r;
	oa_result_init(&r);
	cr_assert(!oa_stream_complete(&r), "nothing at all");
	feed(&r, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The answer is\"}}]}");
	cr_assert(!oa_stream_complete(&r));
	oa_result_release(&r);
}

Test(openai_parse, error_text_from_various_servers)
{
	static const struct {
		const char *body, *want;
	} cases[] = {
		{"{\"error\":{\"message\":\"bad model\",\"type\":\"x\"}}", "bad model"},
		{"{\"error\":\"Only one completion choice is allowed\"}",
		 "Only one completion choice is allowed"},
		{"{\"detail\":\"Not Found\"}", "Not Found"},
		{"{\"object\":\"error\",\"message\":\"too long\"}", "too long"},
		{"<html>502 Bad Gateway</html>\n", "<html>502 Bad Gateway</html>"},
		{"", "(empty response body)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = oa_error_text(cases[i].body, strlen(cases[i].body));
		cr_assert_str_eq(t, cases[i].want);
		free(t);
	}
}

/* A stream has no body cap: the text it delivers has one, over all choices. */
Test(openai_parse, stream_text_is_capped)
{
	size_t piece = 1u << 20;
	char *text = xmalloc(piece + 1);
	memset(text, 'a', piece);
	text[piece] = '\0';
	char *chunk[2];
	for (int i = 0; i < 2; i++)
		chunk[i] = xasprintf("{\"choices\":[{\"index\":%d,\"delta\":{\"%s\":\"%s\"}}]}", i,
				     i ? "reasoning_content" : "content", text);
	struct oa_result r;
	oa_result_init(&r);
	size_t fed = 0;
	int rc = 0;
	while (!rc && fed <= OA_MAX_TEXT / piece + 1) {
		const char *c = chunk[fed % 2];
		rc = oa_parse_chunk(&r, c, strlen(c), 0);
		fed++;
	}
	cr_assert_eq(rc, -1);
	cr_assert_eq(fed, OA_MAX_TEXT / piece + 1, "stopped after %zu MiB", fed);
	cr_assert_str_eq(r.error, "the response's text is over 64 MiB");
	oa_result_release(&r);
	/* Below the cap nothing is refused. */
	oa_result_init(&r);
	for (size_t i = 0; i < OA_MAX_TEXT / piece; i++)
		cr_assert_eq(oa_parse_chunk(&r, chunk[i % 2], strlen(chunk[i % 2]), 0), 0);
	cr_assert_eq(r.text_bytes, OA_MAX_TEXT);
	oa_result_release(&r);
	free(chunk[0]);
	free(chunk[1]);
	free(text);
}
