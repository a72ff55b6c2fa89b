/*
 * results.json, problems.jsonl and results.csv through the binary, on a
 * replayed toy run crafted so that every figure can be worked out by hand:
 * equivalent answers written differently, silent samples, a tie, a
 * truncated sample, server-reported and missing token counts, latencies,
 * an infrastructure error and prices.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "tests/support/support.h"

/*
 * p00 (gold 0): "0" "5" "5" "  0" " 0 " "" -- three spellings of 0 outvote
 * two 5s (a raw-string vote would pick "5"); the empty answer does not vote.
 * p01 (gold 2): "7" "2" "7" "2" "" and a transport failure -- 2 against 2,
 * 7 voted first and wins the tie.
 */
static const char *const p00[] = {"0", "5", "5", "  0", " 0 ", ""};
static const char *const p01[] = {"7", "2", "7", "2", "", NULL};

static char *write_replay(const char *dir)
{
	char *path = path_join(dir, "replay.jsonl");
	struct strbuf sb = STRBUF_INIT;
	for (int s = 0; s < 6; s++)
		strbuf_addf(&sb,
			    "{\"task\":\"toy\",\"problem\":\"p00\",\"sample\":%d,\"content\":\"%s\","
			    "\"finish_reason\":\"stop\",\"latency_ms\":%d,"
			    "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":%d}}\n",
			    s, p00[s], 1000 * (s + 1), 10 * (s + 1));
	for (int s = 0; s < 6; s++) {
		if (!p01[s]) {
			strbuf_addf(&sb,
				    "{\"task\":\"toy\",\"problem\":\"p01\",\"sample\":%d,\"content\":\"\","
				    "\"error\":{\"kind\":\"http_500\",\"message\":\"boom\"}}\n",
				    s);
			continue;
		}
		/* No usage: tokens are approximated from 8 characters of content. */
		strbuf_addf(&sb,
			    "{\"task\":\"toy\",\"problem\":\"p01\",\"sample\":%d,\"content\":\"%s       \","
			    "\"finish_reason\":\"%s\"}\n",
			    s, p01[s], s == 4 ? "length" : "stop");
	}
	cr_assert_eq(support_write(path, sb.buf), 0);
	strbuf_release(&sb);
	return path;
}

static const cJSON *get(const cJSON *o, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf, *dot; o && p; p = dot ? dot + 1 : NULL) {
		dot = strchr(p, '.');
		if (dot)
			*dot = 0;
		o = cJSON_GetObjectItemCaseSensitive(o, p);
	}
	cr_assert_not_null(o, "no %s", path);
	return o;
}

static double num(const cJSON *o, const char *path)
{
	const cJSON *v = get(o, path);
	cr_assert(cJSON_IsNumber(v), "%s is not a number", path);
	return v->valuedouble;
}

static void run_crafted(const char *dir, const char *out)
{
	char *replay = write_replay(dir);
	char *data = support_path("tests/data/toy");
	char *engine = xasprintf("replay:%s", replay);
	const char *args[] = {"run", "--task", "toy", "--data-dir", data, "--engine", engine,
			      "--out", out, "--n", "6", "--limit", "2", "--price-input", "2",
			      "--price-output", "10", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 3, "the crafted http_500 sample makes the exit status 3: %s", r.err.buf);
	proc_result_release(&r);
	free(engine);
	free(data);
	free(replay);
}

Test(results, crafted_run_figures_by_hand)
{
	char *dir = support_tmpdir("results");
	char *out = path_join(dir, "run");
	run_crafted(dir, out);

	char *rp = path_join(out, "results.json");
	cJSON *res = support_json_file(rp);
	cr_assert_not_null(res);
	cr_assert_str_eq(get(res, "schema")->valuestring, "reval.results/2");
	const cJSON *t = get(res, "tasks.toy");
	/* p00: 3 of 6 right; p01: 2 of 5 graded right (the failure is excluded). */
	cr_assert_float_eq(num(t, "metrics.avg@6.value"), (3.0 / 6 + 2.0 / 5) / 2, 1e-12);
	cr_assert_eq(num(t, "counts.infra_error"), 1);
	/* No grader here gives verdicts. */
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(t, "verdicts"));
	/* The empty answer of p00; the truncated one of p01 counts as truncated instead. */
	cr_assert_eq(num(t, "counts.no_answer"), 1);
	cr_assert_eq(num(t, "counts.truncated"), 1);
	/* pass@4 needs 4 graded samples: both qualify.  1 - C(3,4)/C(6,4) = 1; 1 - C(3,4)/C(5,4) = 1 */
	cr_assert_float_eq(num(t, "metrics.pass@4.value"), 1.0, 1e-12);
	/* se of avg@6 over two problems: |0.5 - 0.4| / 2 */
	cr_assert_float_eq(num(t, "metrics.avg@6.se"), 0.05, 1e-12);
	/* Curves start at avg (pass@1 = cons@1 = mean correctness when every class is one sample). */
	cr_assert_float_eq(cJSON_GetArrayItem(get(t, "curves.pass"), 0)->valuedouble,
			   num(t, "metrics.avg@6.value"), 1e-12);
	cr_assert_float_eq(cJSON_GetArrayItem(get(t, "curves.cons"), 0)->valuedouble,
			   num(t, "metrics.avg@6.value"), 1e-12);
	cr_assert_eq(cJSON_GetArraySize(get(t, "curves.k")), 6);
	/* Generation: p00 reports 10..60 tokens, p01 has 4 samples of 8 chars -> 2 tokens each
	 * (and the empty truncated one, 7 chars -> 2). */
	cr_assert_float_eq(num(t, "generation.completion_tokens.total"), 210 + 5 * 2, 1e-9);
	cr_assert_eq(num(t, "generation.completion_tokens.approx"), 5);
	cr_assert_eq(num(t, "generation.completion_tokens.max"), 60);
	cr_assert_eq(num(t, "generation.truncation.count"), 1);
	cr_assert_float_eq(num(t, "generation.truncation.rate"), 1.0 / 11, 1e-12);
	cr_assert_float_eq(num(t, "generation.truncation.accuracy_non_truncated"), 5.0 / 10, 1e-12);
	/* Latency: 1000..6000 on six samples, the rest unknown. Nearest rank p50 = 3000. */
	cr_assert_eq(num(t, "generation.latency_ms.samples"), 6);
	cr_assert_eq(num(t, "generation.latency_ms.p50"), 3000);
	cr_assert_eq(num(t, "generation.latency_ms.p99"), 6000);
	cr_assert_eq(num(t, "generation.infra.by_kind.http_500"), 1);
	/* Cost: 600 prompt tokens at $2/M, 220 completion tokens at $10/M. */
	cr_assert_float_eq(num(t, "generation.cost_usd.total"), 600 * 2e-6 + 220 * 10e-6, 1e-12);

	/* Votes over equivalence classes. */
	char *pp = path_join(out, "problems.jsonl");
	FILE *f = fopen(pp, "r");
	cr_assert_not_null(f);
	char line[4096];
	int lines = 0;
	while (fgets(line, sizeof(line), f)) {
		cJSON *o = cJSON_Parse(line);
		cr_assert_not_null(o);
		const char *id = get(o, "problem")->valuestring;
		if (!strcmp(id, "p00")) {
			cr_assert_str_eq(get(o, "majority.answer")->valuestring, "0");
			cr_assert(cJSON_IsTrue(get(o, "majority.correct")));
			cr_assert_eq(num(o, "majority.votes"), 3);
			cr_assert_eq(num(o, "majority.voters"), 5);
			cr_assert_float_eq(num(o, "majority.share"), 0.5, 1e-12);
			cr_assert_eq(num(o, "n"), 6);
			cr_assert_eq(num(o, "c"), 3);
		} else {
			cr_assert_str_eq(get(o, "majority.answer")->valuestring, "7");
			cr_assert(cJSON_IsFalse(get(o, "majority.correct")));
			cr_assert_eq(num(o, "n"), 5);
			cr_assert_eq(num(o, "infra"), 1);
			cr_assert_float_eq(num(o, "metrics.avg@6"), 0.4, 1e-12);
		}
		lines++;
		cJSON_Delete(o);
	}
	fclose(f);
	cr_assert_eq(lines, 2);
	/* cons@4 over subsets of p00 {A,B,B,A,A,-}: A needs more of its 3 than B of its 2;
	 * ties go to A (first vote).  Count the 15 subsets of 4 by hand: the silent sample in
	 * (10 subsets: 3 of the 5 voters) A wins when A >= B: AAA 1 + AAB 6 = 7 of 10; without
	 * it (5 subsets: 4 voters) AAAB 2, AABB 3 -> A always (ties to A): 5 of 5.  12/15.
	 * p01 has only 5 graded samples: {7,2,7,2,-} with 7 first.  Subsets of 4 (5): the silent
	 * one out: 7722 tie -> 7 (wrong); silent in (4 subsets of 3 voters): 2 wins with 2-1:
	 * 722 x2 -> right, 772 x2 -> wrong.  2/5. */
	cr_assert_float_eq(num(t, "metrics.cons@4.value"), (12.0 / 15 + 2.0 / 5) / 2, 1e-12);
	cr_assert_str_eq(get(t, "metrics.cons@4.method")->valuestring, "exact");

	char *cp = path_join(out, "results.csv");
	/* avg@6, pass@1 pass@2 pass@4 pass@6, cons@4 cons@6 */
	cr_assert_eq(support_count_lines(cp), 1 + 7);
	/* cons@6 is the plain vote, and p01 with 5 graded samples cannot take part. */
	cr_assert_eq(num(t, "metrics.cons@6.problems"), 1);
	cr_assert_float_eq(num(t, "metrics.cons@6.value"), 1.0, 1e-12);
	cr_assert_str_eq(get(t, "metrics.cons@6.method")->valuestring, "plain");
	cJSON_Delete(res);
	free(cp);
	free(pp);
	free(rp);
	free(out);
	free(dir);
}

/* A new run directory holding a copy of a run's config.json. */
static void copy_config(const char *from, const char *to)
{
	cr_assert_eq(mkdir_p(to), 0);
	char *src = path_join(from, "config.json"), *dst = path_join(to, "config.json"), *text;
	size_t len;
	cr_assert_eq(read_file(src, 1 << 20, &text, &len), 0);
	cr_assert_eq(support_write(dst, text), 0);
	free(text);
	free(src);
	free(dst);
}

/* A line for the same sample with other figures and another answer (a failure stays one). */
static void add_variant(struct strbuf *sb, const char *line)
{
	cJSON *o = cJSON_Parse(line);
	cr_assert_not_null(o);
	cJSON_ReplaceItemInObject(o, "content", cJSON_CreateString("9"));
	cJSON_ReplaceItemInObject(o, "latency_ms", cJSON_CreateNumber(99999.5));
	cJSON_ReplaceItemInObject(o, "ttft_ms", cJSON_CreateNumber(77.7));
	cJSON_ReplaceItemInObject(o, "finish_reason", cJSON_CreateString("length"));
	cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "usage");
	cJSON_ReplaceItemInObject(u, "completion_tokens", cJSON_CreateNumber(12345));
	cJSON_ReplaceItemInObject(u, "prompt_tokens", cJSON_CreateNumber(1));
	char *text = cJSON_PrintUnformatted(o);
	strbuf_adds(sb, text);
	strbuf_addch(sb, '\n');
	free(text);
	cJSON_Delete(o);
}

static cJSON *task_part(const char *dir, const char *part)
{
	char *p = path_join(dir, "results.json");
	cJSON *doc = support_json_file(p);
	free(p);
	cr_assert_not_null(doc);
	cJSON *t = cJSON_DetachItemFromObject(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "tasks"), "toy"),
		part);
	cJSON_Delete(doc);
	cr_assert_not_null(t, "no %s", part);
	return t;
}

static char *problems_text(const char *dir)
{
	char *p = path_join(dir, "problems.jsonl"), *text;
	size_t len;
	cr_assert_eq(read_file(p, 1 << 20, &text, &len), 0);
	free(p);
	return text;
}

/*
 * Earlier lines for a sample (other answers, tokens, latencies, a failure)
 * followed by its final line: every figure, generation statistics and
 * per-problem means included, is the one of the final lines alone.
 */
Test(results, superseded_lines_count_once_in_their_final_state)
{
	char *dir = support_tmpdir("superseded");
	char *once = path_join(dir, "once"), *twice = path_join(dir, "twice");
	run_crafted(dir, once);
	copy_config(once, twice);
	char *src = path_join(once, "samples.jsonl"), *dst, *text;
	size_t len;
	cr_assert_eq(read_file(src, 1 << 20, &text, &len), 0);
	struct strbuf sb = STRBUF_INIT;
	/* Variants of every line first, then a failure for p00 sample 1, then the real lines. */
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = 0;
		add_variant(&sb, line);
		*nl = '\n';
	}
	strbuf_adds(&sb, "{\"task\":\"toy\",\"problem\":\"p00\",\"sample\":1,\"content\":\"\","
			 "\"error\":{\"kind\":\"timeout\",\"message\":\"late\"}}\n");
	strbuf_adds(&sb, text);
	/* A failure after a graded line does not replace it. */
	strbuf_adds(&sb, "{\"task\":\"toy\",\"problem\":\"p00\",\"sample\":2,\"content\":\"\","
			 "\"error\":{\"kind\":\"timeout\",\"message\":\"late\"}}\n");
	dst = path_join(twice, "samples.jsonl");
	cr_assert_eq(support_write(dst, sb.buf), 0);
	strbuf_release(&sb);
	free(text);
	free(src);
	free(dst);

	const char *args[] = {"grade", twice, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	const char *parts[] = {"generation", "metrics", "counts", "infra_errors"};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		cJSON *a = task_part(once, parts[i]), *b = task_part(twice, parts[i]);
		char *ta = cJSON_PrintUnformatted(a), *tb = cJSON_PrintUnformatted(b);
		cr_assert_str_eq(tb, ta, "%s differs", parts[i]);
		free(ta);
		free(tb);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
	char *pa = problems_text(once), *pb = problems_text(twice);
	cr_assert_str_eq(pb, pa);
	free(pa);
	free(pb);
	free(once);
	free(twice);
	free(dir);
}

/* The drill-down data of the first task in a report page (caller frees). */
static char *drill_data(const char *html)
{
	char *page;
	size_t len;
	cr_assert_eq(read_file(html, 1 << 26, &page, &len), 0);
	const char *from = strstr(page, "id=\"dd0\"");
	cr_assert_not_null(from, "no drill-down data in %s", html);
	const char *to = strstr(from, "</script>");
	cr_assert_not_null(to);
	char *data = xstrndup(from, (size_t)(to - from));
	free(page);
	return data;
}

/*
 * The failing samples a report shows of a problem (two by default) are the
 * ones with the lowest sample numbers, whatever order the journal holds them
 * in: the samples of a run finish in an order no one chose, and the same
 * samples must make the same report.  Here each problem has three wrong
 * samples, and the journal comes once as written and once backwards.
 */
Test(results, the_failures_shown_do_not_depend_on_the_order_samples_finished)
{
	char *dir = support_tmpdir("failorder");
	char *a = path_join(dir, "a/run"), *b = path_join(dir, "b/run");
	run_crafted(dir, a);
	copy_config(a, b);
	char *src = path_join(a, "samples.jsonl"), *dst = path_join(b, "samples.jsonl"), *text;
	size_t len;
	cr_assert_eq(read_file(src, 1 << 20, &text, &len), 0);
	struct strbuf sb = STRBUF_INIT;
	for (char *end = text + len; end > text;) {
		char *line = end - 1;
		while (line > text && line[-1] != '\n')
			line--;
		strbuf_add(&sb, line, (size_t)(end - line));
		end = line;
	}
	cr_assert_eq(support_write(dst, sb.buf), 0);
	const char *grade[] = {"grade", b, NULL};
	struct proc_result g;
	support_reval(&g, grade);
	cr_assert_eq(g.status, 0, "%s", g.err.buf);
	proc_result_release(&g);
	char *pages[2];
	char *const runs[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		char *html = xasprintf("%s/%c.html", dir, 'a' + i);
		const char *args[] = {"report", runs[i], "--html", html, NULL};
		struct proc_result r;
		support_reval(&r, args);
		cr_assert_eq(r.status, 0, "%s", r.err.buf);
		proc_result_release(&r);
		pages[i] = drill_data(html);
		free(html);
	}
	/* p00's wrong samples are 1, 2 and 5; p01's 0, 2 and 4. */
	cr_assert(strstr(pages[0], "\"0-0\":{\"s\":[{\"i\":1,") &&
			  strstr(pages[0], "},{\"i\":2,") &&
			  strstr(pages[0], "\"0-1\":{\"s\":[{\"i\":0,"),
		  "not the lowest-numbered failures: %s", pages[0]);
	cr_assert_str_eq(pages[1], pages[0], "a journal written backwards shows other failures");
	for (int i = 0; i < 2; i++)
		free(pages[i]);
	strbuf_release(&sb);
	free(text);
	free(src);
	free(dst);
	free(a);
	free(b);
	free(dir);
}

/* Copy a run's config.json and its journal, each line passed through fn. */
static void copy_run(const char *from, const char *to, void (*fn)(cJSON *line))
{
	copy_config(from, to);
	char *src = path_join(from, "samples.jsonl"), *dst, *text;
	size_t len;
	cr_assert_eq(read_file(src, 1 << 20, &text, &len), 0);
	struct strbuf sb = STRBUF_INIT;
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = 0;
		cJSON *o = cJSON_Parse(line);
		cr_assert_not_null(o);
		fn(o);
		char *out = cJSON_PrintUnformatted(o);
		strbuf_adds(&sb, out);
		strbuf_addch(&sb, '\n');
		free(out);
		cJSON_Delete(o);
	}
	dst = path_join(to, "samples.jsonl");
	cr_assert_eq(support_write(dst, sb.buf), 0);
	strbuf_release(&sb);
	free(text);
	free(src);
	free(dst);
}

/* Partial credit on p00: sample 1 (wrong) scores 0.5, sample 3 (right) 0.25. */
static void partial_credit(cJSON *line)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(line, "problem");
	int s = cJSON_GetObjectItemCaseSensitive(line, "sample")->valueint;
	cJSON *g = cJSON_GetObjectItemCaseSensitive(line, "grade");
	if (strcmp(p->valuestring, "p00") || (s != 1 && s != 3))
		return;
	cJSON_ReplaceItemInObject(g, "score", cJSON_CreateNumber(s == 1 ? 0.5 : 0.25));
}

/* Scores other than 0 and 1 are kept per sample and enter avg@n as they are. */
Test(results, partial_scores_are_exact)
{
	char *dir = support_tmpdir("partial");
	char *once = path_join(dir, "once"), *partial = path_join(dir, "partial");
	run_crafted(dir, once);
	copy_run(once, partial, partial_credit);
	/* Resuming retries only the failed sample; the scores come from the journal. */
	run_crafted(dir, partial);
	char *rp = path_join(partial, "results.json");
	cJSON *res = support_json_file(rp);
	cr_assert_not_null(res);
	const cJSON *t = get(res, "tasks.toy");
	/* p00: 1 + 0.5 + 0 + 0.25 + 1 + 0 over 6; p01: 2 of 5. */
	cr_assert_float_eq(num(t, "metrics.avg@6.value"), (2.75 / 6 + 2.0 / 5) / 2, 1e-12);
	/* Correctness is untouched: pass@1 still counts 3 of 6 and 2 of 5. */
	cr_assert_float_eq(num(t, "metrics.pass@1.value"), (3.0 / 6 + 2.0 / 5) / 2, 1e-12);
	cJSON_Delete(res);
	free(rp);
	free(once);
	free(partial);
	free(dir);
}

/* A scripted model for HumanEval: by sample index mod 4, the canonical
 * solution, `return None`, no code at all, and a body that raises. */
static const char he_engine[] =
	"import json, sys\n"
	"req = json.load(sys.stdin)\n"
	"r = next(r for r in map(json.loads, open(sys.argv[1])) if r['task_id'] == req['problem'])\n"
	"k = req['sample'] % 4\n"
	"if k == 2:\n"
	"    print('I cannot solve this.')\n"
	"    sys.exit(0)\n"
	"body = [r['canonical_solution'], '    return None\\n', '', '    raise ValueError(1)\\n'][k]\n"
	"print('```python\\n' + r['prompt'] + body + '\\n```')\n";

static cJSON *verdicts_of(const char *run)
{
	char *p = path_join(run, "results.json");
	cJSON *doc = support_json_file(p);
	free(p);
	cr_assert_not_null(doc);
	cJSON *v = cJSON_DetachItemFromObject(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "tasks"),
						 "humaneval"),
		"verdicts");
	cJSON_Delete(doc);
	cr_assert_not_null(v, "no verdicts in %s", run);
	return v;
}

/*
 * The code grader's verdicts reach results.json and the HTML report, counted
 * over final states: a later line for a sample replaces its verdict.
 */
Test(results, code_verdicts_are_counted_in_their_final_state, .timeout = 300)
{
	char *dir = support_tmpdir("verdicts");
	char *script = path_join(dir, "engine.py"), *run = path_join(dir, "run");
	cr_assert_eq(support_write(script, he_engine), 0);
	char *he = support_path("datasets/humaneval/HumanEval.jsonl");
	char *engine = xasprintf("exec:python3 %s %s", script, he);
	const char *args[] = {"run", "--task", "humaneval", "--limit", "3", "--n", "4",
			      "--engine", engine, "--out", run, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cJSON *v = verdicts_of(run);
	char *text = cJSON_PrintUnformatted(v);
	cr_assert_str_eq(text,
			 "{\"no_code\":3,\"pass\":3,\"runtime_error\":3,\"wrong_answer\":3}");
	free(text);
	cJSON_Delete(v);

	/* A later line for HumanEval/0's sample 0 says timeout: it replaces the pass. */
	char *jpath = path_join(run, "samples.jsonl"), *journal;
	size_t len;
	cr_assert_eq(read_file(jpath, 1 << 24, &journal, &len), 0);
	const char *line = strstr(journal, "\"problem\":\"HumanEval/0\",\"sample\":0,");
	cr_assert_not_null(line, "%s", journal);
	while (line > journal && line[-1] != '\n')
		line--;
	cJSON *o = cJSON_ParseWithLength(line, strcspn(line, "\n"));
	cr_assert_not_null(o);
	cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "grade");
	cJSON_ReplaceItemInObject(g, "correct", cJSON_CreateFalse());
	cJSON_ReplaceItemInObject(g, "score", cJSON_CreateNumber(0));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(g, "detail"), "verdict",
				  cJSON_CreateString("timeout"));
	char *later = cJSON_PrintUnformatted(o);
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, journal, len);
	strbuf_adds(&sb, later);
	strbuf_addch(&sb, '\n');
	cr_assert_eq(support_write(jpath, sb.buf), 0);
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	v = verdicts_of(run);
	text = cJSON_PrintUnformatted(v);
	cr_assert_str_eq(text, "{\"no_code\":3,\"pass\":2,\"runtime_error\":3,\"timeout\":1,"
			       "\"wrong_answer\":3}");
	free(text);
	cJSON_Delete(v);

	char *html = path_join(dir, "report.html");
	const char *rargs[] = {"report", run, "--html", html, NULL};
	support_reval(&r, rargs);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	char *page;
	cr_assert_eq(read_file(html, 1 << 26, &page, &len), 0);
	const char *table = strstr(page, "<h3>Verdicts, % of graded samples</h3>");
	cr_assert_not_null(table);
	cr_assert(strstr(table, "<th data-sort=\"num\">pass</th><th data-sort=\"num\">no_code</th>"),
		  "pass comes first, then by name");
	cr_assert(strstr(table, "<th data-sort=\"num\">timeout</th>"));
	free(page);
	free(html);
	free(later);
	cJSON_Delete(o);
	strbuf_release(&sb);
	free(journal);
	free(jpath);
	free(engine);
	free(he);
	free(run);
	free(script);
	free(dir);
}

/*
 * Code answers are never voted on: cons@k is absent (not 0) from
 * results.json's metrics and curves, from results.csv and from the report's
 * CSV, and the HTML draws no cons@k chart -- while pass@k is all there.
 */
Test(results, code_tasks_have_no_cons_at_k, .timeout = 300)
{
	char *dir = support_tmpdir("nocons");
	char *script = path_join(dir, "engine.py"), *run = path_join(dir, "run");
	cr_assert_eq(support_write(script, he_engine), 0);
	char *he = support_path("datasets/humaneval/HumanEval.jsonl");
	char *engine = xasprintf("exec:python3 %s %s", script, he);
	const char *args[] = {"run", "--task", "humaneval", "--limit", "3", "--n", "4",
			      "--engine", engine, "--out", run, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	char *rp = path_join(run, "results.json");
	cJSON *doc = support_json_file(rp);
	cr_assert_not_null(doc);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "tasks"), "humaneval");
	const cJSON *m;
	int pass = 0;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t, "metrics"))
	{
		cr_expect(strncmp(m->string, "cons@", 5), "results.json has %s", m->string);
		pass += !strncmp(m->string, "pass@", 5);
	}
	cr_expect_gt(pass, 0);
	const cJSON *curves = cJSON_GetObjectItemCaseSensitive(t, "curves");
	cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(curves, "pass"));
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(curves, "cons"), "a cons curve");
	char *csv_path = path_join(run, "results.csv"), *csv, *page;
	size_t len;
	cr_assert_eq(read_file(csv_path, 1 << 20, &csv, &len), 0);
	cr_expect_null(strstr(csv, "cons@"), "results.csv: %s", csv);
	cr_expect(strstr(csv, "pass@"), "results.csv: %s", csv);
	char *html = path_join(dir, "r.html");
	const char *rargs[] = {"report", run, "--html", html, "--csv", "-", NULL};
	support_reval(&r, rargs);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_expect_null(strstr(r.out.buf, "cons@"), "report CSV: %s", r.out.buf);
	proc_result_release(&r);
	cr_assert_eq(read_file(html, 1 << 26, &page, &len), 0);
	cr_expect(strstr(page, "<title>pass@k</title>"));
	cr_expect_null(strstr(page, "<title>cons@k"), "the HTML draws a cons@k chart");
	/* A wrong program's failing test is in its journal line and in the drill-down. */
	cr_expect(strstr(page, "failing test\\ntest: 0\\nverdict: wrong_answer\\nmessage:\\n"
			       "test.py:"),
		  "the drill-down does not show the failing test and its line");
	char *jpath = path_join(run, "samples.jsonl"), *journal;
	cr_assert_eq(read_file(jpath, 1 << 24, &journal, &len), 0);
	const char *wa = strstr(journal, "\"failing\":{\"test\":0,\"verdict\":\"wrong_answer\"");
	cr_expect_not_null(wa, "no failing test on a wrong_answer line");
	free(journal);
	free(jpath);
	free(page);
	free(html);
	free(csv);
	free(csv_path);
	cJSON_Delete(doc);
	free(rp);
	free(engine);
	free(he);
	free(run);
	free(script);
	free(dir);
}

/* Every sample line and every problem line says what the answer should have been. */
Test(results, gold_answer_on_every_sample_and_problem_line)
{
	char *dir = support_tmpdir("gold");
	char *run = path_join(dir, "run");
	char *data = support_path("tests/data/toy");
	char *replay = support_path("tests/data/toy/toy/replay.jsonl");
	char *engine = xasprintf("replay:%s", replay);
	const char *args[] = {"run", "--task", "toy", "--data-dir", data, "--engine", engine,
			      "--out", run, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	char *probs = support_path("tests/data/toy/toy/problems.jsonl");
	const char *files[] = {"samples.jsonl", "problems.jsonl"};
	for (size_t f = 0; f < 2; f++) {
		char *path = path_join(run, files[f]), *text;
		size_t len, lines = 0;
		cr_assert_eq(read_file(path, 1 << 24, &text, &len), 0);
		for (char *l = text, *nl; *l; l = nl + 1) {
			nl = strchr(l, '\n');
			cr_assert_not_null(nl);
			*nl = '\0';
			cJSON *o = cJSON_Parse(l);
			cr_assert_not_null(o, "%s: %s", files[f], l);
			const char *id = json_str(o, "problem"), *gold = json_str(o, "gold");
			cr_assert_not_null(gold, "%s: no gold answer: %s", files[f], l);
			/* p07's answer is 14: the gold is the task's answer for the problem. */
			long n = strtol(id + 1, NULL, 10);
			char want[16];
			snprintf(want, sizeof(want), "%ld", 2 * n);
			cr_expect_str_eq(gold, want, "%s: %s", files[f], l);
			cJSON_Delete(o);
			lines++;
		}
		cr_expect_eq(lines, f ? 12 : 48, "%s", files[f]);
		free(text);
		free(path);
	}
	free(probs);
	free(engine);
	free(replay);
	free(data);
	free(run);
	free(dir);
}
