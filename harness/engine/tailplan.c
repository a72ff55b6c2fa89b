/* See tailplan.h. */
#include "harness/engine/tailplan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/heap.h"
#include "harness/base/util.h"

/* A previous run's mean counts as this many of this run's samples. */
#define TAILPLAN_PRIOR_WEIGHT 4.0

struct group {
	size_t first, count; /* its requests, [first, first + count) in the plan */
	size_t sent;         /* how many of them went out */
	double sum;          /* completion tokens its finished samples measured */
	long measured;       /* how many did */
	double prior;        /* expected tokens from a previous run, or -1 */
	unsigned version;    /* bumped when its claim changes: older heap entries are stale */
};

struct entry {
	double key; /* expected tokens: longer first */
	size_t g;   /* the group, also its rank in the plan: lower first on ties */
	unsigned version;
};

struct tailplan {
	struct group *g;
	size_t ng;
	size_t *group_of; /* request -> its group */
	size_t probe;     /* the next group to probe, in the plan's order */
	struct heap claims; /* struct entry, longest claim first */
};

static int same_problem(const struct engine_request *a, const struct engine_request *b)
{
	return !strcmp(a->task_id, b->task_id) && !strcmp(a->problem_id, b->problem_id);
}

/* What a group is expected to take: measured, else known from before, else
 * (its probe still running) more than anything measured. */
static double claim(const struct group *g)
{
	if (g->prior >= 0)
		return (TAILPLAN_PRIOR_WEIGHT * g->prior + g->sum) /
		       (TAILPLAN_PRIOR_WEIGHT + (double)g->measured);
	return g->measured ? g->sum / (double)g->measured : INFINITY;
}

static int before(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	return a->key > b->key || (a->key == b->key && a->g < b->g);
}

static void push(struct tailplan *p, size_t gi)
{
	struct group *g = &p->g[gi];
	if (g->sent >= g->count)
		return;
	struct entry e = {claim(g), gi, g->version};
	heap_push(&p->claims, &e);
}

struct tailplan *tailplan_new(const struct engine_request *reqs, size_t n)
{
	struct tailplan *p = xcalloc(1, sizeof(*p));
	heap_init(&p->claims, sizeof(struct entry), before);
	p->group_of = xcalloc(n ? n : 1, sizeof(*p->group_of));
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		if (!p->ng || !same_problem(&reqs[i], &reqs[p->g[p->ng - 1].first])) {
			GROW(p->g, cap, p->ng + 1);
			p->g[p->ng++] = (struct group){
				.first = i, .prior = reqs[i].expect_tokens > 0 ? reqs[i].expect_tokens : -1};
		}
		p->g[p->ng - 1].count++;
		p->group_of[i] = p->ng - 1;
	}
	/* Known lengths need no probe. */
	for (size_t gi = 0; gi < p->ng; gi++)
		if (p->g[gi].prior >= 0)
			push(p, gi);
	return p;
}

void tailplan_free(struct tailplan *p)
{
	if (!p)
		return;
	free(p->g);
	free(p->group_of);
	heap_release(&p->claims);
	free(p);
}

size_t tailplan_next(struct tailplan *p)
{
	while (p->probe < p->ng) {
		struct group *g = &p->g[p->probe];
		if (g->prior >= 0) {
			p->probe++;
			continue;
		}
		g->sent = 1;
		push(p, p->probe++);
		return g->first;
	}
	while (heap_top(&p->claims)) {
		struct entry e;
		heap_pop(&p->claims, &e);
		struct group *g = &p->g[e.g];
		if (e.version != g->version || g->sent >= g->count)
			continue;
		size_t i = g->first + g->sent++;
		push(p, e.g);
		return i;
	}
	return TAILPLAN_NONE;
}

void tailplan_done(struct tailplan *p, size_t i, long tokens)
{
	if (tokens < 0)
		return;
	size_t gi = p->group_of[i];
	struct group *g = &p->g[gi];
	g->sum += (double)tokens;
	g->measured++;
	g->version++;
	push(p, gi);
}
