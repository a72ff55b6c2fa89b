#include "graders/code/compare.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int code_cmp_parse(const char *spec, struct code_cmp *out)
{
	static const struct {
		const char *prefix;
		enum code_cmp_kind kind;
	} kinds[] = {
		{"float_abs_or_rel:", CMP_FLOAT_ABS_OR_REL},
		{"float_abs:", CMP_FLOAT_ABS},
		{"float_rel:", CMP_FLOAT_REL},
	};
	out->kind = CMP_EXACT;
	out->tol = 0;
	if (!spec || !*spec || !strcmp(spec, "exact"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t n = strlen(kinds[i].prefix);
		if (strncmp(spec, kinds[i].prefix, n))
			continue;
		double tol;
		if (parse_double(spec + n, &tol) || !(tol >= 0) || tol > 1)
			return -1;
		out->kind = kinds[i].kind;
		out->tol = tol;
		return 0;
	}
	return -1;
}

/* The text without trailing blank lines and the trailing blanks of the last one. */
static struct strview trim_end(struct strview s)
{
	while (s.len && isspace((unsigned char)s.ptr[s.len - 1]))
		s.len--;
	return s;
}

static int next_line(struct strview *s, struct strview *line)
{
	if (!s->len)
		return 0;
	const char *nl = memchr(s->ptr, '\n', s->len);
	size_t n = nl ? (size_t)(nl - s->ptr) : s->len;
	*line = (struct strview){s->ptr, n};
	s->ptr += n + (nl ? 1 : 0);
	s->len -= n + (nl ? 1 : 0);
	return 1;
}

static int next_token(struct strview *s, struct strview *tok)
{
	while (s->len && isspace((unsigned char)*s->ptr)) {
		s->ptr++;
		s->len--;
	}
	if (!s->len)
		return 0;
	size_t n = 0;
	while (n < s->len && !isspace((unsigned char)s->ptr[n]))
		n++;
	*tok = (struct strview){s->ptr, n};
	s->ptr += n;
	s->len -= n;
	return 1;
}

static int is_integer(struct strview t)
{
	size_t i = t.len && (t.ptr[0] == '-' || t.ptr[0] == '+');
	if (i >= t.len)
		return 0;
	for (; i < t.len; i++)
		if (!isdigit((unsigned char)t.ptr[i]))
			return 0;
	return 1;
}

static int as_number(struct strview t, double *out)
{
	char buf[128];
	if (!t.len || t.len >= sizeof(buf))
		return 0;
	memcpy(buf, t.ptr, t.len);
	buf[t.len] = '\0';
	char *end;
	errno = 0;
	*out = strtod(buf, &end);
	return end == buf + t.len && errno != ERANGE && isfinite(*out);
}

static int token_eq(struct strview a, struct strview b, const struct code_cmp *cmp)
{
	if (a.len == b.len && !memcmp(a.ptr, b.ptr, a.len))
		return 1;
	if (cmp->kind == CMP_EXACT || (is_integer(a) && is_integer(b)))
		return 0;
	double x, y;
	if (!as_number(a, &x) || !as_number(b, &y))
		return 0;
	double d = fabs(x - y);
	double rel = cmp->tol * fabs(y);
	switch (cmp->kind) {
	case CMP_FLOAT_ABS: return d <= cmp->tol;
	case CMP_FLOAT_REL: return d <= rel;
	case CMP_FLOAT_ABS_OR_REL: return d <= cmp->tol || d <= rel;
	case CMP_EXACT: break;
	}
	return 0;
}

static void clip(struct strbuf *why, const char *label, struct strview v)
{
	strbuf_addf(why, "%s '%.*s%s'", label, (int)(v.len > 40 ? 40 : v.len), v.ptr,
		    v.len > 40 ? "..." : "");
}

int code_compare(struct strview got, struct strview want, const struct code_cmp *cmp,
		 struct strbuf *why)
{
	got = trim_end(got);
	want = trim_end(want);
	struct strview gl, wl;
	for (size_t lineno = 1;; lineno++) {
		int hg = next_line(&got, &gl), hw = next_line(&want, &wl);
		if (!hg && !hw)
			return 1;
		if (hg != hw) {
			if (why)
				strbuf_addf(why, "line %zu: %s", lineno,
					    hg ? "extra output" : "output ends early");
			return 0;
		}
		struct strview gt, wt;
		for (size_t col = 1;; col++) {
			int tg = next_token(&gl, &gt), tw = next_token(&wl, &wt);
			if (!tg && !tw)
				break;
			if (tg != tw || !token_eq(gt, wt, cmp)) {
				if (why) {
					strbuf_addf(why, "line %zu token %zu: ", lineno, col);
					if (tg)
						clip(why, "got", gt);
					else
						strbuf_adds(why, "got nothing");
					strbuf_adds(why, ", ");
					if (tw)
						clip(why, "expected", wt);
					else
						strbuf_adds(why, "expected nothing");
				}
				return 0;
			}
		}
	}
}
