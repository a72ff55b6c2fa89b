#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/util.h"
#include "harness/pipeline/schedule.h"
#include "tests/support/support.h"

static const char *const journal =
	"{\"task\":\"t\",\"problem\":\"short\",\"sample\":0,\"usage\":{\"completion_tokens\":100},\"error\":null}\n"
	"{\"task\":\"t\",\"problem\":\"long\",\"sample\":0,\"usage\":{\"completion_tokens\":900},\"error\":null}\n"
	"{\"task\":\"t\",\"problem\":\"short\",\"sample\":1,\"usage\":{\"completion_tokens\":140},\"error\":null}\n"
	"{\"task\":\"t\",\"problem\":\"mid\",\"sample\":0,\"usage\":{\"completion_tokens\":400},\"error\":null}\n"
	"{\"task\":\"t\",\"problem\":\"long\",\"sample\":1,\"usage\":{\"completion_tokens\":700},\"error\":null}\n"
	"{\"task\":\"t\",\"problem\":\"failed\",\"sample\":0,\"usage\":{\"completion_tokens\":9999},"
	"\"error\":{\"kind\":\"timeout\"}}\n"
	"{\"task\":\"t\",\"problem\":\"nousage\",\"sample\":0,\"usage\":{\"completion_tokens\":null},\"error\":null}\n"
	"{\"task\":\"other\",\"problem\":\"long\",\"sample\":0,\"usage\":{\"completion_tokens\":5},\"error\":null}\n";

/* Requests for problems x samples, in the order given, prompts of the given lengths. */
static struct engine_request *reqs_for(const char *const *problems, int samples, size_t *n)
{
	size_t np = 0;
	while (problems[np])
		np++;
	struct engine_request *r = xcalloc(np * (size_t)samples, sizeof(*r));
	for (size_t p = 0; p < np; p++)
		for (int s = 0; s < samples; s++) {
			struct engine_request *q = &r[p * (size_t)samples + (size_t)s];
			q->item = p;
			q->task_id = "t";
			q->problem_id = problems[p];
			q->sample = s;
			q->prompt = problems[p]; /* its length is the fallback estimate */
		}
	*n = np * (size_t)samples;
	return r;
}

static void assert_order(const struct engine_request *r, size_t n, const char *const *want,
			 int samples)
{
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(r[i].problem_id, want[i / (size_t)samples], "position %zu", i);
		cr_assert_eq(r[i].sample, (int)(i % (size_t)samples),
			     "a problem's samples stay together, in order (position %zu)", i);
	}
}

Test(schedule, longest_first_from_a_journal)
{
	char *dir = support_tmpdir("sched");
	char *path = path_join(dir, "samples.jsonl");
	cr_assert_eq(support_write(path, journal), 0);
	struct schedule_history *h;
	cr_assert_eq(schedule_history_load(dir, &h), RV_OK, "a run directory");
	cr_assert_eq(schedule_history_problems(h), 4, "errors and lines without usage are skipped");
	cr_assert_float_eq(schedule_history_tokens(h, "t", "long"), 800, 1e-9, "the mean");
	cr_assert_float_eq(schedule_history_tokens(h, "t", "short"), 120, 1e-9);
	cr_assert_eq(schedule_history_tokens(h, "t", "failed"), -1);
	cr_assert_float_eq(schedule_history_tokens(h, "other", "long"), 5, 1e-9, "tasks kept apart");

	size_t n;
	struct engine_request *r =
		reqs_for((const char *const[]){"short", "mid", "long", "failed", "new", NULL}, 3, &n);
	schedule_order(r, n, h, NULL, NULL);
	/* Unknown problems may be long: first, in plan order; then by recorded length. */
	assert_order(r, n, (const char *const[]){"failed", "new", "long", "mid", "short"}, 3);
	/* The engine is told what each request's problem took, for its own order. */
	for (size_t i = 0; i < n; i++) {
		double want = schedule_history_tokens(h, "t", r[i].problem_id);
		cr_assert_float_eq(r[i].expect_tokens, want > 0 ? want : 0, 1e-9, "%s",
				   r[i].problem_id);
	}
	cr_assert_float_eq(r[n - 1].expect_tokens, 120, 1e-9);
	free(r);
	schedule_history_free(h);

	cr_assert_eq(schedule_history_load(path, &h), RV_OK, "the journal file itself");
	cr_assert_eq(schedule_history_problems(h), 4);
	schedule_history_free(h);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

Test(schedule, a_missing_history_is_an_error_naming_it)
{
	struct schedule_history *h = NULL;
	cr_assert_eq(schedule_history_load("/nonexistent/run", &h), RV_EUSAGE);
	cr_assert_null(h);
}

static double level_of(void *ud, const struct engine_request *r)
{
	(void)ud;
	if (!strcmp(r->problem_id, "bb"))
		return 5;
	if (!strcmp(r->problem_id, "cccc"))
		return 1;
	return NAN;
}

Test(schedule, without_history_difficulty_then_prompt_length)
{
	size_t n;
	struct engine_request *r =
		reqs_for((const char *const[]){"a", "cccc", "bb", "dddddd", "ee", NULL}, 2, &n);
	schedule_order(r, n, NULL, NULL, NULL);
	assert_order(r, n, (const char *const[]){"dddddd", "cccc", "bb", "ee", "a"}, 2);
	free(r);
	r = reqs_for((const char *const[]){"a", "cccc", "bb", "dddddd", "ee", NULL}, 2, &n);
	schedule_order(r, n, NULL, level_of, NULL);
	assert_order(r, n, (const char *const[]){"bb", "cccc", "dddddd", "ee", "a"}, 2);
	free(r);
}

Test(schedule, difficulty_values)
{
	cr_assert_eq(schedule_parse_difficulty("Level 5"), 5);
	cr_assert_eq(schedule_parse_difficulty("3"), 3);
	cr_assert_eq(schedule_parse_difficulty("2.5"), 2.5);
	cr_assert(isnan(schedule_parse_difficulty("hard")));
	cr_assert(isnan(schedule_parse_difficulty(NULL)));
}
