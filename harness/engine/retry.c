#include "harness/engine/retry.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/base/util.h"

enum retry_class retry_classify_status(long status)
{
	if (status >= 200 && status < 300)
		return RETRY_NONE;
	if (status == 0 || status == 408 || status == 409 || status == 425 || status == 429 ||
	    status >= 500)
		return RETRY_AGAIN;
	if (status == 401 || status == 403 || status == 404)
		return RETRY_FATAL;
	return RETRY_PERMANENT;
}

/* A non-negative decimal number of seconds filling the whole string. */
static double seconds_value(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (end == s || *end || errno || !isfinite(v) || v < 0)
		return -1;
	return v;
}

double retry_after_ms(const char *value, time_t now)
{
	if (!value || !*value)
		return -1;
	double secs = seconds_value(value);
	if (secs >= 0)
		return secs * 1000.0;
	/* An HTTP date: "Sun, 06 Nov 1994 08:49:37 GMT" (the form RFC 9110 requires). */
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return -1;
	time_t at = timegm(&tm);
	if (at == (time_t)-1)
		return -1;
	double d = difftime(at, now);
	return d > 0 ? d * 1000.0 : 0;
}

/* Go-style durations as OpenAI sends them: "1s", "6m0s", "250ms", "1h2m3.5s". */
static double duration_ms(const char *s)
{
	double total = 0;
	int parts = 0;
	while (*s) {
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		if (end == s || errno || v < 0)
			return -1;
		s = end;
		double unit;
		if (!strncmp(s, "ms", 2)) {
			unit = 1;
			s += 2;
		} else if (*s == 'h') {
			unit = 3600e3;
			s++;
		} else if (*s == 'm') {
			unit = 60e3;
			s++;
		} else if (*s == 's') {
			unit = 1e3;
			s++;
		} else {
			return -1;
		}
		total += v * unit;
		parts++;
	}
	return parts ? total : -1;
}

double retry_reset_ms(const char *value, time_t now)
{
	if (!value || !*value)
		return -1;
	double secs = seconds_value(value);
	if (secs >= 0) {
		/* A large number is an epoch time, as some gateways send. */
		if (secs > 1e9) {
			double d = secs - (double)now;
			return d > 0 ? d * 1000.0 : 0;
		}
		return secs * 1000.0;
	}
	return duration_ms(value);
}

double retry_backoff_ms(int failures, double base_ms, double cap_ms, uint64_t *rng)
{
	if (failures < 1)
		failures = 1;
	double d = base_ms * ldexp(1.0, failures > 30 ? 30 : failures - 1);
	if (d > cap_ms)
		d = cap_ms;
	*rng = mix64(*rng + 0x9e3779b97f4a7c15ull);
	double u = (double)(*rng >> 11) / 9007199254740992.0; /* [0, 1) */
	return d / 2 + u * d / 2;
}

int retry_is_context_length(const char *m)
{
	static const char *const marks[] = {
		"context length", "context_length", "maximum context", "context window",
		"too many tokens", "prompt is too long", "input is too long", "exceeds the max",
	};
	if (!m)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(marks); i++)
		if (strcasestr(m, marks[i]))
			return 1;
	return 0;
}
