/*
 * code_judge: run one program against its tests in a sandbox worker and
 * decide the verdicts.
 *
 * A struct code_case is everything a judgement needs, independent of where
 * it came from (a dataset record through the code grader, or a line of
 * `reval check code`).  Its strings are owned by the case and freed by
 * code_case_release.  Function problems (Python only) run once: the trusted
 * runner in the sandbox executes the tests and calls the candidate through
 * plain data, so exit statuses, patched builtins and always-equal objects
 * prove nothing.  Stdio problems run once per test; the expected output never
 * enters the sandbox.  C and C++ are compiled in the sandbox first.
 *
 * code_judge fills a struct code_outcome whose detail (a cJSON object with
 * per-test verdict, cpu_ms, wall_ms, mem_kb, and the isolation layers) is
 * owned by the outcome; code_outcome_release frees it.
 */
#ifndef REVAL_CODE_JUDGE_H
#define REVAL_CODE_JUDGE_H

#include <cjson/cJSON.h>

#include "graders/code/compare.h"
#include "graders/code/extract.h"
#include "graders/code/sandbox/sandbox.h"

enum code_kind {
	CODE_FUNCTION, /* HumanEval / MBPP: call a named function */
	CODE_STDIO,    /* competitive programming: stdin -> stdout */
};

enum code_form {
	CODE_FORM_CHECK,   /* test source defining check(candidate) */
	CODE_FORM_ASSERTS, /* a list of assert statements naming the entry point */
	CODE_FORM_IO,      /* argument lists; expected = a reference solution's result */
};

enum code_verdict {
	CV_PASS,
	CV_WRONG_ANSWER,
	CV_RUNTIME_ERROR,
	CV_TIMEOUT,
	CV_MEMORY_LIMIT,
	CV_OUTPUT_LIMIT,
	CV_COMPILE_ERROR,
	CV_SANDBOX_VIOLATION,
	CV_NO_CODE,
	CV_SKIPPED,     /* not run because an earlier test ended the sample; never a pass */
	CV_INFRA_ERROR, /* the sandbox failed: excluded from scores, never a wrong answer */
};

struct code_limits {
	double time_s;  /* CPU seconds per test (function: wall seconds per test, too) */
	double wall_s;  /* wall seconds per test; 0 = 2 * time_s + 1 */
	long memory_mb; /* address space per test */
	long output_mb; /* stdout per test */
};

struct code_stdio_test {
	char *input;
	char *output;
	struct code_cmp cmp;
};

struct code_case {
	char *id;
	enum code_kind kind;
	enum code_lang lang;
	char *program;            /* the whole program, or NULL: no_code */
	/* function problems */
	enum code_form form;
	char *entry_point;
	char *context;            /* trusted code run before the tests (HumanEval's prompt) */
	char *test;               /* CODE_FORM_CHECK */
	cJSON *asserts;           /* CODE_FORM_ASSERTS: array of strings */
	cJSON *imports;           /* CODE_FORM_ASSERTS: array of import lines, or NULL */
	cJSON *inputs;            /* CODE_FORM_IO: array of argument arrays */
	char *reference;          /* CODE_FORM_IO: reference solution source */
	double atol;              /* CODE_FORM_IO */
	/* stdio problems */
	struct code_stdio_test *tests;
	size_t ntests;
	struct code_limits lim;
};

struct code_outcome {
	enum code_verdict verdict;
	int tests_passed;
	int tests_total;
	cJSON *detail;
};

const char *code_verdict_name(enum code_verdict v);
void code_case_release(struct code_case *c);
void code_outcome_release(struct code_outcome *o);

/* Defaults for limits left at 0 (by kind and language). */
void code_limits_default(struct code_limits *l, enum code_kind kind, enum code_lang lang);

/* Judge c in worker sb.  Returns 0 (the verdict may be CV_INFRA_ERROR), or
 * -1 when a run could not be set up even on a fresh worker: the sandbox
 * cannot work here, and the caller must stop rather than go on dropping
 * samples from the score (out is filled, infra_error, the detail's "error"
 * saying why).  A run that fails after the candidate's code started is
 * always the candidate's verdict. */
int code_judge(struct sandbox *sb, const struct code_case *c, struct code_outcome *out);

#endif
