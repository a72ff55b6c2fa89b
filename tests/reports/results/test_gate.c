/*
 * reval gate on real regrades of the bundled reasoning-gym recordings
 * (tests/reports/regrade.h): a run against itself passes, DeepSeek-R1 ->
 * QwQ-32B fails on the tasks where QwQ is clearly worse, a candidate that
 * differs from R1 only by noise passes, and runs that cannot be compared
 * honestly (incomplete, other sampling, other tasks) exit 2 with a message.
 * The JUnit XML is checked with Python's XML parser for the structure CI
 * test reporters read.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "tests/support/regrade.h"
#include "tests/support/support.h"

static struct proc_result gate(const char *base, const char *cand, const char *const *extra)
{
	const char *args[24] = {"gate", "--baseline", base, "--candidate", cand};
	size_t n = 5;
	for (size_t i = 0; extra && extra[i] && n < 23; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	return r;
}

/* The result cell of a task's row in the Markdown table. */
static int row_failed(const char *table, const char *task)
{
	char *key = xasprintf("| %s |", task);
	const char *row = strstr(table, key);
	free(key);
	cr_assert_not_null(row, "no row for %s in:\n%s", task, table);
	const char *end = strchr(row, '\n');
	const char *fail = strstr(row, "**FAIL**");
	return fail && (!end || fail < end);
}

Test(gate, run_against_itself_passes)
{
	char *dir = support_tmpdir("gate-self");
	char *r1 = regrade(dir, "r1", "deepseek-r1", NULL, NULL);
	struct proc_result r = gate(r1, r1, NULL);
	cr_assert_eq(r.status, 0, "stderr: %s\nstdout: %s", r.err.buf, r.out.buf);
	cr_assert(strstr(r.out.buf, "reval gate: pass (16 tasks)"), "%s", r.out.buf);
	cr_assert_null(strstr(r.out.buf, "**FAIL**"));
	proc_result_release(&r);
	free(r1);
	free(dir);
}

static const char *const qwq_worse[] = {"rg/count_bits", "rg/lcm", "rg/products"};

/* Names of the failing test cases of a JUnit file, checked with Python's parser. */
static char *junit_check(const char *xml)
{
	char *script = xasprintf(
		"import sys, xml.etree.ElementTree as ET\n"
		"root = ET.parse(%s).getroot()\n"
		"assert root.tag == 'testsuites', root.tag\n"
		"suites = root.findall('testsuite')\n"
		"assert len(suites) == 1\n"
		"s = suites[0]\n"
		"cases = s.findall('testcase')\n"
		"assert int(s.get('tests')) == len(cases) == int(root.get('tests'))\n"
		"failed = [c.get('name') for c in cases if c.find('failure') is not None]\n"
		"assert int(s.get('failures')) == len(failed) == int(root.get('failures'))\n"
		"assert all(c.get('classname') == 'reval.gate' and c.get('time') is not None for c in cases)\n"
		"assert all(c.find('failure').get('message') for c in cases if c.find('failure') is not None)\n"
		"print(len(cases), ','.join(sorted(failed)))\n",
		"sys.argv[1]");
	char *spath = xasprintf("%s.py", xml);
	cr_assert_eq(support_write(spath, script), 0);
	char *cmd = xasprintf("python3 %s %s", spath, xml);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char line[4096] = "";
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	int st = pclose(p);
	cr_assert_eq(st, 0, "the JUnit file %s does not have the expected structure", xml);
	line[strcspn(line, "\n")] = '\0';
	free(script);
	free(spath);
	free(cmd);
	return xstrdup(line);
}

Test(gate, deepseek_r1_to_qwq_fails_where_qwq_is_worse)
{
	char *dir = support_tmpdir("gate-qwq");
	char *r1 = regrade(dir, "r1", "deepseek-r1", NULL, NULL);
	char *qwq = regrade(dir, "qwq", "qwq-32b", NULL, NULL);
	char *xml = path_join(dir, "gate.xml");
	char *summary = path_join(dir, "summary.md");
	cr_assert_eq(support_write(summary, "earlier step\n"), 0);
	setenv("GITHUB_STEP_SUMMARY", summary, 1);
	const char *extra[] = {"--junit", xml, NULL};
	struct proc_result r = gate(r1, qwq, extra);
	unsetenv("GITHUB_STEP_SUMMARY");
	cr_assert_eq(r.status, 1, "stderr: %s\nstdout: %s", r.err.buf, r.out.buf);
	for (size_t i = 0; i < sizeof(qwq_worse) / sizeof(*qwq_worse); i++)
		cr_assert(row_failed(r.out.buf, qwq_worse[i]), "%s should fail:\n%s", qwq_worse[i],
			  r.out.buf);
	/* Equal scores, and drops too small to be told from chance, pass. */
	cr_assert_not(row_failed(r.out.buf, "rg/gcd"));
	cr_assert_not(row_failed(r.out.buf, "rg/aiw"));
	cr_assert_not(row_failed(r.out.buf, "rg/base_conversion"));
	cr_assert(strstr(r.err.buf, "gate failed"), "%s", r.err.buf);

	char *cases = junit_check(xml);
	cr_assert_str_eq(cases, "16 rg/count_bits,rg/lcm,rg/products");
	char *sum = regrade_slurp(summary);
	cr_assert(!strncmp(sum, "earlier step\n", 13), "the summary must be appended to");
	cr_assert(strstr(sum, "| rg/products | avg@1 | 26.0 | 6.0 | -20.0"), "%s", sum);
	free(sum);
	free(cases);
	proc_result_release(&r);
	free(xml);
	free(summary);
	free(r1);
	free(qwq);
	free(dir);
}

/* ---- A candidate that differs from R1 by noise only ---- */

/* Gold answers of the reasoning-gym problems, keyed "task/idx". */
static cJSON *golds(void)
{
	char *path = support_path("datasets/reasoning-gym/zero_shot_hard.jsonl");
	char *text = regrade_slurp(path);
	cJSON *map = cJSON_CreateObject();
	for (char *cur = text, *line; (line = regrade_next_line(&cur));) {
		cJSON *rec = cJSON_Parse(line);
		cr_assert_not_null(rec);
		char *key = xasprintf("rg/%s/%.0f", json_str(rec, "task"), json_num(rec, "idx", -1));
		cJSON_AddStringToObject(map, key, json_str(rec, "answer"));
		free(key);
		cJSON_Delete(rec);
	}
	free(text);
	free(path);
	return map;
}

/* Verdicts of a regraded journal, keyed "task/problem". */
static cJSON *verdicts(const char *run)
{
	char *path = path_join(run, "samples.jsonl");
	char *text = regrade_slurp(path);
	cJSON *map = cJSON_CreateObject();
	for (char *cur = text, *line; (line = regrade_next_line(&cur));) {
		cJSON *s = cJSON_Parse(line);
		char *key = xasprintf("%s/%s", json_str(s, "task"), json_str(s, "problem"));
		cJSON_AddBoolToObject(map, key,
				      json_bool(cJSON_GetObjectItemCaseSensitive(s, "grade"),
						"correct", 0));
		free(key);
		cJSON_Delete(s);
	}
	free(text);
	free(path);
	return map;
}

#define NOISE_PER_TASK 3

/*
 * The noisy candidate is R1's recording with NOISE_PER_TASK problems per
 * task, chosen at random (fixed seed) without looking at their verdicts,
 * given the opposite outcome: a right answer becomes "<answer>noise</answer>",
 * a wrong one the gold answer.  It is then regraded like any run.  Since R1
 * is mostly right, most flips are losses, so the candidate's scores drop by
 * up to 6 points on some tasks - more than the 1-point tolerance, but three
 * changed problems out of 50 is what chance produces (an exact sign-flip
 * p-value of at best 1/8), and the gate must not call it a regression.
 */
static char *noisy_replay(const char *dir, const char *r1, int *flips)
{
	cJSON *gold = golds(), *verdict = verdicts(r1);
	char *src = regrade_replay("deepseek-r1");
	char *text = regrade_slurp(src);
	struct strbuf out = STRBUF_INIT;
	*flips = 0;
	for (char *cur = text, *line; (line = regrade_next_line(&cur));) {
		cJSON *s = cJSON_Parse(line);
		const char *task = json_str(s, "task");
		char *problem = json_scalar_text(cJSON_GetObjectItemCaseSensitive(s, "problem"));
		/* Problems 0..49 per task; pick NOISE_PER_TASK distinct ones from the task's hash. */
		uint64_t h = hash64(task, strlen(task), 2025);
		int idx = (int)strtol(problem, NULL, 10), picked = 0;
		for (int k = 0, seen = 0; seen < NOISE_PER_TASK && k < 64; k++) {
			int cand = (int)(mix64(h + (uint64_t)k) % 50);
			int dup = 0;
			for (int m = 0; m < k; m++)
				dup |= (int)(mix64(h + (uint64_t)m) % 50) == cand;
			if (dup)
				continue;
			seen++;
			picked |= cand == idx;
		}
		if (picked) {
			char *key = xasprintf("%s/%s", task, problem);
			int right = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(verdict, key));
			char *content = right ? xstrdup("<answer>noise</answer>")
					      : xasprintf("<answer>%s</answer>", json_str(gold, key));
			cJSON_ReplaceItemInObject(s, "content", cJSON_CreateString(content));
			(*flips)++;
			free(content);
			free(key);
		}
		char *l = cJSON_PrintUnformatted(s);
		strbuf_addf(&out, "%s\n", l);
		cJSON_free(l);
		free(problem);
		cJSON_Delete(s);
	}
	char *path = path_join(dir, "noisy.samples.jsonl");
	cr_assert_eq(support_write(path, out.buf), 0);
	strbuf_release(&out);
	free(text);
	free(src);
	cJSON_Delete(gold);
	cJSON_Delete(verdict);
	return path;
}

Test(gate, candidate_differing_only_by_noise_passes)
{
	char *dir = support_tmpdir("gate-noise");
	char *r1 = regrade(dir, "r1", "deepseek-r1", NULL, NULL);
	int flips;
	char *replay = noisy_replay(dir, r1, &flips);
	cr_assert_eq(flips, 16 * NOISE_PER_TASK);
	char *noisy = regrade(dir, "noisy", "deepseek-r1", replay, NULL);

	/* The noise is real: the regraded candidate differs on (nearly) every flipped problem. */
	char *pa = path_join(r1, "results.json"), *pb = path_join(noisy, "results.json");
	cJSON *a = support_json_file(pa), *b = support_json_file(pb);
	double moved = 0, max_drop = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(a, "tasks"))
	{
		double d = support_metric(b, t->string, "avg@1") - support_metric(a, t->string, "avg@1");
		moved += d < 0 ? -d : d;
		max_drop = -d > max_drop ? -d : max_drop;
	}
	cr_assert_gt(moved, 0.5, "the noisy candidate hardly differs (sum of |changes| %g)", moved);
	cr_assert_gt(max_drop, 0.01, "some task must drop by more than the 1-point tolerance");

	struct proc_result r = gate(r1, noisy, NULL);
	cr_assert_eq(r.status, 0, "noise failed the gate:\n%s%s", r.out.buf, r.err.buf);
	cr_assert(strstr(r.out.buf, "drop not significant"), "%s", r.out.buf);
	proc_result_release(&r);
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(pa);
	free(pb);
	free(replay);
	free(noisy);
	free(r1);
	free(dir);
}

/* ---- Refusals ---- */

Test(gate, incomplete_candidate_exits_2)
{
	char *dir = support_tmpdir("gate-incomplete");
	char *r1 = regrade(dir, "r1", "deepseek-r1", NULL, NULL);
	char *cand = regrade(dir, "cand", "deepseek-r1", NULL, NULL);
	/* Lose the last 30 journal lines, as a killed run would, and rebuild its results. */
	char *journal = path_join(cand, "samples.jsonl");
	char *text = regrade_slurp(journal);
	size_t len = strlen(text);
	for (int cut = 0; cut < 30 && len; cut++) {
		len--;
		while (len && text[len - 1] != '\n')
			len--;
	}
	text[len] = '\0';
	cr_assert_eq(support_write(journal, text), 0);
	const char *grade_args[] = {"grade", cand, NULL};
	struct proc_result g;
	support_reval(&g, grade_args);
	cr_assert_eq(g.status, 0, "%s", g.err.buf);
	struct proc_result r = gate(r1, cand, NULL);
	cr_assert_eq(r.status, 2, "%s%s", r.out.buf, r.err.buf);
	cr_assert(strstr(r.err.buf, "candidate run") && strstr(r.err.buf, "is incomplete") &&
			  strstr(r.err.buf, "samples missing"),
		  "%s", r.err.buf);
	cr_assert_eq(r.out.len, 0, "nothing on stdout when refusing: %s", r.out.buf);
	proc_result_release(&g);
	proc_result_release(&r);
	free(text);
	free(journal);
	free(cand);
	free(r1);
	free(dir);
}

Test(gate, other_sampling_exits_2_unless_forced)
{
	char *dir = support_tmpdir("gate-sampling");
	char *r1 = regrade(dir, "r1", "deepseek-r1", NULL, NULL);
	const char *hot[] = {"--temperature", "1.0", NULL};
	char *cand = regrade(dir, "hot", "deepseek-r1", NULL, hot);
	struct proc_result r = gate(r1, cand, NULL);
	cr_assert_eq(r.status, 2, "%s%s", r.out.buf, r.err.buf);
	cr_assert(strstr(r.err.buf, "refusing to compare") && strstr(r.err.buf, "sampling.temperature differs"),
		  "%s", r.err.buf);
	const char *force[] = {"--force", NULL};
	struct proc_result f = gate(r1, cand, force);
	cr_assert_eq(f.status, 0, "%s%s", f.out.buf, f.err.buf);
	cr_assert(strstr(f.out.buf, "compared despite differences"), "%s", f.out.buf);
	proc_result_release(&r);
	proc_result_release(&f);
	free(cand);
	free(r1);
	free(dir);
}

Test(gate, other_tasks_exit_2_and_task_selects)
{
	char *dir = support_tmpdir("gate-tasks");
	char *r1 = regrade(dir, "r1", "deepseek-r1", NULL, NULL);
	char *data = support_path("datasets");
	char *engine = xasprintf("replay:%s", regrade_replay("deepseek-r1"));
	char *few = path_join(dir, "few");
	const char *args[] = {"run", "--task", "rg/aiw,rg/gcd", "--engine", engine, "--model",
			      "deepseek/deepseek-r1", "--n", "1", "--data-dir", data, "--out", few,
			      NULL};
	struct proc_result run;
	support_reval(&run, args);
	cr_assert_eq(run.status, 0, "%s", run.err.buf);
	struct proc_result r = gate(r1, few, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "different tasks: 14 only in the baseline"), "%s", r.err.buf);
	const char *sel[] = {"--task", "rg/aiw,rg/gcd", NULL};
	struct proc_result s = gate(r1, few, sel);
	cr_assert_eq(s.status, 0, "%s%s", s.out.buf, s.err.buf);
	cr_assert(strstr(s.out.buf, "pass (2 tasks)"), "%s", s.out.buf);
	const char *missing[] = {"--task", "rg/lcm", NULL};
	struct proc_result m = gate(r1, few, missing);
	cr_assert_eq(m.status, 2);
	cr_assert(strstr(m.err.buf, "task 'rg/lcm' is not in the candidate run"), "%s", m.err.buf);
	proc_result_release(&run);
	proc_result_release(&r);
	proc_result_release(&s);
	proc_result_release(&m);
	free(few);
	free(engine);
	free(data);
	free(r1);
	free(dir);
}

Test(gate, floors_and_infrastructure_errors_fail)
{
	char *dir = support_tmpdir("gate-floor");
	char *r1 = regrade(dir, "r1", "deepseek-r1", NULL, NULL);
	const char *floor[] = {"--min", "rg/products:avg@1=30%", NULL};
	struct proc_result f = gate(r1, r1, floor);
	cr_assert_eq(f.status, 1, "%s%s", f.out.buf, f.err.buf);
	cr_assert(row_failed(f.out.buf, "rg/products"));
	cr_assert(strstr(f.out.buf, "avg@1 26.0% under the floor 30.0%"), "%s", f.out.buf);
	cr_assert(strstr(f.out.buf, "1 of 16 tasks failed"), "%s", f.out.buf);
	/* Missing a floor is said as such, not as a regression (the run is its own baseline). */
	cr_assert_null(strstr(f.err.buf, "regressed"), "%s", f.err.buf);
	cr_assert(strstr(f.err.buf, "1 missed a --min floor"), "%s", f.err.buf);

	/* A replay without some of R1's samples: those become infrastructure errors. */
	char *src = regrade_replay("deepseek-r1");
	char *text = regrade_slurp(src);
	struct strbuf kept = STRBUF_INIT;
	int i = 0;
	for (char *cur = text, *line; (line = regrade_next_line(&cur)); i++)
		if (!(strstr(line, "\"rg/gcd\"") && i % 10 == 0))
			strbuf_addf(&kept, "%s\n", line);
	char *partial = path_join(dir, "partial.jsonl");
	cr_assert_eq(support_write(partial, kept.buf), 0);
	char *cand = regrade(dir, "infra", "deepseek-r1", partial, NULL);
	const char *gcd[] = {"--task", "rg/gcd", NULL};
	struct proc_result g = gate(r1, cand, gcd);
	cr_assert_eq(g.status, 1, "%s%s", g.out.buf, g.err.buf);
	cr_assert(strstr(g.out.buf, "infrastructure errors 10.00% of samples"), "%s", g.out.buf);
	const char *allowed[] = {"--task", "rg/gcd", "--max-infra-errors", "0.2", NULL};
	struct proc_result a = gate(r1, cand, allowed);
	cr_assert_eq(a.status, 0, "%s%s", a.out.buf, a.err.buf);

	const char *bad[] = {"--min", "nonsense", NULL};
	struct proc_result u = gate(r1, r1, bad);
	cr_assert_eq(u.status, 2);
	proc_result_release(&f);
	proc_result_release(&g);
	proc_result_release(&a);
	proc_result_release(&u);
	strbuf_release(&kept);
	free(partial);
	free(cand);
	free(text);
	free(src);
	free(r1);
	free(dir);
}

Test(gate, usage_errors_exit_2)
{
	const char *no_cand[] = {"gate", "--baseline", "/nonexistent", NULL};
	struct proc_result r;
	support_reval(&r, no_cand);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "needs --baseline DIR and --candidate DIR"), "%s", r.err.buf);
	proc_result_release(&r);
	const char *missing[] = {"gate", "--baseline", "/nonexistent/a", "--candidate",
				 "/nonexistent/b", NULL};
	support_reval(&r, missing);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "/nonexistent/a"), "%s", r.err.buf);
	proc_result_release(&r);
}

/* Returns the row of task in the Markdown table (caller frees). */
static char *row_of(const char *table, const char *task)
{
	char *key = xasprintf("| %s |", task);
	const char *row = strstr(table, key);
	free(key);
	cr_assert_not_null(row, "no row for %s in:\n%s", task, table);
	return xstrndup(row, strcspn(row, "\n"));
}

Test(gate, per_task_tolerances)
{
	char *dir = support_tmpdir("gate-drop");
	char *r1 = regrade(dir, "r1", "deepseek-r1", NULL, NULL);
	char *qwq = regrade(dir, "qwq", "qwq-32b", NULL, NULL);
	char *xml = path_join(dir, "gate.xml");

	/* rg/products drops 20 points: tolerated for it alone, the others still fail. */
	const char *one[] = {"--max-drop", "rg/products:25", "--junit", xml, NULL};
	struct proc_result a = gate(r1, qwq, one);
	cr_assert_eq(a.status, 1, "%s%s", a.out.buf, a.err.buf);
	cr_assert_not(row_failed(a.out.buf, "rg/products"), "%s", a.out.buf);
	cr_assert(row_failed(a.out.buf, "rg/count_bits") && row_failed(a.out.buf, "rg/lcm"));
	char *row = row_of(a.out.buf, "rg/products");
	cr_assert(strstr(row, "pass (drop not significant") == NULL && strstr(row, "| pass |"),
		  "%s", row);
	free(row);
	cr_assert(strstr(a.out.buf, "more than 1.0 points (rg/products: 25.0) and"), "%s",
		  a.out.buf);
	char *cases = junit_check(xml);
	cr_assert_str_eq(cases, "16 rg/count_bits,rg/lcm");
	free(cases);
	char *x = regrade_slurp(xml);
	cr_assert(strstr(x, "<property name=\"max_drop_points:rg/products\" value=\"25\"/>"), "%s",
		  x);
	cr_assert(strstr(x, "tolerated drop 25.0 pts"), "%s", x);
	free(x);

	/* A default for every task, and a tighter one for one task, in either order. */
	const char *both[] = {"--max-drop", "rg/lcm:0", "--max-drop", "50", NULL};
	struct proc_result b = gate(r1, qwq, both);
	cr_assert_eq(b.status, 1, "%s%s", b.out.buf, b.err.buf);
	cr_assert(strstr(b.out.buf, "(1 of 16 tasks failed)"), "%s", b.out.buf);
	cr_assert(row_failed(b.out.buf, "rg/lcm"));
	row = row_of(b.out.buf, "rg/lcm");
	cr_assert(strstr(row, "(tolerance 0.0)"), "%s", row);
	free(row);

	/* Bad values, a task that is not gated, a task or the default given twice. */
	const char *const *bad[] = {
		(const char *[]){"--max-drop", "rg/lcm:", NULL},
		(const char *[]){"--max-drop", ":3", NULL},
		(const char *[]){"--max-drop", "101", NULL},
		(const char *[]){"--max-drop", "-1", NULL},
		(const char *[]){"--max-drop", "aime24:3", NULL},
		(const char *[]){"--max-drop", "rg/lcm:3", "--max-drop", "rg/lcm:4", NULL},
		(const char *[]){"--max-drop", "2", "--max-drop", "3", NULL},
	};
	const char *says[] = {"wants [TASK:]POINTS", "wants [TASK:]POINTS", "wants [TASK:]POINTS",
			      "wants [TASK:]POINTS", "aime24:3 applies to no gated task",
			      "names task 'rg/lcm' twice", "without a task is given twice"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct proc_result u = gate(r1, qwq, bad[i]);
		cr_assert_eq(u.status, 2, "case %zu: %s%s", i, u.out.buf, u.err.buf);
		cr_assert(strstr(u.err.buf, says[i]), "case %zu: %s", i, u.err.buf);
		cr_assert_eq(u.out.len, 0, "case %zu printed a table", i);
		proc_result_release(&u);
	}
	proc_result_release(&a);
	proc_result_release(&b);
	free(xml);
	free(r1);
	free(qwq);
	free(dir);
}
