#include "harness/serve/metrics.h"

#include <stdio.h>
#include <string.h>

static const double bounds[METRICS_BUCKETS - 1] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
						   0.25,  0.5,    1,     2.5,  10,    60};

void metrics_init(struct metrics *m, const char *const *routes)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	for (size_t i = 0; routes[i] && i < METRICS_ROUTES; i++)
		m->route[m->nroutes++].name = routes[i];
}

void metrics_release(struct metrics *m)
{
	pthread_mutex_destroy(&m->lock);
}

void metrics_request(struct metrics *m, size_t route, int status, double seconds)
{
	if (route >= m->nroutes)
		return;
	pthread_mutex_lock(&m->lock);
	struct metrics_route *r = &m->route[route];
	size_t k = 0;
	while (k < METRICS_STATUSES && r->status[k] && r->status[k] != status)
		k++;
	if (k < METRICS_STATUSES) {
		r->status[k] = status;
		r->count[k]++;
	}
	size_t b = 0;
	while (b < METRICS_BUCKETS - 1 && seconds > bounds[b])
		b++;
	r->bucket[b]++;
	r->sum_s += seconds;
	r->n++;
	if (status == 429)
		m->rejected_full++;
	pthread_mutex_unlock(&m->lock);
}

void metrics_verdicts(struct metrics *m, const char *const *verdicts, size_t n)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < m->nverdicts && strcmp(m->verdict[k], verdicts[i]))
			k++;
		if (k == m->nverdicts && k < METRICS_VERDICTS) {
			snprintf(m->verdict[k], sizeof(m->verdict[k]), "%s", verdicts[i]);
			m->nverdicts++;
		}
		if (k < m->nverdicts)
			m->verdict_n[k]++;
	}
	pthread_mutex_unlock(&m->lock);
}

void metrics_render(struct metrics *m, const struct metrics_gauges *g, struct strbuf *out)
{
	pthread_mutex_lock(&m->lock);
	strbuf_adds(out, "# HELP reval_requests_total HTTP requests answered, by route and status.\n"
			 "# TYPE reval_requests_total counter\n");
	for (size_t i = 0; i < m->nroutes; i++)
		for (size_t k = 0; k < METRICS_STATUSES && m->route[i].status[k]; k++)
			strbuf_addf(out, "reval_requests_total{route=\"%s\",code=\"%d\"} %lu\n",
				    m->route[i].name, m->route[i].status[k], m->route[i].count[k]);
	strbuf_adds(out, "# HELP reval_request_duration_seconds Time from a request's last byte to "
			 "its answer.\n# TYPE reval_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->nroutes; i++) {
		const struct metrics_route *r = &m->route[i];
		unsigned long cum = 0;
		for (size_t b = 0; b < METRICS_BUCKETS; b++) {
			cum += r->bucket[b];
			if (b < METRICS_BUCKETS - 1)
				strbuf_addf(out,
					    "reval_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
					    "%lu\n",
					    r->name, bounds[b], cum);
			else
				strbuf_addf(out,
					    "reval_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
					    "%lu\n",
					    r->name, cum);
		}
		strbuf_addf(out, "reval_request_duration_seconds_sum{route=\"%s\"} %.6f\n", r->name,
			    r->sum_s);
		strbuf_addf(out, "reval_request_duration_seconds_count{route=\"%s\"} %lu\n", r->name,
			    r->n);
	}
	strbuf_adds(out, "# HELP reval_items_total Items scored, by verdict.\n"
			 "# TYPE reval_items_total counter\n");
	for (size_t k = 0; k < m->nverdicts; k++)
		strbuf_addf(out, "reval_items_total{verdict=\"%s\"} %lu\n", m->verdict[k],
			    m->verdict_n[k]);
	strbuf_addf(out,
		    "# HELP reval_rejected_total Requests refused with 429 because the queue was full.\n"
		    "# TYPE reval_rejected_total counter\nreval_rejected_total %lu\n",
		    m->rejected_full);
	pthread_mutex_unlock(&m->lock);
	strbuf_addf(out,
		    "# HELP reval_queue_depth Items waiting for a worker.\n# TYPE reval_queue_depth "
		    "gauge\nreval_queue_depth %ld\n"
		    "# HELP reval_items_running Items being scored.\n# TYPE reval_items_running "
		    "gauge\nreval_items_running %ld\n"
		    "# HELP reval_requests_in_flight Requests read and not yet answered.\n"
		    "# TYPE reval_requests_in_flight gauge\nreval_requests_in_flight %ld\n"
		    "# HELP reval_workers Grading threads.\n# TYPE reval_workers gauge\n"
		    "reval_workers{pool=\"grade\"} %ld\nreval_workers{pool=\"code\"} %ld\n",
		    g->queued, g->running, g->requests, g->workers, g->code_workers);
}
