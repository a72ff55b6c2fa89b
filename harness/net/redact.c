#include "harness/net/redact.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "harness/base/util.h"

/* Characters of a token as servers and proxies print them. */
static int token_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*' || c == '+' || c == '/' ||
	       c == '=' || c == '~';
}

static size_t token_len(const char *p, size_t left)
{
	size_t n = 0;
	while (n < left && token_char((unsigned char)p[n]))
		n++;
	return n;
}

/* Bytes of a secret starting at text[i], or 0 when none starts there. */
static size_t secret_at(const char *text, size_t len, size_t i, const char *key, size_t klen)
{
	if (klen && len - i >= klen && !memcmp(text + i, key, klen))
		return klen;
	int word_start = i == 0 || !isalnum((unsigned char)text[i - 1]);
	if (word_start && len - i > 3 && !memcmp(text + i, "sk-", 3)) {
		size_t t = token_len(text + i + 3, len - i - 3);
		if (t >= 4)
			return 3 + t;
	}
	return 0;
}

char *redact_text(const char *text, size_t len, const char *key)
{
	if (!text)
		return NULL;
	size_t klen = key ? strlen(key) : 0;
	struct strbuf out = STRBUF_INIT;
	size_t i = 0;
	while (i < len) {
		size_t n = secret_at(text, len, i, key, klen);
		if (n) {
			strbuf_adds(&out, REDACTED);
			i += n;
			continue;
		}
		if (len - i > 7 && !strncasecmp(text + i, "bearer ", 7) &&
		    (i == 0 || !isalnum((unsigned char)text[i - 1]))) {
			size_t sp = 7;
			while (i + sp < len && text[i + sp] == ' ')
				sp++;
			size_t t = token_len(text + i + sp, len - i - sp);
			strbuf_add(&out, text + i, sp);
			i += sp;
			if (t) {
				strbuf_adds(&out, REDACTED);
				i += t;
			}
			continue;
		}
		strbuf_addch(&out, text[i++]);
	}
	return strbuf_detach(&out);
}
