#include <criterion/criterion.h>
#include <math.h>

#include "harness/engine/limiter.h"

/*
 * A scripted server: `slots` sequences decode at once, each at 100 tokens
 * per second, each sample 1000 tokens; more in flight than slots only
 * queues.  One call is one window: as many completions as the limit, at
 * the throughput and latency that limit earns.  Returns the new time.
 */
static double serve_window(struct limiter *l, double t, long slots)
{
	long lim = limiter_limit(l);
	double busy = (double)(lim < slots ? lim : slots);
	double rate = busy * 100.0;                       /* tokens per second */
	double latency = 10000.0 * (double)lim / busy;    /* queueing stretches latency */
	double step = 1000.0 * 1000.0 / rate;             /* ms between completions */
	for (long i = 0; i < lim; i++) {
		t += step;
		limiter_done(l, t, latency, 1000, lim);
	}
	return t;
}

Test(limiter, fixed_concurrency_never_moves_without_429s)
{
	struct limiter l;
	limiter_init(&l, 24, 0, 0);
	cr_assert_eq(limiter_limit(&l), 24);
	double t = 0;
	for (int w = 0; w < 20; w++)
		t = serve_window(&l, t, 8);
	cr_assert_eq(limiter_limit(&l), 24, "a fixed limit is the user's to choose");
	limiter_server_load(&l, 0, 8, 16, 8);
	cr_assert_eq(limiter_limit(&l), 24, "nor does the server's size move it");
}

Test(limiter, grows_while_throughput_grows_and_stops_at_the_knee)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	cr_assert_eq(limiter_limit(&l), LIMITER_START);
	double t = 0;
	long seen_max = 0;
	for (int w = 0; w < 12 && l.phase == LIMITER_GROW; w++) {
		t = serve_window(&l, t, 100);
		if (limiter_limit(&l) > seen_max)
			seen_max = limiter_limit(&l);
	}
	cr_assert_eq(l.phase, LIMITER_HOLD, "latency rose without throughput: held (%s)",
		     limiter_phase_name(l.phase));
	cr_assert_geq(limiter_limit(&l), 100, "never left below the server's slots: %ld",
		      limiter_limit(&l));
	cr_assert_leq(limiter_limit(&l), 300, "stopped within two doublings past the knee: %ld",
		      limiter_limit(&l));
}

Test(limiter, never_above_the_ceiling)
{
	struct limiter l;
	limiter_init(&l, 0, 40, 0);
	double t = 0;
	for (int w = 0; w < 30; w++) {
		t = serve_window(&l, t, 1000);
		cr_assert_leq(limiter_limit(&l), 40);
	}
	cr_assert_eq(limiter_limit(&l), 40, "reaches the ceiling while throughput grows");
}

Test(limiter, a_held_limit_probes_upwards_and_a_failed_probe_goes_back)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	double t = 0;
	while (l.phase == LIMITER_GROW)
		t = serve_window(&l, t, 100);
	long held = limiter_limit(&l);
	for (int w = 0; w < LIMITER_PROBE_EVERY; w++)
		t = serve_window(&l, t, 100);
	cr_assert_gt(limiter_limit(&l), held, "probed above %ld", held);
	cr_assert_eq(l.phase, LIMITER_GROW);
	for (int w = 0; w < 4 && l.phase == LIMITER_GROW; w++)
		t = serve_window(&l, t, 100);
	cr_assert_eq(l.phase, LIMITER_HOLD);
	cr_assert_eq(limiter_limit(&l), held, "the probe only added latency: back to %ld", held);
}

Test(limiter, a_429_backs_off_to_just_below_the_rejection_level_once_per_storm)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	l.limit = 200;
	limiter_throttled(&l, 1000, 990, 128);
	cr_assert_eq(limiter_limit(&l), 120, "just below 128, not half of it");
	limiter_throttled(&l, 1200, 995, 120); /* the same storm: sent before the cut */
	limiter_throttled(&l, 1400, 1000, 119);
	cr_assert_eq(limiter_limit(&l), 120, "one cut per storm");
	cr_assert_eq(l.throttles, 3);
	limiter_throttled(&l, 1450, 1300, 120);
	cr_assert_eq(limiter_limit(&l), 113,
		     "a request sent under the new limit and turned away too: cut again at once");
	limiter_throttled(&l, 3500, 1440, 113);
	cr_assert_eq(limiter_limit(&l), 113, "however late a storm's 429s come, they cut once");
	for (int i = 0; i < 200; i++)
		limiter_throttled(&l, 4000 + 2000 * i, 3999 + 2000 * i, limiter_limit(&l));
	cr_assert_eq(limiter_limit(&l), 1, "never below one");
}

Test(limiter, after_429s_probes_back_up_one_step_per_window)
{
	struct limiter l;
	limiter_init(&l, 64, 0, 0);
	limiter_throttled(&l, 0, 0, 64);
	cr_assert_eq(limiter_limit(&l), 60);
	double t = 2000;
	long prev = limiter_limit(&l);
	int windows = 0;
	while (limiter_limit(&l) < 64 && windows < 100) {
		t = serve_window(&l, t, 1000);
		cr_assert_leq(limiter_limit(&l), prev + 2, "climbs by small steps, not doubling");
		prev = limiter_limit(&l);
		windows++;
	}
	cr_assert_eq(limiter_limit(&l), 64, "back to the fixed concurrency");
	t = serve_window(&l, t, 1000);
	cr_assert_eq(limiter_limit(&l), 64, "never above it");
}

Test(limiter, adaptive_after_429s_climbs_by_steps_then_by_quarters_when_quiet)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	l.limit = 64;
	limiter_throttled(&l, 1000, 1000, 32);
	cr_assert_eq(limiter_limit(&l), 30);
	double t = 1000;
	for (int i = 0; i < 30; i++)
		limiter_done(&l, t += 1, 100, 100, 30);
	cr_assert_eq(limiter_limit(&l), 31, "right after the 429s: one step, not a doubling");
	t += LIMITER_QUIET_MS + 1000;
	for (int i = 0; i < 31; i++)
		limiter_done(&l, t += 1, 100, 100, 31);
	cr_assert_eq(limiter_limit(&l), 39, "quiet since: a quarter more (the 429s may have been a burst)");
}

Test(limiter, the_servers_stated_slots_size_the_limit)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	limiter_server_load(&l, 0, 3, 0, 64);
	cr_assert_eq(l.phase, LIMITER_SIZED);
	cr_assert_eq(limiter_limit(&l), 80, "64 slots and a short queue so no slot idles");
	double t = 0;
	for (int w = 0; w < 10; w++)
		t = serve_window(&l, t, 64);
	cr_assert_eq(limiter_limit(&l), 80, "windows do not move a sized limit");
}

Test(limiter, a_queue_at_the_server_shows_its_capacity)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	limiter_server_load(&l, 0, 16, 0, 0);
	cr_assert_eq(l.phase, LIMITER_GROW, "no queue: the server may take more");
	limiter_server_load(&l, 0, 20, 5, 0);
	cr_assert_neq(l.phase, LIMITER_SIZED, "one reading of a queue may be a request not yet admitted");
	limiter_server_load(&l, 0, 26, 1, 0);
	cr_assert_neq(l.phase, LIMITER_SIZED, "running still grows: there is room");
	limiter_server_load(&l, 0, 32, 5, 0);
	limiter_server_load(&l, 0, 32, 5, 0);
	cr_assert_eq(l.phase, LIMITER_SIZED, "a queue that lasts while running stands still");
	cr_assert_eq(limiter_limit(&l), 40);
	limiter_server_load(&l, 0, 30, 9, 0);
	cr_assert_eq(limiter_limit(&l), 40, "a smaller reading does not shrink it");
}

Test(limiter, a_sized_limit_stays_below_a_known_rejection_level)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	l.limit = 70;
	limiter_throttled(&l, 0, 0, 70);
	limiter_server_load(&l, 0, 64, 6, 0);
	limiter_server_load(&l, 0, 64, 6, 0);
	cr_assert_lt(limiter_limit(&l), 70, "the 429s said 70 is too many: %ld", limiter_limit(&l));
	/* However long the server stays quiet, the sized limit does not climb back into them. */
	double t = 5000;
	for (int w = 0; w < 30; w++) {
		t = serve_window(&l, t, 64);
		cr_assert_lt(limiter_limit(&l), 70, "window %d: %ld", w, limiter_limit(&l));
	}
}

Test(limiter, an_empty_queue_at_the_server_doubles_a_growing_limit)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	limiter_server_load(&l, 0, 14, 0, 0);
	cr_assert_eq(limiter_limit(&l), 2 * LIMITER_START, "the server queues nothing: room");
	limiter_server_load(&l, 0, 3, 0, 0);
	cr_assert_eq(limiter_limit(&l), 2 * LIMITER_START, "but not on a reading our load cannot explain");
	limiter_server_load(&l, 0, 30, 2, 0);
	limiter_server_load(&l, 0, 30, 2, 0);
	cr_assert_eq(l.phase, LIMITER_SIZED, "then a queue shows the size");
}

Test(limiter, a_quiet_server_after_429s_gets_back_to_its_size_in_a_few_windows)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	limiter_server_load(&l, 0, 10, 0, 64);
	limiter_throttled(&l, 0, 0, 30); /* a burst's 429s, far below the server's size */
	cr_assert_eq(limiter_limit(&l), 29);
	double t = 5000;
	int windows = 0;
	while (limiter_limit(&l) < 80 && windows < 50) {
		t = serve_window(&l, t, 64);
		windows++;
	}
	cr_assert_eq(limiter_limit(&l), 80);
	cr_assert_leq(windows, 15, "took %d windows", windows);
}

Test(limiter, an_empty_queue_doubles_again_once_429s_are_over)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	limiter_throttled(&l, 0, 0, 16); /* a burst's 429s early on */
	cr_assert_eq(limiter_limit(&l), 15);
	limiter_server_load(&l, 500, 14, 0, 0);
	cr_assert_eq(limiter_limit(&l), 15, "right after 429s, an empty queue proves nothing");
	limiter_server_load(&l, 500 + LIMITER_QUIET_MS, 14, 0, 0);
	cr_assert_eq(limiter_limit(&l), 30, "quiet since: room again");
}

Test(limiter, a_429_just_after_the_server_showed_no_queue_is_a_burst_while_growing)
{
	struct limiter l;
	limiter_init(&l, 0, 0, 0);
	l.limit = 40;
	limiter_server_load(&l, 1000, 10, 0, 0); /* slots free, nothing queued */
	long before = limiter_limit(&l);
	limiter_throttled(&l, 1060, 1050, before);
	cr_assert_eq(limiter_limit(&l), before, "requests that arrived between two scheduling steps");
	cr_assert_eq(l.throttles, 1, "still counted");
	cr_assert_eq(l.reject_level, 0, "and not taken for the server's size");
	limiter_throttled(&l, 1400, 1300, before);
	cr_assert_lt(limiter_limit(&l), before, "with no such reading lately, a 429 cuts");
	long cut = limiter_limit(&l);
	limiter_server_load(&l, 5000, 10, 0, 0);
	limiter_throttled(&l, 5010, 2000, cut);
	cr_assert_eq(limiter_limit(&l), cut, "a queue the server has drained since: no cut");
	/* Once the server is sized, its queue's edge is what a 429 shows. */
	struct limiter s;
	limiter_init(&s, 0, 0, 0);
	limiter_server_load(&s, 0, 10, 0, 64);
	cr_assert_eq(s.phase, LIMITER_SIZED);
	limiter_server_load(&s, 1000, 30, 0, 64);
	limiter_throttled(&s, 1060, 1050, 70);
	cr_assert_lt(limiter_limit(&s), 70);
}
