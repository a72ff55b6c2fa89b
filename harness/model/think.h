/*
 * think: separating reasoning from the final answer.
 *
 * Reasoning models either return reasoning in a field of its own
 * (reasoning_content, reasoning) or inline as <think>...</think>.  Chat
 * templates that pre-fill the opening tag leave output with only the closing
 * tag.  think_split finds the boundary without copying: the final content is
 * what follows the last </think>; an opening <think> that is never closed
 * means the model never finished reasoning and there is no final content.
 */
#ifndef REVAL_THINK_H
#define REVAL_THINK_H

#include "harness/base/util.h"

struct think_parts {
	struct strview reasoning; /* empty when there is none */
	struct strview content;   /* the final answer region */
	int has_reasoning;        /* a <think> block or a lone </think> was found */
	int unclosed;             /* <think> opened and never closed: content is empty */
};

void think_split(const char *text, struct think_parts *out);

#endif
