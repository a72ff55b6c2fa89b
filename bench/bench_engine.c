/*
 * bench_engine: drive the openai engine directly at one base URL and print
 * what it achieved: requests per second, the latency of each request as
 * the engine saw it (p50, p99), and peak memory above the starting point
 * per request in flight.  Used by bench_engine.sh; prints, never asserts.
 *
 *   bench_engine URL REQUESTS CONCURRENCY
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "harness/pipeline/config.h"
#include "harness/engine/engine.h"
#include "harness/engine/openai.h"
#include "harness/pipeline/run.h"
#include "harness/model/task.h"

static double *lat;
static size_t nlat, errors;

static int on_done(void *ud, const struct engine_request *req, const struct completion *c)
{
	(void)ud;
	(void)req;
	if (c->error_kind)
		errors++;
	else
		lat[nlat++] = c->latency_ms;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static long rss_kb(void)
{
	long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bench_engine URL REQUESTS CONCURRENCY\n");
		return 2;
	}
	size_t n = (size_t)strtol(argv[2], NULL, 10);
	struct config cfg;
	config_init(&cfg);
	cfg.model = xstrdup("fake-model");
	cfg.concurrency = strtol(argv[3], NULL, 10);
	cfg.timeout_s = 120;
	cfg.max_attempts = 3;
	cfg.seed = 0;
	cfg.stream = 0;
	char *urls[] = {argv[1], NULL};
	struct openai *e;
	struct engine_options opt;
	run_engine_options(&opt, &cfg);
	if (openai_new(&opt, urls, 1, &e))
		return 1;
	struct sampling s;
	sampling_init(&s);
	s.n = 1;
	s.temperature = 0.6;
	s.max_tokens = 64;
	struct engine_request *reqs = xcalloc(n, sizeof(*reqs));
	char **ids = xcalloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		ids[i] = xasprintf("p%zu", i);
		reqs[i] = (struct engine_request){.item = i, .task_id = "bench", .problem_id = ids[i],
						  .seed = i, .prompt = "Q: 2+2\nA:", .sampling = &s,
						  .api = "chat"};
	}
	lat = xcalloc(n, sizeof(double));
	long base = rss_kb();
	double t0 = now_ms();
	enum reval_err err = openai_run(e, reqs, n, on_done, NULL);
	double secs = (now_ms() - t0) / 1000;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	qsort(lat, nlat, sizeof(double), cmp);
	double p50 = nlat ? lat[nlat / 2] : NAN, p99 = nlat ? lat[(size_t)((double)nlat * 0.99)] : NAN;
	long inflight = cfg.concurrency < (long)n ? cfg.concurrency : (long)n;
	printf("requests=%zu errors=%zu seconds=%.3f rate=%.1f p50_ms=%.3f p99_ms=%.3f "
	       "peak_rss_kb=%ld base_rss_kb=%ld per_inflight_kb=%.1f\n",
	       nlat, errors, secs, (double)nlat / secs, p50, p99, ru.ru_maxrss, base,
	       (double)(ru.ru_maxrss - base) / (double)inflight);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(reqs);
	free(lat);
	sampling_release(&s);
	openai_free(e);
	config_release(&cfg);
	return err ? 1 : 0;
}
