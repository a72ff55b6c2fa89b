#include "harness/engine/serverload.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/base/util.h"

const char *serverload_path(enum serverload_page p)
{
	static const char *const paths[SL_NPAGES] = {"/metrics", "/slots", "/props",
						     "/get_server_info"};
	return p < SL_NPAGES ? paths[p] : NULL;
}

/* The sample value at the end of a Prometheus line "name{labels} value [ts]". */
static int metric_value(const char *line, const char *end, double *v)
{
	const char *p = line;
	const char *brace = memchr(line, '{', (size_t)(end - line));
	if (brace) {
		const char *close = memchr(brace, '}', (size_t)(end - brace));
		if (!close)
			return -1;
		p = close + 1;
	} else {
		while (p < end && *p != ' ')
			p++;
	}
	while (p < end && *p == ' ')
		p++;
	char buf[64];
	size_t n = 0;
	while (p < end && *p != ' ' && n + 1 < sizeof(buf))
		buf[n++] = *p++;
	buf[n] = 0;
	char *e;
	errno = 0;
	*v = strtod(buf, &e);
	return n && !*e && !errno && isfinite(*v) ? 0 : -1;
}

static int name_is(const char *line, const char *end, const char *name)
{
	size_t n = strlen(name);
	return (size_t)(end - line) > n && !strncmp(line, name, n) &&
	       (line[n] == '{' || line[n] == ' ');
}

static int parse_metrics(const char *body, size_t len, struct server_load *out)
{
	static const char *const running[] = {"vllm:num_requests_running", "sglang:num_running_reqs"};
	static const char *const waiting[] = {"vllm:num_requests_waiting", "sglang:num_queue_reqs"};
	double r = 0, w = 0;
	int seen_r = 0, seen_w = 0;
	for (const char *line = body, *stop = body + len; line < stop;) {
		const char *end = memchr(line, '\n', (size_t)(stop - line));
		if (!end)
			end = stop;
		double v;
		for (size_t i = 0; i < ARRAY_SIZE(running); i++) {
			if (name_is(line, end, running[i]) && !metric_value(line, end, &v)) {
				r += v;
				seen_r = 1;
			}
			if (name_is(line, end, waiting[i]) && !metric_value(line, end, &v)) {
				w += v;
				seen_w = 1;
			}
		}
		line = end + 1;
	}
	if (!seen_r && !seen_w)
		return -1;
	out->running = seen_r ? (long)r : -1;
	out->waiting = seen_w ? (long)w : -1;
	return 0;
}

static int parse_json(enum serverload_page p, const char *body, size_t len,
		      struct server_load *out)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	int rc = -1;
	if (p == SL_SLOTS && cJSON_IsArray(doc) && cJSON_GetArraySize(doc) > 0) {
		long busy = 0;
		const cJSON *s;
		cJSON_ArrayForEach(s, doc)
		{
			busy += json_bool(s, "is_processing", 0) != 0;
		}
		out->slots = cJSON_GetArraySize(doc);
		out->running = busy;
		rc = 0;
	} else if (p == SL_PROPS || p == SL_SGLANG_INFO) {
		double v = json_num(doc, p == SL_PROPS ? "total_slots" : "max_running_requests", -1);
		if (v >= 1 && v < 1e7) {
			out->slots = (long)v;
			rc = 0;
		}
	}
	cJSON_Delete(doc);
	return rc;
}

int serverload_parse(enum serverload_page p, const char *body, size_t len,
		     struct server_load *out)
{
	out->running = out->waiting = -1;
	out->slots = 0;
	if (!body)
		return -1;
	if (p == SL_METRICS)
		return parse_metrics(body, len, out);
	return parse_json(p, body, len, out);
}
