/*
 * genstats: generation statistics of a task, accumulated as the journal is
 * read.
 *
 * Token counts (server-reported, else approximated from characters),
 * truncation and the accuracy of samples that were not truncated, format
 * compliance in the R1 sense, latency, time to first token, throughput,
 * cost when prices are given, and infrastructure errors by kind.  Over
 * graded samples only; infrastructure failures are counted apart.
 *
 * Nothing is kept per sample: struct genstats holds counts, exact integer
 * sums (tokens, and latencies in microseconds, so that the figures do not
 * depend on the order of the journal) and a sketch per distribution, whose
 * percentiles are exact up to SKETCH_EXACT samples and within
 * SKETCH_REL_ERROR beyond.  The caller (the tally) must add each sample
 * once, in its final state.  genstats_build turns the figures into the
 * "generation" object of results.json, documented in
 * docs/results-schema.md; the caller owns it.
 */
#ifndef REVAL_GENSTATS_H
#define REVAL_GENSTATS_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "harness/model/sample.h"
#include "reports/stats/sketch.h"

#define GENSTATS_CHARS_PER_TOKEN 4 /* the approximation where a server reports no usage */

struct prices {
	double input_per_mtok;	/* USD per million prompt tokens; NAN: not set */
	double output_per_mtok; /* USD per million completion tokens; NAN: not set */
};

/* The per-problem means of problems.jsonl, as sums. */
struct genstats_means {
	int64_t completion_tokens; /* over graded samples, approximated where unknown */
	int64_t reasoning_tokens;
	int64_t latency_us; /* over the samples that report a latency */
	int samples;	    /* graded samples added */
	int latency_samples;
};

struct genstats {
	long graded, truncated, correct_trunc, correct_rest;
	long reasoning_present, reasoning_closed, answered, compliant; /* format counts */
	long prompt_known;     /* samples with a reported prompt token count */
	int64_t prompt_tokens; /* their sum */
	int64_t completion_tokens, reasoning_tokens; /* sums, approximated where unknown */
	long completion_approx, reasoning_approx;    /* samples approximated */
	int64_t latency_us, ttft_us;		     /* sums over the samples that report them */
	int64_t rate_tokens, rate_us;	     /* completion tokens and latency of timed samples */
	struct sketch completion, reasoning; /* tokens */
	struct sketch latency, ttft;	     /* ms, from the microsecond counts */
	struct sketch rate;		     /* tokens per second, per timed sample */
};

void genstats_init(struct genstats *g);
void genstats_release(struct genstats *g);

/*
 * Count one graded sample (not an infrastructure failure) into the task's
 * figures and its problem's means.  answered: the grader extracted an
 * answer that forms a voting class.
 */
void genstats_add(struct genstats *g, struct genstats_means *m, const struct sample *s,
		  int answered);

/* Heap bytes held by the sketches, for benchmarks. */
size_t genstats_bytes(const struct genstats *g);

/* Approximate tokens of a text of this many characters (rounded up). */
long genstats_approx_tokens(unsigned long chars);

/* A problem's means: completion tokens, reasoning tokens, latency in ms; NAN when none. */
double genstats_mean_completion(const struct genstats_means *m);
double genstats_mean_reasoning(const struct genstats_means *m);
double genstats_mean_latency(const struct genstats_means *m);

struct kind_count {
	char *kind;
	long count;
	char *example; /* infrastructure kinds: the first message seen of that kind, or NULL */
};

/* The "generation" object; infra lists failures by kind over final states. */
cJSON *genstats_build(const struct genstats *g, const struct kind_count *infra, size_t ninfra,
		      const struct prices *prices);

#endif
