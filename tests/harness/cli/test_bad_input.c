/*
 * Bad input never crashes and never half-works: each case below must end
 * with exit status 2 and exactly one diagnostic line that names the file,
 * line or flag at fault.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/support.h"

struct bad_case {
	const char *name;
	const char *task_json;   /* replaces tasks/toy.json when set */
	const char *data;        /* replaces toy/problems.jsonl when set */
	const char *replay;      /* replay file content; NULL: a valid one */
	const char *args[8];     /* extra arguments after the common ones */
	const char *want;        /* substring the diagnostic must contain */
};

#define TOY_TASK(grader, dataset)                                                                \
	"{\"id\": \"toy\", \"dataset\": \"" dataset "\", \"fields\": {\"id\": \"id\", "         \
	"\"question\": \"q\", \"answer\": \"a\"}, \"grader\": \"" grader "\", "                  \
	"\"sampling\": {\"n\": 1}}"

static struct bad_case cases[] = {
	{"missing dataset", TOY_TASK("exact", "toy/missing.jsonl"), NULL, NULL, {NULL},
	 "missing.jsonl"},
	{"malformed dataset line", NULL,
	 "{\"id\": 1, \"q\": \"a\", \"a\": \"1\"}\n{\"id\": 2, \"q\": \"b\", \"a\": \"2\"}\n{\"id\": 3, "
	 "\"q\": \n",
	 NULL, {NULL}, "line 3: malformed JSON"},
	{"dataset line without answer", NULL,
	 "{\"id\": 1, \"q\": \"a\", \"a\": \"1\"}\n{\"id\": 2, \"q\": \"b\"}\n", NULL, {NULL},
	 "line 2: field \"a\""},
	{"dataset line that is not an object", NULL,
	 "{\"id\": 1, \"q\": \"a\", \"a\": \"1\"}\n[1,2,3]\n", NULL, {NULL},
	 "line 2: not a JSON object"},
	{"duplicate problem id", NULL,
	 "{\"id\": 1, \"q\": \"a\", \"a\": \"1\"}\n{\"id\": 1, \"q\": \"b\", \"a\": \"2\"}\n", NULL,
	 {NULL}, "appears twice"},
	{"unknown task", NULL, NULL, NULL, {"--task", "no_such_task", NULL}, "unknown task 'no_such_task'"},
	{"unknown grader", TOY_TASK("telepathy", "toy/problems.jsonl"), NULL, NULL, {NULL},
	 "unknown grader 'telepathy'"},
	{"malformed task file", "{\"id\": \"toy\",\n \"dataset\": \n}", NULL, NULL, {NULL},
	 "toy.json' line 3"},
	{"bad flag value", NULL, NULL, NULL, {"--n", "many", NULL}, "--n wants a whole number"},
	{"negative limit", NULL, NULL, NULL, {"--limit", "0", NULL}, "--limit"},
	{"unknown flag", NULL, NULL, NULL, {"--frobnicate", "1", NULL}, "unknown option '--frobnicate'"},
	{"bad shard", NULL, NULL, NULL, {"--shard", "3/2", NULL}, "--shard"},
	{"shard past int", NULL, NULL, NULL, {"--shard", "99999999999/99999999999", NULL},
	 "--shard"},
	{"shard with a sign", NULL, NULL, NULL, {"--shard", "+1/2", NULL}, "--shard"},
	{"bad extra body", NULL, NULL, NULL, {"--extra-body", "[1]", NULL}, "--extra-body"},
	{"malformed replay line", NULL, NULL,
	 "{\"task\":\"toy\",\"problem\":\"p00\",\"sample\":0,\"content\":\"0\"}\n{\"task\": oops}\n",
	 {NULL}, "replay.jsonl' line 2"},
	{"replay line without sample", NULL, NULL, "{\"task\":\"toy\",\"problem\":\"p00\"}\n", {NULL},
	 "missing field \"sample\""},
	{"unknown answer transform",
	 "{\"id\": \"toy\", \"dataset\": \"toy/problems.jsonl\", \"fields\": {\"id\": \"id\", "
	 "\"question\": \"q\", \"answer\": \"a\"}, \"answer_transform\": \"psychic\", \"grader\": "
	 "\"exact\"}",
	 NULL, NULL, {NULL}, "answer_transform"},
	{"bad grader option",
	 "{\"id\": \"toy\", \"dataset\": \"toy/problems.jsonl\", \"fields\": {\"id\": \"id\", "
	 "\"question\": \"q\", \"answer\": \"a\"}, \"grader\": \"regex\", \"grader_options\": "
	 "{\"pattern\": \"(unclosed\"}}",
	 NULL, NULL, {NULL}, "bad regex"},
};

/* Parameters cross into a re-executed test process, so they are indices, not pointers. */
static int case_index[sizeof(cases) / sizeof(cases[0])];

ParameterizedTestParameters(bad_input, one_line_and_exit_2)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		case_index[i] = (int)i;
	return cr_make_param_array(int, case_index, ARRAY_SIZE(cases));
}

static void copy_file(const char *from, const char *to)
{
	char *text;
	cr_assert_eq(read_file(from, 1 << 24, &text, NULL), 0, "cannot read %s", from);
	cr_assert_eq(support_write(to, text), 0);
	free(text);
}

ParameterizedTest(int *idx, bad_input, one_line_and_exit_2)
{
	const struct bad_case *c = &cases[*idx];
	char *dir = support_tmpdir("bad");
	char *tasks = xasprintf("%s/data/tasks/toy.json", dir);
	char *data = xasprintf("%s/data/toy/problems.jsonl", dir);
	char *replay = xasprintf("%s/replay.jsonl", dir);
	char *src = support_path("tests/data/toy/tasks/toy.json");
	char *srcdata = support_path("tests/data/toy/toy/problems.jsonl");
	if (c->task_json)
		support_write(tasks, c->task_json);
	else
		copy_file(src, tasks);
	if (c->data)
		support_write(data, c->data);
	else
		copy_file(srcdata, data);
	support_write(replay, c->replay ? c->replay
					: "{\"task\":\"toy\",\"problem\":\"p00\",\"sample\":0,"
					  "\"content\":\"0\"}\n");
	char *datadir = xasprintf("%s/data", dir), *out = xasprintf("%s/run", dir);
	char *engine = xasprintf("replay:%s", replay);
	const char *args[24] = {"run", "--data-dir", datadir, "--engine", engine, "--out", out};
	int n = 7, has_task = 0;
	for (int i = 0; c->args[i]; i++) {
		has_task |= !strcmp(c->args[i], "--task");
		args[n++] = c->args[i];
	}
	if (!has_task) {
		args[n++] = "--task";
		args[n++] = "toy";
	}
	args[n] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 2, "[%s] exit %d, stderr: %s", c->name, r.status, r.err.buf);
	cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "[%s] want one line, got: %s", c->name,
		     r.err.buf);
	cr_assert(!strncmp(r.err.buf, "reval: ", 7), "[%s] %s", c->name, r.err.buf);
	cr_assert(strstr(r.err.buf, c->want), "[%s] want '%s' in: %s", c->name, c->want, r.err.buf);
	proc_result_release(&r);
	free(tasks);
	free(data);
	free(replay);
	free(src);
	free(srcdata);
	free(datadir);
	free(out);
	free(engine);
	free(dir);
}

Test(bad_input, user_supplied_dataset_absent_is_a_clear_error)
{
	const char *args[] = {"run", "--task", "gpqa_diamond", "--engine", "replay:/dev/null",
			      "--out", "/tmp/reval-test-gpqa-absent", NULL};
	unsetenv("REVAL_GPQA");
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 2, "%s", r.err.buf);
	cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "gpqa"), "%s", r.err.buf);
	proc_result_release(&r);
}

Test(bad_input, unknown_command_and_help)
{
	const char *bad[] = {"frobnicate", NULL};
	struct proc_result r;
	support_reval(&r, bad);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "unknown command 'frobnicate'"));
	proc_result_release(&r);
	const char *help[] = {"help", "run", NULL};
	support_reval(&r, help);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out.buf, "--base-url"), "help must list the options");
	proc_result_release(&r);
	const char *ver[] = {"--version", NULL};
	support_reval(&r, ver);
	cr_assert_eq(r.status, 0);
	cr_assert(!strncmp(r.out.buf, "reval ", 6));
	proc_result_release(&r);
}

Test(bad_input, unreachable_server_is_one_line_naming_url_and_model)
{
	char *dir = support_tmpdir("unreachable");
	char *data = support_path("tests/data/toy"), *out = path_join(dir, "run");
	const char *args[] = {"run", "--task", "toy", "--data-dir", data, "--base-url",
			      "http://127.0.0.1:9/v1", "--model", "m-unreachable", "--max-attempts",
			      "2", "--out", out, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 1, "%s", r.err.buf);
	cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "want one line, got: %s", r.err.buf);
	cr_assert(strstr(r.err.buf, "127.0.0.1:9") && strstr(r.err.buf, "m-unreachable"), "%s",
		  r.err.buf);
	proc_result_release(&r);
	free(data);
	free(out);
	free(dir);
}

/* Write len bytes (NULs included) to path. */
static void write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f, "%s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void expect_one_line(const char *const *args, const char *want)
{
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "[%s %s] exit %d: %s", args[0], args[1], r.status, r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "[%s %s] %s", args[0], args[1],
		     r.err.buf);
	cr_expect(strstr(r.err.buf, want), "[%s %s] want '%s' in: %s", args[0], args[1], want,
		  r.err.buf);
	proc_result_release(&r);
}

/* A NUL byte would end every C string made from the text there: the rest
 * of a dataset or case file would be dropped without a word. */
Test(bad_input, nul_byte_in_a_text_file_is_named)
{
	char *dir = support_tmpdir("nul");
	char *tasks = xasprintf("%s/data/tasks/toy.json", dir);
	char *data = xasprintf("%s/data/toy/problems.jsonl", dir);
	char *src = support_path("tests/data/toy/tasks/toy.json");
	char *text;
	cr_assert_eq(read_file(src, 1 << 20, &text, NULL), 0);
	cr_assert_eq(support_write(tasks, text), 0);
	free(text);
	static const char rows[] = "{\"id\": 1, \"q\": \"a\", \"a\": \"1\"}\n"
				   "{\"id\": 2, \"q\": \"b\", \"a\": \"2\"}\n"
				   "\0{\"id\": 3, \"q\": \"c\", \"a\": \"3\"}\n";
	cr_assert_eq(support_write(data, "x"), 0); /* makes the directories */
	write_bytes(data, rows, sizeof(rows) - 1);
	char *datadir = xasprintf("%s/data", dir), *out = xasprintf("%s/run", dir);
	const char *run[] = {"run",	    "--data-dir", datadir, "--engine", "replay:/dev/null",
			     "--out",	    out,	  "--task", "toy",	NULL};
	expect_one_line(run, "problems.jsonl' of task 'toy': line 3 holds a NUL byte");

	char *casefile = xasprintf("%s/cases.jsonl", dir);
	static const char lines[] = "{\"id\": \"a\", \"gold\": \"1\", \"pred\": \"1\"}\n"
				    "{\"id\": \"b\", \"gold\": \"2\"\0, \"pred\": \"2\"}\n";
	write_bytes(casefile, lines, sizeof(lines) - 1);
	const char *math[] = {"check", "math", "--in", casefile, NULL};
	expect_one_line(math, "line 2 holds a NUL byte");
	const char *exact[] = {"check", "exact", "--in", casefile, NULL};
	expect_one_line(exact, "line 2 holds a NUL byte");
	const char *code[] = {"check", "code", "--in", casefile, NULL};
	expect_one_line(code, "line 2 holds a NUL byte");

	/* A replay file (read as a journal is). */
	char *replay = xasprintf("%s/replay.jsonl", dir), *engine = xasprintf("replay:%s", replay);
	static const char recs[] = "{\"task\":\"toy\",\"problem\":\"p00\",\"sample\":0,"
				   "\"content\":\"0\"}\n\0{\"task\":\"toy\",\"problem\":\"p01\","
				   "\"sample\":0,\"content\":\"1\"}\n";
	write_bytes(replay, recs, sizeof(recs) - 1);
	write_bytes(data, rows, strchr(rows, '\0') - rows); /* the dataset without its NUL */
	const char *replayed[] = {"run", "--data-dir", datadir, "--engine", engine,
				  "--out", out, "--task", "toy", NULL};
	expect_one_line(replayed, "replay.jsonl' line 2: it holds a NUL byte");
	free(engine);
	free(replay);

	static const char task[] = "{\"id\": \"toy\",\n\"dataset\": \"toy/problems.jsonl\"\0}\n";
	write_bytes(tasks, task, sizeof(task) - 1);
	expect_one_line(run, "toy.json': line 2 holds a NUL byte");
	free(casefile);
	free(datadir);
	free(out);
	free(src);
	free(data);
	free(tasks);
	free(dir);
}
