/* `reval tasks`: every bundled task loads, and the bundled data matches its checksums. */
#include <criterion/criterion.h>
#include <string.h>

#include "support.h"

Test(tasks, bundled_data_matches_its_checksums)
{
	const char *args[] = {"tasks", "--verify", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s%s", r.out.buf, r.err.buf);
	cr_assert(strstr(r.out.buf, " 0 bad"), "%s", r.out.buf);
	proc_result_release(&r);
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
