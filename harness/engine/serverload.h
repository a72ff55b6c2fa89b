/*
 * serverload: what an inference server says of its own load and size.
 *
 * Pure parsing, no I/O: the openai engine fetches the pages and hands the
 * bodies here.  Three dialects: Prometheus text from /metrics (vLLM's
 * vllm:num_requests_running and vllm:num_requests_waiting, SGLang's
 * sglang:num_running_reqs and sglang:num_queue_reqs, summed over label
 * sets), llama.cpp's /slots (an array of slots, is_processing on the busy
 * ones) and /props (total_slots), and SGLang's /get_server_info
 * (max_running_requests).  The pages are tried in SERVERLOAD_PAGES order;
 * the first that parses is kept for the run.
 */
#ifndef REVAL_SERVERLOAD_H
#define REVAL_SERVERLOAD_H

#include <stddef.h>

struct server_load {
	long running; /* sequences decoding, -1 unknown */
	long waiting; /* sequences queued, -1 unknown */
	long slots;   /* sequences it can decode at once, 0 unknown */
};

enum serverload_page { SL_METRICS, SL_SLOTS, SL_PROPS, SL_SGLANG_INFO, SL_NPAGES };

/* The path of a page under the server's root ("/metrics", ...). */
const char *serverload_path(enum serverload_page p);

/* Parse a page's body; 0 when it said something useful, -1 when not. */
int serverload_parse(enum serverload_page p, const char *body, size_t len,
		     struct server_load *out);

#endif
