/*
 * Splitting server-side n into one request per sample (--split-n, the
 * default under the adaptive limiter) and the batching simulator: the
 * split changes when slots free up, never what a sample is.  Neither does
 * server-side n itself: a problem's seeds are consecutive and the
 * simulator, as vLLM, gives choice i of a request with seed S the seed S + i.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/engine/openai_body.h"
#include "tests/support/fake.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

struct outcome {
	char *content[12];
	long tokens[12];
};

/* 3 problems x 4 samples against a fresh simulator with these flags. */
static void run_once(const char *const *fake_args, int split, struct outcome *o, int *requests)
{
	struct fake f;
	fake_start(&f, fake_args);
	struct config cfg;
	test_config(&cfg, ARGS(f.url));
	cfg.split_n = split;
	struct plan p;
	plan_make(&p, 3, 4, "chat");
	cr_assert_eq(plan_run(&p, "openai", &cfg), RV_OK);
	for (size_t i = 0; i < p.n; i++) {
		cr_assert_eq(p.got[i].calls, 1, "sample %zu delivered once", i);
		cr_assert_null(p.got[i].error_kind, "sample %zu: %s", i, p.got[i].error_kind);
		o->content[i] = strdup(p.got[i].content);
		o->tokens[i] = p.got[i].completion_tokens;
	}
	*requests = fake_requests(&f);
	if (split) {
		/* Every request asks for one sample, with that sample's own seed (in
		 * whatever order the run chose to ask). */
		cJSON *log = fake_log(&f);
		const cJSON *e;
		int k = 0, used[12] = {0};
		cJSON_ArrayForEach(e, log)
		{
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(e, "body");
			if (!b)
				continue;
			cr_assert_leq(json_num(b, "n", 1), 1, "no server-side n when split");
			uint64_t seed = (uint64_t)json_num(b, "seed", -1);
			size_t i = 0;
			while (i < p.n && (used[i] || oa_wire_seed(p.reqs[i].seed) != seed))
				i++;
			cr_assert_lt(i, p.n, "request %d carries a sample's own seed, once", k);
			used[i] = 1;
			k++;
		}
		cr_assert_eq(k, 12, "one request per sample");
		cJSON_Delete(log);
	}
	plan_release(&p);
	config_release(&cfg);
	fake_stop(&f);
}

static void outcome_release(struct outcome *o)
{
	for (int i = 0; i < 12; i++)
		free(o->content[i]);
}

Test(openai_split, split_n_keeps_per_sample_seeds_and_results)
{
	const char *const *sim = ARGS("--sim", "4:1", "--sim-len", "40:0.5:0.5:200");
	struct outcome a, b, c, d;
	int ra, rb, rc, rd;
	run_once(sim, 1, &a, &ra);
	run_once(sim, 1, &b, &rb);
	cr_assert_eq(ra, 12, "one request per sample");
	/* The same samples when the server ignores n and reval falls back to singles. */
	const char *const *ignore = ARGS("--sim", "4:1", "--sim-len", "40:0.5:0.5:200", "--n", "ignore");
	run_once(ignore, 0, &c, &rc);
	/* And when the server honours n: one request per problem. */
	run_once(sim, 0, &d, &rd);
	cr_assert_eq(rd, 3, "one request per problem");
	for (int i = 0; i < 12; i++) {
		cr_assert_str_eq(a.content[i], b.content[i], "sample %d repeats", i);
		cr_assert_eq(a.tokens[i], b.tokens[i], "sample %d repeats its length", i);
		cr_assert_str_eq(a.content[i], c.content[i], "sample %d: the same completion", i);
		cr_assert_eq(a.tokens[i], c.tokens[i], "sample %d: the same length", i);
		/* The server reports one total for n choices: each sample's tokens are its share. */
		cr_assert_str_eq(a.content[i], d.content[i], "sample %d under server-side n", i);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(a.content[i], a.content[j], "samples %d and %d are one", i, j);
	}
	outcome_release(&a);
	outcome_release(&b);
	outcome_release(&c);
	outcome_release(&d);
}

Test(openai_split, the_simulator_reports_the_lengths_it_generated)
{
	struct outcome a;
	int r;
	run_once(ARGS("--sim", "2:1", "--sim-len", "30:0.5:0.5:60"), 0, &a, &r);
	cr_assert_lt(r, 12, "server-side n: fewer requests than samples");
	for (int i = 0; i < 12; i++) {
		cr_assert_gt(a.tokens[i], 0);
		cr_assert_leq(a.tokens[i], 60, "capped at the simulator's maximum");
	}
	outcome_release(&a);
}
