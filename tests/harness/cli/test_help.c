/*
 * 'reval help CMD' for every command in 'reval --help': an "options:"
 * heading is followed by options, never by nothing.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/support.h"

/* The "options:" section of 'reval help cmd' must list at least one option. */
static void expect_options_listed(const char *cmd)
{
	const char *args[] = {"help", cmd, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "reval help %s: %s", cmd, r.err.buf);
	const char *opts = strstr(r.out.buf, "\noptions:\n");
	if (opts)
		cr_expect(!strncmp(opts + 10, "  --", 4),
			  "'reval help %s' has an empty options section:\n%s", cmd, r.out.buf);
	proc_result_release(&r);
}

Test(help, every_command_lists_the_options_under_its_heading)
{
	const char *args[] = {"--help", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0);
	const char *l = strstr(r.out.buf, "\ncommands:\n");
	cr_assert_not_null(l);
	int seen = 0;
	for (l += 11; !strncmp(l, "  ", 2); l = strchr(l, '\n') + 1) {
		char *cmd = xstrndup(l + 2, strcspn(l + 2, " \n"));
		expect_options_listed(cmd);
		free(cmd);
		seen++;
	}
	cr_assert_gt(seen, 5, "commands not found in:\n%s", r.out.buf);
	proc_result_release(&r);
}

Test(help, check_lists_the_options_its_checkers_take)
{
	const char *args[] = {"help", "check", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0);
	const char *opts = strstr(r.out.buf, "\noptions:\n");
	cr_assert_not_null(opts, "%s", r.out.buf);
	const char *want[] = {"  --in FILE.jsonl", "  --workers N", "  --options JSON"};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		cr_expect(strstr(opts, want[i]), "'reval help check' lacks %s:\n%s", want[i],
			  r.out.buf);
	proc_result_release(&r);
}
