/*
 * re: PCRE2 behind one small interface.  A pattern is compiled once (with
 * the JIT where the platform has it) and matched many times; each match
 * reports capture groups as views into the subject.
 */
#ifndef REVAL_RE_H
#define REVAL_RE_H

#include "harness/base/util.h"

struct re;

/* flags: a string of 'i' (caseless), 's' (dot matches newline), 'm' (multiline). */
struct re *re_compile(const char *pattern, const char *flags, struct strbuf *err);
void re_free(struct re *re);

/*
 * Find the first match at or after *offset; on success fill groups[0..n-1]
 * (unset groups have ptr NULL), advance *offset past the match and return 1.
 * Returns 0 when there is no further match.
 */
int re_next(const struct re *re, struct strview subject, size_t *offset, struct strview *groups,
	    int ngroups);

/* Number of capture groups in the pattern. */
int re_groups(const struct re *re);

#endif
