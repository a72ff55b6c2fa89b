#include "harness/engine/endpoint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"

void endpoint_pool_init(struct endpoint_pool *p, char *const *urls, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->ep = xcalloc(n ? n : 1, sizeof(*p->ep));
	p->n = n;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(urls[i]);
		while (len && urls[i][len - 1] == '/')
			len--;
		p->ep[i].url = xstrndup(urls[i], len);
		p->ep[i].label = url_redact(p->ep[i].url);
		p->ep[i].last_ok = now_ms();
	}
}

void endpoint_pool_release(struct endpoint_pool *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->ep[i].url);
		free(p->ep[i].label);
	}
	free(p->ep);
	memset(p, 0, sizeof(*p));
}

int endpoint_pick(struct endpoint_pool *p, double now, int avoid, double *wait_until)
{
	int best = -1, fallback = -1;
	double soonest = 0;
	for (size_t k = 0; k < p->n; k++) {
		size_t i = (p->next + k) % p->n;
		struct endpoint *e = &p->ep[i];
		if (e->out_until > now) {
			if (soonest == 0 || e->out_until < soonest)
				soonest = e->out_until;
			continue;
		}
		if ((int)i == avoid) {
			fallback = (int)i;
			continue;
		}
		if (best < 0 || e->outstanding < p->ep[best].outstanding)
			best = (int)i;
	}
	if (best < 0)
		best = fallback;
	if (best < 0) {
		*wait_until = soonest;
		return -1;
	}
	p->next = ((size_t)best + 1) % p->n;
	return best;
}

void endpoint_ok(struct endpoint_pool *p, int i)
{
	struct endpoint *e = &p->ep[i];
	e->ok++;
	e->streak = 0;
	e->in_row = 0;
	e->last_ok = now_ms();
	e->outs = 0;
}

void endpoint_failed(struct endpoint_pool *p, int i, double now, int hard)
{
	struct endpoint *e = &p->ep[i];
	e->failed++;
	e->in_row++;
	if ((p->trip_after && e->in_row >= p->trip_after) ||
	    (p->trip_window_ms > 0 && now - e->last_ok > p->trip_window_ms)) {
		e->tripped = 1;
		e->out_until = INFINITY;
		return;
	}
	if (e->out_until > now)
		return; /* requests sent before it was taken out: one outage, one count */
	e->streak++;
	if (!hard && e->streak < ENDPOINT_STREAK_OUT)
		return;
	double d = ENDPOINT_OUT_MIN_MS;
	for (int k = 0; k < e->outs && d < ENDPOINT_OUT_MAX_MS; k++)
		d *= 2;
	if (d > ENDPOINT_OUT_MAX_MS)
		d = ENDPOINT_OUT_MAX_MS;
	e->outs++;
	e->streak = 0;
	if (now + d > e->out_until)
		e->out_until = now + d;
}

size_t endpoint_alive(const struct endpoint_pool *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += !p->ep[i].tripped;
	return n;
}
