/*
 * fingerprint: what made a sample, carried on every journal line.
 *
 * A run's identity has two halves.  What produced each sample -- model,
 * api, seed, extra request body, sampling (all but n), prompt and dataset --
 * is the task's fingerprint: a short hash per part, written into config.json
 * and onto every journal line, so a line made with other settings is
 * recognised even when config.json is gone, and the part that differs can
 * be named.  Which samples the run covers -- tasks, n, limit, shard -- is
 * the selection, kept in config.json: a resume must ask for the same one,
 * or, with --extend, a larger one (more tasks, a larger n or limit) that
 * keeps every finished sample (run.c checks it; which config.json keys must
 * agree for each use is model/identity.c's table).  Grader versions are not
 * part of the fingerprint: a verdict can be redone ('reval grade'), a text
 * cannot.
 */
#ifndef REVAL_FINGERPRINT_H
#define REVAL_FINGERPRINT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "harness/model/task.h"
#include "harness/pipeline/config.h"

/*
 * The fingerprint of the samples of task t under cfg with sampling s:
 * "model=HASH,api=HASH,seed=HASH,extra_body=HASH,sampling=HASH,prompt=HASH,
 * dataset=HASH", 8 hex digits each.  Caller frees.
 */
char *fingerprint_task(const struct config *cfg, const struct task *t,
			   const struct sampling *s);

/*
 * 0 when two fingerprints agree; else 1 with the first part that differs
 * ("sampling", "extra_body", ...) in key (or "fingerprint" when either
 * cannot be read).
 */
int fingerprint_differs(const char *a, const char *b, char *key, size_t keylen);

/*
 * The one check of a journal's lines, for resume, regrade and merge: a
 * line's "fp" must be its task's fingerprint in a config.json (the stored
 * one, or the one this invocation would write); for a task it does not name,
 * the first fingerprint met on that task's lines.  A line without "fp" (from
 * a reval that did not write one) passes.  The checker borrows config.
 */
struct fingerprint_check {
	const cJSON *config; /* a config.json document, or NULL */
	cJSON *seen;         /* task id -> the first fingerprint met, for tasks config does not name */
};

void fingerprint_check_init(struct fingerprint_check *c, const cJSON *config);
/* 0 when the line agrees; else 1 with the part that differs in key. */
int fingerprint_check_line(struct fingerprint_check *c, const cJSON *line, char *key,
			   size_t keylen);
void fingerprint_check_release(struct fingerprint_check *c);

#endif
