#define PCRE2_CODE_UNIT_WIDTH 8
#include "harness/base/re.h"

#include <pcre2.h>
#include <stdlib.h>

struct re {
	pcre2_code *code;
	pcre2_match_data *md;
	int ngroups;
};

struct re *re_compile(const char *pattern, const char *flags, struct strbuf *err)
{
	uint32_t opt = PCRE2_UTF;
	for (const char *f = flags ? flags : ""; *f; f++) {
		switch (*f) {
		case 'i': opt |= PCRE2_CASELESS; break;
		case 's': opt |= PCRE2_DOTALL; break;
		case 'm': opt |= PCRE2_MULTILINE; break;
		default: strbuf_addf(err, "unknown regex flag '%c'", *f); return NULL;
		}
	}
	int code;
	PCRE2_SIZE at;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opt, &code, &at, NULL);
	if (!c) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		strbuf_addf(err, "bad regex '%s' at offset %zu: %s", pattern, (size_t)at, (char *)msg);
		return NULL;
	}
	pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* optional: falls back to the interpreter */
	struct re *re = xcalloc(1, sizeof(*re));
	re->code = c;
	re->md = pcre2_match_data_create_from_pattern(c, NULL);
	if (!re->md)
		die("out of memory for regex match data");
	uint32_t n = 0;
	pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &n);
	re->ngroups = (int)n;
	return re;
}

void re_free(struct re *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}

int re_groups(const struct re *re)
{
	return re->ngroups;
}

int re_next(const struct re *re, struct strview subject, size_t *offset, struct strview *groups,
	    int ngroups)
{
	if (*offset > subject.len)
		return 0;
	int rc = pcre2_match(re->code, (PCRE2_SPTR)subject.ptr, subject.len, *offset, 0, re->md,
			     NULL);
	if (rc < 0)
		return 0;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
	for (int i = 0; i < ngroups; i++) {
		if (i < rc && ov[2 * i] != PCRE2_UNSET)
			groups[i] = (struct strview){subject.ptr + ov[2 * i], ov[2 * i + 1] - ov[2 * i]};
		else
			groups[i] = (struct strview){NULL, 0};
	}
	/* An empty match must still move forward, or the caller would loop. */
	*offset = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
	return 1;
}
