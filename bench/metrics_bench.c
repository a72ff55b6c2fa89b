/*
 * metrics_bench: every metric of results.json for a synthetic run, timed.
 *
 *   metrics_bench PROBLEMS SAMPLES_PER_PROBLEM [SEED]
 *
 * Builds the tally a journal of PROBLEMS x SAMPLES outcomes would fold into
 * (correctness from a per-problem difficulty, a few wrong answer classes,
 * silent and truncated samples, token counts and latencies), then times
 * results_build: pass@k, cons@k exact or sampled, curves, bootstrap
 * intervals, generation statistics, problems.jsonl.  Reading and parsing
 * a journal is measured by bench_pipeline.sh.  Prints figures; asserts
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "grader.h"
#include "results.h"
#include "rng.h"
#include "tally.h"
#include "task.h"
#include "util.h"

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

static int class_of(struct problem_tally *pt, const char *key, int correct)
{
	for (int i = 0; i < pt->nkeys; i++)
		if (!strcmp(pt->keys[i], key))
			return i;
	if (pt->nkeys == pt->keycap) {
		pt->keycap = pt->keycap ? 2 * pt->keycap : 4;
		pt->keys = xrealloc(pt->keys, (size_t)pt->keycap * sizeof(char *));
		pt->key_correct = xrealloc(pt->key_correct, (size_t)pt->keycap);
	}
	pt->keys[pt->nkeys] = xstrdup(key);
	pt->key_correct[pt->nkeys] = (unsigned char)correct;
	return pt->nkeys++;
}

static void fill(struct task_tally *tt, uint64_t seed)
{
	struct rng g;
	rng_init(&g, seed);
	for (size_t j = 0; j < tt->nprobs; j++) {
		struct problem_tally *pt = &tt->probs[j];
		double p = uniform(&g);
		for (int i = 0; i < tt->n; i++) {
			struct slot *sl = &pt->slots[i];
			double u = uniform(&g);
			sl->state = SLOT_GRADED;
			sl->has_reasoning = 1;
			sl->reasoning_closed = u > 0.02;
			sl->truncated = u <= 0.02;
			sl->status = sl->truncated ? GRADE_TRUNCATED : GRADE_OK;
			sl->key = -1;
			if (!sl->truncated && u < 0.07) {
				sl->status = GRADE_NO_ANSWER;
			} else if (!sl->truncated) {
				sl->correct = uniform(&g) < p;
				char wrong[16];
				snprintf(wrong, sizeof(wrong), "w%d", (int)rng_below(&g, 4));
				sl->key = class_of(pt, sl->correct ? "right" : wrong, sl->correct);
			}
			sl->score = sl->correct;
			sl->completion_tokens = 200 + (int)rng_below(&g, 8000);
			sl->reasoning_tokens = sl->completion_tokens * 4 / 5;
			sl->prompt_tokens = 120;
			sl->latency_ms = (float)(sl->completion_tokens * (10 + 20 * uniform(&g)));
			sl->ttft_ms = 50 + 100 * (float)uniform(&g);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: metrics_bench PROBLEMS SAMPLES_PER_PROBLEM [SEED]\n");
		return 2;
	}
	long nprob = strtol(argv[1], NULL, 10), n = strtol(argv[2], NULL, 10);
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
	if (nprob < 1 || n < 1) {
		fprintf(stderr, "metrics_bench: PROBLEMS and SAMPLES must be positive\n");
		return 2;
	}
	double rss0 = peak_mib();
	struct task t = {0};
	t.id = "synthetic";
	t.family = "synthetic";
	t.grader = grader_find("exact");
	int pass_k[] = {1, 8, 16, 32, 64}, cons_k[] = {8, 16, 64};
	t.pass_k = pass_k;
	t.npass_k = 5;
	t.cons_k = cons_k;
	t.ncons_k = 3;
	t.nproblems = (size_t)nprob;
	t.problems = xcalloc((size_t)nprob, sizeof(struct problem));
	for (long j = 0; j < nprob; j++)
		t.problems[j].id = xasprintf("%ld", j);
	struct task *tasks[] = {&t};
	int nn = (int)n;
	struct tally tl;
	tally_init(&tl, tasks, 1, &nn, all_planned, NULL);
	fill(&tl.tasks[0], seed);
	double rss1 = peak_mib();

	struct results_opts o;
	results_opts_init(&o);
	o.seed = (long)seed;
	o.prices.input_per_mtok = 0.5;
	o.prices.output_per_mtok = 2.0;
	struct strbuf problems = STRBUF_INIT;
	double t0 = now();
	cJSON *doc = results_build(&tl, NULL, &o, &problems);
	double t1 = now();
	double rss2 = peak_mib();

	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "tasks"),
						 "synthetic"),
		"metrics");
	const cJSON *x;
	printf("%ld problems x %ld samples = %ld samples\n", nprob, n, nprob * n);
	printf("  metrics time      %8.3f s\n", t1 - t0);
	printf("  peak RSS          %8.1f MiB (start %.1f, after the tally %.1f: metrics added %.1f)\n",
	       rss2, rss0, rss1, rss2 - rss1);
	printf("  tally slots       %8.1f MiB (%zu bytes per sample)\n",
	       (double)(nprob * n) * sizeof(struct slot) / 1048576.0, sizeof(struct slot));
	cJSON_ArrayForEach(x, m)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, "value");
		const cJSON *se = cJSON_GetObjectItemCaseSensitive(x, "se");
		const cJSON *method = cJSON_GetObjectItemCaseSensitive(x, "method");
		printf("  %-10s %.6f  se %.6f %s\n", x->string, cJSON_IsNumber(v) ? v->valuedouble : -1,
		       cJSON_IsNumber(se) ? se->valuedouble : -1,
		       cJSON_IsString(method) ? method->valuestring : "");
	}
	cJSON_Delete(doc);
	strbuf_release(&problems);
	tally_release(&tl);
	for (long j = 0; j < nprob; j++)
		free(t.problems[j].id);
	free(t.problems);
	return 0;
}
