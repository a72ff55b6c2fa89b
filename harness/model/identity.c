#include "harness/model/identity.h"

#include <stdlib.h>
#include <string.h>

#define USE(u) (1u << (u))
#define SAME_RUN (USE(IDENTITY_RESUME) | USE(IDENTITY_MERGE))
#define MEASURE (SAME_RUN | USE(IDENTITY_GATE))
#define EVERY (MEASURE | USE(IDENTITY_REGRADE))

/* One key of a run's identity: the uses it must agree for, and those where --force skips it. */
struct key_rule {
	const char *key;
	unsigned uses;
	unsigned forceable;
	int when_set;       /* recorded only when set; absent (the task's own) differs from any value */
};

/* The run's fingerprint: who answered, and with which seed. */
static const struct key_rule run_rules[] = {
	{"engine", SAME_RUN, SAME_RUN, 0},
	{"model", SAME_RUN, SAME_RUN, 0},
	{"api", SAME_RUN, USE(IDENTITY_MERGE), 0},
	{"seed", SAME_RUN, USE(IDENTITY_MERGE), 0},
	{"seed_scheme", SAME_RUN, 0, 0}, /* how per-sample seeds come from the seed */
	{"extra_body", SAME_RUN, SAME_RUN, 0}, /* recorded only when set */
};

/*
 * Per task: the data, the prompt and the grader; sampling is compared key by
 * key below.  The run's own prompt settings come before the prompt's
 * fingerprint, so a refusal names the setting rather than the hash.
 */
static const struct key_rule task_rules[] = {
	{"dataset_sha256", EVERY, 0, 0},
	{"system_prompt", MEASURE, 0, 1},
	{"prompt_template", MEASURE, 0, 1},
	{"num_fewshot", MEASURE, 0, 1},
	{"prompt_sha256", MEASURE, 0, 0},
	{"grader", MEASURE, 0, 0},
	{"grader_version", MEASURE, 0, 0},
	{"grader_options", MEASURE, 0, 0},
};

/* Sampling: every knob for the measuring uses; the count n extends a resumed run instead. */
static const struct key_rule sampling_rule = {"sampling", MEASURE, SAME_RUN, 0};
static const struct key_rule sampling_n_rule = {"n", USE(IDENTITY_MERGE) | USE(IDENTITY_GATE),
						USE(IDENTITY_MERGE), 0};

/* A run that continues or is merged must have recorded the same keys; reports may be older. */
static int absent_is_a_difference(enum identity_use use)
{
	return use == IDENTITY_RESUME || use == IDENTITY_MERGE;
}

static int applies(const struct key_rule *k, enum identity_use use, int force)
{
	if (use == IDENTITY_REPORT)
		return 1; /* a report says every difference */
	return (k->uses & USE(use)) && !(force && (k->forceable & USE(use)));
}

/* v as JSON text; absent is "(absent)", or for a key recorded only when set, the task's own. */
static char *json_text(const cJSON *v, int when_set)
{
	if (!v)
		return xstrdup(when_set ? "(the task's own)" : "(absent)");
	char *s = cJSON_PrintUnformatted(v);
	char *out = xstrdup(s ? s : "?");
	cJSON_free(s);
	return out;
}

static void add_diff(const char *task, const char *key, const cJSON *a, const cJSON *b,
		     int when_set, struct identity_diffs *out)
{
	GROW(out->d, out->cap, out->n + 1);
	out->d[out->n++] = (struct identity_diff){
		task ? xasprintf("task '%s' %s", task, key) : xstrdup(key), xstrdup(key),
		json_text(a, when_set), json_text(b, when_set)};
}

/* key of task (NULL: of the run) as the use sees it. */
static void compare(const char *task, const char *key, const cJSON *a, const cJSON *b,
		    enum identity_use use, int when_set, struct identity_diffs *out)
{
	if (!a || !b) {
		if (a == b || !(when_set || absent_is_a_difference(use)))
			return;
	} else if (cJSON_Compare(a, b, 1)) {
		return;
	}
	add_diff(task, key, a, b, when_set, out);
}

void identity_compare_run(const cJSON *a, const cJSON *b, enum identity_use use, int force,
			  struct identity_diffs *out)
{
	const cJSON *fa = cJSON_GetObjectItemCaseSensitive(a, "fingerprint");
	const cJSON *fb = cJSON_GetObjectItemCaseSensitive(b, "fingerprint");
	for (size_t i = 0; i < ARRAY_SIZE(run_rules); i++)
		if (applies(&run_rules[i], use, force))
			compare(NULL, run_rules[i].key,
				cJSON_GetObjectItemCaseSensitive(fa, run_rules[i].key),
				cJSON_GetObjectItemCaseSensitive(fb, run_rules[i].key), use, 0, out);
}

static const cJSON *get_member(const void *task, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(task, key);
}

/* Each key of either sampling object, once. */
static void compare_sampling(const char *id, const cJSON *sa, const cJSON *sb,
			     enum identity_use use, int force, struct identity_diffs *out)
{
	if (!sa || !sb) {
		compare(id, "sampling", sa, sb, use, 0, out);
		return;
	}
	const cJSON *side[2] = {sa, sb};
	for (int s = 0; s < 2; s++) {
		const cJSON *kv;
		cJSON_ArrayForEach(kv, side[s])
		{
			if (s == 1 && cJSON_GetObjectItemCaseSensitive(sa, kv->string))
				continue; /* compared from the first side */
			if (!strcmp(kv->string, "n") && !applies(&sampling_n_rule, use, force))
				continue;
			char *key = xasprintf("sampling.%s", kv->string);
			const cJSON *x = cJSON_GetObjectItemCaseSensitive(sa, kv->string);
			const cJSON *y = cJSON_GetObjectItemCaseSensitive(sb, kv->string);
			/* A knob set on one side only is a difference for every use. */
			if (!x || !y)
				add_diff(id, key, x, y, 0, out);
			else
				compare(id, key, x, y, use, 0, out);
			free(key);
		}
	}
}

void identity_compare_task(const char *id, const void *a, const void *b, identity_get_fn get,
			   enum identity_use use, int force, struct identity_diffs *out)
{
	if (!get)
		get = get_member;
	for (size_t i = 0; i < ARRAY_SIZE(task_rules); i++) {
		const struct key_rule *k = &task_rules[i];
		if (!applies(k, use, force))
			continue;
		compare(id, k->key, get(a, k->key), get(b, k->key), use, k->when_set, out);
	}
	if (applies(&sampling_rule, use, force))
		compare_sampling(id, get(a, "sampling"), get(b, "sampling"), use, force, out);
}

void identity_diffs_release(struct identity_diffs *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->d[i].what);
		free(d->d[i].key);
		free(d->d[i].a);
		free(d->d[i].b);
	}
	free(d->d);
	memset(d, 0, sizeof(*d));
}
