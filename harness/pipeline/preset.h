/*
 * preset: evaluation protocols applied by name (--preset).
 *
 * "r1" is the DeepSeek-R1 report's protocol: temperature 0.6, top-p 0.95,
 * up to 32,768 new tokens, no system prompt (the openai engine folds a
 * task's system text into the user message), the \boxed{} directive in math
 * prompts, and n per task: 64 for AIME as the report states, and at least
 * 4 elsewhere (the report samples "between 4 and 64" per problem).
 * preset_apply runs after the flags: values the user did not set take the
 * preset's; every setting that still deviates becomes a warning, both on
 * stderr and in the `warnings` list that goes into results.
 */
#ifndef REVAL_PRESET_H
#define REVAL_PRESET_H

#include <cjson/cJSON.h>

#include "harness/pipeline/config.h"
#include "harness/model/task.h"

#define PRESET_R1_BOXED "Please reason step by step, and put your final answer within \\boxed{}."

/* Known preset name?  (config already refuses unknown ones.) */
int preset_known(const char *name);

/* Apply preset to one task's effective sampling and prompts; warnings is a JSON array. */
void preset_apply(const char *preset, struct sampling *s, struct task *t, const struct config *cfg,
		  cJSON *warnings);

/*
 * Under a preset, one line on stderr with what it chose for the transport
 * (streaming, time limits) and for samples that never finish.
 */
void preset_announce(const struct config *cfg);

#endif
