#include "harness/base/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_FILE (256u << 20) /* bytes of a JSON file accepted */

/* Blank out comments (keeping newlines, so line numbers stay right). */
static void strip_comments(char *s)
{
	int in_str = 0;
	for (char *p = s; *p; p++) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = 0;
			continue;
		}
		if (*p == '"') {
			in_str = 1;
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				*p++ = ' ';
			if (!*p)
				break;
		} else if (p[0] == '/' && p[1] == '*') {
			char *e = strstr(p + 2, "*/");
			char *end = e ? e + 2 : p + strlen(p);
			for (; p < end; p++)
				if (*p != '\n')
					*p = ' ';
			p--;
		}
	}
}

/*
 * Python's json module writes the non-standard literals Infinity and
 * -Infinity (MBPP+ test inputs have them).  Outside strings they are
 * rewritten to 1e999, which parses as an infinite double, and each infinite
 * number then becomes a raw item that prints back as the same literal, so
 * the value reaches a Python reader unchanged.  Returns NULL when the text
 * has no such literal.
 */
static char *rewrite_infinity(const char *text)
{
	if (!strstr(text, "Infinity"))
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	int in_str = 0;
	for (const char *p = text; *p; p++) {
		if (in_str) {
			if (*p == '\\' && p[1]) {
				strbuf_add(&sb, p, 2);
				p++;
				continue;
			}
			in_str = *p != '"';
		} else if (*p == '"') {
			in_str = 1;
		} else if (!strncmp(p, "Infinity", 8)) {
			strbuf_adds(&sb, "1e999");
			p += 7;
			continue;
		}
		strbuf_addch(&sb, *p);
	}
	return strbuf_detach(&sb);
}

static void raw_infinities(cJSON *v)
{
	cJSON *c;
	cJSON_ArrayForEach(c, v)
	{
		if (cJSON_IsNumber(c) && isinf(c->valuedouble)) {
			cJSON *raw = cJSON_CreateRaw(c->valuedouble > 0 ? "Infinity" : "-Infinity");
			cJSON_ReplaceItemViaPointer(v, c, raw);
			c = raw;
		} else {
			raw_infinities(c);
		}
	}
}

size_t json_defuse_nul(char *text, size_t len)
{
	size_t n = 0;
	char *p = text, *end = text + len;
	/* Backslashes stand only inside strings, each starting one escape: the
	 * character after one is never the start of another. */
	while ((p = memchr(p, '\\', (size_t)(end - p))) && end - p >= 2) {
		if (p[1] == 'u' && end - p >= 6 && !memcmp(p + 2, "0000", 4)) {
			memcpy(p + 2, "fffd", 4);
			n++;
		}
		p += 2;
	}
	return n;
}

/* A NUL-terminated copy of len bytes of text with \u0000 read as U+FFFD, or
 * NULL when the text has no such escape (and can be parsed as it is). */
static char *defused_copy(const char *text, size_t len)
{
	if (!memmem(text, len, "\\u0000", 6))
		return NULL;
	char *copy = xstrndup(text, len);
	json_defuse_nul(copy, len);
	return copy;
}

cJSON *json_parse_len(const char *text, size_t len)
{
	char *own = defused_copy(text, len);
	cJSON *v = cJSON_ParseWithLength(own ? own : text, len);
	free(own);
	return v;
}

cJSON *json_parse_text(const char *text, int *line)
{
	char *own = defused_copy(text, strlen(text));
	if (own)
		text = own;
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithOpts(text, &end, 1);
	if (!v) {
		char *fixed = rewrite_infinity(text);
		v = fixed ? cJSON_ParseWithOpts(fixed, &end, 1) : NULL;
		free(fixed);
		if (v) {
			raw_infinities(v);
			free(own);
			return v;
		}
		cJSON_ParseWithOpts(text, &end, 1); /* for the error position */
	}
	if (!v && line) {
		const char *at = cJSON_GetErrorPtr();
		int n = 1;
		if (at)
			for (const char *p = text; *p && p < at; p++)
				n += *p == '\n';
		*line = n;
	}
	free(own);
	return v;
}

enum reval_err json_load_file(const char *path, const char *what, cJSON **out)
{
	char *text, why[128];
	if (read_text_file(path, JSON_MAX_FILE, &text, NULL, why, sizeof(why))) {
		diag("cannot read %s '%s': %s", what, path, why);
		return RV_EINPUT;
	}
	strip_comments(text);
	int line = 0;
	cJSON *v = json_parse_text(text, &line);
	free(text);
	if (!v) {
		diag("cannot read %s '%s' line %d: malformed JSON", what, path, line);
		return RV_EINPUT;
	}
	*out = v;
	return RV_OK;
}

const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int json_bool(const cJSON *obj, const char *key, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

double json_num(const cJSON *obj, const char *key, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

void json_number_text(double v, char out[32])
{
	if (v == floor(v) && fabs(v) < 9e15) {
		snprintf(out, 32, "%.0f", v);
		return;
	}
	/* The shortest form that reads back as the same double. */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, 32, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

char *json_scalar_text(const cJSON *v)
{
	char num[32];
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v)) {
		json_number_text(v->valuedouble, num);
		return xstrdup(num);
	}
	if (cJSON_IsBool(v))
		return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	return NULL;
}

void json_quote_n(struct strbuf *sb, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	strbuf_grow(sb, n + 2);
	strbuf_addch(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		switch (c) {
		case '"': strbuf_adds(sb, "\\\""); break;
		case '\\': strbuf_adds(sb, "\\\\"); break;
		case '\n': strbuf_adds(sb, "\\n"); break;
		case '\r': strbuf_adds(sb, "\\r"); break;
		case '\t': strbuf_adds(sb, "\\t"); break;
		default:
			if (c < 0x20) {
				char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
				strbuf_adds(sb, u);
			} else {
				strbuf_addch(sb, (char)c);
			}
		}
	}
	strbuf_addch(sb, '"');
}

void json_quote(struct strbuf *sb, const char *v)
{
	if (!v) {
		strbuf_adds(sb, "null");
		return;
	}
	json_quote_n(sb, v, strlen(v));
}

void json_append(struct strbuf *sb, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);
	if (!s)
		die("out of memory printing JSON");
	strbuf_adds(sb, s);
	cJSON_free(s);
}

enum reval_err json_write_file(const char *path, const cJSON *doc)
{
	char *s = cJSON_Print(doc);
	if (!s)
		die("out of memory printing JSON");
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, s);
	strbuf_addch(&sb, '\n');
	cJSON_free(s);
	int err = write_file_atomic(path, sb.buf, sb.len);
	strbuf_release(&sb);
	if (err) {
		diag("cannot write '%s': %s", path, strerror(err));
		return RV_EIO;
	}
	return RV_OK;
}
