/* `reval tasks`: every bundled task loads, the bundled data matches its
 * checksums, and answer transforms read answers as the task files ask. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness/model/dataset.h"
#include "tests/support/support.h"

Test(tasks, bundled_data_matches_its_checksums)
{
	const char *args[] = {"tasks", "--verify", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s%s", r.out.buf, r.err.buf);
	cr_assert(strstr(r.out.buf, " 0 bad"), "%s", r.out.buf);
	proc_result_release(&r);
}

/* A malformed checksum line is named by its line in the file, blank lines
 * counted. */
Test(tasks, bad_checksum_line_is_named)
{
	char *dir = support_tmpdir("sums");
	char *sums = xasprintf("%s/SHA256SUMS", dir);
	cr_assert_eq(support_write(sums, "\n\nnot a checksum\n"), 0);
	const char *args[] = {"tasks", "--verify", "--data-dir", dir, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	cr_expect(strstr(r.err.buf, "SHA256SUMS' line 3: want"), "%s", r.err.buf);
	proc_result_release(&r);
	free(sums);
	free(dir);
}

Test(tasks, every_bundled_task_loads)
{
	const char *args[] = {"tasks", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s%s", r.out.buf, r.err.buf);
	cr_assert_null(strstr(r.out.buf, "ERROR"), "%s", r.out.buf);
	cr_assert_gt(support_nonempty_lines(r.out.buf), 80, "%s", r.out.buf);
	proc_result_release(&r);
}

/* The "integer" answer transform: integer text exactly, a zero fraction
 * accepted, anything else (or a value no double holds exactly) refused. */
Test(tasks, integer_answer_transform)
{
	static const struct {
		const char *raw, *want; /* want NULL: refused */
	} cases[] = {
		{"204", "204"},
		{" 33 ", "33"},
		{"-7", "-7"},
		{"12.0", "12"},
		{"1e3", "1000"},
		{"9007199254740993", "9007199254740993"}, /* above 2^53, still exact */
		{"12.5", NULL},
		{"abc", NULL},
		{"", NULL},
		{"1e30", NULL},
		{"99999999999999999999", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err = NULL;
		char *got = dataset_transform_answer("integer", cases[i].raw, &err);
		if (cases[i].want) {
			cr_expect(got && !strcmp(got, cases[i].want), "'%s': got '%s' (%s)",
				  cases[i].raw, got ? got : "(null)", err ? err : "");
		} else {
			cr_expect(!got && err, "'%s' was accepted as '%s'", cases[i].raw,
				  got ? got : "");
		}
		free(got);
	}
}

/* The listing's columns line up however long a task id is (bbh_direct's subtasks are 50+). */
Test(tasks, columns_line_up_with_long_names)
{
	const char *args[] = {"tasks", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s%s", r.out.buf, r.err.buf);
	long edge = -1, lines = 0;
	size_t longest = 0;
	for (const char *l = r.out.buf; *l; l = strchr(l, '\n') + 1) {
		size_t id = strcspn(l, " ");
		longest = id > longest ? id : longest;
		const char *p = l + id;
		p += strspn(p, " ");
		long end = (long)(p - l) + (long)strcspn(p, " "); /* right edge of PROBLEMS */
		if (edge < 0)
			edge = end;
		cr_expect_eq(end, edge, "misaligned row: %.*s", (int)strcspn(l, "\n"), l);
		lines++;
		if (!strchr(l, '\n'))
			break;
	}
	cr_assert_gt(longest, 44, "no task id long enough to test the columns");
	cr_assert_gt(lines, 80);
	proc_result_release(&r);
}
