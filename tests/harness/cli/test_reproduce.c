/*
 * `reval reproduce` against the published figures of the bundled
 * recordings: every figure of the BIG-Bench Hard (54), reasoning-gym (48)
 * and GSM8K GPT-3 (4) recordings must be reproduced, and no figure anywhere
 * may differ without a reason on file.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/support.h"

/* Rows of the table whose recording column is rec and status column is status. */
static int count_rows(const char *table, const char *rec, const char *status)
{
	int n = 0;
	const char *p = table;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		size_t sl = strlen(status);
		if (!strncmp(line, rec, strlen(rec)) && line[strlen(rec)] == ' ' && len >= sl &&
		    !strcmp(line + len - sl, status) && line[len - sl - 1] == ' ')
			n++;
		free(line);
		p += len + (nl != NULL);
	}
	return n;
}

Test(reproduce, published_figures_are_reproduced, .timeout = 600)
{
	char *out = support_tmpdir("reproduce");
	const char *args[] = {"reproduce", "--out", out, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "reproduce failed (%d):\n%s\n%s", r.status, r.out.buf, r.err.buf);
	cr_assert_not_null(strstr(r.out.buf, " 0 MISMATCH,"), "%s", r.out.buf);
	cr_assert_eq(count_rows(r.out.buf, "bbh-codex-suzgun2022", "ok"), 54, "%s", r.out.buf);
	cr_assert_eq(count_rows(r.out.buf, "rg-eval-reasoning-models", "ok"), 48, "%s", r.out.buf);
	/* OpenAI's per-item labels for GPT-3 on GSM8K, all four settings, exactly. */
	cr_assert_eq(count_rows(r.out.buf, "gsm8k-gpt3-cobbe2021", "ok"), 4, "%s", r.out.buf);
	/* Every grader the recordings need is built in: nothing is left waiting. */
	cr_assert_not_null(strstr(r.out.buf, " 0 waiting for a grader"), "%s", r.out.buf);
	proc_result_release(&r);
	free(out);
}
