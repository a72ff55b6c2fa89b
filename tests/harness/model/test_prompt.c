/*
 * harness/model/prompt.c: placeholders and their errors, and the few-shot
 * pool (--num-fewshot): the first N exemplars of the task's file in order,
 * never the problem itself, and all of them reproduce the task's prompt.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/model/prompt.h"
#include "tests/support/support.h"

static char *render(const char *tmpl, const char *record, struct prompt_error *e)
{
	cJSON *rec = cJSON_Parse(record);
	cr_assert_not_null(rec, "bad JSON: %s", record);
	struct prompt_vars v = {rec, "1+1", "FEW", "sub", NULL};
	char *out = prompt_render(tmpl, &v, e);
	cJSON_Delete(rec);
	return out;
}

Test(prompt, placeholders_record_fields_and_literal_braces)
{
	struct prompt_error e;
	char *s = render("{fewshot}|{subtask}|{question}|{field:level}|{level}|{n}|{{x}}|}",
			 "{\"level\":\"L1\",\"n\":3}", &e);
	cr_assert_not_null(s, "%s", e.why);
	cr_expect_str_eq(s, "FEW|sub|1+1|L1|L1|3|{x}|}");
	free(s);
}

Test(prompt, an_unknown_placeholder_is_named_with_its_line)
{
	static const struct {
		const char *tmpl, *why, *name;
		long line;
	} cases[] = {
		{"a\nb {question}\n\n{quetsion} c", "unknown placeholder", "{quetsion}", 4},
		{"{field:nope}", "no such field in the record:", "{field:nope}", 1},
		{"x\n{\"json\": 1}", "unknown placeholder", "{\"json\": 1}", 2},
		{"{_choices}", "unknown placeholder", "{_choices}", 1}, /* reval's own, not a field */
		{"ok\n{question\nmore", "unclosed '{' at", "{question", 2},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct prompt_error e;
		char *s = render(cases[i].tmpl, "{\"level\":\"L1\",\"_choices\":[\"a\"]}", &e);
		cr_expect_null(s, "rendered '%s' as '%s'", cases[i].tmpl, s);
		free(s);
		cr_expect_str_eq(e.why ? e.why : "", cases[i].why, "%s", cases[i].tmpl);
		cr_expect_eq(e.line, cases[i].line, "%s: line %ld", cases[i].tmpl, e.line);
		char *name = sv_dup(e.name);
		cr_expect_str_eq(name, cases[i].name);
		free(name);
	}
}

Test(prompt, system_prompt_flag_reads_a_file_after_one_at_and_keeps_a_doubled_one)
{
	char *dir = support_tmpdir("sysflag");
	char *file = path_join(dir, "sys.txt");
	cr_assert(!support_write(file, "Be brief.\n"));
	char *flag = xasprintf("@%s", file), *text;
	cr_assert_eq(prompt_system_from_flag(flag, &text), RV_OK);
	cr_expect_str_eq(text, "Be brief.", "one final newline is dropped");
	free(text);
	static const char *const literal[][2] = {{"@@me", "@me"}, {"plain", "plain"}, {"", ""}};
	for (size_t i = 0; i < ARRAY_SIZE(literal); i++) {
		cr_assert_eq(prompt_system_from_flag(literal[i][0], &text), RV_OK);
		cr_expect_str_eq(text, literal[i][1]);
		/* What config.json keeps reads back as the same text. */
		char *again = prompt_system_to_flag(text), *back;
		cr_assert_eq(prompt_system_from_flag(again, &back), RV_OK);
		cr_expect_str_eq(back, text);
		free(back);
		free(again);
		free(text);
	}
	free(flag);
	free(file);
	free(dir);
}

/* Tasks selected from the bundled catalog, loaded with num_fewshot n (-1: the task's own). */
static struct task **load(struct task_catalog *cat, const char *spec, long n, size_t *count)
{
	struct task **t;
	cr_assert_eq(task_select(cat, spec, &t, count), RV_OK);
	for (size_t i = 0; i < *count; i++) {
		t[i]->prompt_opt.num_fewshot = n;
		cr_assert_eq(task_load(t[i], cat, NULL), RV_OK, "%s", t[i]->id);
	}
	return t;
}

static void free_tasks(struct task **t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		task_free(t[i]);
	free(t);
}

static int exemplars(const char *prompt)
{
	int k = 0;
	for (const char *p = prompt; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		k += !strncmp(p, "Q:", 2);
	return k - 1; /* the problem's own "Q:" */
}

Test(prompt, every_bbh_pool_gives_back_the_task_prompt_and_a_smaller_count_fewer_exemplars,
     .timeout = 120)
{
	char *data = support_path("datasets");
	struct task_catalog cat;
	cr_assert_eq(task_catalog_load(&cat, data), RV_OK);
	const char *families[] = {"bbh", "bbh_direct"};
	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		size_t na, nb, nc;
		struct task **a = load(&cat, families[f], -1, &na);
		struct task **b = load(&cat, families[f], 3, &nb);
		struct task **c = load(&cat, families[f], 1, &nc);
		cr_assert_eq(na, 27);
		for (size_t i = 0; i < na; i++) {
			cr_assert_gt(a[i]->nproblems, 0);
			for (size_t j = 0; j < a[i]->nproblems; j++) {
				const char *own = a[i]->problems[j].prompt;
				cr_assert_str_eq(b[i]->problems[j].prompt, own, "%s problem %s", a[i]->id,
						 a[i]->problems[j].id);
				cr_assert_eq(exemplars(own), 3, "%s", a[i]->id);
				cr_assert_eq(exemplars(c[i]->problems[j].prompt), 1, "%s", a[i]->id);
			}
			cr_expect_str_neq(a[i]->prompt_sha256, b[i]->prompt_sha256,
					  "the count is part of the prompt's fingerprint");
		}
		free_tasks(a, na);
		free_tasks(b, nb);
		free_tasks(c, nc);
	}
	task_catalog_release(&cat);
	free(data);
}

/* A data directory with one task whose few-shot file holds problem p01's own question. */
static char *pool_data(void)
{
	char *dir = support_tmpdir("pool");
	char *p;
	p = path_join(dir, "tasks/fs.json");
	cr_assert(!support_write(p, "{\"id\": \"fs\", \"dataset\": \"fs/problems.jsonl\", "
				    "\"fields\": {\"id\": \"id\", \"question\": \"q\", \"answer\": "
				    "\"a\"}, \"prompt\": {\"fewshot\": \"fs/shots.txt\", \"template\": "
				    "\"{fewshot}\\n\\nQ: {question}\\nA:\"}, \"grader\": \"exact\"}"));
	free(p);
	p = path_join(dir, "fs/problems.jsonl");
	cr_assert(!support_write(p, "{\"id\": \"p00\", \"q\": \"0+0\", \"a\": \"0\"}\n"
				    "{\"id\": \"p01\", \"q\": \"1+1\", \"a\": \"2\"}\n"));
	free(p);
	p = path_join(dir, "fs/shots.txt");
	cr_assert(!support_write(p, "Add.\n\nQ: 1+1\nA: 2\n\nQ: 2+3\nA: 5\n\nQ: 4+4\nA: 8\n"));
	free(p);
	return dir;
}

Test(prompt, the_pool_skips_the_problem_itself_and_is_taken_in_file_order)
{
	char *data = pool_data();
	struct task_catalog cat;
	cr_assert_eq(task_catalog_load(&cat, data), RV_OK);
	size_t n;
	struct task **t = load(&cat, "fs", 2, &n);
	cr_expect_str_eq(t[0]->problems[0].prompt,
			 "Add.\n\nQ: 1+1\nA: 2\n\nQ: 2+3\nA: 5\n\nQ: 0+0\nA:");
	cr_expect_str_eq(t[0]->problems[1].prompt,
			 "Add.\n\nQ: 2+3\nA: 5\n\nQ: 4+4\nA: 8\n\nQ: 1+1\nA:");
	free_tasks(t, n);
	t = load(&cat, "fs", 0, &n);
	cr_expect_str_eq(t[0]->problems[1].prompt, "Add.\n\nQ: 1+1\nA:");
	free_tasks(t, n);
	/* Three exemplars, one of them p01's own: three cannot be met for p01. */
	cr_assert_eq(task_select(&cat, "fs", &t, &n), RV_OK);
	t[0]->prompt_opt.num_fewshot = 3;
	cr_expect_eq(task_load(t[0], &cat, NULL), RV_EUSAGE);
	free_tasks(t, n);
	task_catalog_release(&cat);
	free(data);
}

/*
 * Generated templates: text escaped with {{ and }} renders back to itself,
 * and any template either renders or names a line it has and a placeholder
 * inside it.
 */
Test(prompt, generated_templates_escape_exactly_and_fail_inside_themselves)
{
	static const char *const parts[] = {"{", "}", "{{", "}}", "\n", "a", "{question}",
					    "{level}", "{nope}", "{field:", "level}", " "};
	uint64_t seed = 17;
	cJSON *rec = cJSON_Parse("{\"level\":\"L1\"}");
	for (int round = 0; round < 5000; round++) {
		struct strbuf t = STRBUF_INIT, esc = STRBUF_INIT;
		int len = 1 + (int)((seed = mix64(seed)) % 12);
		for (int i = 0; i < len; i++)
			strbuf_adds(&t, parts[(seed = mix64(seed)) % ARRAY_SIZE(parts)]);
		for (const char *p = t.buf; *p; p++)
			strbuf_adds(&esc, *p == '{' ? "{{" : *p == '}' ? "}}" : (char[]){*p, 0});
		struct prompt_vars v = {rec, "Q", NULL, NULL, NULL};
		struct prompt_error e;
		char *back = prompt_render(esc.buf, &v, &e);
		cr_assert_not_null(back, "escaped '%s' failed: %s", t.buf, e.why);
		cr_assert_str_eq(back, t.buf);
		free(back);
		char *out = prompt_render(t.buf, &v, &e);
		if (!out) {
			long lines = 1;
			for (const char *p = t.buf; *p; p++)
				lines += *p == '\n';
			cr_assert(e.why && e.line >= 1 && e.line <= lines, "'%s': line %ld", t.buf,
				  e.line);
			cr_assert(e.name.ptr >= t.buf && e.name.ptr + e.name.len <= t.buf + t.len,
				  "'%s': the placeholder named is not inside it", t.buf);
			cr_assert_eq(*e.name.ptr, '{', "'%s'", t.buf);
		}
		free(out);
		strbuf_release(&t);
		strbuf_release(&esc);
	}
	cJSON_Delete(rec);
}
