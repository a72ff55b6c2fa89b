/*
 * Prompt control from the command line: --system-prompt, --prompt-template
 * and --num-fewshot reach the request as asked, are recorded in config.json,
 * and are part of the run's identity: a resume or a gate with other prompt
 * settings is refused naming the setting.  Bad values are one line, exit 2.
 * The exec engine 'cat' answers with the request it was sent.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "tests/support/support.h"

struct fixture {
	char *dir, *data, *out;
};

static void fixture_init(struct fixture *f, const char *tag)
{
	f->dir = support_tmpdir(tag);
	f->data = support_path("tests/data/toy");
	f->out = path_join(f->dir, "run");
}

static void fixture_release(struct fixture *f)
{
	free(f->dir);
	free(f->data);
	free(f->out);
}

/* A file in the fixture's directory with this text; caller frees the path. */
static char *file(const struct fixture *f, const char *name, const char *text)
{
	char *p = path_join(f->dir, name);
	cr_assert(!support_write(p, text));
	return p;
}

/* reval run --task toy --limit 2 --n 1 through exec:cat into out, with extra arguments. */
static struct proc_result run_in(const struct fixture *f, const char *out,
				 const char *const *extra)
{
	const char *args[32] = {"run",    "--data-dir", f->data, "--engine", "exec:cat",
				"--task", "toy",      "--n",   "1",        "--limit",
				"2",      "--out",      out};
	size_t k = 13;
	for (size_t i = 0; extra[i]; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	return r;
}

#define RUN(f, ...) run_in(f, (f)->out, (const char *const[]){__VA_ARGS__, NULL})
#define RUN_TO(f, out, ...) run_in(f, out, (const char *const[]){__VA_ARGS__, NULL})

static void expect_ok(struct proc_result r)
{
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
}

static void expect_refused(struct proc_result r, const char *needle)
{
	cr_assert_eq(r.status, 2, "not refused: %s", r.err.buf);
	cr_assert(strstr(r.err.buf, needle), "the refusal does not name '%s': %s", needle,
		  r.err.buf);
	cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "one line: %s", r.err.buf);
	proc_result_release(&r);
}

/* The request exec:cat echoed for problem p01 of the run in out. */
static cJSON *request(const char *out)
{
	char *path = path_join(out, "samples.jsonl"), *text;
	cr_assert(!read_file(path, 1 << 20, &text, NULL), "%s", path);
	free(path);
	cJSON *req = NULL;
	for (char *l = strtok(text, "\n"); l && !req; l = strtok(NULL, "\n")) {
		cJSON *line = cJSON_Parse(l);
		if (!strcmp(json_str(line, "problem"), "p01"))
			req = cJSON_Parse(json_str(line, "content"));
		cJSON_Delete(line);
	}
	free(text);
	cr_assert_not_null(req, "no request for p01 in %s", out);
	return req;
}

/* The toy task's entry in the config.json of the run in out. */
static cJSON *task_config(const char *out)
{
	cJSON *doc = support_json_file(path_join(out, "config.json"));
	cr_assert_not_null(doc);
	cJSON *t = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(doc, "tasks"), 0);
	cJSON_Delete(doc);
	return t;
}

Test(run_prompt, system_prompt_as_text_from_a_file_with_a_literal_at_and_none)
{
	struct fixture f;
	fixture_init(&f, "prompt-sys");
	char *sys = file(&f, "sys.txt", "You are terse.\nAnswer with a number.\n");
	char *at = xasprintf("@%s", sys);
	static const struct {
		const char *tag, *want;
	} cases[] = {{"text", "Be brief."}, {"file", "You are terse.\nAnswer with a number."},
		     {"at", "@handle"}, {"none", ""}};
	const char *flag[] = {"Be brief.", at, "@@handle", ""};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = path_join(f.dir, cases[i].tag);
		expect_ok(RUN_TO(&f, out, "--system-prompt", flag[i]));
		cJSON *req = request(out);
		cr_expect_str_eq(json_str(req, "system"), cases[i].want, "%s", cases[i].tag);
		cr_expect_str_eq(json_str(req, "prompt"), "Q: 1+1\nA:", "the template is the task's");
		cJSON *t = task_config(out);
		cr_expect_str_eq(json_str(t, "system_prompt"), cases[i].want, "config.json keeps it");
		cJSON_Delete(t);
		cJSON_Delete(req);
		free(out);
	}
	/* Without the flag the task's own system message (none for toy) is sent. */
	expect_ok(RUN(&f, "--seed", "0"));
	cJSON *req = request(f.out);
	cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(req, "system")));
	cJSON *t = task_config(f.out);
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(t, "system_prompt"));
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(t, "prompt_template"));
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(t, "num_fewshot"));
	cJSON_Delete(t);
	cJSON_Delete(req);
	free(at);
	free(sys);
	fixture_release(&f);
}

Test(run_prompt, template_file_fills_the_task_fields_and_keeps_literal_braces)
{
	struct fixture f;
	fixture_init(&f, "prompt-tmpl");
	char *tmpl = file(&f, "t.txt", "Solve {question} (level {level}, id {field:id}).\n"
				       "Reply as JSON: {{\"answer\": N}}\n");
	expect_ok(RUN(&f, "--prompt-template", tmpl));
	cJSON *req = request(f.out);
	cr_expect_str_eq(json_str(req, "prompt"),
			 "Solve 1+1 (level L1, id p01).\nReply as JSON: {\"answer\": N}");
	cJSON *t = task_config(f.out);
	cr_expect_str_eq(json_str(t, "prompt_template"),
			 "Solve {question} (level {level}, id {field:id}).\n"
			 "Reply as JSON: {{\"answer\": N}}");
	cJSON_Delete(t);
	cJSON_Delete(req);
	/* A regrade needs the template the run used, not its file. */
	cr_assert(!unlink(tmpl));
	const char *grade[] = {"grade", f.out, NULL};
	struct proc_result r;
	support_reval(&r, grade);
	expect_ok(r);
	free(tmpl);
	fixture_release(&f);
}

Test(run_prompt, a_config_file_takes_the_same_keys)
{
	struct fixture f;
	fixture_init(&f, "prompt-config");
	char *tmpl = file(&f, "t.txt", "Compute {question}.");
	char *text = xasprintf("{\"system-prompt\": \"Be exact.\", \"prompt-template\": \"%s\", "
			       "\"num-fewshot\": 0}",
			       tmpl);
	char *cfg = file(&f, "cfg.json", text);
	expect_ok(RUN(&f, "--config", cfg));
	cJSON *req = request(f.out);
	cr_expect_str_eq(json_str(req, "system"), "Be exact.");
	cr_expect_str_eq(json_str(req, "prompt"), "Compute 1+1.");
	cJSON *t = task_config(f.out);
	cr_expect_eq(json_num(t, "num_fewshot", -1), 0);
	cJSON_Delete(t);
	cJSON_Delete(req);
	/* The same settings as flags are the same run. */
	expect_ok(RUN(&f, "--system-prompt", "Be exact.", "--prompt-template", tmpl, "--num-fewshot",
		      "0"));
	free(cfg);
	free(text);
	free(tmpl);
	fixture_release(&f);
}

Test(run_prompt, bad_prompt_settings_are_one_line_naming_the_setting)
{
	struct fixture f;
	fixture_init(&f, "prompt-bad");
	char *typo = file(&f, "typo.txt", "Solve:\n\n{quetsion}\n");
	char *open = file(&f, "open.txt", "Solve {question");
	char *latin1 = file(&f, "latin1.txt", "Caf\xe9 {question}");
	char *missing = path_join(f.dir, "nope.txt");
	char *at_missing = xasprintf("@%s", missing);
	expect_refused(RUN(&f, "--prompt-template", typo), "typo.txt' line 3: unknown placeholder "
							   "{quetsion}");
	struct proc_result r = RUN(&f, "--prompt-template", typo);
	cr_expect(strstr(r.err.buf, "{question}, {id}, {q}, {a}, {level}"),
		  "the fields available are listed: %s", r.err.buf);
	proc_result_release(&r);
	expect_refused(RUN(&f, "--prompt-template", open), "open.txt' line 1: unclosed '{'");
	expect_refused(RUN(&f, "--prompt-template", latin1), "latin1.txt' is not valid UTF-8");
	expect_refused(RUN(&f, "--prompt-template", missing), "--prompt-template file");
	expect_refused(RUN(&f, "--system-prompt", at_missing), "--system-prompt file");
	expect_refused(RUN(&f, "--num-fewshot", "2"), "task 'toy' has no few-shot pool");
	expect_refused(RUN(&f, "--num-fewshot", "-1"), "--num-fewshot");
	char *bundled = support_path("datasets");
	expect_refused(RUN(&f, "--task", "bbh/navigate", "--data-dir", bundled, "--num-fewshot", "4"),
		       "task 'bbh/navigate' has 3 few-shot examples");
	/* Examples asked for, with a template that has no place for them (a literal
	 * "{{fewshot}}" is no place either). */
	char *noslot = file(&f, "noslot.txt", "{{fewshot}} Q: {question}\nA:");
	expect_refused(RUN(&f, "--task", "bbh/navigate", "--data-dir", bundled, "--num-fewshot",
			   "2", "--prompt-template", noslot),
		       "noslot.txt' has no {fewshot} placeholder");
	free(noslot);
	free(bundled);
	char *cfg = file(&f, "cfg.json", "{\"system\": \"Be brief.\"}");
	expect_refused(RUN(&f, "--config", cfg), "unknown key \"system\" (did you mean "
						 "\"system-prompt\"?)");
	free(cfg);
	cfg = file(&f, "cfg2.json", "{\"num_fewshot\": 1}");
	expect_refused(RUN(&f, "--config", cfg), "(did you mean \"num-fewshot\"?)");
	free(cfg);
	cr_expect(access(f.out, F_OK), "a refused run left a directory behind");
	free(at_missing);
	free(missing);
	free(latin1);
	free(open);
	free(typo);
	fixture_release(&f);
}

Test(run_prompt, a_resume_with_other_prompt_settings_is_refused_naming_the_setting)
{
	struct fixture f;
	fixture_init(&f, "prompt-resume");
	char *tmpl = file(&f, "t.txt", "Compute {question}.");
	char *other = file(&f, "u.txt", "Compute {question}!");
	expect_ok(RUN(&f, "--system-prompt", "Be exact.", "--prompt-template", tmpl));
	expect_ok(RUN(&f, "--system-prompt", "Be exact.", "--prompt-template", tmpl));
	expect_refused(RUN(&f, "--system-prompt", "Be loose.", "--prompt-template", tmpl),
		       "task 'toy' system_prompt differs (was \"Be exact.\", now \"Be loose.\")");
	expect_refused(RUN(&f, "--prompt-template", tmpl),
		       "system_prompt differs (was \"Be exact.\", now (the task's own))");
	expect_refused(RUN(&f, "--system-prompt", "Be exact.", "--prompt-template", other),
		       "task 'toy' prompt_template differs");
	expect_refused(RUN(&f, "--system-prompt", "Be exact."), "task 'toy' prompt_template differs");
	expect_refused(RUN(&f, "--system-prompt", "Be exact.", "--prompt-template", tmpl,
			   "--num-fewshot", "0"),
		       "task 'toy' num_fewshot differs");
	/* Without config.json, the prompt part of each journal line's fingerprint still refuses. */
	char *cfg = path_join(f.out, "config.json");
	cr_assert(!unlink(cfg));
	expect_refused(RUN(&f, "--system-prompt", "Be loose.", "--prompt-template", tmpl), "prompt");
	free(cfg);
	free(other);
	free(tmpl);
	fixture_release(&f);
}

Test(run_prompt, the_gate_refuses_runs_whose_prompt_settings_differ)
{
	struct fixture f;
	fixture_init(&f, "prompt-gate");
	char *base = path_join(f.dir, "base"), *sys = path_join(f.dir, "sys"),
	     *shots = path_join(f.dir, "shots");
	expect_ok(RUN_TO(&f, base, "--seed", "0"));
	expect_ok(RUN_TO(&f, sys, "--system-prompt", "Be exact."));
	expect_ok(RUN_TO(&f, shots, "--num-fewshot", "0"));
	static const struct {
		const char *cand_tag, *want;
	} cases[] = {{"sys", "task 'toy' system_prompt differs (baseline (the task's own), "
			     "candidate \"Be exact.\")"},
		     {"shots", "task 'toy' num_fewshot differs"}};
	const char *cands[] = {sys, shots};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *args[] = {"gate", "--baseline", base, "--candidate", cands[i], NULL};
		struct proc_result r;
		support_reval(&r, args);
		cr_expect_eq(r.status, 2, "%s: %s", cases[i].cand_tag, r.err.buf);
		cr_expect(strstr(r.err.buf, cases[i].want), "%s", r.err.buf);
		proc_result_release(&r);
	}
	const char *same[] = {"gate", "--baseline", sys, "--candidate", sys, NULL};
	struct proc_result r;
	support_reval(&r, same);
	cr_expect_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	free(base);
	free(sys);
	free(shots);
	fixture_release(&f);
}
