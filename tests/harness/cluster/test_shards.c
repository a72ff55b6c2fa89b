/*
 * Scale-out without a scheduler: --shard auto reads the index the way a Slurm
 * array task or a Kubernetes Indexed Job pod would; N processes launched at
 * once with JOB_COMPLETION_INDEX=i against the fake server are disjoint,
 * complete, and merge into the unsharded run; merge names every missing,
 * duplicated or unfinished shard and can wait for them; --endpoints.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "harness/pipeline/shard.h"
#include "tests/support/fake.h"
#include "tests/support/support.h"

#define TOY_PROBLEMS 12
#define TOY_N 4

static void clear_env(void)
{
	static const char *const vars[] = {"SLURM_ARRAY_TASK_ID",  "SLURM_ARRAY_TASK_COUNT",
					   "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX",
					   "SLURM_ARRAY_TASK_STEP", "JOB_COMPLETION_INDEX"};
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		unsetenv(vars[i]);
}

/* ---- the environment, read in process ---- */

Test(shard_env, slurm_count_and_min_max_agree)
{
	int i = -1, n = -1;
	clear_env();
	setenv("SLURM_ARRAY_TASK_ID", "2", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
	cr_assert_eq(shard_from_env(0, &i, &n), RV_OK);
	cr_assert(i == 2 && n == 4, "%d/%d", i, n);
	/* --array=1-4: task 3 is the third shard of four. */
	clear_env();
	setenv("SLURM_ARRAY_TASK_ID", "3", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "1", 1);
	setenv("SLURM_ARRAY_TASK_MAX", "4", 1);
	cr_assert_eq(shard_from_env(0, &i, &n), RV_OK);
	cr_assert(i == 2 && n == 4, "%d/%d", i, n);
	/* --array=0-6:2 is four tasks 0, 2, 4, 6. */
	setenv("SLURM_ARRAY_TASK_ID", "4", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
	setenv("SLURM_ARRAY_TASK_MAX", "6", 1);
	setenv("SLURM_ARRAY_TASK_STEP", "2", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
	cr_assert_eq(shard_from_env(0, &i, &n), RV_OK);
	cr_assert(i == 2 && n == 4, "%d/%d", i, n);
}

Test(shard_env, kubernetes_index_with_shards)
{
	int i = -1, n = -1;
	clear_env();
	setenv("JOB_COMPLETION_INDEX", "5", 1);
	cr_assert_eq(shard_from_env(8, &i, &n), RV_OK);
	cr_assert(i == 5 && n == 8);
	cr_assert_eq(shard_from_env(0, &i, &n), RV_EUSAGE, "no count: Kubernetes does not export it");
	cr_assert_eq(shard_from_env(5, &i, &n), RV_EUSAGE, "index 5 of 5");
}

Test(shard_env, missing_or_disagreeing_is_refused)
{
	int i, n;
	clear_env();
	cr_assert_eq(shard_from_env(0, &i, &n), RV_EUSAGE);
	cr_assert_eq(shard_from_env(4, &i, &n), RV_EUSAGE);
	/* A comma list 1,3,7: three tasks but the range 1-7 holds seven. */
	setenv("SLURM_ARRAY_TASK_ID", "3", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "3", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "1", 1);
	setenv("SLURM_ARRAY_TASK_MAX", "7", 1);
	cr_assert_eq(shard_from_env(0, &i, &n), RV_EUSAGE);
	clear_env();
	setenv("SLURM_ARRAY_TASK_ID", "1", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
	cr_assert_eq(shard_from_env(3, &i, &n), RV_EUSAGE, "--shards 3 against a 4-task array");
	/* One task of four resubmitted alone (--array=2): its own count is 1. */
	clear_env();
	setenv("SLURM_ARRAY_TASK_ID", "2", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "1", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "2", 1);
	setenv("SLURM_ARRAY_TASK_MAX", "2", 1);
	cr_assert_eq(shard_from_env(4, &i, &n), RV_OK);
	cr_assert(i == 2 && n == 4, "%d/%d", i, n);
	cr_assert_eq(shard_from_env(2, &i, &n), RV_EUSAGE, "task 2 of --shards 2");
	clear_env();
	setenv("SLURM_ARRAY_TASK_ID", "1", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
	setenv("JOB_COMPLETION_INDEX", "2", 1);
	cr_assert_eq(shard_from_env(4, &i, &n), RV_EUSAGE, "Slurm says 1, Kubernetes 2");
	setenv("JOB_COMPLETION_INDEX", "1", 1);
	cr_assert_eq(shard_from_env(4, &i, &n), RV_OK, "both say 1 of 4");
	clear_env();
	setenv("SLURM_ARRAY_TASK_ID", "4", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
	cr_assert_eq(shard_from_env(0, &i, &n), RV_EUSAGE, "id beyond the count");
	setenv("SLURM_ARRAY_TASK_ID", "x1", 1);
	cr_assert_eq(shard_from_env(0, &i, &n), RV_EUSAGE);
	clear_env();
	setenv("SLURM_ARRAY_TASK_ID", "1", 1);
	cr_assert_eq(shard_from_env(0, &i, &n), RV_EUSAGE, "an id without a count or range");
}

Test(shard_env, dir_names_round_trip)
{
	char *s = shard_dir_name(3, 16);
	int i, n;
	cr_assert_str_eq(s, "shard-3-of-16");
	cr_assert_eq(shard_dir_parse(s, &i, &n), 0);
	cr_assert(i == 3 && n == 16);
	free(s);
	static const char *const bad[] = {"shard-4-of-4", "shard--1-of-4", "shard-1-of-4x",
					  "shard-1-of-0", "shard-a-of-4", "merged", "shard-1-of-"};
	for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++)
		cr_assert_neq(shard_dir_parse(bad[k], &i, &n), 0, "%s", bad[k]);
}

/* ---- through the binary, against the fake server ---- */

struct cluster {
	struct fake f;
	char *dir;
	char *answers;
	char *endpoints;
	char *data;
};

/* The fake answers even problems right (content = the answer) and the rest with its default. */
static void cluster_start(struct cluster *c, const char *tag)
{
	clear_env();
	c->dir = support_tmpdir(tag);
	c->data = support_path("tests/data/toy");
	c->answers = path_join(c->dir, "answers.jsonl");
	struct strbuf a = STRBUF_INIT;
	for (int i = 0; i < TOY_PROBLEMS; i += 2)
		strbuf_addf(&a, "{\"prompt\": \"Q: %d+%d\\nA:\", \"content\": \"%d\"}\n", i, i, 2 * i);
	cr_assert_eq(support_write(c->answers, a.buf), 0);
	strbuf_release(&a);
	const char *args[] = {"--answers", c->answers, NULL};
	fake_start(&c->f, args);
	c->endpoints = path_join(c->dir, "endpoints.txt");
	char *text = xasprintf("# the pool\n%s\n", c->f.url);
	cr_assert_eq(support_write(c->endpoints, text), 0);
	free(text);
}

static void cluster_stop(struct cluster *c)
{
	fake_stop(&c->f);
	free(c->dir);
	free(c->answers);
	free(c->endpoints);
	free(c->data);
}

/* argv of `reval run` on the toy task through the pool, plus extra flags. */
static void run_args(const struct cluster *c, const char *out, const char **argv, const char *x1,
		     const char *x2, const char *x3, const char *x4)
{
	const char *a[] = {"run",    "--task", "toy", "--data-dir", c->data, "--endpoints",
			   c->endpoints, "--model", "fake-model", "--out", out, x1, x2, x3, x4, NULL};
	memcpy(argv, a, sizeof(a));
}

static void run_ok(const struct cluster *c, const char *out, const char *x1, const char *x2,
		   const char *x3, const char *x4)
{
	const char *argv[16];
	struct proc_result r;
	run_args(c, out, argv, x1, x2, x3, x4);
	support_reval(&r, argv);
	cr_assert_eq(r.status, 0, "reval run failed: %s", r.err.buf);
	proc_result_release(&r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A journal as one sorted string of "task/problem/sample content correct" lines. */
static char *journal_digest(const char *dir, long *count)
{
	char *p = path_join(dir, "samples.jsonl");
	char *text = NULL;
	cr_assert_eq(read_file(p, 1 << 26, &text, NULL), 0, "no journal in %s", dir);
	free(p);
	char **lines = NULL;
	size_t n = 0, cap = 0;
	for (char *l = strtok_r(text, "\n", &p); l; l = strtok_r(NULL, "\n", &p)) {
		cJSON *o = cJSON_Parse(l);
		cr_assert_not_null(o, "bad journal line in %s", dir);
		const cJSON *grade = cJSON_GetObjectItemCaseSensitive(o, "grade");
		grow_array((void **)&lines, &cap, n + 1, sizeof(*lines));
		lines[n++] = xasprintf("%s/%s/%.0f %s %d", json_str(o, "task"), json_str(o, "problem"),
				       json_num(o, "sample", -1), json_str(o, "content"),
				       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(grade, "correct")));
		cJSON_Delete(o);
	}
	free(text);
	qsort(lines, n, sizeof(*lines), cmp_str);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(&sb, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	*count = (long)n;
	return strbuf_detach(&sb);
}

/* The task's scores and counts of a results.json, which timings do not touch. */
static char *scores_of(const char *dir)
{
	char *p = path_join(dir, "results.json");
	cJSON *doc = support_json_file(p);
	free(p);
	cr_assert_not_null(doc, "no results.json in %s", dir);
	cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "tasks"), "toy");
	cJSON *keep = cJSON_CreateObject();
	static const char *const keys[] = {"metrics", "counts", "complete", "samples", "breakdown", "curves"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		cJSON_AddItemToObject(keep, keys[i],
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, keys[i]), 1));
	char *s = cJSON_PrintUnformatted(keep);
	cJSON_Delete(keep);
	cJSON_Delete(doc);
	return s;
}

Test(shards, indexed_processes_are_disjoint_complete_and_merge_to_the_whole, .timeout = 120)
{
	enum { N = 3 };
	struct cluster c;
	cluster_start(&c, "indexed");
	char *whole = path_join(c.dir, "whole"), *out = path_join(c.dir, "out"),
	     *merged = path_join(c.dir, "merged");
	run_ok(&c, whole, NULL, NULL, NULL, NULL);
	/* N pods at once, as an Indexed Job starts them. */
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		char idx[8];
		snprintf(idx, sizeof(idx), "%d", i);
		setenv("JOB_COMPLETION_INDEX", idx, 1);
		const char *argv[16];
		run_args(&c, out, argv, "--shard", "auto", "--shards", "3");
		pids[i] = support_reval_spawn(argv);
	}
	unsetenv("JOB_COMPLETION_INDEX");
	for (int i = 0; i < N; i++) {
		int st;
		cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "shard %d failed", i);
	}
	long total = 0, wn;
	char **all = NULL;
	size_t nall = 0, cap = 0;
	for (int i = 0; i < N; i++) {
		char name[32];
		snprintf(name, sizeof(name), "shard-%d-of-%d", i, N);
		char *sd = path_join(out, name);
		long n;
		char *d = journal_digest(sd, &n);
		cr_assert(n > 0, "shard %d did nothing", i);
		total += n;
		char *save, *l;
		for (l = strtok_r(d, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			/* Every sample of shard i is of a problem j with j mod N == i. */
			int prob = -1;
			cr_assert_eq(sscanf(l, "toy/p%d/", &prob), 1, "%s", l);
			cr_assert_eq(prob % N, i, "shard %d ran %s", i, l);
			grow_array((void **)&all, &cap, nall + 1, sizeof(*all));
			all[nall++] = xstrdup(l);
		}
		free(d);
		free(sd);
	}
	cr_assert_eq(total, TOY_PROBLEMS * TOY_N, "complete: every sample once");
	qsort(all, nall, sizeof(*all), cmp_str);
	struct strbuf joined = STRBUF_INIT;
	for (size_t i = 0; i < nall; i++) {
		strbuf_addf(&joined, "%s\n", all[i]);
		free(all[i]);
	}
	free(all);
	char *dw = journal_digest(whole, &wn);
	cr_assert_str_eq(joined.buf, dw, "the shards' samples are not the unsharded run's");
	/* Merge the output directory itself. */
	const char *margs[] = {"merge", out, "--out", merged, NULL};
	struct proc_result r;
	support_reval(&r, margs);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	char *sw = scores_of(whole), *sm = scores_of(merged);
	cr_assert(strstr(sw, "\"correct\":24"), "the fake's answers make half right: %s", sw);
	cr_assert_str_eq(sm, sw);
	long mn;
	char *dm = journal_digest(merged, &mn);
	cr_assert_str_eq(dm, dw);
	free(dm);
	free(sw);
	free(sm);
	free(dw);
	strbuf_release(&joined);
	free(whole);
	free(out);
	free(merged);
	cluster_stop(&c);
}

Test(shards, a_rerun_of_the_same_task_resumes_its_own_journal, .timeout = 60)
{
	struct cluster c;
	cluster_start(&c, "requeue");
	char *out = path_join(c.dir, "out");
	setenv("SLURM_ARRAY_TASK_ID", "1", 1);
	setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
	setenv("SLURM_ARRAY_TASK_MAX", "1", 1);
	run_ok(&c, out, "--shard", "auto", NULL, NULL);
	char *sd = path_join(out, "shard-1-of-2");
	char *j = path_join(sd, "samples.jsonl");
	long before = support_count_lines(j);
	cr_assert_eq(before, TOY_PROBLEMS / 2 * TOY_N);
	int reqs = fake_requests(&c.f);
	const char *argv[16];
	struct proc_result r;
	run_args(&c, out, argv, "--shard", "auto", NULL, NULL);
	support_reval(&r, argv);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "already finished"), "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(support_count_lines(j), before, "the requeued task redid samples");
	cr_assert_eq(fake_requests(&c.f), reqs, "the requeued task asked the server again");
	clear_env();
	free(j);
	free(sd);
	free(out);
	cluster_stop(&c);
}

Test(shards, auto_without_a_scheduler_is_one_clear_line)
{
	struct cluster c;
	cluster_start(&c, "noenv");
	char *out = path_join(c.dir, "out");
	const char *argv[16];
	struct proc_result r;
	run_args(&c, out, argv, "--shard", "auto", NULL, NULL);
	support_reval(&r, argv);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "SLURM_ARRAY_TASK_ID") && strstr(r.err.buf, "JOB_COMPLETION_INDEX"),
		  "%s", r.err.buf);
	cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "%s", r.err.buf);
	proc_result_release(&r);
	setenv("JOB_COMPLETION_INDEX", "0", 1);
	support_reval(&r, argv);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "--shards N"), "%s", r.err.buf);
	proc_result_release(&r);
	setenv("SLURM_ARRAY_TASK_ID", "1", 1);
	setenv("SLURM_ARRAY_TASK_COUNT", "2", 1);
	run_args(&c, out, argv, "--shard", "auto", "--shards", "2");
	support_reval(&r, argv);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "disagree") || strstr(r.err.buf, "but JOB_COMPLETION_INDEX"),
		  "%s", r.err.buf);
	proc_result_release(&r);
	clear_env();
	run_args(&c, out, argv, "--shard", "0/2", "--shards", "2");
	support_reval(&r, argv);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "--shards goes with --shard auto"), "%s", r.err.buf);
	proc_result_release(&r);
	free(out);
	cluster_stop(&c);
}

static void run_shard(const struct cluster *c, const char *out, int i, int n)
{
	char spec[16];
	snprintf(spec, sizeof(spec), "%d/%d", i, n);
	char name[32];
	snprintf(name, sizeof(name), "shard-%d-of-%d", i, n);
	char *sd = path_join(out, name);
	run_ok(c, sd, "--shard", spec, NULL, NULL);
	free(sd);
}

Test(shards, merge_names_every_missing_duplicated_or_unfinished_shard, .timeout = 60)
{
	struct cluster c;
	cluster_start(&c, "mergecheck");
	char *out = path_join(c.dir, "out"), *merged = path_join(c.dir, "merged");
	run_shard(&c, out, 0, 4);
	run_shard(&c, out, 2, 4);
	struct proc_result r;
	const char *m1[] = {"merge", out, "--out", merged, NULL};
	support_reval(&r, m1);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "missing shards 1, 3 of 4"), "%s", r.err.buf);
	proc_result_release(&r);
	char *merged_j = path_join(merged, "samples.jsonl");
	cr_assert_eq(access(merged_j, F_OK), -1, "a refused merge wrote a journal");
	/* The same shard twice, by its directory and by the output that holds it. */
	run_shard(&c, out, 1, 4);
	run_shard(&c, out, 3, 4);
	char *s2 = path_join(out, "shard-2-of-4");
	char *s1 = path_join(out, "shard-1-of-4");
	const char *m2[] = {"merge", out, s2, s1, "--out", merged, NULL};
	support_reval(&r, m2);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "shard 2 of 4 is given twice") &&
			  strstr(r.err.buf, "shard 1 of 4 is given twice"),
		  "every duplicate is named: %s", r.err.buf);
	proc_result_release(&r);
	/* Duplicated and missing at once: both are named. */
	const char *m4[] = {"merge", s1, s2, s2, "--out", merged, NULL};
	support_reval(&r, m4);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "shard 2 of 4 is given twice") &&
			  strstr(r.err.buf, "missing shards 0, 3 of 4"),
		  "%s", r.err.buf);
	proc_result_release(&r);
	free(s1);
	/* A shard whose run did not finish (no results yet, as while it runs). */
	char *res = path_join(s2, "results.json");
	char *keep = path_join(c.dir, "results.keep");
	cr_assert_eq(rename(res, keep), 0);
	support_reval(&r, m1);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "unfinished") && strstr(r.err.buf, "shard-2-of-4"), "%s",
		  r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(rename(keep, res), 0);
	/* Shards of another count do not make one run. */
	char *odd = path_join(c.dir, "odd");
	run_shard(&c, odd, 1, 3);
	char *o1 = path_join(odd, "shard-1-of-3");
	const char *m3[] = {"merge", out, o1, "--out", merged, NULL};
	support_reval(&r, m3);
	cr_assert_neq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "shard counts differ"), "%s", r.err.buf);
	proc_result_release(&r);
	support_reval(&r, m1);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(support_count_lines(merged_j), TOY_PROBLEMS * TOY_N);
	free(o1);
	free(odd);
	free(res);
	free(keep);
	free(s2);
	free(merged_j);
	free(out);
	free(merged);
	cluster_stop(&c);
}

Test(shards, merge_waits_for_a_late_shard, .timeout = 120)
{
	struct cluster c;
	cluster_start(&c, "mergewait");
	char *out = path_join(c.dir, "out"), *merged = path_join(c.dir, "merged");
	run_shard(&c, out, 0, 2);
	struct proc_result r;
	const char *quick[] = {"merge", out, "--out", merged, "--wait", "1", NULL};
	support_reval(&r, quick);
	cr_assert_eq(r.status, 2, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "missing shard 1 of 2"), "%s", r.err.buf);
	proc_result_release(&r);
	/* A merge started before the last shard, as a merge Job beside its pods. */
	const char *slow[] = {"merge", out, "--out", merged, "--wait", "90", NULL};
	pid_t m = support_reval_spawn(slow);
	run_shard(&c, out, 1, 2);
	int st;
	cr_assert_eq(waitpid(m, &st, 0), m);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the waiting merge failed");
	char *mj = path_join(merged, "samples.jsonl");
	cr_assert_eq(support_count_lines(mj), TOY_PROBLEMS * TOY_N);
	free(mj);
	free(out);
	free(merged);
	cluster_stop(&c);
}

Test(shards, endpoints_file_errors_name_the_line)
{
	struct cluster c;
	cluster_start(&c, "endpoints");
	char *out = path_join(c.dir, "out");
	char *bad = xasprintf("%s\n\n  ftp://host/v1  # no\n", c.f.url);
	cr_assert_eq(support_write(c.endpoints, bad), 0);
	free(bad);
	const char *argv[16];
	struct proc_result r;
	run_args(&c, out, argv, NULL, NULL, NULL, NULL);
	support_reval(&r, argv);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "line 3") && strstr(r.err.buf, "ftp://host/v1"), "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(support_write(c.endpoints, "# nothing yet\n"), 0);
	support_reval(&r, argv);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "lists no URL"), "%s", r.err.buf);
	proc_result_release(&r);
	free(out);
	cluster_stop(&c);
}
