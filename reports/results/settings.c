#include "reports/results/settings.h"

#include <stdlib.h>
#include <string.h>

#include "harness/model/identity.h"

#define VALUE_CLIP 48 /* bytes of a value shown (a prompt template can be long) */
#define HASH_CLIP 13  /* a checksum's opening quote and 12 hex digits */

/* A sha256 as JSON text: "<64 hex digits>". */
static int is_hash(const char *v)
{
	if (strlen(v) != 66 || v[0] != '"' || v[65] != '"')
		return 0;
	return strspn(v + 1, "0123456789abcdef") == 64;
}

/* v cut on a character boundary (a checksum to 12 digits) with an ellipsis; takes v. */
static char *clip(char *v)
{
	size_t n = strlen(v);
	if (is_hash(v))
		n = HASH_CLIP;
	else if (n <= VALUE_CLIP)
		return v;
	else
		n = VALUE_CLIP;
	while (n && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--;
	char *out = xasprintf("%.*s…", (int)n, v);
	free(v);
	return out;
}

/* The same key and values already recorded for this run: the entry to count another task in. */
static struct setting_diff *find(struct setting_diffs *out, size_t run, const char *key,
				 const char *a, const char *b)
{
	for (size_t i = out->n; i-- > 0 && out->d[i].run == run;)
		if (!strcmp(out->d[i].key, key) && !strcmp(out->d[i].a, a) &&
		    !strcmp(out->d[i].b, b))
			return &out->d[i];
	return NULL;
}

static void add(struct setting_diffs *out, size_t run, const char *task,
		const struct identity_diff *d)
{
	char *a = clip(xstrdup(d->a)), *b = clip(xstrdup(d->b));
	struct setting_diff *same = task ? find(out, run, d->key, a, b) : NULL;
	if (same) {
		same->ntasks++;
		free(same->task);
		same->task = NULL;
		free(a);
		free(b);
		return;
	}
	GROW(out->d, out->cap, out->n + 1);
	out->d[out->n++] = (struct setting_diff){run, xstrdup(d->key), a, b,
						 task ? xstrdup(task) : NULL, task != NULL};
}

/*
 * A run's own prompt setting differs: the prompt's fingerprint differs
 * because of it, and the setting says more than the hash.
 */
static int prompt_setting_differs(const struct identity_diffs *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->d[i].key, "system_prompt") || !strcmp(d->d[i].key, "prompt_template") ||
		    !strcmp(d->d[i].key, "num_fewshot"))
			return 1;
	return 0;
}

void settings_compare(const struct runset *rs, struct setting_diffs *out)
{
	if (rs->nruns < 2)
		return;
	const struct rs_run *ref = &rs->runs[0];
	for (size_t r = 1; r < rs->nruns; r++) {
		const struct rs_run *run = &rs->runs[r];
		struct identity_diffs d = {0};
		identity_compare_run(ref->config, run->config, IDENTITY_REPORT, 0, &d);
		for (size_t i = 0; i < d.n; i++)
			add(out, r, NULL, &d.d[i]);
		identity_diffs_release(&d);
		for (size_t k = 0; k < ref->ntasks; k++) {
			const struct rs_task *a = &ref->tasks[k];
			const struct rs_task *b = runset_task(run, a->id);
			if (!b)
				continue;
			identity_compare_task(a->id, a, b, rs_task_identity, IDENTITY_REPORT, 0, &d);
			int named = prompt_setting_differs(&d);
			for (size_t i = 0; i < d.n; i++)
				if (!(named && !strcmp(d.d[i].key, "prompt_sha256")))
					add(out, r, a->id, &d.d[i]);
			identity_diffs_release(&d);
		}
	}
}

void settings_describe_run(const struct setting_diffs *d, size_t run, struct strbuf *sb)
{
	int first = 1;
	for (size_t i = 0; i < d->n; i++) {
		const struct setting_diff *s = &d->d[i];
		if (s->run != run)
			continue;
		strbuf_addf(sb, "%s%s %s vs %s", first ? "" : "; ", s->key, s->a, s->b);
		if (s->task)
			strbuf_addf(sb, " (task '%s')", s->task);
		else if (s->ntasks)
			strbuf_addf(sb, " (%zu tasks)", s->ntasks);
		first = 0;
	}
}

void settings_diffs_release(struct setting_diffs *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->d[i].key);
		free(d->d[i].a);
		free(d->d[i].b);
		free(d->d[i].task);
	}
	free(d->d);
	memset(d, 0, sizeof(*d));
}
