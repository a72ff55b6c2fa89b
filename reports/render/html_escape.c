#include "reports/render/html_escape.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned min;
	unsigned cp;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0) {
		len = 2, min = 0x80, cp = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3, min = 0x800, cp = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

void html_escape_n(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		switch (c) {
		case '&': strbuf_adds(sb, "&amp;"); i++; continue;
		case '<': strbuf_adds(sb, "&lt;"); i++; continue;
		case '>': strbuf_adds(sb, "&gt;"); i++; continue;
		case '"': strbuf_adds(sb, "&quot;"); i++; continue;
		case '\'': strbuf_adds(sb, "&#39;"); i++; continue;
		}
		if (c < 0x20 || c == 0x7F) {
			if (c == '\n' || c == '\t')
				strbuf_addch(sb, (char)c);
			i++;
			continue;
		}
		size_t len = utf8_len(p + i, n - i);
		if (!len) {
			strbuf_adds(sb, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		strbuf_add(sb, p + i, len);
		i += len;
	}
}

void html_escape(struct strbuf *sb, const char *s)
{
	if (s)
		html_escape_n(sb, s, strlen(s));
}

void html_json_string(struct strbuf *sb, const char *s)
{
	if (!s) {
		strbuf_adds(sb, "null");
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	strbuf_addch(sb, '"');
	while (i < n) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, (char)c);
			i++;
			continue;
		}
		if (c == '\n' || c == '\t') {
			strbuf_adds(sb, c == '\n' ? "\\n" : "\\t");
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&') {
			strbuf_addf(sb, "\\u%04x", c);
			i++;
			continue;
		}
		size_t len = utf8_len(p + i, n - i);
		if (!len) {
			strbuf_adds(sb, "\\ufffd");
			i++;
			continue;
		}
		/* U+2028 and U+2029 end a line in older JavaScript parsers. */
		if (len == 3 && p[i] == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] & 0xFE) == 0xA8)
			strbuf_addf(sb, "\\u%04x", 0x2028 + (p[i + 2] & 1));
		else
			strbuf_add(sb, p + i, len);
		i += len;
	}
	strbuf_addch(sb, '"');
}
