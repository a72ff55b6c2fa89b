/*
 * Custom tasks: a task file named by its path, a --data-dir that adds to
 * the bundled catalogue, `reval tasks --check FILE`, and the grader options
 * printed from the tables the graders read.  Bad input is refused with
 * lines naming the file and the key or dataset line, exit 2.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graders/grader.h"
#include "graders/options.h"
#include "harness/base/json.h"
#include "tests/support/support.h"

#define ARITH_TASK                                                                   \
	"{\"id\": \"arith\", \"dataset\": \"data/arith.jsonl\",\n"                   \
	" \"fields\": {\"id\": \"id\", \"question\": \"q\", \"answer\": \"a\"},\n"  \
	" \"prompt\": {\"template\": \"{question}\"},\n"                             \
	" \"grader\": \"math\", \"sampling\": {\"n\": 1}, \"metrics\": {\"pass_k\": [1]}}\n"

#define ARITH_DATA                                                                   \
	"{\"id\": \"a\", \"q\": \"6 * 7?\", \"a\": \"42\"}\n"                         \
	"{\"id\": \"b\", \"q\": \"2 + 2?\", \"a\": \"4\"}\n"

#define ARITH_REPLAY                                                                 \
	"{\"task\": \"arith\", \"problem\": \"a\", \"sample\": 0, \"content\": \"\\\\boxed{42}\"}\n" \
	"{\"task\": \"arith\", \"problem\": \"b\", \"sample\": 0, \"content\": \"\\\\boxed{5}\"}\n"

/* A directory holding mine/arith.json, mine/data/arith.jsonl and replay.jsonl. */
static char *arith_dir(const char *tag)
{
	char *dir = support_tmpdir(tag);
	char *task = xasprintf("%s/mine/arith.json", dir);
	char *data = xasprintf("%s/mine/data/arith.jsonl", dir);
	char *replay = xasprintf("%s/replay.jsonl", dir);
	cr_assert_eq(support_write(task, ARITH_TASK), 0);
	cr_assert_eq(support_write(data, ARITH_DATA), 0);
	cr_assert_eq(support_write(replay, ARITH_REPLAY), 0);
	free(task);
	free(data);
	free(replay);
	return dir;
}

static double metric(const char *out, const char *task, const char *name)
{
	char *path = path_join(out, "results.json");
	cJSON *res = support_json_file(path);
	cr_assert_not_null(res, "no %s", path);
	double v = support_metric(res, task, name);
	cJSON_Delete(res);
	free(path);
	return v;
}

/* ---- --task PATH.json ---- */

/* Before: "unknown task 'DIR/mine/arith.json'", exit 2. */
Test(custom_tasks, a_task_file_runs_by_its_path_with_data_beside_it)
{
	char *dir = arith_dir("custom-path");
	char *task = xasprintf("%s/mine/arith.json", dir);
	char *engine = xasprintf("replay:%s/replay.jsonl", dir);
	char *out = path_join(dir, "run");
	/* The working directory is elsewhere: the dataset resolves against the task file. */
	cr_assert_eq(chdir("/"), 0);
	const char *args[] = {"run", "--task", task, "--engine", engine, "--out", out, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_expect_float_eq(metric(out, "arith", "avg@1"), 0.5, 1e-12);
	cr_expect(strstr(r.out.buf, "\narith "), "no score row for arith:\n%s", r.out.buf);
	proc_result_release(&r);

	/* config.json keeps the absolute path: 'reval grade' finds the task from anywhere. */
	const char *grade[] = {"grade", out, NULL};
	support_reval(&r, grade);
	cr_expect_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	free(out);
	free(engine);
	free(task);
	free(dir);
}

Test(custom_tasks, a_relative_task_path_is_relative_to_the_working_directory)
{
	char *dir = arith_dir("custom-rel");
	char *engine = xasprintf("replay:%s/replay.jsonl", dir);
	cr_assert_eq(chdir(dir), 0);
	const char *args[] = {"run",    "--task", "./mine/arith.json,gsm8k", "--limit", "1",
			      "--engine", engine, "--out",  "run",  NULL};
	struct proc_result r;
	support_reval(&r, args);
	/* gsm8k has no recording in this replay file: its samples fail outside the model. */
	cr_assert_eq(r.status, 3, "%s", r.err.buf);
	cr_expect_float_eq(metric("run", "arith", "avg@1"), 1.0, 1e-12);
	cJSON *cfg = support_json_file("run/config.json");
	const char *spec = json_str(cJSON_GetObjectItemCaseSensitive(cfg, "flags"), "task");
	char *want = xasprintf("%s/mine/arith.json,gsm8k", dir);
	cr_expect(spec && !strcmp(spec, want), "config.json task: %s", spec);
	free(want);
	cJSON_Delete(cfg);
	proc_result_release(&r);
	free(engine);
	free(dir);
}

Test(custom_tasks, a_missing_task_file_is_one_line_exit_2)
{
	const char *args[] = {"run",    "--task", "/nonexistent/arith.json", "--engine",
			      "replay:/dev/null", "--out", "/nonexistent/run", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	cr_expect(strstr(r.err.buf, "'/nonexistent/arith.json'"), "%s", r.err.buf);
	proc_result_release(&r);
}

/*
 * Before: a misspelt key was ignored ("temprature" left the temperature to
 * the server) and the run went on.
 */
Test(custom_tasks, a_run_refuses_an_unknown_key_naming_file_and_key)
{
	char *dir = arith_dir("custom-unknown");
	char *task = xasprintf("%s/mine/arith.json", dir);
	char *text = xasprintf("{\"temprature\": 0,%s", ARITH_TASK + 1);
	cr_assert_eq(support_write(task, text), 0);
	char *out = path_join(dir, "run");
	const char *args[] = {"run", "--task", task, "--engine", "replay:/dev/null", "--out", out,
			      NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	char *want = xasprintf("cannot read task file '%s': field \"temprature\": unknown key", task);
	cr_expect(strstr(r.err.buf, want), "want %s in:\n%s", want, r.err.buf);
	free(want);
	proc_result_release(&r);
	free(out);
	free(text);
	free(task);
	free(dir);
}

/* ---- --data-dir adds ---- */

/* Before: the --data-dir replaced the bundled tasks ("unknown task 'gsm8k'", exit 2). */
Test(custom_tasks, data_dir_adds_to_the_bundled_catalogue)
{
	char *dir = support_tmpdir("custom-datadir");
	char *task = xasprintf("%s/tasks/arith.json", dir);
	char *data = xasprintf("%s/data/arith.jsonl", dir);
	cr_assert_eq(support_write(task, ARITH_TASK), 0);
	cr_assert_eq(support_write(data, ARITH_DATA), 0);
	const char *args[] = {"tasks", "arith", "gsm8k", "--data-dir", dir, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_expect(strstr(r.out.buf, "\narith "), "%s", r.out.buf);
	cr_expect(strstr(r.out.buf, "\ngsm8k "), "%s", r.out.buf);
	proc_result_release(&r);
	free(data);
	free(task);
	free(dir);
}

Test(custom_tasks, a_clash_with_a_bundled_id_names_both_files)
{
	char *dir = support_tmpdir("custom-clash");
	char *task = xasprintf("%s/tasks/mine.json", dir);
	char *data = xasprintf("%s/data/arith.jsonl", dir);
	cr_assert_eq(support_write(task, "{\"id\": \"gsm8k\", \"dataset\": \"data/arith.jsonl\", "
					 "\"fields\": {\"question\": \"q\"}, \"grader\": \"math\"}"),
		     0);
	cr_assert_eq(support_write(data, ARITH_DATA), 0);
	const char *args[] = {"tasks", "--data-dir", dir, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	cr_expect(strstr(r.err.buf, "task 'gsm8k' is defined twice"), "%s", r.err.buf);
	cr_expect(strstr(r.err.buf, "datasets/tasks/gsm8k.json'"), "%s", r.err.buf);
	cr_expect(strstr(r.err.buf, task), "%s", r.err.buf);
	proc_result_release(&r);
	free(data);
	free(task);
	free(dir);
}

Test(custom_tasks, a_data_dir_task_with_a_bad_dataset_line_names_the_line)
{
	char *dir = support_tmpdir("custom-datadir-bad");
	char *task = xasprintf("%s/tasks/arith.json", dir);
	char *data = xasprintf("%s/data/arith.jsonl", dir);
	cr_assert_eq(support_write(task, ARITH_TASK), 0);
	cr_assert_eq(support_write(data, ARITH_DATA "{\"id\": \"c\", \"q\": 3}\n"), 0);
	const char *args[] = {"run", "--task", "arith", "--data-dir", dir, "--engine",
			      "replay:/dev/null", "--out", dir, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	char *want = xasprintf("cannot read dataset '%s/data/arith.jsonl' line 3: field \"q\"", dir);
	cr_expect(strstr(r.err.buf, want), "want %s in:\n%s", want, r.err.buf);
	free(want);
	proc_result_release(&r);
	free(data);
	free(task);
	free(dir);
}

/* ---- tasks --check ---- */

/* Before: --check was an unknown flag (exit 2). */
Test(custom_tasks, check_prints_one_line_of_what_the_file_defines)
{
	char *dir = arith_dir("custom-check");
	char *task = xasprintf("%s/mine/arith.json", dir);
	const char *args[] = {"tasks", "--check", task, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	char *want = xasprintf("%s: ok: task arith, grader math, 2 problems, metrics avg@1 pass@1\n",
			       task);
	cr_expect_str_eq(r.out.buf, want);
	cr_expect_eq(r.err.len, 0, "%s", r.err.buf);
	free(want);
	proc_result_release(&r);
	free(task);
	free(dir);
}

/*
 * Everything wrong is reported, each on its own line naming the file and
 * the key or the dataset line: an unknown key, an unknown grader, a
 * malformed line and a line without its question.
 */
Test(custom_tasks, check_reports_every_error_by_key_and_line)
{
	char *dir = support_tmpdir("custom-check-bad");
	char *task = xasprintf("%s/bad.json", dir);
	char *data = xasprintf("%s/data/arith.jsonl", dir);
	cr_assert_eq(support_write(task, "{\"id\": \"bad\", \"dataset\": \"data/arith.jsonl\",\n"
					 " \"fields\": {\"question\": \"q\", \"anwser\": \"a\"},\n"
					 " \"grader\": \"maths\", \"smapling\": {}}\n"),
		     0);
	cr_assert_eq(support_write(data, "{\"q\": \"1?\", \"a\": \"1\"}\n"
					 "{\"q\": \"2?\", \"a\": \n"
					 "{\"a\": \"3\"}\n"),
		     0);
	const char *args[] = {"tasks", "--check", task, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect_eq(r.out.len, 0, "%s", r.out.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 5, "%s", r.err.buf);
	char *lines[] = {
		xasprintf("'%s': field \"fields.anwser\": unknown key", task),
		xasprintf("'%s': field \"smapling\": unknown key", task),
		xasprintf("'%s': task 'bad': field \"grader\": unknown grader 'maths'", task),
		xasprintf("'%s/data/arith.jsonl' line 2: malformed JSON", dir),
		xasprintf("'%s/data/arith.jsonl' line 3: field \"q\": missing", dir),
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		cr_expect(strstr(r.err.buf, lines[i]), "want %s in:\n%s", lines[i], r.err.buf);
		free(lines[i]);
	}
	proc_result_release(&r);
	free(data);
	free(task);
	free(dir);
}

Test(custom_tasks, check_names_bad_json_by_line)
{
	char *dir = support_tmpdir("custom-check-json");
	char *task = xasprintf("%s/t.json", dir);
	cr_assert_eq(support_write(task, "{\"id\": \"t\",\n \"grader\": math}\n"), 0);
	const char *args[] = {"tasks", "--check", task, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	char *want = xasprintf("cannot read task file '%s' line 2: malformed JSON", task);
	cr_expect(strstr(r.err.buf, want), "%s", r.err.buf);
	free(want);
	proc_result_release(&r);
	free(task);
	free(dir);
}

Test(custom_tasks, check_refuses_a_path_that_is_no_task_file)
{
	const char *args[] = {"tasks", "--check", "arith.jsonl", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	cr_expect(strstr(r.err.buf, "'arith.jsonl' is not a task file"), "%s", r.err.buf);
	proc_result_release(&r);
}

/* A bad grader option is named by the option, in the math grader as in every other. */
Test(custom_tasks, an_unknown_math_option_is_refused_by_name)
{
	char *dir = arith_dir("custom-mathopt");
	char *task = xasprintf("%s/mine/arith.json", dir);
	char *text = xstrdup(ARITH_TASK);
	char *at = strstr(text, "\"grader\": \"math\"");
	cr_assert_not_null(at);
	char *bad = xasprintf("%.*s\"grader\": \"math\", \"grader_options\": {\"precison\": 3}%s",
			      (int)(at - text), text, at + strlen("\"grader\": \"math\""));
	cr_assert_eq(support_write(task, bad), 0);
	const char *args[] = {"tasks", "--check", task, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err.buf);
	cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	cr_expect(strstr(r.err.buf, "unknown option \"precison\" (known: "), "%s", r.err.buf);
	cr_expect(strstr(r.err.buf, "\"precision\""), "%s", r.err.buf);
	proc_result_release(&r);
	free(bad);
	free(text);
	free(task);
	free(dir);
}

/* ---- grader options from the tables ---- */

/* Before: no such flag.  Every grader and every option of its table is printed. */
Test(custom_tasks, grader_options_lists_every_table)
{
	const char *args[] = {"tasks", "--grader-options", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	for (size_t i = 0; grader_table[i]; i++) {
		const struct grader_ops *g = grader_table[i];
		char *head = xasprintf("### `%s`\n", g->name);
		cr_expect(strstr(r.out.buf, head), "no section %s", head);
		free(head);
		cr_expect_gt(g->noptions, 0, "grader %s has no option table", g->name);
		for (size_t k = 0; k < g->noptions; k++) {
			char *row = xasprintf("| `%s` | ", g->options[k].name);
			cr_expect(strstr(r.out.buf, row), "%s: no row %s", g->name, row);
			free(row);
		}
	}
	proc_result_release(&r);
}

/* ---- a generator of broken task files ---- */

#define FULL_TASK                                                                            \
	"{\"id\": \"full\", \"description\": \"d\", \"dataset\": \"data/arith.jsonl\",\n"     \
	" \"filter\": {\"id\": \"a\"},\n"                                                   \
	" \"fields\": {\"id\": \"id\", \"question\": \"q\", \"answer\": \"a\",\n"           \
	"            \"metadata\": [\"id\"]},\n"                                             \
	" \"answer_transform\": \"none\", \"shuffle_choices\": false,\n"                      \
	" \"prompt\": {\"system\": \"s\", \"template\": \"{question}\", \"fewshot\": null},\n" \
	" \"grader\": \"math\", \"grader_options\": {\"precision\": 6},\n"                    \
	" \"sampling\": {\"n\": 2, \"temperature\": 0.5},\n"                                \
	" \"metrics\": {\"pass_k\": [1, 2], \"cons_k\": [2]}, \"breakdown\": [\"id\"]}\n"

struct probe {
	char *dir, *task;
	int runs;
};

/*
 * Check one mutated definition: the checker must end with 0 or 2, never
 * crash, and when it refuses, every line must name the task file or its
 * dataset.  must_fail: the mutation can only be an error.
 */
static void probe_one(struct probe *p, const cJSON *def, const char *what, int must_fail)
{
	char *text = cJSON_Print(def);
	cr_assert_eq(support_write(p->task, text), 0);
	free(text);
	const char *args[] = {"tasks", "--check", p->task, NULL};
	struct proc_result r;
	support_reval(&r, args);
	p->runs++;
	cr_expect(r.status == 0 || r.status == 2, "%s: exit %d\n%s", what, r.status, r.err.buf);
	if (must_fail)
		cr_expect_eq(r.status, 2, "%s: accepted\n%s", what, r.out.buf);
	if (r.status == 2) {
		cr_expect_gt(r.err.len, 0, "%s: refused without a word", what);
		struct lines it;
		struct strview l;
		lines_init(&it, r.err.buf, r.err.len);
		while (lines_next(&it, &l)) {
			char *line = sv_dup(l);
			cr_expect(!l.len || strstr(line, p->dir), "%s: a line naming no file: %s",
				  what, line);
			free(line);
		}
	}
	proc_result_release(&r);
}

/* Mutate every key at every level of node (within root): wrong types, unknown siblings. */
static void probe_tree(struct probe *p, cJSON *root, cJSON *node, const char *path)
{
	static const char *const wrong[] = {"7", "\"text\"", "[1]", "{\"k\": 1}", "null", "true"};
	if (!cJSON_IsObject(node))
		return;
	char *what = xasprintf("an unknown key beside %s", *path ? path : "the top");
	cJSON_AddNumberToObject(node, "zz_unknown", 1);
	probe_one(p, root, what, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(node, "zz_unknown");
	free(what);
	int n = cJSON_GetArraySize(node);
	char **names = xcalloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; i < n; i++)
		names[i] = xstrdup(cJSON_GetArrayItem(node, i)->string);
	for (int i = 0; i < n; i++) {
		char *full = *path ? xasprintf("%s.%s", path, names[i]) : xstrdup(names[i]);
		/* Options, sampling and the filter are read by their owners, with their own rules. */
		int own = !strcmp(full, "grader_options") || !strcmp(full, "sampling") ||
			  !strcmp(full, "filter");
		for (size_t w = 0; w < ARRAY_SIZE(wrong) && !own; w++) {
			cJSON *kv = cJSON_GetObjectItemCaseSensitive(node, names[i]);
			cJSON *bad = cJSON_Parse(wrong[w]);
			int nullable = !strcmp(full, "prompt.system") || !strcmp(full, "prompt.fewshot") ||
				       !strcmp(full, "dataset");
			/* The same type as the valid value is no wrong type. */
			if ((bad->type & 0xff) == (kv->type & 0xff) ||
			    (cJSON_IsBool(bad) && cJSON_IsBool(kv)) || (cJSON_IsNull(bad) && nullable)) {
				cJSON_Delete(bad);
				continue;
			}
			cJSON *saved = cJSON_Duplicate(kv, 1);
			cJSON_ReplaceItemInObjectCaseSensitive(node, names[i], bad);
			char *w_what = xasprintf("%s = %s", full, wrong[w]);
			probe_one(p, root, w_what, 1);
			free(w_what);
			cJSON_ReplaceItemInObjectCaseSensitive(node, names[i], saved);
		}
		cJSON *saved = cJSON_DetachItemFromObjectCaseSensitive(node, names[i]);
		char *d_what = xasprintf("without %s", full);
		/* id, fields, fields.question, grader and dataset are required. */
		int required = !strcmp(full, "id") || !strcmp(full, "fields") ||
			       !strcmp(full, "fields.question") || !strcmp(full, "grader") ||
			       !strcmp(full, "dataset");
		probe_one(p, root, d_what, required);
		free(d_what);
		cJSON_AddItemToObject(node, names[i], saved);
		if (!own)
			probe_tree(p, root, saved, full);
		free(full);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * A hostile probe: every key of a complete task file given a value of
 * every wrong type, deleted, or joined by an unknown sibling.  Each is
 * refused with lines naming the file (or accepted, for an optional key
 * deleted), never a crash or another exit status.
 */
Test(custom_tasks, broken_task_files_are_refused_by_name, .timeout = 300)
{
	struct probe p = {0};
	p.dir = support_tmpdir("custom-probe");
	p.task = xasprintf("%s/full.json", p.dir);
	char *data = xasprintf("%s/data/arith.jsonl", p.dir);
	cr_assert_eq(support_write(data, ARITH_DATA), 0);
	cJSON *def = cJSON_Parse(FULL_TASK);
	cr_assert_not_null(def);
	char *text = cJSON_Print(def);
	cr_assert_eq(support_write(p.task, text), 0);
	free(text);
	const char *args[] = {"tasks", "--check", p.task, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "the complete file is refused:\n%s", r.err.buf);
	proc_result_release(&r);
	probe_tree(&p, def, def, "");
	cr_expect_gt(p.runs, 60, "only %d probes", p.runs);
	cJSON_Delete(def);
	free(data);
	free(p.task);
	free(p.dir);
}

/*
 * A generator of bad dataset lines: a good line cut at every byte, and
 * lines of every wrong shape, each put second in the file.  Each is
 * refused in one line naming the dataset (a cut: and line 2), exit 2;
 * nothing crashes.
 */
Test(custom_tasks, every_cut_or_misshapen_dataset_line_is_named, .timeout = 300)
{
	char *dir = arith_dir("custom-cut");
	char *task = xasprintf("%s/mine/arith.json", dir);
	char *data = xasprintf("%s/mine/data/arith.jsonl", dir);
	char *where = xasprintf("cannot read dataset '%s/mine/data/arith.jsonl' line 2: ", dir);
	const char *good = "{\"id\": \"b\", \"q\": \"2 + 2?\", \"a\": \"4\"}";
	int refused = 0;
	for (size_t cut = 1; cut < strlen(good); cut++) {
		char *text = xasprintf("{\"id\": \"a\", \"q\": \"6 * 7?\", \"a\": \"42\"}\n%.*s\n",
				       (int)cut, good);
		cr_assert_eq(support_write(data, text), 0);
		const char *args[] = {"tasks", "--check", task, NULL};
		struct proc_result r;
		support_reval(&r, args);
		cr_expect_eq(r.status, 2, "cut at %zu: exit %d\n%s", cut, r.status, r.err.buf);
		cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "cut at %zu:\n%s", cut, r.err.buf);
		cr_expect(strstr(r.err.buf, where), "cut at %zu:\n%s", cut, r.err.buf);
		refused += r.status == 2;
		proc_result_release(&r);
		free(text);
	}
	cr_expect_eq(refused, (int)strlen(good) - 1);
	/* Whole lines of the wrong shape: each named by the dataset (and its line where one is to blame). */
	static const char *const hostile[] = {
		"7", "\"text\"", "[1]", "null", "{}", "{\"id\": \"b\"}",
		"{\"id\": \"b\", \"q\": 3, \"a\": \"4\"}", "{\"id\": \"b\", \"q\": \"x\"}",
		"{\"id\": null, \"q\": \"x\", \"a\": \"1\"}", "{\"id\": [1], \"q\": \"x\", \"a\": \"1\"}",
		"{\"id\": \"a\", \"q\": \"x\", \"a\": \"1\"}",
	};
	char *file = xasprintf("'%s/mine/data/arith.jsonl'", dir);
	for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
		char *text = xasprintf("{\"id\": \"a\", \"q\": \"6 * 7?\", \"a\": \"42\"}\n%s\n",
				       hostile[i]);
		cr_assert_eq(support_write(data, text), 0);
		const char *args[] = {"tasks", "--check", task, NULL};
		struct proc_result r;
		support_reval(&r, args);
		cr_expect_eq(r.status, 2, "%s: exit %d\n%s", hostile[i], r.status, r.err.buf);
		cr_expect_eq(support_nonempty_lines(r.err.buf), 1, "%s:\n%s", hostile[i], r.err.buf);
		cr_expect(strstr(r.err.buf, file), "%s:\n%s", hostile[i], r.err.buf);
		proc_result_release(&r);
		free(text);
	}
	free(file);
	free(where);
	free(data);
	free(task);
	free(dir);
}
