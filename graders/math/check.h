/*
 * check_math: the engine of `reval check math --in FILE.jsonl`.
 *
 * Each input line is a case {"id", "gold", "pred", "pred_kind":
 * "answer"|"full_output", optional "expected", "category", "config"}.  One
 * JSON line per case goes to out: {"id", "correct", "extracted",
 * "canonical", "status"}.  When cases carry "expected", the tallies come
 * back in struct check_math_stats and a summary is printed to summary.
 *
 * A malformed line is an error: one diagnostic naming the file and line,
 * and RV_EINPUT.  Ownership: check_math_stats_release frees the category
 * table.
 */
#ifndef REVAL_CHECK_MATH_H
#define REVAL_CHECK_MATH_H

#include <stdio.h>

#include "harness/base/err.h"

#define CHECK_MATH_MAX_FILE (512u << 20) /* bytes of input accepted */

struct check_math_cat {
	char *name;
	int total, agree, false_pos, false_neg;
};

struct check_math_stats {
	int cases;      /* lines judged */
	int labelled;   /* lines with "expected" */
	int agree;      /* verdict == expected */
	int false_pos;  /* judged correct, expected false */
	int false_neg;  /* judged wrong, expected true */
	struct check_math_cat *cat;
	size_t ncat, capcat;
};

void check_math_stats_release(struct check_math_stats *st);

/* Judge every case of path; out may be NULL (no per-case lines), so may summary. */
enum reval_err check_math_file(const char *path, FILE *out, FILE *summary, struct check_math_stats *st);

#endif
