/*
 * code: the "code" grader (version 2) -- model-written programs judged in the
 * sandbox (graders/code/sandbox/sandbox.h) by code_judge.
 *
 * Task options (grader_options; all optional, defaults detected per record;
 * any other key is refused -- the table in code.c is the reference and
 * code_options_markdown prints it):
 *   "kind": "function" | "stdio"   default: "function" when the record has a
 *                                   check() test, test_list or plus_input;
 *                                   "stdio" when it has a test list of
 *                                   {input|stdin, output|stdout}
 *   "language": "python" | "c" | "cpp"          default "python" (or the
 *                                   record's "language" field)
 *   "form": "check" | "asserts" | "io"          function problems; detected,
 *                                   in this order: a "def check" test;
 *                                   base_input/plus_input with a reference
 *                                   (EvalPlus MBPP base and plus); a test_list
 *   "entry_point_field": "entry_point"
 *   "tests_field":  "test" (check), "test_list" (asserts), "tests" (stdio;
 *                   "public_tests" is tried too)
 *   "prompt_field": "prompt" for the check form: the program is prompt +
 *                   completion, or prompt + "\n" + code when the answer
 *                   repeats the signature; the prompt also runs, trusted, in
 *                   the test runner (helpers such as HumanEval's poly)
 *   "imports_field": "test_imports"   asserts: lines run before the asserts
 *   "inputs_fields": ["base_input", "plus_input"]   io: argument lists
 *   "reference_field": "canonical_solution"         io: expected = its result
 *   "atol_field": "atol"
 *   "compare": "float_abs_or_rel:1e-6"  stdio tolerance when the test does
 *                                   not name one (default exact)
 *   "time_s", "wall_s", "memory_mb", "output_mb"   per-test limits
 *                                   (defaults: code_limits_default)
 *   "workers": N                   sandbox workers (default: one per core)
 *
 * grade() takes a worker from the grader's pool (made at the first grade)
 * and blocks for the sample's tests only.  code_grade_batch grades many
 * samples at once across the whole pool -- use it from `reval grade`.
 * Verdicts map to struct grade as: pass -> correct; no_code ->
 * GRADE_NO_ANSWER; infra_error -> GRADE_INFRA (only where the candidate had
 * no part: whatever fails once its code started is its verdict); anything
 * else -> wrong, with
 * the verdict as reason and {verdict, tests_passed, tests_total, tests[...],
 * isolation} as detail.  When the sandbox cannot set a run up even on a
 * fresh worker, grade() and code_grade_batch return non-zero (after one line
 * on stderr), so that the run stops instead of dropping samples.
 */
#ifndef REVAL_CODE_H
#define REVAL_CODE_H

#include "graders/code/judge.h"
#include "graders/grader.h"

/* Grade n samples in parallel over the pool; out[i] as from grade(). */
/*
 * The options table (the one code_init checks keys against) as a Markdown
 * table: | option | values | meaning |.  docs/formats.md holds it verbatim.
 */
void code_options_markdown(struct strbuf *out);

int code_grade_batch(void *state, const struct grade_input *in, struct grade *out, size_t n);

/*
 * One `reval check code` line into a case: id, kind, language, prompt,
 * completion, entry_point, program, tests, limits {time_s, wall_s,
 * memory_mb, output_mb}.  0, or -1 with the reason in err.
 */
int code_case_from_check_line(const cJSON *line, struct code_case *c, struct strbuf *err);

/* Parse a stdio test list (array or JSON text of one); 0 or -1 with err. */
int code_stdio_tests_parse(const cJSON *tests, const struct code_cmp *dflt, struct code_case *c,
			   struct strbuf *err);

#endif
