/*
 * metrics_bench: every metric of results.json for a synthetic journal,
 * timed, with the memory it takes.
 *
 *   metrics_bench PROBLEMS SAMPLES_PER_PROBLEM [SEED [SUPERSEDED]]
 *
 * Writes a journal of PROBLEMS x SAMPLES graded lines to a temporary file
 * (correctness from a per-problem difficulty, a few wrong answer classes,
 * silent and truncated samples, token counts and latencies; 1% of the
 * samples failed once before, as a resumed run leaves them), reads it into
 * the tally and times results_build: pass@k, cons@k exact or sampled,
 * curves, bootstrap intervals, generation statistics, problems.jsonl.
 * SUPERSEDED (a fraction, default 0) appends a second graded line for that
 * share of the samples, as a regrade would, which makes the tally read the
 * journal twice.  Prints figures; asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "graders/grader.h"
#include "reports/results/results.h"
#include "reports/stats/rng.h"
#include "harness/model/sample.h"
#include "reports/results/tally.h"
#include "harness/model/task.h"
#include "harness/base/util.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double peak_mib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

static int all_planned(void *ud, size_t task, size_t problem)
{
	(void)ud;
	(void)task;
	(void)problem;
	return 1;
}

static double uniform(struct rng *g)
{
	return (double)(rng_next(g) >> 11) / 9007199254740992.0;
}

struct writer {
	FILE *f;
	struct strbuf line;
	long lines;
};

static void put(struct writer *w, const struct sample *s)
{
	strbuf_reset(&w->line);
	sample_to_line(s, &w->line);
	strbuf_addch(&w->line, '\n');
	fwrite(w->line.buf, 1, w->line.len, w->f);
	w->lines++;
}

/* One graded sample of problem j; p is the problem's chance of a right answer. */
static void graded(struct writer *w, struct rng *g, char *problem, int i, double p)
{
	char answer[16];
	double u = uniform(g);
	struct sample s;
	sample_init(&s);
	s.task = "synthetic";
	s.problem = problem;
	s.index = i;
	s.reasoning = "r";
	s.reasoning_closed = u > 0.02;
	s.finish_reason = u <= 0.02 ? "length" : "stop";
	s.grade.status = u <= 0.02 ? GRADE_TRUNCATED : GRADE_OK;
	if (u > 0.02 && u < 0.07) {
		s.grade.status = GRADE_NO_ANSWER;
	} else if (u > 0.02) {
		s.grade.correct = uniform(g) < p;
		snprintf(answer, sizeof(answer), "w%d", (int)rng_below(g, 4));
		s.grade.canonical = s.grade.correct ? "right" : answer;
		s.grade.extracted = s.grade.canonical;
	}
	s.content = s.grade.canonical ? s.grade.canonical : "";
	s.grade.score = s.grade.correct;
	s.completion_tokens = 200 + (long)rng_below(g, 8000);
	s.reasoning_tokens = s.completion_tokens * 4 / 5;
	s.prompt_tokens = 120;
	s.latency_ms = (double)s.completion_tokens * (10 + 20 * uniform(g));
	s.ttft_ms = 50 + 100 * uniform(g);
	s.attempts = 1;
	put(w, &s);
}

static void failed(struct writer *w, char *problem, int i)
{
	struct sample s;
	sample_init(&s);
	s.task = "synthetic";
	s.problem = problem;
	s.index = i;
	s.content = "";
	s.error_kind = "http_503";
	s.error_message = "service unavailable";
	s.grade.status = GRADE_INFRA;
	put(w, &s);
}

static int write_journal(const char *path, const struct task *t, int n, uint64_t seed,
			 double superseded, long *lines)
{
	struct writer w = {fopen(path, "w"), STRBUF_INIT, 0};
	if (!w.f)
		return -1;
	struct rng g, dup;
	rng_init(&g, seed);
	for (size_t j = 0; j < t->nproblems; j++) {
		double p = uniform(&g);
		for (int i = 0; i < n; i++) {
			if (rng_below(&g, 100) == 0)
				failed(&w, t->problems[j].id, i);
			graded(&w, &g, t->problems[j].id, i, p);
		}
	}
	rng_init(&dup, seed + 1);
	for (size_t j = 0; superseded > 0 && j < t->nproblems; j++)
		for (int i = 0; i < n; i++)
			if (uniform(&dup) < superseded)
				graded(&w, &dup, t->problems[j].id, i, 0.5);
	strbuf_release(&w.line);
	*lines = w.lines;
	int bad = ferror(w.f);
	return fclose(w.f) || bad ? -1 : 0;
}

static void print_metrics(const cJSON *doc)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "tasks"),
					     "synthetic"),
	    "metrics");
	const cJSON *x;
	cJSON_ArrayForEach(x, m)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, "value");
		const cJSON *se = cJSON_GetObjectItemCaseSensitive(x, "se");
		const cJSON *method = cJSON_GetObjectItemCaseSensitive(x, "method");
		printf("  %-10s %.6f  se %.6f %s\n", x->string,
		       cJSON_IsNumber(v) ? v->valuedouble : -1,
		       cJSON_IsNumber(se) ? se->valuedouble : -1,
		       cJSON_IsString(method) ? method->valuestring : "");
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr,
			"usage: metrics_bench PROBLEMS SAMPLES_PER_PROBLEM [SEED [SUPERSEDED]]\n");
		return 2;
	}
	long nprob = strtol(argv[1], NULL, 10), n = strtol(argv[2], NULL, 10);
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
	double superseded = argc > 4 ? strtod(argv[4], NULL) : 0;
	if (nprob < 1 || n < 1) {
		fprintf(stderr, "metrics_bench: PROBLEMS and SAMPLES must be positive\n");
		return 2;
	}
	struct task t = {0};
	t.id = "synthetic";
	t.family = "synthetic";
	t.grader = grader_find("exact");
	t.grader_name = (char *)t.grader->name; /* never freed: t is not task_free()d */
	t.grader_version = t.grader->version;
	int pass_k[] = {1, 8, 16, 32, 64}, cons_k[] = {8, 16, 64};
	t.pass_k = pass_k;
	t.npass_k = 5;
	t.cons_k = cons_k;
	t.ncons_k = 3;
	t.nproblems = (size_t)nprob;
	t.problems = xcalloc((size_t)nprob, sizeof(struct problem));
	for (long j = 0; j < nprob; j++)
		t.problems[j].id = xasprintf("%ld", j);
	task_index_problems(&t);
	const char *tmp = getenv("TMPDIR");
	char *path =
	    xasprintf("%s/reval-metrics-bench-%ld.jsonl", tmp ? tmp : "/tmp", (long)getpid());
	long lines;
	if (write_journal(path, &t, (int)n, seed, superseded, &lines)) {
		fprintf(stderr, "metrics_bench: cannot write '%s'\n", path);
		return 1;
	}
	double rss0 = peak_mib();

	struct task *tasks[] = {&t};
	int nn = (int)n;
	struct tally tl;
	tally_init(&tl, tasks, 1, &nn, all_planned, NULL);
	double t0 = now();
	enum reval_err err = tally_read_journal(&tl, path);
	double t1 = now();
	unlink(path);
	if (err)
		return 1;
	double rss1 = peak_mib();

	struct results_opts o;
	results_opts_init(&o);
	o.seed = (long)seed;
	o.prices.input_per_mtok = 0.5;
	o.prices.output_per_mtok = 2.0;
	struct strbuf problems = STRBUF_INIT;
	cJSON *doc = results_build(&tl, NULL, &o, &problems);
	double t2 = now();
	double rss2 = peak_mib();

	double samples = (double)(nprob * n), tb = (double)tally_bytes(&tl);
	printf("%ld problems x %ld samples = %ld samples (%ld journal lines)\n", nprob, n,
	       nprob * n, lines);
	printf("  read journal      %8.3f s (%s)\n", t1 - t0,
	       tl.superseded ? "two reads: some graded lines superseded" : "one read");
	printf("  metrics time      %8.3f s\n", t2 - t1);
	printf("  peak RSS          %8.1f MiB (start %.1f, after the tally %.1f: metrics added "
	       "%.1f)\n",
	       rss2, rss0, rss1, rss2 - rss1);
	printf("  tally             %8.1f MiB (%.2f bytes per sample; slot %zu bytes)\n",
	       tb / 1048576.0, tb / samples, sizeof(struct slot));
	print_metrics(doc);
	cJSON_Delete(doc);
	strbuf_release(&problems);
	tally_release(&tl);
	for (long j = 0; j < nprob; j++)
		free(t.problems[j].id);
	free(t.problems);
	free(t.index);
	free(path);
	return 0;
}
