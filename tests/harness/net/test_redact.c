/* redact: no key, bearer token or sk- shaped secret survives in server text. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"
#include "harness/net/redact.h"

static void check(const char *text, const char *key, const char *want)
{
	char *got = redact_text(text, strlen(text), key);
	cr_assert_str_eq(got, want, "redact('%s')", text);
	free(got);
}

Test(redact, the_key_sent_is_replaced_wherever_it_appears)
{
	check("bad key xyz-123-secret here", "xyz-123-secret", "bad key [redacted] here");
	check("xyz-123-secretxyz-123-secret", "xyz-123-secret", "[redacted][redacted]");
}

Test(redact, a_bearer_token_is_replaced_in_any_case)
{
	check("Authorization: Bearer abc.def/ghi=", NULL, "Authorization: Bearer [redacted]");
	check("got bearer  tok_1, expected none", NULL, "got bearer  [redacted], expected none");
	check("BEARER x", NULL, "BEARER [redacted]");
}

Test(redact, sk_shaped_tokens_are_replaced_at_a_word_start_only)
{
	check("Incorrect API key provided: sk-abc1****wxyz.", NULL,
	      "Incorrect API key provided: [redacted]");
	check("a task-ab1234 and desk-lamp stay", NULL, "a task-ab1234 and desk-lamp stay");
	check("sk-ab is too short to be a key", NULL, "sk-ab is too short to be a key");
}

Test(redact, text_without_secrets_is_unchanged)
{
	check("The server had an error", "k3y-v4lue", "The server had an error");
	check("", "k", "");
}

static int has_sk_token(const char *s)
{
	for (const char *p = s; (p = strstr(p, "sk-")); p++) {
		if (p > s && ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9')))
			continue;
		size_t n = strspn(p + 3, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
		if (n >= 4)
			return 1;
	}
	return 0;
}

/* Keys quoted in random surroundings, whole, after Bearer, in JSON, next to punctuation. */
Test(redact, generated_texts_never_keep_the_key)
{
	static const char *const around[] = {"", " ", "\"", "'", ":", "=", "\n", "(", "Bearer ",
					     "bearer\t", "Authorization: Bearer ", "key=", "x"};
	static const char *const keys[] = {"sk-proj-AbC123xyz789", "sk-4242", "tok_9f8e7d",
					   "0123456789abcdef"};
	uint64_t rng = 7;
	for (int round = 0; round < 2000; round++) {
		const char *key = keys[round % 4];
		struct strbuf sb = STRBUF_INIT;
		int parts = 1 + (int)(mix64(rng++) % 5);
		for (int i = 0; i < parts; i++) {
			strbuf_adds(&sb, around[mix64(rng++) % ARRAY_SIZE(around)]);
			strbuf_adds(&sb, key);
			strbuf_adds(&sb, around[mix64(rng++) % ARRAY_SIZE(around)]);
			strbuf_adds(&sb, " words ");
		}
		char *got = redact_text(sb.buf, sb.len, key);
		cr_assert_null(strstr(got, key), "key kept in '%s' -> '%s'", sb.buf, got);
		cr_assert(!has_sk_token(got), "an sk- token kept in '%s'", got);
		free(got);
		strbuf_release(&sb);
	}
}
