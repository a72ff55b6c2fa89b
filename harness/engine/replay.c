/*
 * replay: serve recorded completions from a file in reval's samples format.
 *
 * The file is read once into a table keyed by (task, problem, sample).  A
 * request with no recording gets the infrastructure error "no_recording",
 * so a gap in a recording shows up as missing samples, never as wrong ones.
 * Recorded infrastructure errors are replayed as such.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/engine/engine.h"
#include "harness/model/journal.h"
#include "harness/base/json.h"
#include "harness/model/sample.h"

struct replay_entry {
	char *key;
	struct sample s;
};

struct replay {
	char *path;
	struct replay_entry *tab; /* open addressing; key NULL = empty */
	size_t cap;
	size_t count;
};

static char *make_key(const char *task, const char *problem, int sample)
{
	return xasprintf("%s\x1f%s\x1f%d", task, problem, sample);
}

static struct replay_entry *slot(struct replay *r, const char *key)
{
	size_t mask = r->cap - 1;
	for (size_t h = hash64(key, strlen(key), 0) & mask;; h = (h + 1) & mask)
		if (!r->tab[h].key || !strcmp(r->tab[h].key, key))
			return &r->tab[h];
}

static void rehash(struct replay *r)
{
	struct replay_entry *old = r->tab;
	size_t oldcap = r->cap;
	r->cap = oldcap ? oldcap * 2 : 1024;
	r->tab = xcalloc(r->cap, sizeof(*r->tab));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*slot(r, old[i].key) = old[i];
	free(old);
}

static enum reval_err add_line(void *ud, const cJSON *obj, long line)
{
	struct replay *r = ud;
	struct sample s;
	const char *why;
	if (sample_from_json(&s, obj, &why)) {
		diag("cannot read replay file '%s' line %ld: %s", r->path, line, why);
		sample_release(&s);
		return RV_EINPUT;
	}
	if (2 * (r->count + 1) > r->cap)
		rehash(r);
	char *key = make_key(s.task, s.problem, s.index);
	struct replay_entry *e = slot(r, key);
	if (e->key && !sample_is_infra(&e->s) && !sample_is_infra(&s) &&
	    strcmp(e->s.content, s.content)) {
		/* Two answers for one sample: which one was meant cannot be guessed. */
		diag("cannot read replay file '%s' line %ld: sample %d of problem '%s' (task '%s') "
		     "already has a different answer in an earlier line",
		     r->path, line, s.index, s.problem, s.task);
		free(key);
		sample_release(&s);
		return RV_EINPUT;
	}
	if (e->key) {
		/* A later line for the same sample replaces an earlier failure, as in a journal. */
		free(key);
		sample_release(&e->s);
	} else {
		e->key = key;
		r->count++;
	}
	e->s = s;
	return RV_OK;
}

static void replay_close(void *state)
{
	struct replay *r = state;
	if (!r)
		return;
	for (size_t i = 0; i < r->cap; i++)
		if (r->tab[i].key) {
			free(r->tab[i].key);
			sample_release(&r->tab[i].s);
		}
	free(r->tab);
	free(r->path);
	free(r);
}

static enum reval_err replay_open(void **state, const char *arg, const struct engine_options *opt)
{
	(void)opt;
	if (!arg || !*arg) {
		diag("--engine replay needs a file: --engine replay:PATH");
		return RV_EUSAGE;
	}
	struct replay *r = xcalloc(1, sizeof(*r));
	r->path = xstrdup(arg);
	FILE *probe = fopen(arg, "re");
	if (!probe) {
		diag("cannot read replay file '%s': %s", arg, strerror(errno));
		free(r->path);
		free(r);
		return RV_EINPUT;
	}
	fclose(probe);
	rehash(r);
	long torn = 0;
	enum reval_err err = journal_read(arg, add_line, r, &torn);
	if (!err && torn)
		diag("replay file '%s': ignoring a torn last line", arg);
	if (err) {
		replay_close(r);
		return err;
	}
	*state = r;
	return RV_OK;
}

static enum reval_err replay_run(void *state, const struct engine_request *reqs, size_t n,
				 engine_done_fn done, void *ud)
{
	struct replay *r = state;
	char *endpoint = xasprintf("replay:%s", path_base(r->path));
	enum reval_err err = RV_OK;
	for (size_t i = 0; i < n && !err; i++) {
		const struct engine_request *q = &reqs[i];
		char *key = make_key(q->task_id, q->problem_id, q->sample);
		struct replay_entry *e = slot(r, key);
		free(key);
		struct completion c;
		completion_init(&c);
		c.endpoint = endpoint;
		c.attempts = 1;
		if (!e->key) {
			c.error_kind = "no_recording";
			c.error_message = "the replay file has no completion for this sample";
		} else {
			const struct sample *s = &e->s;
			c.content = s->content;
			c.reasoning = s->reasoning;
			c.finish_reason = s->finish_reason;
			c.prompt_tokens = s->prompt_tokens;
			c.completion_tokens = s->completion_tokens;
			c.reasoning_tokens = s->reasoning_tokens;
			c.latency_ms = s->latency_ms;
			c.ttft_ms = s->ttft_ms;
			c.error_kind = s->error_kind;
			c.error_message = s->error_message;
		}
		err = (enum reval_err)done(ud, q, &c);
	}
	free(endpoint);
	return err;
}

const struct engine_ops engine_replay = {
	.name = "replay",
	.help = "replay:PATH  serve recorded completions (reval samples format)",
	.open = replay_open,
	.run = replay_run,
	.close = replay_close,
};
