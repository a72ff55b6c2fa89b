#include "harness/model/think.h"

#include <string.h>

static const char *find_last(const char *hay, const char *needle)
{
	const char *last = NULL;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		last = p;
	return last;
}

void think_split(const char *text, struct think_parts *out)
{
	memset(out, 0, sizeof(*out));
	const char *close = find_last(text, "</think>");
	if (close) {
		const char *open = strstr(text, "<think>");
		const char *rs = (open && open < close) ? open + strlen("<think>") : text;
		out->reasoning = (struct strview){rs, (size_t)(close - rs)};
		out->content = sv_from(close + strlen("</think>"));
		out->has_reasoning = 1;
		return;
	}
	const char *open = strstr(text, "<think>");
	if (open) {
		const char *rs = open + strlen("<think>");
		out->reasoning = sv_from(rs);
		out->content = (struct strview){text + strlen(text), 0};
		out->has_reasoning = 1;
		out->unclosed = 1;
		return;
	}
	out->content = sv_from(text);
}
