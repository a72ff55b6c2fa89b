/*
 * U+0000 in JSON from outside: the escape \u0000 is read as U+FFFD, the
 * replacement character, so that a C string keeps what follows it -- a
 * model's answer after a stray NUL is still graded whole -- wherever reval
 * parses outside text: server replies and stream chunks, local engines,
 * journals and replays, datasets.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness/model/journal.h"
#include "harness/base/json.h"
#include "harness/engine/openai_parse.h"
#include "tests/support/support.h"

#define FFFD "\xEF\xBF\xBD"

Test(json_nul, escapes_are_rewritten_in_place_and_counted)
{
	static const struct {
		const char *in;
		size_t len; /* bytes looked at; 0: all */
		size_t count;
		const char *out;
	} cases[] = {
		{"{\"c\":\"x\\u0000y\\u0000\"}", 0, 2, "{\"c\":\"x\\ufffdy\\ufffd\"}"},
		/* An escaped backslash followed by the text u0000 is no escape... */
		{"{\"c\":\"\\\\u0000\"}", 0, 0, "{\"c\":\"\\\\u0000\"}"},
		/* ...but one after the escaped backslash is. */
		{"\"\\\\\\u0000\"", 0, 1, "\"\\\\\\ufffd\""},
		/* Other escapes, and one cut at the end of the buffer, are left alone. */
		{"\"\\u0001\\n\\u000", 0, 0, "\"\\u0001\\n\\u000"},
		/* Only len bytes are looked at. */
		{"\"\\u0000\"", 5, 0, "\"\\u0000\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *buf = xstrdup(cases[i].in);
		size_t len = cases[i].len ? cases[i].len : strlen(buf);
		cr_assert_eq(json_defuse_nul(buf, len), cases[i].count, "case %zu", i);
		cr_assert_str_eq(buf, cases[i].out, "case %zu", i);
		free(buf);
	}
}

Test(json_nul, parsers_keep_the_rest_of_the_string)
{
	const char *text = "{\"c\":\"The answer is \\u0000 \\\\boxed{7}.\"}";
	cJSON *v = json_parse_len(text, strlen(text));
	cr_assert_str_eq(json_str(v, "c"), "The answer is " FFFD " \\boxed{7}.");
	cJSON_Delete(v);
	int line = 0;
	v = json_parse_text(text, &line);
	cr_assert_str_eq(json_str(v, "c"), "The answer is " FFFD " \\boxed{7}.");
	cJSON_Delete(v);
	/* A malformed text is still malformed, with its line. */
	v = json_parse_text("{\"c\":\"\\u0000\",\n\"d\":}", &line);
	cr_assert_null(v);
	cr_assert_eq(line, 2);
	cr_assert_null(json_parse_len("{\"c\":\"\\u0000", 11));
}

Test(json_nul, server_replies_and_stream_chunks)
{
	struct oa_result r;
	oa_result_init(&r);
	const char *body = "{\"choices\":[{\"message\":{\"content\":\"so \\u0000\\\\boxed{12}\","
			   "\"reasoning_content\":\"a\\u0000b\"},\"finish_reason\":\"stop\"}]}";
	cr_assert_eq(oa_parse_body(&r, body, strlen(body), 0), 0);
	cr_assert_str_eq(r.choices[0].content.buf, "so " FFFD "\\boxed{12}");
	cr_assert_str_eq(r.choices[0].reasoning.buf, "a" FFFD "b");
	oa_result_release(&r);

	oa_result_init(&r);
	const char *chunks[] = {"{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\\u0000\"}}]}",
				"{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"y\"},"
				"\"finish_reason\":\"stop\"}]}"};
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(oa_parse_chunk(&r, chunks[i], strlen(chunks[i]), 0), 0);
	cr_assert_str_eq(r.choices[0].content.buf, "x" FFFD "y");
	oa_result_release(&r);
}

static enum reval_err keep_content(void *ud, const cJSON *obj, long line)
{
	(void)line;
	const char *c = json_str(obj, "content");
	cr_assert(c);
	*(char **)ud = xstrdup(c);
	return RV_OK;
}

Test(json_nul, journal_lines)
{
	char *dir = support_tmpdir("json-nul");
	char *path = xasprintf("%s/journal.jsonl", dir);
	cr_assert_eq(support_write(path, "{\"content\":\"before \\u0000 after\"}\n"), 0);
	char *content = NULL;
	long torn = 0;
	cr_assert_eq(journal_read(path, keep_content, &content, &torn), RV_OK);
	cr_assert_str_eq(content, "before " FFFD " after");
	cr_assert_eq(torn, 0);
	free(content);
	free(path);
	free(dir);
}
