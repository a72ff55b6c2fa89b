/*
 * How 'reval run' ends: a score table on stdout, the failures outside the
 * model grouped by kind with an example on stderr, and a progress line that
 * shows the running accuracy and the retries.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/pipeline/progress.h"
#include "tests/support/support.h"

static struct proc_result toy_run(const char *dir, const char *engine, const char *extra)
{
	char *data = support_path("tests/data/toy");
	char *out = path_join(dir, "run");
	const char *args[] = {"run", "--task", "toy", "--data-dir", data, "--engine", engine,
			      "--out", out, extra, extra ? "1" : NULL, NULL};
	struct proc_result r;
	support_reval(&r, args);
	free(out);
	free(data);
	return r;
}

Test(run_summary, ends_with_a_score_table_on_stdout)
{
	char *dir = support_tmpdir("summary");
	char *replay = support_path("tests/data/toy/toy/replay.jsonl");
	char *engine = xasprintf("replay:%s", replay);
	struct proc_result r = toy_run(dir, engine, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	char *rp = xasprintf("%s/run/results.json", dir);
	cJSON *res = support_json_file(rp);
	cr_assert_not_null(res);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(res, "tasks"), "toy"),
			"metrics"),
		"avg@4");
	const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "ci95");
	char *row = xasprintf("%.1f   %.1f - %.1f        12       48             0",
			      100 * json_num(m, "value", NAN),
			      100 * cJSON_GetArrayItem(ci, 0)->valuedouble,
			      100 * cJSON_GetArrayItem(ci, 1)->valuedouble);
	const char *head = "task  metric  value %  95% interval  problems  samples  infra errors\n";
	cr_expect(!strncmp(r.out.buf, head, strlen(head)), "%s", r.out.buf);
	const char *line = strstr(r.out.buf, "\ntoy   avg@4");
	cr_assert_not_null(line, "no row for toy:\n%s", r.out.buf);
	cr_expect(strstr(line, row), "want '%s' in:\n%s", row, r.out.buf);
	free(row);
	cJSON_Delete(res);
	free(rp);
	proc_result_release(&r);
	free(engine);
	free(replay);
	free(dir);
}

Test(run_summary, failures_outside_the_model_are_grouped_by_kind_with_an_example)
{
	char *dir = support_tmpdir("summary-infra");
	struct proc_result r =
		toy_run(dir, "exec:sh -c 'echo boom >&2; exit 3'", "--max-attempts");
	cr_assert_eq(r.status, 3, "samples failed outside the model: exit 3\n%s", r.err.buf);
	cr_expect(strstr(r.err.buf, "48 samples failed for reasons outside the model"), "%s",
		  r.err.buf);
	const char *k = strstr(r.err.buf, "  exec_failed");
	cr_assert_not_null(k, "%s", r.err.buf);
	cr_expect(!strncmp(k + strcspn(k, "4"), "48  e.g. exit status 3: boom\n", 29), "%s", k);
	cr_expect(strstr(r.out.buf, "\ntoy   avg@4"), "no score table:\n%s", r.out.buf);
	proc_result_release(&r);
	free(dir);
}

Test(run_summary, progress_shows_running_accuracy_and_retries)
{
	struct progress p;
	progress_init(&p, 0, 10, "run");
	progress_add(&p, 0, 1.0, 1, 100);
	progress_add(&p, 0, 0.0, 3, 100);
	progress_add(&p, 1, 0.0, 2, 0);
	char line[256];
	progress_line(&p, 0, line, sizeof(line));
	cr_expect(strstr(line, "3/10 samples"), "%s", line);
	cr_expect(strstr(line, "accuracy 50.0% of 2"), "%s", line);
	cr_expect(strstr(line, "1 errors"), "%s", line);
	cr_expect(strstr(line, "3 retries"), "%s", line);
}
