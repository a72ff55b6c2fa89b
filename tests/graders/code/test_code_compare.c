#include <criterion/criterion.h>
#include <string.h>

#include "graders/code/compare.h"
#include "graders/code/extract.h"

static int same(const char *got, const char *want, const char *spec)
{
	struct code_cmp c;
	cr_assert_eq(code_cmp_parse(spec, &c), 0, "spec '%s'", spec ? spec : "");
	return code_compare(sv_from(got), sv_from(want), &c, NULL);
}

Test(code_compare, trailing_whitespace_and_blank_lines_ignored)
{
	cr_assert(same("1 2\n3  \n\n\n", "1 2\n3\n", NULL));
	cr_assert(same("1 2\r\n3\r\n", "1 2\n3", NULL));
	cr_assert(same("", "\n\n", NULL));
}

Test(code_compare, tokens_and_lines_matter)
{
	cr_assert(!same("1 2 3\n", "1 2\n3\n", NULL));
	cr_assert(!same("1\n\n2\n", "1\n2\n", NULL));
	cr_assert(!same("yes\n", "YES\n", NULL));
	cr_assert(!same("1\n", "1\n2\n", NULL));
}

Test(code_compare, integers_exact_even_with_tolerance)
{
	cr_assert(!same("10\n", "010\n", NULL));
	cr_assert(!same("1000001\n", "1000000\n", "float_abs_or_rel:1e-6"));
}

Test(code_compare, float_tolerance_only_where_declared)
{
	cr_assert(!same("0.3333333\n", "0.333333333\n", NULL));
	cr_assert(same("0.3333333\n", "0.333333333\n", "float_abs_or_rel:1e-6"));
	cr_assert(same("1000000.5\n", "1000000.0\n", "float_abs_or_rel:1e-6"));
	cr_assert(!same("1000000.5\n", "1000000.0\n", "float_abs:1e-6"));
	cr_assert(!same("0.5\n", "0.6\n", "float_abs_or_rel:1e-6"));
	cr_assert(!same("nan\n", "0.5\n", "float_abs_or_rel:1e-6"));
}

/* Output is bytes: a NUL byte is a character like any other, never an end. */
static int same_n(const char *got, size_t len, const char *want, const char *spec)
{
	struct code_cmp c;
	cr_assert_eq(code_cmp_parse(spec, &c), 0);
	return code_compare((struct strview){got, len}, sv_from(want), &c, NULL);
}

Test(code_compare, nul_bytes_are_output)
{
	cr_assert(!same_n("42\n\0junk\n", 10, "42\n", NULL));
	cr_assert(!same_n("42\n\0", 4, "42\n", NULL));
	cr_assert(!same_n("42\0\n", 4, "42\n", NULL));
	cr_assert(!same_n("1.5\0x\n", 6, "1.5\n", "float_abs_or_rel:1e-6"));
	cr_assert(!same_n("1.5\0\n", 5, "1.5\n", "float_abs:1e-6"));
	cr_assert(same_n("1.5000001\n", 10, "1.5\n", "float_abs_or_rel:1e-6"));
}

Test(code_compare, bad_specs_refused)
{
	struct code_cmp c;
	cr_assert_neq(code_cmp_parse("float:1e-6", &c), 0);
	cr_assert_neq(code_cmp_parse("float_abs_or_rel:x", &c), 0);
	cr_assert_neq(code_cmp_parse("float_abs_or_rel:-1", &c), 0);
}

static char *extract(const char *answer, enum code_lang lang)
{
	struct strview v;
	if (!code_extract(sv_from(answer), lang, &v))
		return NULL;
	return sv_dup(v);
}

Test(code_extract, last_block_of_the_language_wins)
{
	char *s = extract("Plan:\n```python\nx = 1\n```\nBetter:\n```python\nx = 2\n```\n"
			  "```text\nnot code\n```\n",
			  CODE_PYTHON);
	cr_assert_str_eq(s, "x = 2\n");
	free(s);
	s = extract("```cpp\nint main(){}\n```\n```python\nprint(1)\n```", CODE_CPP);
	cr_assert_str_eq(s, "int main(){}\n");
	free(s);
}

Test(code_extract, untagged_block_and_open_block)
{
	char *s = extract("```\nprint(1)\n```", CODE_PYTHON);
	cr_assert_str_eq(s, "print(1)\n");
	free(s);
	s = extract("Here:\n```py\ndef f():\n    return 1\n", CODE_PYTHON);
	cr_assert_str_eq(s, "def f():\n    return 1\n");
	free(s);
}

Test(code_extract, no_code_verdicts)
{
	cr_assert_null(extract("I think the answer is 42.", CODE_PYTHON));
	cr_assert_null(extract("```cpp\nint main(){}\n```", CODE_PYTHON));
	cr_assert_null(extract("```python\n\n```", CODE_PYTHON));
	cr_assert_null(extract("", CODE_C));
}

Test(code_extract, bare_code_without_fences)
{
	char *s = extract("    return a + b\n", CODE_PYTHON);
	cr_assert_str_eq(s, "    return a + b\n");
	free(s);
	s = extract("#include <stdio.h>\nint main(void){return 0;}", CODE_C);
	cr_assert_not_null(s);
	free(s);
}
