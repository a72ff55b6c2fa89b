#include "harness/pipeline/preset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"

#define R1_TEMPERATURE 0.6
#define R1_TOP_P 0.95
#define R1_MAX_TOKENS 32768
#define R1_N_AIME 64
#define R1_N_MIN 4
#define R1_SLOW_TOKENS_PER_S 20 /* a loaded server decodes a sequence at least this fast */

int preset_known(const char *name)
{
	return name && !strcmp(name, "r1");
}

static void warn(cJSON *warnings, const char *task, const char *what)
{
	char *msg = xasprintf("preset r1, task '%s': %s", task, what);
	diag("warning: %s", msg);
	cJSON_AddItemToArray(warnings, cJSON_CreateString(msg));
	free(msg);
}

static void number(cJSON *warnings, const char *task, const char *name, double *v, double want,
		   int flag_set)
{
	if (!flag_set) {
		*v = want;
		return;
	}
	if (isnan(*v) || fabs(*v - want) > 1e-12) {
		char what[160], have[32], w[32];
		json_number_text(*v, have);
		json_number_text(want, w);
		snprintf(what, sizeof(what), "%s is %s, the protocol uses %s", name, have, w);
		warn(warnings, task, what);
	}
}

static int is_aime(const struct task *t)
{
	return !strncmp(t->id, "aime", 4) || (t->family && !strncmp(t->family, "aime", 4));
}

static void add_boxed_directive(struct task *t)
{
	for (size_t j = 0; j < t->nproblems; j++) {
		char *p = t->problems[j].prompt;
		if (!p || strstr(p, "\\boxed"))
			continue;
		t->problems[j].prompt = xasprintf("%s\n%s", p, PRESET_R1_BOXED);
		free(p);
	}
}

void preset_apply(const char *preset, struct sampling *s, struct task *t, const struct config *cfg,
		  cJSON *warnings)
{
	if (!preset_known(preset))
		return;
	number(warnings, t->id, "temperature", &s->temperature, R1_TEMPERATURE,
	       !isnan(cfg->temperature));
	number(warnings, t->id, "top-p", &s->top_p, R1_TOP_P, !isnan(cfg->top_p));
	if (cfg->max_tokens == CONFIG_UNSET) {
		s->max_tokens = R1_MAX_TOKENS;
	} else if (s->max_tokens != R1_MAX_TOKENS) {
		char what[128];
		snprintf(what, sizeof(what), "max-tokens is %ld, the protocol uses %d", s->max_tokens,
			 R1_MAX_TOKENS);
		warn(warnings, t->id, what);
	}
	int want_n = is_aime(t) ? R1_N_AIME : (s->n < R1_N_MIN ? R1_N_MIN : s->n);
	if (cfg->n == CONFIG_UNSET) {
		s->n = want_n;
	} else if (s->n != want_n) {
		char what[128];
		snprintf(what, sizeof(what), "n is %d, the protocol uses %s%d samples per problem",
			 s->n, is_aime(t) ? "" : "at least ", want_n);
		warn(warnings, t->id, what);
	}
	if (t->grader_name && !strcmp(t->grader_name, "math"))
		add_boxed_directive(t);
	if (!isnan(s->top_k) || !isnan(s->min_p) || !isnan(s->presence_penalty) ||
	    !isnan(s->frequency_penalty))
		warn(warnings, t->id, "extra sampling settings (top-k, min-p or penalties) are set");
	if (cfg->api && !strcmp(cfg->api, "completions"))
		warn(warnings, t->id, "the protocol uses chat completions, not /v1/completions");
	/*
	 * The limits must let the longest answer the protocol asks for finish,
	 * or the longest samples (mostly the wrong ones) time out.  A loaded
	 * server decodes a sequence at 20 tokens/s or faster.
	 */
	long need_s = s->max_tokens > 0 ? s->max_tokens / R1_SLOW_TOKENS_PER_S : 0;
	/* Streamed, only a total limit cuts a generation; else the first byte is its end. */
	long wall = cfg->timeout_s == CONFIG_UNSET ? 0 : cfg->timeout_s;
	if (cfg->stream != 1 && cfg->first_byte_timeout_s != CONFIG_UNSET &&
	    (!wall || cfg->first_byte_timeout_s < wall))
		wall = cfg->first_byte_timeout_s;
	if (wall > 0 && wall < need_s) {
		char what[256];
		snprintf(what, sizeof(what),
			 "%ld new tokens need about %ld s at %d tokens/s, but a %s attempt is cut "
			 "after %ld s: long samples will time out (and count wrong)",
			 s->max_tokens, need_s, R1_SLOW_TOKENS_PER_S,
			 cfg->stream == 1 ? "streamed" : "non-streamed", wall);
		warn(warnings, t->id, what);
	}
}

void preset_announce(const struct config *cfg)
{
	if (!preset_known(cfg->preset))
		return;
	char total[64] = "no limit on a whole attempt";
	if (cfg->timeout_s != CONFIG_UNSET)
		snprintf(total, sizeof(total), "%ld s at most per attempt", cfg->timeout_s);
	diag("preset r1: %s, %s, the first byte within %ld s, at most %ld s of silence "
	     "between bytes; a sample that never finishes %s",
	     cfg->stream == 1 ? "streaming" : "not streaming (--no-stream)", total,
	     cfg->first_byte_timeout_s, cfg->idle_timeout_s,
	     cfg->exclude_unfinished == 1 ? "is left out of scores (--exclude-unfinished)"
					  : "counts as wrong");
}
