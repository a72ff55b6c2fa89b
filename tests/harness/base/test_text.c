/*
 * Text files as reval reads them: lines numbered from 1, a last line
 * without '\n', blank lines kept for the count, and a NUL byte refused with
 * the line it sits on.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/support.h"

static char *write_tmp(const char *tag, const char *data, size_t len)
{
	char *dir = support_tmpdir(tag);
	char *path = xasprintf("%s/f.txt", dir);
	free(dir);
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return path;
}

Test(text, lines_are_numbered_and_terminated)
{
	char text[] = "one\n\nthree\nfour";
	struct lines it;
	struct strview l;
	lines_init(&it, text, strlen(text));
	const char *want[] = {"one", "", "three", "four"};
	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(lines_next(&it, &l), 1, "line %zu", i + 1);
		cr_expect_eq(it.no, i + 1);
		cr_expect_eq(l.len, strlen(want[i]));
		cr_expect_str_eq(l.ptr, want[i]); /* NUL-terminated in place */
	}
	cr_expect_eq(lines_next(&it, &l), 0);
	cr_expect_eq(lines_next(&it, &l), 0);
}

Test(text, trailing_newline_adds_no_line_and_empty_text_has_none)
{
	char text[] = "a\nb\n";
	struct lines it;
	struct strview l;
	lines_init(&it, text, strlen(text));
	int n = 0;
	while (lines_next(&it, &l))
		n++;
	cr_expect_eq(n, 2);
	char empty[] = "";
	lines_init(&it, empty, 0);
	cr_expect_eq(lines_next(&it, &l), 0);
	cr_expect_eq(it.no, 0);
}

Test(text, nul_byte_is_refused_with_its_line)
{
	static const char data[] = "a\nb\nc\0d\ne\n";
	char *path = write_tmp("text-nul", data, sizeof(data) - 1);
	char *text = (char *)"untouched";
	size_t len = 0;
	char why[128] = "";
	cr_assert_eq(read_text_file(path, 1 << 20, &text, &len, why, sizeof(why)), EILSEQ);
	cr_expect_str_eq(why, "line 3 holds a NUL byte (not a text file)");
	cr_expect_null(text);
	free(path);
}

Test(text, other_failures_say_why)
{
	char why[128] = "";
	char *text;
	cr_assert_eq(read_text_file("/nonexistent/reval-text", 1 << 20, &text, NULL, why,
				    sizeof(why)),
		     ENOENT);
	cr_expect_str_eq(why, strerror(ENOENT));
	size_t big = (2u << 20) + 1;
	char *data = xcalloc(big, 1);
	memset(data, 'x', big);
	char *path = write_tmp("text-big", data, big);
	free(data);
	cr_assert_eq(read_text_file(path, 1u << 20, &text, NULL, why, sizeof(why)), ERANGE);
	cr_expect_str_eq(why, "larger than the 1 MiB this kind of file may have");
	free(path);
}

Test(text, plain_text_reads_whole)
{
	static const char data[] = "x\ny";
	char *path = write_tmp("text-ok", data, sizeof(data) - 1);
	char *text;
	size_t len;
	char why[16] = "unused";
	cr_assert_eq(read_text_file(path, 1 << 20, &text, &len, why, sizeof(why)), 0);
	cr_expect_eq(len, 3);
	cr_expect_str_eq(text, "x\ny");
	cr_expect_str_eq(why, "unused", "why is left alone on success");
	free(text);
	free(path);
}
