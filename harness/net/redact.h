/*
 * redact: secrets out of server text before reval stores or prints it.
 *
 * A server may quote what it was sent: "Incorrect API key provided: sk-...",
 * an echoed Authorization header, a proxy's dump of the request.  Every
 * piece of such text (error bodies, in-band error objects, transport
 * messages) passes redact_text once, where it enters reval, so the journal,
 * the results and stderr never hold the key.  Three things are replaced by
 * "[redacted]": the key that was sent (wherever it appears), the token after
 * "Bearer " (any case), and anything shaped like an OpenAI-style secret
 * ("sk-" and at least 4 token characters, at a word start).
 */
#ifndef REVAL_REDACT_H
#define REVAL_REDACT_H

#include <stddef.h>

#define REDACTED "[redacted]"

/* A redacted copy of text (len bytes; NULL text gives NULL); key may be NULL or "". Caller frees. */
char *redact_text(const char *text, size_t len, const char *key);

#endif
