#include "harness/engine/limiter.h"

#include <math.h>
#include <string.h>

void limiter_init(struct limiter *l, long fixed, long ceiling, double now_ms)
{
	memset(l, 0, sizeof(*l));
	l->cut_at_ms = -1e18;
	l->no_queue_ms = -1e18;
	l->win_start_ms = now_ms;
	if (fixed > 0) {
		l->phase = LIMITER_FIXED;
		l->limit = l->ceiling = (double)fixed;
		return;
	}
	l->phase = LIMITER_GROW;
	l->slow_start = 1;
	l->ceiling = ceiling > 0 ? (double)ceiling : LIMITER_CEILING;
	l->limit = fmin(LIMITER_START, l->ceiling);
}

const char *limiter_phase_name(enum limiter_phase p)
{
	switch (p) {
	case LIMITER_FIXED: return "fixed";
	case LIMITER_GROW: return "growing";
	case LIMITER_HOLD: return "held";
	case LIMITER_SIZED: return "sized";
	}
	return "?";
}

/* Where the limit rests when nothing pushes it: the ceiling, or the server's size. */
static double target(const struct limiter *l)
{
	if (l->phase == LIMITER_SIZED) {
		double q = fmax(4, ceil((double)l->capacity / 4));
		return fmin(l->ceiling, (double)l->capacity + q);
	}
	return l->ceiling;
}

/*
 * A sized limit's target, kept just below the level where 429s began when
 * they began with every slot busy: that level is the server's queue full.
 * 429s below its size came from a burst and say nothing of its queue.
 */
static double target_below_rejections(const struct limiter *l)
{
	double t = target(l);
	if (l->phase == LIMITER_SIZED && l->reject_level > (double)l->capacity &&
	    t >= l->reject_level)
		t = l->reject_level - fmax(1, floor(l->reject_level / 16));
	return t;
}

static void set_limit(struct limiter *l, double v)
{
	v = fmin(v, l->ceiling);
	if (v < 1)
		v = 1;
	if (v != l->limit)
		l->held = 0;
	l->limit = v;
}

/*
 * After 429s the edge is known: approach it one small step per window,
 * never by doubling; once the server has been quiet for a while (the 429s
 * may have come from a burst, not the server's size), by a quarter.
 */
static double recover_step(const struct limiter *l, double now_ms)
{
	if (now_ms - l->cut_at_ms > LIMITER_QUIET_MS)
		return fmax(1, ceil(l->limit / 4));
	return fmax(1, floor(l->limit / 32));
}

static void window_grow(struct limiter *l, double rate, double latency, double now_ms)
{
	int gained = !l->last_rate || rate > l->last_rate * (1 + LIMITER_GROW_GAIN);
	int slower = l->last_latency > 0 && latency > l->last_latency * (1 + LIMITER_LAT_RISE);
	if (gained) {
		l->probe_from = 0;
		if (!l->slow_start)
			set_limit(l, l->reject_level ? l->limit + recover_step(l, now_ms) : l->limit * 2);
	} else if (slower) {
		/* More in flight only queued: the knee is here; a failed probe goes back. */
		l->phase = LIMITER_HOLD;
		if (l->probe_from)
			set_limit(l, l->probe_from);
		else if (l->slow_start)
			set_limit(l, l->win_limit); /* what slow start added in this window bought nothing */
		l->probe_from = 0;
		l->held = 0;
		l->slow_start = 0;
	} else if (!l->slow_start) {
		/* Neither gain nor queueing: noise; keep growing, more gently. */
		set_limit(l, l->reject_level ? l->limit + recover_step(l, now_ms) : ceil(l->limit * 1.5));
	}
}

static void window_end(struct limiter *l, double now_ms)
{
	double secs = (now_ms - l->win_start_ms) / 1000.0;
	double rate = secs > 0 ? l->win_tokens / secs : 0;
	double latency = l->win_done ? l->win_latency / (double)l->win_done : 0;
	l->windows++;
	switch (l->phase) {
	case LIMITER_GROW: window_grow(l, rate, latency, now_ms); break;
	case LIMITER_HOLD:
		if (++l->held >= LIMITER_PROBE_EVERY) {
			/* Probe upwards; a probe that only adds latency goes back. */
			l->phase = LIMITER_GROW;
			l->probe_from = l->limit;
			set_limit(l, ceil(l->limit * 1.25));
		}
		break;
	case LIMITER_FIXED:
	case LIMITER_SIZED:
		if (l->limit < target_below_rejections(l)) {
			/* Quiet for a while: close a quarter of the gap each window, else creep. */
			double t = target_below_rejections(l), gap = t - l->limit;
			double step = now_ms - l->cut_at_ms > LIMITER_QUIET_MS ? fmax(1, ceil(gap / 4))
									       : recover_step(l, now_ms);
			set_limit(l, fmin(t, l->limit + step));
		}
		break;
	}
	l->last_rate = rate;
	l->last_latency = latency;
	l->win_start_ms = now_ms;
	l->win_done = 0;
	l->win_need = 0;
	l->win_tokens = l->win_latency = 0;
}

void limiter_done(struct limiter *l, double now_ms, double latency_ms, long tokens,
		  long inflight)
{
	(void)inflight;
	/* Slow start: one more per sample done, so the limit doubles every turnover. */
	if (l->phase == LIMITER_GROW && l->slow_start)
		set_limit(l, l->limit + 1);
	l->win_done++;
	l->win_tokens += tokens > 0 ? (double)tokens : 1;
	/*
	 * Latency per token: a batching server decodes every running sequence
	 * at one step per token, so this stays flat until requests queue,
	 * however long or short the samples of the window were.
	 */
	if (latency_ms > 0)
		l->win_latency += tokens > 0 ? latency_ms / (double)tokens : latency_ms;
	/* A window is a full turnover of what was in flight, so a new limit has shown its effect. */
	if (!l->win_need) {
		l->win_need = (long)fmax(4, floor(l->limit));
		l->win_limit = l->limit;
	}
	if (l->win_done >= l->win_need)
		window_end(l, now_ms);
}

void limiter_throttled(struct limiter *l, double now_ms, double sent_ms, long inflight)
{
	l->throttles++;
	/* Sent before the last cut: the storm that cut, not news of the new limit. */
	if (sent_ms <= l->cut_at_ms)
		return;
	/* While growing, a request sent before the server last showed free slots
	 * and no queue (or just after): a burst that arrived between two of its
	 * scheduling steps, or a full queue it has since drained -- not its size. */
	if (l->phase == LIMITER_GROW && sent_ms - l->no_queue_ms < LIMITER_BURST_MS)
		return;
	l->cut_at_ms = now_ms;
	double level = fmin((double)inflight, l->limit);
	if (level < 1)
		level = 1;
	l->reject_level = level;
	/* Just below where rejections began: the server stays full, its queue short. */
	set_limit(l, level - fmax(1, floor(level / 16)));
	l->slow_start = 0;
	l->held = 0;
}

void limiter_server_load(struct limiter *l, double now_ms, long running, long waiting, long slots)
{
	if (l->phase == LIMITER_FIXED)
		return;
	if (waiting == 0 && running >= 0 && (slots <= 0 || running < slots))
		l->no_queue_ms = now_ms;
	int quiet = !l->reject_level || now_ms - l->cut_at_ms > LIMITER_QUIET_MS;
	if (l->phase == LIMITER_GROW && quiet && waiting == 0 && running > 0 &&
	    slots <= 0 && running * 2 >= limiter_limit(l)) {
		/* Nothing queued while our samples decode: the server has room; double now. */
		set_limit(l, l->limit * 2);
		return;
	}
	long cap = slots > 0 ? slots : 0;
	/*
	 * A queue that lasts while the running count stands still forms only
	 * when every slot is busy; a reading of a queue alone may be a request
	 * that arrived since the server's last step.
	 */
	int steady = waiting > 0 && running > 0 && running == l->last_running;
	l->queued_readings = steady ? l->queued_readings + 1 : waiting > 0;
	l->last_running = running;
	if (!cap && l->queued_readings >= 2)
		cap = running;
	if (!cap || cap <= l->capacity)
		return;
	l->capacity = cap;
	l->phase = LIMITER_SIZED;
	set_limit(l, target_below_rejections(l));
}

long limiter_limit(const struct limiter *l)
{
	long v = (long)floor(l->limit + 1e-9);
	return v < 1 ? 1 : v;
}
