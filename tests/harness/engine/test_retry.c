#include <criterion/criterion.h>
#include <math.h>

#include "harness/engine/endpoint.h"
#include "harness/engine/retry.h"

Test(retry, classification)
{
	cr_assert_eq(retry_classify_status(200), RETRY_NONE);
	long again[] = {0, 408, 409, 429, 500, 502, 503, 504};
	for (size_t i = 0; i < sizeof(again) / sizeof(again[0]); i++)
		cr_assert_eq(retry_classify_status(again[i]), RETRY_AGAIN, "%ld", again[i]);
	cr_assert_eq(retry_classify_status(400), RETRY_PERMANENT);
	cr_assert_eq(retry_classify_status(422), RETRY_PERMANENT);
	cr_assert_eq(retry_classify_status(401), RETRY_FATAL);
	cr_assert_eq(retry_classify_status(403), RETRY_FATAL);
	cr_assert_eq(retry_classify_status(404), RETRY_FATAL);
}

Test(retry, retry_after_values)
{
	time_t now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
	cr_assert_float_eq(retry_after_ms("2", now), 2000, 1e-9);
	cr_assert_float_eq(retry_after_ms("0.5", now), 500, 1e-9);
	cr_assert_float_eq(retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT", now), 10000, 1e-9);
	cr_assert_float_eq(retry_after_ms("Sun, 06 Nov 1994 08:49:00 GMT", now), 0, 1e-9);
	cr_assert_lt(retry_after_ms("", now), 0);
	cr_assert_lt(retry_after_ms(NULL, now), 0);
	cr_assert_lt(retry_after_ms("soon", now), 0);
	cr_assert_lt(retry_after_ms("-3", now), 0);
}

Test(retry, ratelimit_reset_values)
{
	time_t now = 1700000000;
	cr_assert_float_eq(retry_reset_ms("1s", now), 1000, 1e-9);
	cr_assert_float_eq(retry_reset_ms("6m0s", now), 360000, 1e-9);
	cr_assert_float_eq(retry_reset_ms("250ms", now), 250, 1e-9);
	cr_assert_float_eq(retry_reset_ms("1h2m3.5s", now), 3723500, 1e-9);
	cr_assert_float_eq(retry_reset_ms("3", now), 3000, 1e-9);
	cr_assert_float_eq(retry_reset_ms("1700000005", now), 5000, 1e-9);
	cr_assert_lt(retry_reset_ms("1x", now), 0);
	cr_assert_lt(retry_reset_ms("", now), 0);
}

Test(retry, backoff_grows_with_jitter_and_a_cap)
{
	uint64_t rng = 1;
	for (int f = 1; f < 40; f++) {
		double full = fmin(250 * pow(2, f - 1), 30000);
		for (int k = 0; k < 20; k++) {
			double d = retry_backoff_ms(f, 250, 30000, &rng);
			cr_assert(d >= full / 2 && d <= full, "failure %d: %f", f, d);
		}
	}
	double a = retry_backoff_ms(3, 250, 30000, &rng), b = retry_backoff_ms(3, 250, 30000, &rng);
	cr_assert(a != b, "jitter");
}

Test(retry, context_length_messages)
{
	cr_assert(retry_is_context_length("This model's maximum context length is 4096 tokens"));
	cr_assert(retry_is_context_length("prompt is too long: 300000 tokens > 200000 maximum"));
	cr_assert(!retry_is_context_length("Invalid value for temperature"));
}

Test(endpoint, least_outstanding_and_time_out)
{
	char *urls[] = {"http://a/v1/", "http://user:pw@b/v1"};
	struct endpoint_pool p;
	endpoint_pool_init(&p, urls, 2);
	cr_assert_str_eq(p.ep[0].url, "http://a/v1");
	cr_assert_str_eq(p.ep[1].label, "http://b/v1", "no credentials in labels");
	double w;
	p.ep[0].outstanding = 3;
	cr_assert_eq(endpoint_pick(&p, 0, -1, &w), 1);
	p.ep[1].outstanding = 5;
	cr_assert_eq(endpoint_pick(&p, 0, -1, &w), 0);
	cr_assert_eq(endpoint_pick(&p, 0, 0, &w), 1, "avoid the endpoint that just failed");
	endpoint_failed(&p, 1, 100, 1); /* refused: out at once */
	cr_assert_eq(endpoint_pick(&p, 200, 0, &w), 0, "only a is in service");
	endpoint_failed(&p, 0, 200, 1);
	cr_assert_eq(endpoint_pick(&p, 300, -1, &w), -1);
	cr_assert_float_eq(w, 1100, 1e-9);
	cr_assert_eq(endpoint_pick(&p, 1100, -1, &w), 1, "tried again after its time out");
	for (int i = 0; i < ENDPOINT_STREAK_OUT - 1; i++)
		endpoint_failed(&p, 1, 2000, 0);
	cr_assert_eq(endpoint_pick(&p, 2000, 0, &w), 1, "a few soft failures keep it in");
	endpoint_failed(&p, 1, 2000, 0);
	cr_assert_eq(endpoint_pick(&p, 2000, 0, &w), 0, "taken out after a streak");
	endpoint_ok(&p, 1);
	endpoint_pool_release(&p);
}
