/*
 * Run identity on resume: every setting that shapes a sample is checked
 * against config.json and against the fingerprint on each journal line,
 * and a refusal names the setting; the selection (tasks, n, limit, shard)
 * is the same or, with --extend, larger, and results.json covers exactly it.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "harness/base/sha256.h"
#include "tests/support/support.h"

#define TOY 12

static char *write_replay(const char *dir)
{
	char *path = path_join(dir, "replay.jsonl");
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < TOY; i++)
		for (int s = 0; s < 8; s++)
			strbuf_addf(&sb,
				    "{\"task\":\"toy\",\"problem\":\"p%02d\",\"sample\":%d,"
				    "\"content\":\"%d\",\"finish_reason\":\"stop\"}\n",
				    i, s, (i + s) % 3 ? 2 * i : 2 * i + 1);
	for (int i = 0; i < 5; i++)
		strbuf_addf(&sb,
			    "{\"task\":\"toy_choice\",\"problem\":\"%d\",\"sample\":0,"
			    "\"content\":\"(A)\",\"finish_reason\":\"stop\"}\n",
			    i);
	cr_assert(!support_write(path, sb.buf));
	strbuf_release(&sb);
	return path;
}

struct fixture {
	char *dir, *replay, *out, *data, *engine;
};

static void fixture_init(struct fixture *f, const char *tag)
{
	f->dir = support_tmpdir(tag);
	f->replay = write_replay(f->dir);
	f->out = path_join(f->dir, "run");
	f->data = support_path("tests/data/toy");
	f->engine = xasprintf("replay:%s", f->replay);
}

static void fixture_release(struct fixture *f)
{
	free(f->dir);
	free(f->replay);
	free(f->out);
	free(f->data);
	free(f->engine);
}

/* reval run on the fixture with up to 8 extra arguments. */
static struct proc_result run(const struct fixture *f, const char *const *extra)
{
	const char *args[32] = {"run", "--data-dir", f->data, "--engine", f->engine, "--out", f->out};
	size_t k = 7;
	for (size_t i = 0; extra[i]; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	return r;
}

#define RUN(f, ...) run(f, (const char *const[]){__VA_ARGS__, NULL})

static void expect_refused(struct proc_result r, const char *needle)
{
	cr_assert_eq(r.status, 2, "not refused: %s", r.err.buf);
	cr_assert(strstr(r.err.buf, needle), "the refusal does not name '%s': %s", needle, r.err.buf);
	cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "one line: %s", r.err.buf);
	proc_result_release(&r);
}

static void expect_ok(struct proc_result r)
{
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
}

static char *journal(const struct fixture *f)
{
	char *p = path_join(f->out, "samples.jsonl"), *text;
	cr_assert(!read_file(p, 1 << 24, &text, NULL));
	free(p);
	return text;
}

Test(run_identity, another_extra_body_is_refused_naming_it)
{
	struct fixture f;
	fixture_init(&f, "id-extra");
	expect_ok(RUN(&f, "--task", "toy", "--n", "2", "--extra-body", "{\"seed\":1}"));
	expect_refused(RUN(&f, "--task", "toy", "--n", "2", "--extra-body",
			   "{\"seed\":1,\"temperature\":1.5}"),
		       "extra_body");
	expect_refused(RUN(&f, "--task", "toy", "--n", "2"), "extra_body");
	fixture_release(&f);
}

Test(run_identity, without_config_json_the_journal_lines_still_refuse_other_settings)
{
	struct fixture f;
	fixture_init(&f, "id-noconfig");
	expect_ok(RUN(&f, "--task", "toy", "--n", "2"));
	char *cfg = path_join(f.out, "config.json");
	cr_assert(!unlink(cfg));
	expect_refused(RUN(&f, "--task", "toy", "--n", "2", "--temperature", "0.9"), "sampling");
	cr_assert(access(cfg, F_OK), "a refused resume wrote config.json");
	expect_refused(RUN(&f, "--task", "toy", "--n", "2", "--seed", "5"), "seed");
	cr_assert(access(cfg, F_OK), "a refused resume wrote config.json");
	expect_refused(RUN(&f, "--task", "toy", "--n", "2", "--extra-body", "{\"seed\":9}"),
		       "extra_body");
	cr_assert(access(cfg, F_OK), "a refused resume wrote config.json");
	expect_ok(RUN(&f, "--task", "toy", "--n", "2"));
	free(cfg);
	fixture_release(&f);
}

Test(run_identity, another_selection_is_refused_unless_extended_and_never_narrowed)
{
	struct fixture f;
	fixture_init(&f, "id-select");
	expect_ok(RUN(&f, "--task", "toy", "--n", "2", "--limit", "6"));
	char *before = journal(&f);
	expect_refused(RUN(&f, "--task", "toy", "--n", "4", "--limit", "6"), "--extend");
	expect_refused(RUN(&f, "--task", "toy", "--n", "1", "--limit", "6", "--extend"),
		       "n differs (was 2, now 1)");
	expect_refused(RUN(&f, "--task", "toy", "--n", "2", "--limit", "8"), "--limit differs");
	expect_refused(RUN(&f, "--task", "toy", "--n", "2", "--limit", "3", "--extend"),
		       "never narrowed");
	expect_refused(RUN(&f, "--task", "toy,toy_choice", "--n", "2", "--limit", "6"),
		       "task 'toy_choice' is not in the run");
	expect_refused(RUN(&f, "--task", "toy_choice", "--n", "2", "--limit", "6", "--extend"),
		       "task 'toy' of the run is not in --task");
	expect_refused(RUN(&f, "--task", "toy", "--n", "2", "--limit", "6", "--shard", "0/2"),
		       "--shard differs");
	char *unchanged = journal(&f);
	cr_assert_str_eq(before, unchanged, "a refused resume touched the journal");
	free(unchanged);
	free(before);
	fixture_release(&f);
}

Test(run_identity, extending_keeps_every_finished_sample_and_results_cover_the_selection)
{
	struct fixture f;
	fixture_init(&f, "id-extend");
	expect_ok(RUN(&f, "--task", "toy", "--n", "2", "--limit", "6"));
	char *before = journal(&f);
	struct proc_result r = RUN(&f, "--task", "toy,toy_choice", "--n", "4", "--limit", "10",
				   "--extend");
	cr_assert_eq(r.status, 3, "toy_choice has one recording per problem: %s", r.err.buf);
	cr_assert(strstr(r.err.buf, "12 samples already finished"), "%s", r.err.buf);
	proc_result_release(&r);
	char *after = journal(&f);
	cr_assert(!strncmp(before, after, strlen(before)), "finished lines were rewritten");
	cr_assert_eq(support_count_lines(path_join(f.out, "samples.jsonl")), 10 * 4 + 5 * 4);
	cJSON *res = support_json_file(path_join(f.out, "results.json"));
	const cJSON *tasks = cJSON_GetObjectItem(res, "tasks");
	cr_assert_eq(cJSON_GetArraySize(tasks), 2);
	cr_assert(cJSON_GetObjectItem(tasks, "toy") && cJSON_GetObjectItem(tasks, "toy_choice"));
	cr_assert(!isnan(support_metric(res, "toy", "avg@4")), "toy is scored at the new n");
	const cJSON *counts = cJSON_GetObjectItem(cJSON_GetObjectItem(tasks, "toy"), "counts");
	cr_assert_eq((int)json_num(counts, "graded", -1), 40, "10 problems x 4 samples");
	cJSON_Delete(res);
	free(after);
	free(before);
	fixture_release(&f);
}

/* Line k (1-based) of run a's journal replaced by line k of run b's: a mixed journal. */
static void splice_line(const char *a, const char *b, int k)
{
	char *pa = path_join(a, "samples.jsonl"), *pb = path_join(b, "samples.jsonl");
	char *ta, *tb;
	cr_assert(!read_file(pa, 1 << 24, &ta, NULL));
	cr_assert(!read_file(pb, 1 << 24, &tb, NULL));
	const char *from = tb;
	for (int i = 1; i < k; i++)
		from = strchr(from, '\n') + 1;
	size_t flen = (size_t)(strchr(from, '\n') - from);
	char *at = ta;
	for (int i = 1; i < k; i++)
		at = strchr(at, '\n') + 1;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, ta, (size_t)(at - ta));
	strbuf_add(&sb, from, flen);
	strbuf_adds(&sb, strchr(at, '\n'));
	cr_assert(!support_write(pa, sb.buf));
	strbuf_release(&sb);
	free(ta);
	free(tb);
	free(pa);
	free(pb);
}

Test(run_identity, grade_refuses_a_journal_with_lines_of_another_run_naming_the_setting)
{
	struct fixture f, other;
	fixture_init(&f, "id-grade");
	fixture_init(&other, "id-grade-other");
	expect_ok(RUN(&f, "--task", "toy", "--n", "2"));
	expect_ok(RUN(&other, "--task", "toy", "--n", "2", "--seed", "7"));
	splice_line(f.out, other.out, 3);
	const char *args[] = {"grade", f.out, "--data-dir", f.data, NULL};
	struct proc_result r;
	support_reval(&r, args);
	expect_refused(r, "another seed");
	support_reval(&r, args);
	cr_assert(strstr(r.err.buf, "line 3"), "the line is named: %s", r.err.buf);
	proc_result_release(&r);
	/* A line of another sampling likewise. */
	struct fixture warm;
	fixture_init(&warm, "id-grade-warm");
	expect_ok(RUN(&warm, "--task", "toy", "--n", "2", "--temperature", "0.9"));
	splice_line(f.out, warm.out, 3);
	support_reval(&r, args);
	expect_refused(r, "another sampling");
	fixture_release(&warm);
	/* --force regrades it all the same. */
	const char *forced[] = {"grade", f.out, "--data-dir", f.data, "--force", NULL};
	support_reval(&r, forced);
	expect_ok(r);
	fixture_release(&f);
	fixture_release(&other);
}

Test(run_identity, merge_refuses_a_shard_with_lines_of_another_run_naming_the_setting)
{
	/* Three runs of one recording: shards 0 and 1, and shard 1 again warmer. */
	struct fixture f;
	fixture_init(&f, "id-merge");
	char *s0 = path_join(f.dir, "s0"), *s1 = path_join(f.dir, "s1"),
	     *warm = path_join(f.dir, "warm"), *dir = f.out;
	f.out = s0;
	expect_ok(RUN(&f, "--task", "toy", "--n", "2", "--shard", "0/2"));
	f.out = s1;
	expect_ok(RUN(&f, "--task", "toy", "--n", "2", "--shard", "1/2"));
	f.out = warm;
	expect_ok(RUN(&f, "--task", "toy", "--n", "2", "--shard", "1/2", "--temperature", "0.9"));
	f.out = dir;
	splice_line(s1, warm, 2);
	char *merged = path_join(f.dir, "merged");
	const char *args[] = {"merge", s0, s1, "--out", merged, NULL};
	struct proc_result r;
	support_reval(&r, args);
	expect_refused(r, "another sampling");
	support_reval(&r, args);
	char *j1 = path_join(s1, "samples.jsonl");
	cr_assert(strstr(r.err.buf, j1) && strstr(r.err.buf, "line 2"),
		  "the shard's journal and line are named: %s", r.err.buf);
	proc_result_release(&r);
	const char *forced[] = {"merge", s0, s1, "--out", merged, "--force", NULL};
	support_reval(&r, forced);
	expect_ok(r);
	free(j1);
	free(merged);
	free(s0);
	free(s1);
	free(warm);
	fixture_release(&f);
}

/* Every part of the fingerprint, changed on one line, is the part a regrade names. */
Test(run_identity, grade_names_whichever_fingerprint_part_a_line_differs_in)
{
	struct fixture f;
	fixture_init(&f, "id-parts");
	expect_ok(RUN(&f, "--task", "toy", "--n", "2"));
	char *jpath = path_join(f.out, "samples.jsonl");
	char *good = journal(&f);
	const char *parts[] = {"model", "api", "seed", "extra_body", "sampling", "prompt", "dataset"};
	srand(21);
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		/* Line k's part set to a hash no run has. */
		int k = 1 + rand() % 24;
		char *text = xstrdup(good), *line = text;
		for (int j = 1; j < k; j++)
			line = strchr(line, '\n') + 1;
		char pat[32];
		snprintf(pat, sizeof(pat), "%s=", parts[i]);
		char *at = strstr(strstr(line, "\"fp\":\""), pat);
		cr_assert(at, "no %s in the fingerprint", parts[i]);
		memcpy(at + strlen(pat), "0ddba11", 7);
		cr_assert(!support_write(jpath, text));
		free(text);
		const char *args[] = {"grade", f.out, "--data-dir", f.data, NULL};
		struct proc_result r;
		support_reval(&r, args);
		char want[64];
		snprintf(want, sizeof(want), "line %d (task 'toy') was made with another %s ", k,
			 parts[i]);
		expect_refused(r, want);
	}
	cr_assert(!support_write(jpath, good));
	const char *args[] = {"grade", f.out, "--data-dir", f.data, NULL};
	struct proc_result r;
	support_reval(&r, args);
	expect_ok(r);
	free(good);
	free(jpath);
	fixture_release(&f);
}

/* Replace every occurrence of from with to in the file at path. */
static void rewrite(const char *path, const char *from, const char *to)
{
	char *text;
	cr_assert(!read_file(path, 1 << 24, &text, NULL));
	struct strbuf sb = STRBUF_INIT;
	size_t n = strlen(from);
	for (const char *p = text, *q; *p; p = q + n) {
		q = strstr(p, from);
		if (!q) {
			strbuf_adds(&sb, p);
			break;
		}
		strbuf_add(&sb, p, (size_t)(q - p));
		strbuf_adds(&sb, to);
	}
	cr_assert(!support_write(path, sb.buf));
	strbuf_release(&sb);
	free(text);
}

/* A run begun by a reval whose per-sample seeds came from another rule is
 * not continued with samples of this one: its config.json lacks the rule,
 * its journal lines carry the bare seed. */
Test(run_identity, a_run_from_another_seed_rule_is_refused_naming_it)
{
	struct fixture f;
	fixture_init(&f, "id-seedrule");
	expect_ok(RUN(&f, "--task", "toy", "--n", "2", "--limit", "4"));
	char *cfg = path_join(f.out, "config.json"), *jpath = path_join(f.out, "samples.jsonl");
	char *text;
	cr_assert(!read_file(cfg, 1 << 20, &text, NULL));
	cr_assert(strstr(text, "\"seed_scheme\":"), "config.json records the rule: %s", text);
	free(text);
	rewrite(cfg, "\"seed_scheme\":", "\"unused_key\":");
	/* The old lines' seed part: the bare seed's hash. */
	char old_hex[65], now[32], old[32];
	sha256_hex("0", 1, old_hex);
	snprintf(old, sizeof(old), "seed=%.8s,", old_hex);
	cr_assert(!read_file(jpath, 1 << 24, &text, NULL));
	const char *at = strstr(text, "seed=");
	cr_assert_not_null(at);
	snprintf(now, sizeof(now), "%.14s", at);
	cr_assert_str_neq(now, old, "the seed rule is part of each line's fingerprint");
	free(text);
	rewrite(jpath, now, old);
	expect_refused(RUN(&f, "--task", "toy", "--n", "4", "--limit", "4", "--extend"),
		       "seed_scheme");
	/* Without config.json the journal's lines still say it. */
	cr_assert(!unlink(cfg));
	expect_refused(RUN(&f, "--task", "toy", "--n", "4", "--limit", "4", "--extend"), "seed");
	free(cfg);
	free(jpath);
	fixture_release(&f);
}
