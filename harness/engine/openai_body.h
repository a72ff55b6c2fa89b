/*
 * openai_body: the JSON body of one request to an OpenAI-compatible server.
 *
 * Chat requests carry the system and user messages; completions requests
 * (base models) carry one prompt string.  Sampling fields are sent only when
 * set (NAN / -1 leave them to the server), --extra-body is merged last so
 * server-specific knobs can override anything, and the seed is reduced to
 * 31 bits because several servers (llama.cpp) hold it in 32 bits and
 * reject larger numbers.  The body is written into a caller-owned strbuf.
 */
#ifndef REVAL_OPENAI_BODY_H
#define REVAL_OPENAI_BODY_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "harness/engine/engine.h"
#include "harness/base/util.h"

struct oa_body_opts {
	const char *model;
	int completions;           /* /v1/completions instead of chat */
	int stream;                /* ask for server-sent events with usage */
	int max_completion_tokens; /* say max_completion_tokens, not max_tokens (newer OpenAI models) */
	int fold_system;           /* no system message: put it before the user's text (R1 protocol) */
	const cJSON *extra;        /* --extra-body object, or NULL */
};

/* The seed as sent. */
uint64_t oa_wire_seed(uint64_t seed);

/* Replace out's contents with the body for req, asking for n choices. */
void oa_body_build(struct strbuf *out, const struct oa_body_opts *o,
		   const struct engine_request *req, int n);

#endif
