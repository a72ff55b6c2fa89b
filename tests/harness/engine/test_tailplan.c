#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/engine/tailplan.h"

/* A plan of np problems with ns samples each, problems named p0, p1, ... */
static struct engine_request *plan(size_t np, size_t ns, char ids[][8])
{
	struct engine_request *r = calloc(np * ns, sizeof(*r));
	for (size_t p = 0; p < np; p++) {
		snprintf(ids[p], 8, "p%zu", p);
		for (size_t s = 0; s < ns; s++) {
			struct engine_request *q = &r[p * ns + s];
			q->task_id = "t";
			q->problem_id = ids[p];
			q->sample = (int)s;
			q->item = p * ns + s;
		}
	}
	return r;
}

Test(tailplan, probes_each_problem_once_in_the_plans_order_first)
{
	char ids[3][8];
	struct engine_request *r = plan(3, 3, ids);
	struct tailplan *p = tailplan_new(r, 9);
	cr_assert_eq(tailplan_next(p), 0);
	cr_assert_eq(tailplan_next(p), 3);
	cr_assert_eq(tailplan_next(p), 6);
	tailplan_free(p);
	free(r);
}

Test(tailplan, then_the_longest_measured_with_a_running_probe_longest_of_all)
{
	char ids[3][8];
	struct engine_request *r = plan(3, 3, ids);
	struct tailplan *p = tailplan_new(r, 9);
	for (int k = 0; k < 3; k++)
		tailplan_next(p);
	tailplan_done(p, 3, 100); /* p1 is short */
	tailplan_done(p, 6, 500); /* p2 is longer; p0's probe is still running */
	size_t want[] = {1, 2, 7, 8, 4, 5};
	for (size_t k = 0; k < 6; k++)
		cr_assert_eq(tailplan_next(p), want[k], "step %zu", k);
	cr_assert_eq(tailplan_next(p), TAILPLAN_NONE);
	tailplan_free(p);
	free(r);
}

Test(tailplan, a_measurement_reorders_what_is_left_and_a_failure_measures_nothing)
{
	char ids[2][8];
	struct engine_request *r = plan(2, 4, ids);
	struct tailplan *p = tailplan_new(r, 8);
	cr_assert_eq(tailplan_next(p), 0);
	cr_assert_eq(tailplan_next(p), 4);
	tailplan_done(p, 0, 900);
	tailplan_done(p, 4, -1); /* failed: p1 keeps its claim as unknown, the longest */
	cr_assert_eq(tailplan_next(p), 5);
	tailplan_done(p, 5, 100); /* now p1 measures short */
	cr_assert_eq(tailplan_next(p), 1);
	cr_assert_eq(tailplan_next(p), 2);
	cr_assert_eq(tailplan_next(p), 3);
	cr_assert_eq(tailplan_next(p), 6);
	cr_assert_eq(tailplan_next(p), 7);
	cr_assert_eq(tailplan_next(p), TAILPLAN_NONE);
	tailplan_free(p);
	free(r);
}

Test(tailplan, known_lengths_need_no_probe_and_unknown_problems_go_first)
{
	char ids[3][8];
	struct engine_request *r = plan(3, 2, ids);
	r[0].expect_tokens = r[1].expect_tokens = 50;  /* p0: short, known */
	r[4].expect_tokens = r[5].expect_tokens = 800; /* p2: long, known */
	struct tailplan *p = tailplan_new(r, 6);
	size_t want[] = {2, 3, 4, 5, 0, 1}; /* p1 (unknown, probed, still running), p2, p0 */
	for (size_t k = 0; k < 6; k++)
		cr_assert_eq(tailplan_next(p), want[k], "step %zu", k);
	cr_assert_eq(tailplan_next(p), TAILPLAN_NONE);
	tailplan_free(p);
	free(r);
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double unit(uint64_t *s)
{
	return ((double)(rng(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(uint64_t *s)
{
	return sqrt(-2 * log(unit(s))) * cos(2 * M_PI * unit(s));
}

/*
 * A batching server with `slots` sequences at once, one token per step,
 * fed one request per free slot as they finish, from the tail plan (or the
 * plan's own order): the number of steps until the last sample is done.
 * Every request is handed out once, each problem's samples in their order.
 */
static long simulate(const struct engine_request *r, const long *len, size_t n, int slots,
		     int learn)
{
	struct tailplan *p = learn ? tailplan_new(r, n) : NULL;
	long *end = calloc((size_t)slots, sizeof(*end));
	size_t *who = calloc((size_t)slots, sizeof(*who));
	char *seen = calloc(n, 1);
	size_t cursor = 0, given = 0;
	int *last = calloc(n, sizeof(*last)); /* per problem index: last sample given */
	for (size_t i = 0; i < n; i++)
		last[i] = -1;
	long now = 0;
	for (int s = 0; s < slots; s++)
		who[s] = TAILPLAN_NONE;
	for (;;) {
		for (int s = 0; s < slots; s++) {
			if (who[s] != TAILPLAN_NONE)
				continue;
			size_t i = p ? tailplan_next(p) : cursor < n ? cursor++ : TAILPLAN_NONE;
			if (i == TAILPLAN_NONE)
				break;
			cr_assert(i < n && !seen[i], "request %zu handed out twice", i);
			seen[i] = 1;
			given++;
			size_t prob = i / 8;
			cr_assert_eq(r[i].sample, last[prob] + 1, "a problem's samples keep their order");
			last[prob] = r[i].sample;
			who[s] = i;
			end[s] = now + len[i];
		}
		long next = -1;
		for (int s = 0; s < slots; s++)
			if (who[s] != TAILPLAN_NONE && (next < 0 || end[s] < next))
				next = end[s];
		if (next < 0)
			break;
		now = next;
		for (int s = 0; s < slots; s++)
			if (who[s] != TAILPLAN_NONE && end[s] == now) {
				if (p)
					tailplan_done(p, who[s], len[who[s]]);
				who[s] = TAILPLAN_NONE;
			}
	}
	cr_assert_eq(given, n, "every request handed out");
	tailplan_free(p);
	free(end);
	free(who);
	free(seen);
	free(last);
	return now;
}

/*
 * Heavy-tailed lengths, alike within a problem (the fake server's model):
 * against the plan's order, learning the lengths shortens the run on every
 * seed, and comes near a bound no order can beat (all tokens spread over
 * every slot, or the longest sample, whichever is more).
 */
Test(tailplan, learning_lengths_shortens_a_heavy_tailed_run_on_every_seed)
{
	enum { NP = 200, NS = 8, SLOTS = 64 };
	char ids[NP][8];
	struct engine_request *r = plan(NP, NS, ids);
	long len[NP * NS];
	double sum_plain = 0, sum_learned = 0;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		uint64_t s = seed * 0x9e3779b97f4a7c15ull;
		long total = 0, longest = 0;
		for (size_t pi = 0; pi < NP; pi++) {
			double mu = log(300) + 0.6 * gauss(&s);
			for (size_t k = 0; k < NS; k++) {
				double l = exp(mu + 0.5 * gauss(&s));
				len[pi * NS + k] = l > 4096 ? 4096 : l < 1 ? 1 : (long)l;
				total += len[pi * NS + k];
				if (len[pi * NS + k] > longest)
					longest = len[pi * NS + k];
			}
		}
		long plain = simulate(r, len, NP * NS, SLOTS, 0);
		long learned = simulate(r, len, NP * NS, SLOTS, 1);
		double bound = fmax((double)total / SLOTS, (double)longest);
		cr_assert_lt(learned, plain, "seed %llu: learned %ld steps, plan order %ld",
			     (unsigned long long)seed, learned, plain);
		sum_plain += plain / bound;
		sum_learned += learned / bound;
	}
	/* 20 seeds here: plan order 1.16x the bound on average, learned 1.05x. */
	cr_assert_lt(sum_learned / 20, 1.07, "learned order %.3fx the bound on average (plan %.3fx)",
		     sum_learned / 20, sum_plain / 20);
	free(r);
}
