/*
 * Kill -9 at random moments under server-side n: a resumed run equals an
 * uninterrupted one, byte for byte apart from timings.  Each sample has its
 * own seed, and what a problem still lacks is asked for with those seeds,
 * so a kill inside a problem (some of its samples journaled, the others
 * not) changes nothing.  The fake answers as vLLM does: choice i of a
 * request with seed S is the answer seed S + i would give alone.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "tests/support/fake.h"
#include "tests/support/support.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

#define PROBLEMS 64 /* at most 64: partly_done answers with a bit per problem */
#define N 16

/*
 * A task graded on the seed the fake echoes ("Sample s=SEED."): its last
 * digit is the answer, so which sample gets which completion shows in the
 * scores as well as in the journal.
 */
static char *write_task(const char *dir)
{
	char *data = path_join(dir, "data");
	char *task = path_join(data, "tasks/seeded.json");
	cr_assert_eq(support_write(task, "{\"id\": \"seeded\", \"dataset\": \"seeded/problems.jsonl\","
					 " \"fields\": {\"id\": \"id\", \"question\": \"q\", \"answer\": \"a\"},"
					 " \"prompt\": {\"template\": \"{question}\"},"
					 " \"grader\": \"regex\","
					 " \"grader_options\": {\"pattern\": \"s=\\\\d*(\\\\d)\\\\b\"},"
					 " \"sampling\": {\"n\": 4, \"temperature\": 0.6, \"max_tokens\": 64},"
					 " \"metrics\": {\"pass_k\": [1, 4], \"cons_k\": [4]}}\n"),
		     0);
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < PROBLEMS; i++)
		strbuf_addf(&sb, "{\"id\": \"p%02d\", \"q\": \"Question %d\", \"a\": \"%d\"}\n", i, i,
			    i % 10);
	char *ds = path_join(data, "seeded/problems.jsonl");
	cr_assert_eq(support_write(ds, sb.buf), 0);
	strbuf_release(&sb);
	free(ds);
	free(task);
	return data;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : (long)st.st_size;
}

/* The problems with some but not all of their samples in the journal, a bit each. */
static uint64_t partly_done(const char *journal)
{
	int count[PROBLEMS] = {0};
	FILE *f = fopen(journal, "r");
	if (!f)
		return 0;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		if (!strchr(line, '\n'))
			break; /* torn: dropped on resume */
		cJSON *o = cJSON_Parse(line);
		const char *p = json_str(o, "problem");
		if (p && p[0] == 'p')
			count[atoi(p + 1) % PROBLEMS]++;
		cJSON_Delete(o);
	}
	free(line);
	fclose(f);
	uint64_t partly = 0;
	for (int i = 0; i < PROBLEMS; i++)
		if (count[i] > 0 && count[i] < N)
			partly |= 1ull << i;
	return partly;
}

/* Replace the value of every "KEY": in text with 0, in place of a timing. */
static void mask_key(struct strbuf *sb, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	struct strbuf out = STRBUF_INIT;
	const char *p = sb->buf, *hit;
	while ((hit = strstr(p, pat))) {
		hit += strlen(pat);
		strbuf_add(&out, p, (size_t)(hit - p));
		strbuf_adds(&out, "T");
		p = hit + strcspn(hit, ",}");
	}
	strbuf_adds(&out, p);
	strbuf_release(sb);
	*sb = out;
}

static int by_problem_and_sample(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The journal's lines with timings masked, sorted by (problem, sample):
 * lines are appended in completion order, which no two runs share.
 */
static char *journal_canonical(const char *dir, long *lines)
{
	char *path = path_join(dir, "samples.jsonl"), *text;
	cr_assert_eq(read_file(path, 1 << 26, &text, NULL), 0);
	char **ls = NULL;
	size_t n = 0, cap = 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(l);
		cr_assert_not_null(o, "%s: a line is not JSON", path);
		struct strbuf sb = STRBUF_INIT;
		/* The key first, so that sorting orders by it. */
		strbuf_addf(&sb, "%s %04d ", json_str(o, "problem"), (int)json_num(o, "sample", -1));
		strbuf_adds(&sb, l);
		mask_key(&sb, "latency_ms");
		mask_key(&sb, "ttft_ms");
		GROW(ls, cap, n + 1);
		ls[n++] = strbuf_detach(&sb);
		cJSON_Delete(o);
	}
	qsort(ls, n, sizeof(*ls), by_problem_and_sample);
	struct strbuf all = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(&all, ls[i]);
		strbuf_addch(&all, '\n');
		free(ls[i]);
	}
	free(ls);
	free(text);
	free(path);
	*lines = (long)n;
	return strbuf_detach(&all);
}

/* results.json without the time it was written and the latency statistics. */
static char *results_canonical(const char *dir)
{
	char *path = path_join(dir, "results.json");
	cJSON *doc = support_json_file(path);
	cr_assert_not_null(doc, "no results.json in %s", dir);
	cJSON *run = cJSON_GetObjectItem(doc, "run");
	cJSON_DeleteItemFromObject(run, "written");
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(run, "config"), "out");
	cJSON *gen = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "tasks"),
							     "seeded"),
					 "generation");
	cr_assert_not_null(gen);
	cJSON_DeleteItemFromObject(gen, "latency_ms");
	cJSON_DeleteItemFromObject(gen, "ttft_ms");
	cJSON_DeleteItemFromObject(gen, "tokens_per_second");
	char *s = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	free(path);
	return s;
}

static char *problems_canonical(const char *dir)
{
	char *path = path_join(dir, "problems.jsonl"), *text;
	cr_assert_eq(read_file(path, 1 << 24, &text, NULL), 0);
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, text);
	mask_key(&sb, "latency_ms_mean");
	free(text);
	free(path);
	return strbuf_detach(&sb);
}

/* The first line where two texts differ, for a readable failure. */
static void assert_same_text(const char *what, const char *a, const char *b)
{
	if (!strcmp(a, b))
		return;
	long line = 1;
	size_t i = 0;
	while (a[i] && a[i] == b[i])
		line += a[i++] == '\n';
	size_t start = i;
	while (start && a[start - 1] != '\n')
		start--;
	cr_assert_fail("%s differs at line %ld:\nuninterrupted: %.400s\nresumed:       %.400s", what,
		       line, a + start, b + start);
}

Test(run_kill, server_side_n_after_25_kills_inside_problems_equals_an_uninterrupted_run,
     .timeout = 300)
{
	char *dir = support_tmpdir("killn");
	char *data = write_task(dir);
	struct fake f;
	fake_start(&f, ARGS("--n", "honour", "--delay", "10"));
	char *ref = path_join(dir, "ref"), *out = path_join(dir, "run");
	char nbuf[16];
	snprintf(nbuf, sizeof(nbuf), "%d", N);
	const char *ref_args[] = {"run", "--task", "seeded", "--data-dir", data, "--base-url", f.url,
				  "--model", "fake-model", "--n", nbuf, "--no-split-n",
				  "--concurrency", "32", "--no-progress", "--out", ref, NULL};
	struct proc_result r;
	support_reval(&r, ref_args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	int ref_requests = fake_requests(&f);
	cr_assert_eq(ref_requests, PROBLEMS, "one request of n = %d per problem", N);

	const char *args[] = {"run", "--task", "seeded", "--data-dir", data, "--base-url", f.url,
			      "--model", "fake-model", "--n", nbuf, "--no-split-n",
			      "--concurrency", "32", "--no-progress", "--out", out, NULL};
	char *journal = path_join(out, "samples.jsonl");
	srand(16016);
	int killed = 0, inside = 0;
	for (int round = 0; round < 25; round++) {
		uint64_t before = partly_done(journal);
		pid_t pid = support_reval_spawn(args);
		cr_assert(pid > 0);
		int st, gone = 0;
		if (round % 2) {
			/* A random moment of the run's life. */
			struct timespec ts = {0, (long)(rand() % 30000) * 1000L};
			nanosleep(&ts, NULL);
		} else {
			/*
			 * A random point of the journal's growth, seen from outside: the
			 * kill lands just after some line, often among the lines of one
			 * response, which is inside a problem.
			 */
			long target = file_size(journal) + 1 + rand() % (2 * N * 700);
			while (file_size(journal) < target && !(gone = waitpid(pid, &st, WNOHANG) == pid))
				nanosleep(&(struct timespec){0, 20000L}, NULL);
		}
		if (!gone) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		killed += WIFSIGNALED(st);
		/* A problem this kill left partly done: it landed inside that problem. */
		inside += (partly_done(journal) & ~before) != 0;
	}
	cr_log_info("kills that ended the process: %d of 25; that landed inside a problem: %d",
		    killed, inside);
	cr_assert_eq(killed, 25, "the run ended before the 25th kill");
	cr_assert(inside > 0, "no kill landed inside a problem; the test did not test anything");
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);

	long la, lb;
	char *ja = journal_canonical(ref, &la), *jb = journal_canonical(out, &lb);
	cr_assert_eq(la, PROBLEMS * N);
	cr_assert_eq(lb, PROBLEMS * N, "every sample once: %ld lines", lb);
	assert_same_text("the journal", ja, jb);
	char *ra = results_canonical(ref), *rb = results_canonical(out);
	assert_same_text("results.json", ra, rb);
	char *pa = problems_canonical(ref), *pb = problems_canonical(out);
	assert_same_text("problems.jsonl", pa, pb);
	/* The scores are not trivially equal: some samples are right, some wrong. */
	char *rpath = path_join(out, "results.json");
	cJSON *res = support_json_file(rpath);
	double avg = support_metric(res, "seeded", "avg@16");
	cr_assert(avg > 0 && avg < 1, "avg@16 = %g", avg);
	cJSON_Delete(res);
	free(rpath);

	free(ja);
	free(jb);
	free(ra);
	free(rb);
	free(pa);
	free(pb);
	free(journal);
	fake_stop(&f);
	free(ref);
	free(out);
	free(data);
	free(dir);
}

/* Raising n keeps every finished sample and asks each problem for exactly the rest. */
Test(run_kill, extending_n_under_server_side_n_equals_a_run_with_the_larger_n)
{
	char *dir = support_tmpdir("extendn");
	char *data = write_task(dir);
	struct fake f;
	fake_start(&f, ARGS("--n", "honour"));
	char *ref = path_join(dir, "ref"), *out = path_join(dir, "run");
	char nbuf[16];
	snprintf(nbuf, sizeof(nbuf), "%d", N);
	const char *ref_args[] = {"run", "--task", "seeded", "--data-dir", data, "--base-url", f.url,
				  "--model", "fake-model", "--n", nbuf, "--no-split-n",
				  "--no-progress", "--out", ref, NULL};
	const char *small[] = {"run", "--task", "seeded", "--data-dir", data, "--base-url", f.url,
			       "--model", "fake-model", "--n", "6", "--no-split-n",
			       "--no-progress", "--out", out, NULL};
	const char *more[] = {"run", "--task", "seeded", "--data-dir", data, "--base-url", f.url,
			      "--model", "fake-model", "--n", nbuf, "--no-split-n",
			      "--no-progress", "--extend", "--out", out, NULL};
	struct proc_result r;
	support_reval(&r, ref_args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	support_reval(&r, small);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	int before = fake_requests(&f);
	support_reval(&r, more);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(fake_requests(&f) - before, PROBLEMS, "one request per problem for the rest");
	cJSON *log = fake_log(&f);
	const cJSON *last = cJSON_GetObjectItem(cJSON_GetArrayItem(log, cJSON_GetArraySize(log) - 1),
						"body");
	cr_assert_eq((int)json_num(last, "n", 1), N - 6, "exactly the samples it lacks");
	cJSON_Delete(log);
	long la, lb;
	char *ja = journal_canonical(ref, &la), *jb = journal_canonical(out, &lb);
	cr_assert_eq(lb, PROBLEMS * N);
	assert_same_text("the journal", ja, jb);
	free(ja);
	free(jb);
	fake_stop(&f);
	free(ref);
	free(out);
	free(data);
	free(dir);
}
