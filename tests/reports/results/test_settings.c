/*
 * reval report says where its numbers come from: when the runs it shows
 * differ in settings (model, sampling, prompt, grader, ...), stderr lists,
 * for each run, what differs from the first run, and the Markdown and HTML
 * reports show the same list in their header.  Runs that agree say nothing.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/regrade.h"
#include "tests/support/support.h"

struct fixture {
	char *dir, *data, *engine;
};

static void fixture_init(struct fixture *f, const char *tag)
{
	f->dir = support_tmpdir(tag);
	f->data = support_path("tests/data/toy");
	f->engine = xasprintf("replay:%s/toy/replay.jsonl", f->data);
}

static void fixture_release(struct fixture *f)
{
	free(f->dir);
	free(f->data);
	free(f->engine);
}

/* A finished toy run (replayed) in dir/name with extra arguments; caller frees the path. */
static char *run_toy(const struct fixture *f, const char *name, const char *const *extra)
{
	char *out = path_join(f->dir, name);
	const char *args[32] = {"run", "--data-dir", f->data, "--engine", f->engine, "--task", "toy",
				"--out", out};
	size_t k = 9;
	for (size_t i = 0; extra[i]; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	cr_assert(r.status == 0 || r.status == 3, "%s: %s", name, r.err.buf);
	proc_result_release(&r);
	return out;
}

#define RUN(f, name, ...) run_toy(f, name, (const char *const[]){__VA_ARGS__, NULL})

static struct proc_result report(const char *const *args)
{
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	return r;
}

/* The line of text that holds needle, or NULL. */
static char *line_with(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	if (!at)
		return NULL;
	const char *start = at;
	while (start > text && start[-1] != '\n')
		start--;
	return xstrndup(start, strcspn(start, "\n"));
}

Test(report_settings, runs_that_differ_are_listed_against_the_first_and_agreeing_ones_are_not)
{
	struct fixture f;
	fixture_init(&f, "settings");
	char *ref = RUN(&f, "ref", "--seed", "0");
	char *hot = RUN(&f, "hot", "--model", "m2", "--temperature", "1", "--n", "2");
	char *same = RUN(&f, "same", "--seed", "0");
	char *sys = RUN(&f, "sys", "--system-prompt", "Be terse.");
	char *md = path_join(f.dir, "r.md"), *html = path_join(f.dir, "r.html");
	struct proc_result r = report(
		(const char *const[]){"report", ref, hot, same, sys, "--md", md, "--html", html, NULL});
	cr_expect(strstr(r.err.buf, "the runs differ in settings (each against the first, 'ref')"),
		  "%s", r.err.buf);
	char *l = line_with(r.err.buf, "'hot':");
	cr_assert_not_null(l, "no line for the run that differs: %s", r.err.buf);
	cr_expect(strstr(l, "model null vs \"m2\""), "%s", l);
	cr_expect(strstr(l, "sampling.temperature 0.6 vs 1 (task 'toy')"), "%s", l);
	cr_expect(strstr(l, "sampling.n 4 vs 2 (task 'toy')"), "%s", l);
	free(l);
	l = line_with(r.err.buf, "'sys':");
	cr_assert_not_null(l, "%s", r.err.buf);
	cr_expect(strstr(l, "system_prompt (the task's own) vs \"Be terse.\" (task 'toy')"), "%s", l);
	cr_expect(!strstr(l, "prompt_sha256"), "the checksum the setting explains is left out: %s", l);
	free(l);
	cr_expect(!strstr(r.err.buf, "'same'"), "a run that agrees is not listed: %s", r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 3, "%s", r.err.buf);
	proc_result_release(&r);

	char *text = regrade_slurp(md);
	const char *table = strstr(text, "| task |");
	const char *list = strstr(text, "Settings that differ from the first run, `ref`:");
	cr_assert(list && table && list < table, "the Markdown header lists them: %s", text);
	cr_expect(strstr(text, "- `hot`: model null vs \"m2\""), "%s", text);
	free(text);
	text = regrade_slurp(html);
	cr_expect(strstr(text, "the runs differ in settings (<a href=\"#settings\">which</a>)"));
	cr_expect(strstr(text, "<li><b>sys</b>: system_prompt (the task&#39;s own) vs "
			       "&quot;Be terse.&quot; (task &#39;toy&#39;)</li>"),
		  "the HTML lists them under the runs");
	free(text);

	/* Runs that agree, and a single run, say nothing. */
	r = report((const char *const[]){"report", ref, same, "--md", md, "--html", html, NULL});
	cr_expect_str_eq(r.err.buf ? r.err.buf : "", "");
	proc_result_release(&r);
	text = regrade_slurp(md);
	cr_expect(!strstr(text, "Settings that differ"), "%s", text);
	free(text);
	text = regrade_slurp(html);
	cr_expect(!strstr(text, "id=\"settings\""));
	free(text);
	free(md);
	free(html);
	free(ref);
	free(hot);
	free(same);
	free(sys);
	fixture_release(&f);
}

Test(report_settings, a_difference_shared_by_tasks_is_one_entry_and_long_values_are_clipped)
{
	struct fixture f;
	fixture_init(&f, "settings-tasks");
	char *ref = RUN(&f, "ref", "--task", "toy,toy_choice");
	char *sys = RUN(&f, "sys", "--task", "toy,toy_choice", "--system-prompt",
			"You are a careful assistant who checks every step of the arithmetic twice "
			"before answering with one number.");
	struct proc_result r = report((const char *const[]){"report", ref, sys, "--md", "-", NULL});
	char *l = line_with(r.err.buf, "'sys':");
	cr_assert_not_null(l, "%s", r.err.buf);
	cr_expect(strstr(l, "system_prompt (the task's own) vs \"You are a careful assistant who "
			    "checks every st…"),
		  "%s", l);
	cr_expect(strstr(l, "(2 tasks)"), "one entry for both tasks: %s", l);
	cr_expect(!strstr(l, "twice"), "the value is clipped: %s", l);
	free(l);
	proc_result_release(&r);
	free(ref);
	free(sys);
	fixture_release(&f);
}
