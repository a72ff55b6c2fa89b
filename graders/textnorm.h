/*
 * textnorm: the string normalisation shared by the exact, regex and choice
 * graders, so that "the same answer" means one thing across them.
 */
#ifndef REVAL_TEXTNORM_H
#define REVAL_TEXTNORM_H

#include "harness/base/util.h"

struct textnorm {
	int fold_case;         /* compare case-insensitively (ASCII) */
	int collapse_space;    /* runs of white space become one space */
	const char *strip_end; /* characters removed from the end, e.g. "." */
};

/* Trim, then apply the options; returns a new string the caller frees. */
char *textnorm_apply(const struct textnorm *tn, struct strview v);

/*
 * The text after the last occurrence of marker in v.  When marker is absent,
 * *found is 0 and v itself is returned.
 */
struct strview text_after_last(struct strview v, const char *marker, int *found);

#endif
