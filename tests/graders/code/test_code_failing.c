/*
 * A failing code sample says why: the grader's detail carries the first
 * failing test -- its input, the expected and the actual output for stdio
 * problems, and the message, whose end is kept where a traceback says what
 * went wrong -- each text capped.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "tests/support/support.h"

static cJSON *check_one(const char *tag, const char *case_line)
{
	char *dir = support_tmpdir(tag);
	char *in = path_join(dir, "cases.jsonl");
	cr_assert_eq(support_write(in, case_line), 0);
	const char *args[] = {"check", "code", "--in", in, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cJSON *line = cJSON_Parse(r.out.buf);
	cr_assert_not_null(line, "%s", r.out.buf);
	cJSON *failing = cJSON_DetachItemFromObject(cJSON_GetObjectItemCaseSensitive(line, "detail"),
						    "failing");
	cJSON_Delete(line);
	proc_result_release(&r);
	free(in);
	free(dir);
	return failing;
}

Test(code_failing, wrong_answer_shows_input_expected_and_actual, .timeout = 120)
{
	cJSON *f = check_one("failing-wa",
			     "{\"id\": \"s1\", \"kind\": \"stdio\", \"language\": \"python\", "
			     "\"program\": \"a, b = map(int, input().split())\\nprint(a - b)\\n\", "
			     "\"tests\": [{\"input\": \"1 0\\n\", \"output\": \"1\\n\"}, "
			     "{\"input\": \"2 3\\n\", \"output\": \"5\\n\"}]}\n");
	cr_assert_not_null(f, "no failing test in the detail");
	cr_expect_eq(json_num(f, "test", -1), 1);
	cr_expect_str_eq(json_str(f, "verdict"), "wrong_answer");
	cr_expect_str_eq(json_str(f, "input"), "2 3\n");
	cr_expect_str_eq(json_str(f, "expected"), "5\n");
	cr_expect_str_eq(json_str(f, "actual"), "-1\n");
	cJSON_Delete(f);
}

Test(code_failing, runtime_error_keeps_the_end_of_a_long_traceback, .timeout = 120)
{
	/* 3,000 bytes of stderr before the traceback: far more than the cap. */
	cJSON *f = check_one("failing-rte",
			     "{\"id\": \"s2\", \"kind\": \"stdio\", \"language\": \"python\", "
			     "\"program\": \"import sys\\nsys.stderr.write('log ' * 750 + '\\\\n')\\n"
			     "print(10 // int(input()))\\n\", "
			     "\"tests\": [{\"input\": \"0\\n\", \"output\": \"0\\n\"}]}\n");
	cr_assert_not_null(f, "no failing test in the detail");
	cr_expect_str_eq(json_str(f, "verdict"), "runtime_error");
	const char *m = json_str(f, "message");
	cr_assert_not_null(m);
	cr_expect(strstr(m, "ZeroDivisionError"), "the traceback's last line is lost: %s", m);
	cr_expect_leq(strlen(m), 810, "the message is not capped (%zu bytes)", strlen(m));
	cr_expect(!strncmp(m, "…", strlen("…")), "a capped message is not marked: %.40s", m);
	cJSON_Delete(f);
}

/* ---- The code grader's options: one table, in the code and in the docs ---- */

Test(code_options, docs_table_is_the_one_the_grader_reads)
{
	const char *args[] = {"check", "code", "--options", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.out.buf, "| `imports_field` |"), "%s", r.out.buf);
	char *path = support_path("docs/formats.md"), *doc;
	size_t len;
	cr_assert_eq(read_file(path, 1 << 20, &doc, &len), 0);
	const char *sec = strstr(doc, "### Code grader options");
	cr_assert_not_null(sec);
	const char *table = strstr(sec, "| option | values | meaning |");
	cr_assert_not_null(table, "docs/formats.md has no options table");
	cr_expect(!strncmp(table, r.out.buf, r.out.len),
		  "docs/formats.md's code grader options differ from 'reval check code "
		  "--options':\n%s",
		  r.out.buf);
	free(doc);
	free(path);
	proc_result_release(&r);
}

Test(code_options, an_unknown_option_is_refused_by_name, .timeout = 60)
{
	char *dir = support_tmpdir("code-options");
	char *task = xasprintf("%s/tasks/mine.json", dir);
	char *data = xasprintf("%s/mine/problems.jsonl", dir);
	cr_assert_eq(support_write(task, "{\"id\": \"mine\", \"dataset\": \"mine/problems.jsonl\",\n"
					 " \"fields\": {\"id\": \"id\", \"question\": \"q\"},\n"
					 " \"prompt\": {\"template\": \"{question}\"},\n"
					 " \"grader\": \"code\",\n"
					 " \"grader_options\": {\"kind\": \"stdio\", \"tests_format\": "
					 "\"io\"}}\n"),
		     0);
	cr_assert_eq(support_write(data, "{\"id\": \"1\", \"q\": \"echo\", \"tests\": "
					 "[{\"input\": \"1\\n\", \"output\": \"1\\n\"}]}\n"),
		     0);
	char *out = path_join(dir, "run");
	const char *args[] = {"run", "--task", "mine", "--data-dir", dir, "--engine",
			      "exec:cat", "--out", out, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect(strstr(r.err.buf, "unknown option \"tests_format\""), "%s", r.err.buf);
	proc_result_release(&r);
	free(out);
	free(data);
	free(task);
	free(dir);
}
