/* `reval check GRADER` for graders without a checker of their own. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/support.h"

Test(check, choice_cases_verdicts_and_summary)
{
	char *dir = support_tmpdir("check");
	char *in = path_join(dir, "cases.jsonl");
	support_write(in, "{\"id\":1,\"gold\":\"B\",\"pred\":\"The answer is (B).\",\"expected\":true}\n"
			  "{\"id\":2,\"gold\":\"C\",\"pred\":\"**A**\",\"expected\":true}\n"
			  "{\"id\":3,\"gold\":\"D\",\"pred\":\"I do not know\",\"expected\":false}\n");
	const char *args[] = {"check", "choice", "--in", in, "--options", "{\"n_choices\": 4}", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert_eq(support_nonempty_lines(r.out.buf), 3, "%s", r.out.buf);
	cr_assert(strstr(r.out.buf, "{\"id\":1,\"correct\":true,\"status\":\"ok\",\"extracted\":\"B\""),
		  "%s", r.out.buf);
	cr_assert(strstr(r.out.buf, "{\"id\":3,\"correct\":false,\"status\":\"no_answer\""), "%s",
		  r.out.buf);
	/* Case 2 is labelled correct but the model chose A: one false negative. */
	cr_assert(strstr(r.err.buf, "accuracy 66.67% (2/3), false positives 0, false negatives 1"),
		  "%s", r.err.buf);
	proc_result_release(&r);

	support_write(in, "{\"id\":1,\"gold\":\"B\",\"pred\":\"B\"}\n{\"gold\": 1}\n");
	support_reval(&r, args);
	cr_assert_eq(r.status, 2);
	cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "cases.jsonl' line 2"), "%s", r.err.buf);
	proc_result_release(&r);
	free(in);
	free(dir);
}
