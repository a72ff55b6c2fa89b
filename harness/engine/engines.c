#include <string.h>

#include "harness/engine/engine.h"

extern const struct engine_ops engine_exec;
extern const struct engine_ops engine_local;
extern const struct engine_ops engine_openai;
extern const struct engine_ops engine_replay;

/* One line per engine. */
const struct engine_ops *const engine_table[] = {
	&engine_openai,
	&engine_local,
	&engine_exec,
	&engine_replay,
	NULL,
};

const struct engine_ops *engine_find(const char *spec, const char **arg)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	*arg = colon ? colon + 1 : NULL;
	for (size_t i = 0; engine_table[i]; i++)
		if (strlen(engine_table[i]->name) == n && !strncmp(engine_table[i]->name, spec, n))
			return engine_table[i];
	return NULL;
}

void completion_init(struct completion *c)
{
	memset(c, 0, sizeof(*c));
	c->prompt_tokens = c->completion_tokens = c->reasoning_tokens = -1;
	c->latency_ms = c->ttft_ms = -1;
}
