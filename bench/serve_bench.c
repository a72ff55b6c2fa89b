/*
 * serve_bench: the in-process peer of `reval serve` for make bench -- the
 * same reward (harness/serve/reward.h: think split, math checker, format
 * rule) over the same items, on THREADS threads with a reward context each,
 * as the server's workers have.
 *
 *   serve_bench ITEMS.jsonl THREADS SECONDS
 *
 * ITEMS.jsonl holds {"response", "gold"[, "prompt"]} per line.  Prints
 * "in-process: N rewards/s on T threads, M per CPU-second" (the second
 * figure holds up better on a machine shared with other work).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "harness/base/json.h"
#include "harness/base/util.h"
#include "harness/serve/reward.h"

struct job {
	struct reward_rule rule;
	struct reward_item *items;
	size_t n;
	double until;
	atomic_long done;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	struct strbuf err = STRBUF_INIT;
	struct reward_ctx *c = reward_ctx_new(&j->rule, &err);
	if (!c)
		die("reward: %s", err.buf);
	long done = 0;
	for (size_t i = 0; now_ms() < j->until; i = (i + 1) % j->n) {
		struct reward_out o;
		reward_score(c, &j->items[i], &o);
		reward_out_release(&o);
		done++;
	}
	atomic_fetch_add(&j->done, done);
	reward_ctx_free(c);
	strbuf_release(&err);
	return NULL;
}

int main(int argc, char **argv)
{
	long threads, secs;
	if (argc != 4 || parse_long(argv[2], &threads) || threads < 1 || parse_long(argv[3], &secs) ||
	    secs < 1)
		die("usage: serve_bench ITEMS.jsonl THREADS SECONDS");
	char *text, why[128];
	size_t len, cap = 0;
	if (read_text_file(argv[1], 1u << 30, &text, &len, why, sizeof(why)))
		die("cannot read '%s': %s", argv[1], why);
	struct job j = {0};
	reward_rule_default(&j.rule);
	cJSON **docs = NULL;
	size_t ndocs = 0, dcap = 0;
	struct lines it;
	struct strview line;
	lines_init(&it, text, len);
	while (lines_next(&it, &line)) {
		cJSON *o = json_parse_len(line.ptr, line.len);
		if (!json_str(o, "response") || !json_str(o, "gold"))
			die("'%s' line %zu: want {\"response\", \"gold\"}", argv[1], it.no);
		GROW(docs, dcap, ndocs + 1);
		docs[ndocs++] = o;
		GROW(j.items, cap, j.n + 1);
		j.items[j.n++] = (struct reward_item){.response = json_str(o, "response"),
						      .gold = json_str(o, "gold"),
						      .prompt = json_str(o, "prompt"),
						      .partial = -1};
	}
	if (!j.n)
		die("'%s' has no items", argv[1]);
	atomic_init(&j.done, 0);
	double t0 = now_ms();
	j.until = t0 + (double)secs * 1000;
	pthread_t *th = xcalloc((size_t)threads, sizeof(*th));
	for (long i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, &j);
	for (long i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	double s = (now_ms() - t0) / 1000;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	double done = (double)atomic_load(&j.done);
	printf("in-process: %.0f rewards/s on %ld threads, %.0f per CPU-second\n", done / s, threads,
	       done / cpu);
	for (size_t i = 0; i < ndocs; i++)
		cJSON_Delete(docs[i]);
	free(docs);
	free(j.items);
	free(th);
	free(text);
	return 0;
}
