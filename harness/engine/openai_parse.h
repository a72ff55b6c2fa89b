/*
 * openai_parse: reading what an OpenAI-compatible server sends back.
 *
 * One struct oa_result collects the choices of one HTTP response, whether it
 * came as a single JSON body (oa_parse_body) or as a stream of chunks, each
 * the data of one server-sent event (oa_parse_chunk).  Both the chat format
 * (message / delta with content, reasoning_content or reasoning) and the
 * completions format (text) are read.  Content is kept as sent, <think> tags
 * included: separating them is the sample's job.  Usage is taken from the
 * body or from a usage-only final chunk.  The result owns its strings;
 * oa_result_release frees them.
 *
 * Nothing here decides about retries: a parse failure returns -1 with a
 * reason in r->error, and the engine's policy decides what to do with it.
 */
#ifndef REVAL_OPENAI_PARSE_H
#define REVAL_OPENAI_PARSE_H

#include <stddef.h>

#include "harness/base/util.h"

#define OA_MAX_CHOICES 4096 /* a choice index beyond this is malformed */
#define OA_MAX_TEXT (64u << 20) /* bytes of content and reasoning of one response, all choices */

struct oa_choice {
	struct strbuf content;   /* content or text, as sent */
	struct strbuf reasoning; /* reasoning_content / reasoning, "" when none */
	int has_reasoning;       /* a reasoning field was present and non-null */
	char *finish_reason;     /* NULL until the server gives one */
	int seen;                /* the server sent this index */
};

struct oa_result {
	struct oa_choice *choices; /* indexed by the server's choice index */
	size_t nchoices;           /* highest index seen + 1 */
	long prompt_tokens;        /* -1 when the server did not say */
	long completion_tokens;    /* -1; the total over all choices */
	long reasoning_tokens;     /* -1; completion_tokens_details.reasoning_tokens */
	int done;                  /* the stream's "[DONE]" arrived */
	long tokens;               /* stream deltas that carried text (for time to first token) */
	size_t text_bytes;         /* content and reasoning held, all choices; at most OA_MAX_TEXT */
	char *error;               /* why parsing failed, or the server's in-band error message */
	int server_error;          /* the body or a chunk was an {"error": ...} object */
};

void oa_result_init(struct oa_result *r);
void oa_result_release(struct oa_result *r);

/* A complete non-streamed body.  0, or -1 with r->error set. */
int oa_parse_body(struct oa_result *r, const char *body, size_t len, int completions);

/* The data of one stream event ("[DONE]" included).  0, or -1 with r->error set. */
int oa_parse_chunk(struct oa_result *r, const char *data, size_t len, int completions);

/*
 * Is a finished stream a whole answer?  It is when "[DONE]" arrived or every
 * choice has a finish_reason; a stream cut before that is not, and must be
 * retried rather than graded.
 */
int oa_stream_complete(const struct oa_result *r);

/*
 * The server's own words from an error body: error.message, error (a
 * string), detail, or message; else the body itself, shortened.  Caller frees.
 */
char *oa_error_text(const char *body, size_t len);

#endif
