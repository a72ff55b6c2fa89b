#include "harness/pipeline/progress.h"

#include <stdio.h>

#include "harness/base/util.h"

void progress_init(struct progress *p, int enabled, long total, const char *label)
{
	p->enabled = enabled;
	p->total = total;
	p->done = p->errors = p->tokens = p->graded = p->retries = 0;
	p->score = 0;
	p->start_ms = now_ms();
	p->last_draw_ms = 0;
	p->label = label;
	p->load = NULL;
}

static void fmt_secs(char *out, size_t n, double s)
{
	if (s < 0 || s > 1e7)
		snprintf(out, n, "?");
	else if (s < 60)
		snprintf(out, n, "%.0fs", s);
	else if (s < 3600)
		snprintf(out, n, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(out, n, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

void progress_line(const struct progress *p, int final, char *out, size_t n)
{
	double el = (now_ms() - p->start_ms) / 1000.0;
	double rate = el > 0 ? (double)p->done / el : 0;
	char eta[32], acc[32];
	fmt_secs(eta, sizeof(eta), rate > 0 ? (double)(p->total - p->done) / rate : -1);
	if (p->graded)
		snprintf(acc, sizeof(acc), "%.1f%%", 100 * p->score / (double)p->graded);
	else
		snprintf(acc, sizeof(acc), "-");
	char load[96] = "";
	const struct engine_load *l = p->load;
	if (l && l->phase) {
		int k = snprintf(load, sizeof(load), "  in flight %ld/%ld (%s)", l->inflight, l->limit,
				 l->phase);
		if (l->server_running >= 0 && k > 0 && (size_t)k < sizeof(load))
			snprintf(load + k, sizeof(load) - (size_t)k, "  server %ld running %ld waiting",
				 l->server_running, l->server_waiting < 0 ? 0 : l->server_waiting);
	}
	snprintf(out, n,
		 "reval %s: %ld/%ld samples  %.1f/s  ETA %s  accuracy %s of %ld  %ld errors  "
		 "%ld retries  %.0f tok/s%s",
		 p->label, p->done, p->total, rate, final ? "0s" : eta, acc, p->graded, p->errors,
		 p->retries, el > 0 ? (double)p->tokens / el : 0, load);
}

static void draw(struct progress *p, int final)
{
	char line[384];
	progress_line(p, final, line, sizeof(line));
	fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
	fflush(stderr);
}

void progress_add(struct progress *p, int error, double score, int attempts, long tokens)
{
	p->done++;
	p->errors += error != 0;
	if (!error) {
		p->graded++;
		p->score += score;
	}
	if (attempts > 1)
		p->retries += attempts - 1;
	if (tokens > 0)
		p->tokens += tokens;
	if (!p->enabled)
		return;
	double now = now_ms();
	if (now - p->last_draw_ms >= 200) {
		p->last_draw_ms = now;
		draw(p, 0);
	}
}

void progress_finish(struct progress *p)
{
	if (p->enabled && p->total)
		draw(p, 1);
}
