/*
 * code_compare: is a program's output the expected output?
 *
 * Both texts are cut into lines; trailing whitespace of each line and
 * trailing blank lines are ignored, and each line is compared token by token
 * (runs of blanks between tokens do not matter).  Tokens compare exactly and
 * case-sensitively, so integers are exact.  A tolerance applies only where
 * the problem declares one ("float_abs_or_rel:1e-6", "float_abs:1e-9",
 * "float_rel:1e-6"), and then only to tokens that both parse as numbers and
 * are not both integers.  Nothing is allocated but the optional reason.
 */
#ifndef REVAL_CODE_COMPARE_H
#define REVAL_CODE_COMPARE_H

#include "harness/base/util.h"

enum code_cmp_kind {
	CMP_EXACT,
	CMP_FLOAT_ABS_OR_REL,
	CMP_FLOAT_ABS,
	CMP_FLOAT_REL,
};

struct code_cmp {
	enum code_cmp_kind kind;
	double tol; /* the declared tolerance; 0 for CMP_EXACT */
};

/* Parse a compare spec (NULL or "" or "exact" is exact); 0 or -1. */
int code_cmp_parse(const char *spec, struct code_cmp *out);

/* 1 when got matches want; on a mismatch a short reason goes to why (may be NULL). */
int code_compare(struct strview got, struct strview want, const struct code_cmp *cmp,
		 struct strbuf *why);

#endif
