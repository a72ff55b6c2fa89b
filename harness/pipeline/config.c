#include "harness/pipeline/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "harness/model/prompt.h"
#include "harness/net/http.h"
#include "harness/pipeline/shard.h"

enum opt_type { OPT_STR, OPT_LONG, OPT_DOUBLE, OPT_BOOL, OPT_LIST, OPT_KV };

struct opt {
	const char *name;   /* --name, and the key in a config file */
	enum opt_type type;
	size_t off;         /* into struct config */
	const char *cmds;   /* space-separated commands it applies to */
	const char *arg;    /* placeholder for help */
	const char *help;
};

#define OFF(f) offsetof(struct config, f)
#define RUNLIKE "run grade merge reproduce"

static const struct opt opts[] = {
	{"task", OPT_STR, OFF(tasks), "run", "T[,T...]",
	 "tasks or task families to run (see 'reval tasks'), or task files: an entry ending in "
	 ".json is a path (docs/custom-tasks.md)"},
	{"out", OPT_STR, OFF(out), "run merge reproduce", "DIR", "run directory (created; reused to resume)"},
	{"engine", OPT_STR, OFF(engine), "run", "E",
	 "openai (default with --base-url), replay:PATH, local:'CMD', exec:'CMD'"},
	{"model", OPT_STR, OFF(model), "run", "M", "model name sent to the server"},
	{"base-url", OPT_LIST, OFF(base_urls), "run", "URL",
	 "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (repeat to spread load)"},
	{"endpoints", OPT_STR, OFF(endpoints), "run", "FILE",
	 "base URLs, one a line (# comments), added to --base-url: a pool shared by all shards"},
	{"api-key-file", OPT_STR, OFF(api_key_file), "run", "F",
	 "read the API key from a file (else $OPENAI_API_KEY)"},
	{"api", OPT_STR, OFF(api), "run", "chat|completions",
	 "chat completions (default) or /v1/completions for base models"},
	{"n", OPT_LONG, OFF(n), "run", "N", "samples per problem (default: the task's)"},
	{"limit", OPT_LONG, OFF(limit), "run", "N", "only the first N problems of each task"},
	{"shard", OPT_STR, OFF(shard), "run", "I/N|auto",
	 "run shard I of N (0-based; problems split deterministically); auto: from a Slurm array "
	 "or Kubernetes Indexed Job, into OUT/shard-I-of-N"},
	{"shards", OPT_LONG, OFF(shards), "run", "N",
	 "--shard auto: the number of shards (a Kubernetes Indexed Job's completions)"},
	{"seed", OPT_LONG, OFF(seed), "run", "S", "run seed for per-sample seeds (default 0)"},
	{"concurrency", OPT_LONG, OFF(concurrency), "run", "N",
	 "samples in flight, fixed (default: grown while the server's throughput grows)"},
	{"max-concurrency", OPT_LONG, OFF(max_concurrency), "run", "N",
	 "ceiling for the grown concurrency (default 1024)"},
	{"split-n", OPT_BOOL, OFF(split_n), "run", NULL,
	 "one request per sample instead of server-side n (default: without --concurrency)"},
	{"schedule-from", OPT_STR, OFF(schedule_from), "run", "RUN",
	 "send problems longest-first by the tokens a previous run recorded (default: one "
	 "sample of each problem first, by difficulty metadata, then prompt length; then the "
	 "rest longest-first by what the finished samples measured)"},
	{"temperature", OPT_DOUBLE, OFF(temperature), "run", "T", "sampling temperature"},
	{"top-p", OPT_DOUBLE, OFF(top_p), "run", "P", "nucleus sampling"},
	{"top-k", OPT_DOUBLE, OFF(top_k), "run", "K", "top-k sampling (server extension)"},
	{"min-p", OPT_DOUBLE, OFF(min_p), "run", "P", "min-p sampling (server extension)"},
	{"presence-penalty", OPT_DOUBLE, OFF(presence_penalty), "run", "X", "presence penalty"},
	{"frequency-penalty", OPT_DOUBLE, OFF(frequency_penalty), "run", "X", "frequency penalty"},
	{"max-tokens", OPT_LONG, OFF(max_tokens), "run", "N", "maximum new tokens per sample"},
	{"stop", OPT_LIST, OFF(stop), "run", "S", "stop sequence (repeatable)"},
	{"reasoning-effort", OPT_STR, OFF(reasoning_effort), "run", "low|medium|high",
	 "reasoning effort for models that take it"},
	{"extra-body", OPT_STR, OFF(extra_body), "run", "JSON",
	 "JSON object merged into every request body"},
	{"stream", OPT_BOOL, OFF(stream), "run", NULL, "stream responses (server-sent events)"},
	{"preset", OPT_STR, OFF(preset), "run", "r1",
	 "r1: the DeepSeek-R1 protocol (T=0.6, top-p 0.95, 32768 tokens)"},
	{"system-prompt", OPT_STR, OFF(system_prompt), "run", "TEXT|@FILE",
	 "system message for every task, replacing the task's (\"\" for none; @FILE reads a "
	 "file; @@ starts a literal @)"},
	{"prompt-template", OPT_STR, OFF(prompt_template), "run", "FILE",
	 "user message template replacing the task's: {question}, {choices}, {fewshot}, a "
	 "record field as {NAME}; {{ and }} are literal braces"},
	{"num-fewshot", OPT_LONG, OFF(num_fewshot), "run", "N",
	 "few-shot examples from the task's pool: its first N, never the problem itself"},
	{"timeout", OPT_LONG, OFF(timeout_s), "run", "S",
	 "seconds for a whole attempt, from sending to the last byte: waiting in the server's "
	 "queue and the whole generation count (default: none when streaming, else 600)"},
	{"connect-timeout", OPT_LONG, OFF(connect_timeout_s), "run", "S",
	 "seconds to connect (default 10)"},
	{"first-byte-timeout", OPT_LONG, OFF(first_byte_timeout_s), "run", "S",
	 "seconds from sending to the first byte: a server's queue, or without streaming the "
	 "whole generation (default 600)"},
	{"idle-timeout", OPT_LONG, OFF(idle_timeout_s), "run", "S",
	 "seconds of silence that end a response once it began (default 120)"},
	{"breaker-failures", OPT_LONG, OFF(breaker_failures), "run", "N",
	 "failed attempts in a row that take an endpoint out; with none left the run stops "
	 "(default 30)"},
	{"breaker-window", OPT_LONG, OFF(breaker_window_s), "run", "S",
	 "seconds of failures without a success that take an endpoint out (default 900)"},
	{"exclude-unfinished", OPT_BOOL, OFF(exclude_unfinished), "run", NULL,
	 "a sample that still timed out is left out of scores (default: counted wrong, as R1 does)"},
	{"max-attempts", OPT_LONG, OFF(max_attempts), "run", "N", "attempts per sample (default 6)"},
	{"price-input", OPT_DOUBLE, OFF(price_input), RUNLIKE, "USD",
	 "price per million prompt tokens, for the cost in results"},
	{"price-output", OPT_DOUBLE, OFF(price_output), RUNLIKE, "USD",
	 "price per million completion tokens, for the cost in results"},
	{"ready-timeout", OPT_LONG, OFF(ready_timeout_s), "run", "S",
	 "--engine local: seconds to wait for the server to answer (default 600)"},
	{"user-data", OPT_KV, OFF(user_data), RUNLIKE, "NAME=PATH",
	 "a dataset you supply, e.g. gpqa=/data/gpqa_diamond.csv"},
	{"data-dir", OPT_STR, OFF(data_dir), RUNLIKE " tasks", "DIR",
	 "more tasks, in DIR/tasks/*.json, added to the bundled ones (which $REVAL_DATA moves)"},
	{"progress", OPT_BOOL, OFF(progress), "run grade reproduce", NULL,
	 "progress on stderr (default: when stderr is a terminal)"},
	{"force", OPT_BOOL, OFF(force), "run grade merge", NULL,
	 "resume, regrade or merge even when model or sampling differ"},
	{"extend", OPT_BOOL, OFF(extend), "run", NULL,
	 "resume with more tasks or a larger --n or --limit, keeping every finished sample"},
	{"config", OPT_STR, OFF(config_file), "run", "F", "JSON file with any of these keys"},
};

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->n = cfg->limit = cfg->seed = cfg->concurrency = cfg->max_concurrency = CONFIG_UNSET;
	cfg->max_tokens = cfg->timeout_s = cfg->max_attempts = CONFIG_UNSET;
	cfg->ready_timeout_s = cfg->shards = cfg->num_fewshot = CONFIG_UNSET;
	cfg->connect_timeout_s = cfg->first_byte_timeout_s = cfg->idle_timeout_s = CONFIG_UNSET;
	cfg->breaker_failures = cfg->breaker_window_s = CONFIG_UNSET;
	cfg->exclude_unfinished = -1;
	cfg->temperature = cfg->top_p = cfg->top_k = cfg->min_p = NAN;
	cfg->presence_penalty = cfg->frequency_penalty = NAN;
	cfg->price_input = cfg->price_output = NAN;
	cfg->stream = cfg->progress = cfg->force = cfg->extend = cfg->split_n = -1;
	cfg->shard_count = 1;
}

void config_release(struct config *cfg)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		void *f = (char *)cfg + opts[i].off;
		if (opts[i].type == OPT_STR) {
			free(*(char **)f);
		} else if (opts[i].type == OPT_LIST) {
			char **l = *(char ***)f;
			for (size_t j = 0; l && l[j]; j++)
				free(l[j]);
			free(l);
		}
	}
	cJSON_Delete(cfg->user_data);
	free(cfg->system_prompt_text);
	free(cfg->prompt_template_text);
	if (cfg->api_key) {
		memset(cfg->api_key, 0, strlen(cfg->api_key));
		free(cfg->api_key);
	}
	config_init(cfg);
}

static int applies(const struct opt *o, const char *cmd)
{
	size_t n = strlen(cmd);
	for (const char *p = o->cmds; (p = strstr(p, cmd)); p += n)
		if ((p == o->cmds || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static size_t *list_count(struct config *cfg, const struct opt *o)
{
	return o->off == OFF(base_urls) ? &cfg->nbase_urls : &cfg->nstop;
}

/* Store one value; `from` names where it came from for messages. */
static enum reval_err set_opt(struct config *cfg, const struct opt *o, const char *val,
			      const char *from)
{
	void *f = (char *)cfg + o->off;
	switch (o->type) {
	case OPT_STR:
		free(*(char **)f);
		*(char **)f = xstrdup(val);
		return RV_OK;
	case OPT_LONG: {
		long v;
		if (parse_long(val, &v) || v < 0) {
			diag("%s: --%s wants a whole number, not '%s'", from, o->name, val);
			return RV_EUSAGE;
		}
		*(long *)f = v;
		return RV_OK;
	}
	case OPT_DOUBLE: {
		double v;
		if (parse_double(val, &v)) {
			diag("%s: --%s wants a number, not '%s'", from, o->name, val);
			return RV_EUSAGE;
		}
		*(double *)f = v;
		return RV_OK;
	}
	case OPT_BOOL:
		if (!strcmp(val, "true") || !strcmp(val, "1"))
			*(int *)f = 1;
		else if (!strcmp(val, "false") || !strcmp(val, "0"))
			*(int *)f = 0;
		else {
			diag("%s: --%s wants true or false, not '%s'", from, o->name, val);
			return RV_EUSAGE;
		}
		return RV_OK;
	case OPT_LIST: {
		size_t *n = list_count(cfg, o);
		char ***l = (char ***)f;
		*l = xrealloc(*l, (*n + 2) * sizeof(char *));
		(*l)[(*n)++] = xstrdup(val);
		(*l)[*n] = NULL;
		return RV_OK;
	}
	case OPT_KV: {
		const char *eq = strchr(val, '=');
		if (!eq || eq == val || !eq[1]) {
			diag("%s: --%s wants NAME=PATH, not '%s'", from, o->name, val);
			return RV_EUSAGE;
		}
		if (!cfg->user_data)
			cfg->user_data = cJSON_CreateObject();
		char *k = xstrndup(val, (size_t)(eq - val));
		cJSON_DeleteItemFromObjectCaseSensitive(cfg->user_data, k);
		cJSON_AddStringToObject(cfg->user_data, k, eq + 1);
		free(k);
		return RV_OK;
	}
	}
	return RV_EINTERNAL;
}

static const struct opt *find_opt(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (!strcmp(opts[i].name, name))
			return &opts[i];
	return NULL;
}

/* The option a config file's unknown key probably meant: "max_tokens", "system". */
static const struct opt *near_opt(const char *key)
{
	char *k = xstrdup(key);
	for (char *p = k; *p; p++)
		*p = *p == '_' ? '-' : *p;
	size_t n = strlen(k);
	const struct opt *o = find_opt(k);
	for (size_t i = 0; !o && i < ARRAY_SIZE(opts); i++)
		if (!strncmp(opts[i].name, k, n) && opts[i].name[n] == '-')
			o = &opts[i];
	free(k);
	return o && strcmp(o->name, "config") ? o : NULL;
}

static int is_set(const struct config *cfg, const struct opt *o)
{
	const void *f = (const char *)cfg + o->off;
	switch (o->type) {
	case OPT_STR: return *(char *const *)f != NULL;
	case OPT_LONG: return *(const long *)f != CONFIG_UNSET;
	case OPT_DOUBLE: return !isnan(*(const double *)f);
	case OPT_BOOL: return *(const int *)f != -1;
	case OPT_LIST: return *(char **const *)f != NULL;
	case OPT_KV: return cfg->user_data != NULL;
	}
	return 0;
}

enum reval_err config_parse_args(struct config *cfg, const char *cmd, int argc, char **argv,
				 char ***pos, int *npos)
{
	*pos = xcalloc((size_t)argc + 1, sizeof(char *));
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] != '-' || !a[2]) {
			if (!strcmp(a, "--")) {
				while (++i < argc)
					(*pos)[(*npos)++] = argv[i];
				break;
			}
			(*pos)[(*npos)++] = argv[i];
			continue;
		}
		char *name = xstrdup(a + 2);
		char *val = strchr(name, '=');
		if (val)
			*val++ = '\0';
		int negate = 0;
		const struct opt *o = find_opt(name);
		if (!o && !strncmp(name, "no-", 3) && (o = find_opt(name + 3)) && o->type == OPT_BOOL)
			negate = 1;
		else if (o && negate)
			o = NULL;
		if (!o || !applies(o, cmd)) {
			diag("unknown option '--%s' for 'reval %s' (see 'reval help %s')", name, cmd,
			     cmd);
			free(name);
			return RV_EUSAGE;
		}
		enum reval_err err;
		if (o->type == OPT_BOOL && !val) {
			err = set_opt(cfg, o, negate ? "false" : "true", "flag");
		} else {
			if (!val) {
				if (i + 1 >= argc) {
					diag("option '--%s' needs a value", name);
					free(name);
					return RV_EUSAGE;
				}
				val = argv[++i];
				err = set_opt(cfg, o, val, "flag");
			} else {
				err = set_opt(cfg, o, val, "flag");
			}
		}
		free(name);
		if (err)
			return err;
	}
	return RV_OK;
}

enum reval_err config_apply_json(struct config *cfg, const cJSON *doc, const char *from)
{
	enum reval_err err = RV_OK;
	const cJSON *kv;
	if (!cJSON_IsObject(doc)) {
		diag("%s: not a JSON object", from);
		return RV_EUSAGE;
	}
	cJSON_ArrayForEach(kv, doc)
	{
		const struct opt *o = find_opt(kv->string);
		if (!strcmp(kv->string, "api_key_present"))
			continue;
		if (!o || !strcmp(kv->string, "config")) {
			const struct opt *near = o ? NULL : near_opt(kv->string);
			if (near)
				diag("%s: unknown key \"%s\" (did you mean \"%s\"?)", from, kv->string,
				     near->name);
			else
				diag("%s: unknown key \"%s\"", from, kv->string);
			err = RV_EUSAGE;
			break;
		}
		if (is_set(cfg, o) && o->type != OPT_KV)
			continue; /* a flag given on the command line wins */
		if (cJSON_IsArray(kv) && o->type == OPT_LIST) {
			const cJSON *e;
			cJSON_ArrayForEach(e, kv)
			{
				char *s = json_scalar_text(e);
				err = s ? set_opt(cfg, o, s, from) : RV_EUSAGE;
				free(s);
				if (err)
					break;
			}
		} else if (o->type == OPT_KV && cJSON_IsObject(kv)) {
			const cJSON *e;
			cJSON_ArrayForEach(e, kv)
			{
				if (cJSON_GetObjectItemCaseSensitive(cfg->user_data, e->string))
					continue;
				char *s = json_scalar_text(e);
				char *pair = xasprintf("%s=%s", e->string, s ? s : "");
				err = set_opt(cfg, o, pair, from);
				free(pair);
				free(s);
				if (err)
					break;
			}
		} else if (o->off == OFF(extra_body) && cJSON_IsObject(kv)) {
			char *s = cJSON_PrintUnformatted(kv);
			err = set_opt(cfg, o, s, from);
			cJSON_free(s);
		} else {
			char *s = json_scalar_text(kv);
			if (!s) {
				diag("%s: key \"%s\" has the wrong type", from, kv->string);
				err = RV_EUSAGE;
			} else {
				err = set_opt(cfg, o, s, from);
			}
			free(s);
		}
		if (err)
			break;
	}
	return err;
}

static enum reval_err load_config_file(struct config *cfg, const char *path)
{
	cJSON *doc;
	enum reval_err err = json_load_file(path, "config file", &doc);
	if (err)
		return err;
	char *from = xasprintf("cannot read config file '%s'", path);
	err = config_apply_json(cfg, doc, from);
	free(from);
	cJSON_Delete(doc);
	return err;
}

static enum reval_err read_api_key(struct config *cfg)
{
	if (cfg->api_key_file) {
		char *s;
		int e = read_file(cfg->api_key_file, 64 * 1024, &s, NULL);
		if (e) {
			diag("cannot read API key file '%s': %s", cfg->api_key_file, strerror(e));
			return RV_EUSAGE;
		}
		struct strview v = sv_trim(sv_from(s));
		cfg->api_key = sv_dup(v);
		memset(s, 0, strlen(s));
		free(s);
		return RV_OK;
	}
	const char *env = getenv("OPENAI_API_KEY");
	if (env && *env)
		cfg->api_key = xstrdup(env);
	return RV_OK;
}

/*
 * --shard I/N, or auto from the scheduler's environment; auto becomes the I/N it
 * resolved to (what config.json keeps) and moves the run into OUT/shard-I-of-N.
 */
static enum reval_err resolve_shard(struct config *cfg)
{
	enum reval_err err;
	if (cfg->shards != CONFIG_UNSET && (!cfg->shard || strcmp(cfg->shard, "auto"))) {
		diag("--shards goes with --shard auto only");
		return RV_EUSAGE;
	}
	if (!cfg->shard)
		return RV_OK;
	if (strcmp(cfg->shard, "auto"))
		return shard_parse(cfg->shard, &cfg->shard_index, &cfg->shard_count);
	if (cfg->shards != CONFIG_UNSET && (cfg->shards < 1 || cfg->shards > INT_MAX)) {
		diag("--shards must be at least 1");
		return RV_EUSAGE;
	}
	if ((err = shard_from_env(cfg->shards == CONFIG_UNSET ? 0 : cfg->shards, &cfg->shard_index,
				  &cfg->shard_count)))
		return err;
	free(cfg->shard);
	cfg->shard = xasprintf("%d/%d", cfg->shard_index, cfg->shard_count);
	cfg->shards = CONFIG_UNSET;
	if (cfg->out) {
		char *name = shard_dir_name(cfg->shard_index, cfg->shard_count);
		char *dir = path_join(cfg->out, name);
		free(cfg->out);
		cfg->out = dir;
		free(name);
	}
	return RV_OK;
}

/* --endpoints FILE: its URLs join --base-url; the file itself is not kept. */
static enum reval_err read_endpoints(struct config *cfg)
{
	if (!cfg->endpoints)
		return RV_OK;
	char *text;
	int e = read_file(cfg->endpoints, 1 << 20, &text, NULL);
	if (e) {
		diag("cannot read endpoints file '%s': %s", cfg->endpoints, strerror(e));
		return RV_EUSAGE;
	}
	enum reval_err err = RV_OK;
	const struct opt *o = find_opt("base-url");
	size_t found = 0;
	long lineno = 0;
	for (char *line = text, *next; line && !err; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *url = sv_dup(sv_trim(sv_from(line)));
		if (*url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
			diag("endpoints file '%s' line %ld: '%s' is not an http:// or https:// URL",
			     cfg->endpoints, lineno, url);
			err = RV_EUSAGE;
		} else if (*url) {
			err = set_opt(cfg, o, url, "endpoints file");
			found++;
		}
		free(url);
	}
	free(text);
	if (!err && !found) {
		diag("endpoints file '%s' lists no URL", cfg->endpoints);
		err = RV_EUSAGE;
	}
	free(cfg->endpoints);
	cfg->endpoints = NULL;
	return err;
}

/* --system-prompt @FILE and --prompt-template FILE are read once, here. */
static enum reval_err read_prompt_flags(struct config *cfg)
{
	enum reval_err err;
	if (cfg->system_prompt && !cfg->system_prompt_text) {
		if ((err = prompt_system_from_flag(cfg->system_prompt, &cfg->system_prompt_text)))
			return err;
		/* config.json keeps the text itself: a resume or regrade needs no file. */
		free(cfg->system_prompt);
		cfg->system_prompt = prompt_system_to_flag(cfg->system_prompt_text);
	}
	if (cfg->prompt_template && !cfg->prompt_template_text)
		return prompt_template_read(cfg->prompt_template, &cfg->prompt_template_text);
	return RV_OK;
}

enum reval_err config_finish(struct config *cfg)
{
	enum reval_err err;
	if (cfg->config_file && (err = load_config_file(cfg, cfg->config_file)))
		return err;
	const char *env_url = getenv("OPENAI_BASE_URL");
	if (!cfg->base_urls && env_url && *env_url) {
		const struct opt *o = find_opt("base-url");
		set_opt(cfg, o, env_url, "environment");
	}
	if (!cfg->engine)
		cfg->engine = xstrdup("openai");
	for (size_t i = 0; i < cfg->nbase_urls; i++) {
		char why[128];
		if (http_url_check(cfg->base_urls[i], why, sizeof(why))) {
			char *shown = url_redact(cfg->base_urls[i]);
			diag("--base-url '%s' cannot be used: %s", shown, why);
			free(shown);
			return RV_EUSAGE;
		}
	}
	if (cfg->seed == CONFIG_UNSET)
		cfg->seed = 0;
	if (cfg->concurrency != CONFIG_UNSET && (cfg->concurrency < 1 || cfg->concurrency > 100000)) {
		diag("--concurrency must be from 1 to 100000");
		return RV_EUSAGE;
	}
	if (cfg->max_concurrency != CONFIG_UNSET &&
	    (cfg->max_concurrency < 1 || cfg->max_concurrency > 100000)) {
		diag("--max-concurrency must be from 1 to 100000");
		return RV_EUSAGE;
	}
	/* R1's long generations are streamed, so only silence, never length, cuts them. */
	if (cfg->preset && !strcmp(cfg->preset, "r1") && cfg->stream == -1)
		cfg->stream = 1;
	/* A limit of 0 would mean "none" to curl: a slow server would then hang the run. */
	static const struct {
		const char *flag;
		size_t off;
		long dflt; /* CONFIG_UNSET: decided below */
	} limits[] = {
		{"timeout", OFF(timeout_s), CONFIG_UNSET},
		{"connect-timeout", OFF(connect_timeout_s), CONFIG_CONNECT_TIMEOUT_S},
		{"first-byte-timeout", OFF(first_byte_timeout_s), CONFIG_FIRST_BYTE_TIMEOUT_S},
		{"idle-timeout", OFF(idle_timeout_s), CONFIG_IDLE_TIMEOUT_S},
		{"breaker-failures", OFF(breaker_failures), CONFIG_BREAKER_FAILURES},
		{"breaker-window", OFF(breaker_window_s), CONFIG_BREAKER_WINDOW_S},
	};
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		long *v = (long *)((char *)cfg + limits[i].off);
		if (*v == CONFIG_UNSET)
			*v = limits[i].dflt;
		else if (*v < 1 || *v > 7 * 86400) {
			diag("--%s must be from 1 to 604800 (there is no 'no limit')", limits[i].flag);
			return RV_EUSAGE;
		}
	}
	/* A streamed generation shows it is alive with every token: only silence ends it. */
	if (cfg->timeout_s == CONFIG_UNSET && cfg->stream != 1)
		cfg->timeout_s = CONFIG_TIMEOUT_S;
	if (cfg->exclude_unfinished == -1)
		cfg->exclude_unfinished = 0;
	if (cfg->max_attempts == CONFIG_UNSET)
		cfg->max_attempts = 6;
	if (cfg->max_attempts < 1) {
		diag("--max-attempts must be at least 1");
		return RV_EUSAGE;
	}
	/* Knobs outside their range are refused here rather than by a server mid-run. */
	if (!isnan(cfg->temperature) && (cfg->temperature < 0 || cfg->temperature > 10)) {
		diag("--temperature must be from 0 to 10, not %g", cfg->temperature);
		return RV_EUSAGE;
	}
	if (!isnan(cfg->top_p) && (cfg->top_p <= 0 || cfg->top_p > 1)) {
		diag("--top-p must be above 0 and at most 1, not %g", cfg->top_p);
		return RV_EUSAGE;
	}
	if (!isnan(cfg->min_p) && (cfg->min_p < 0 || cfg->min_p > 1)) {
		diag("--min-p must be from 0 to 1, not %g", cfg->min_p);
		return RV_EUSAGE;
	}
	if (cfg->n != CONFIG_UNSET && (cfg->n < 1 || cfg->n > 100000)) {
		diag("--n must be from 1 to 100000");
		return RV_EUSAGE;
	}
	if (cfg->limit != CONFIG_UNSET && cfg->limit < 1) {
		diag("--limit must be at least 1");
		return RV_EUSAGE;
	}
	if (!cfg->api)
		cfg->api = xstrdup("chat");
	if (strcmp(cfg->api, "chat") && strcmp(cfg->api, "completions")) {
		diag("--api must be chat or completions, not '%s'", cfg->api);
		return RV_EUSAGE;
	}
	if ((err = resolve_shard(cfg)) || (err = read_endpoints(cfg)) ||
	    (err = read_prompt_flags(cfg)))
		return err;
	if (cfg->extra_body) {
		cJSON *eb = cJSON_Parse(cfg->extra_body);
		int ok = cJSON_IsObject(eb);
		cJSON_Delete(eb);
		if (!ok) {
			diag("--extra-body wants a JSON object, not '%s'", cfg->extra_body);
			return RV_EUSAGE;
		}
	}
	if (cfg->preset && strcmp(cfg->preset, "r1")) {
		diag("unknown --preset '%s' (known: r1)", cfg->preset);
		return RV_EUSAGE;
	}
	if (cfg->progress == -1)
		cfg->progress = isatty(2);
	if (cfg->force == -1)
		cfg->force = 0;
	if (cfg->extend == -1)
		cfg->extend = 0;
	return read_api_key(cfg);
}

void config_print_help(const char *cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		const struct opt *o = &opts[i];
		if (!applies(o, cmd))
			continue;
		char left[64];
		if (o->type == OPT_BOOL)
			snprintf(left, sizeof(left), "--[no-]%s", o->name);
		else
			snprintf(left, sizeof(left), "--%s %s", o->name, o->arg);
		printf("  %-30s %s\n", left, o->help);
	}
}

cJSON *config_to_json(const struct config *cfg)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		const struct opt *op = &opts[i];
		const void *f = (const char *)cfg + op->off;
		if (!is_set(cfg, op) || op->off == OFF(api_key_file) || op->off == OFF(config_file) ||
		    op->off == OFF(progress) || op->off == OFF(force) || op->off == OFF(extend) ||
		    (op->type == OPT_LONG && *(const long *)f == CONFIG_UNSET))
			continue;
		switch (op->type) {
		case OPT_STR:
			cJSON_AddStringToObject(o, op->name, *(char *const *)f);
			break;
		case OPT_LONG:
			cJSON_AddNumberToObject(o, op->name, (double)*(const long *)f);
			break;
		case OPT_DOUBLE:
			cJSON_AddNumberToObject(o, op->name, *(const double *)f);
			break;
		case OPT_BOOL:
			cJSON_AddBoolToObject(o, op->name, *(const int *)f);
			break;
		case OPT_LIST: {
			cJSON *a = cJSON_AddArrayToObject(o, op->name);
			for (char *const *l = *(char **const *)f; l && *l; l++) {
				char *s = op->off == OFF(base_urls) ? url_redact(*l) : xstrdup(*l);
				cJSON_AddItemToArray(a, cJSON_CreateString(s));
				free(s);
			}
			break;
		}
		case OPT_KV:
			cJSON_AddItemToObject(o, op->name, cJSON_Duplicate(cfg->user_data, 1));
			break;
		}
	}
	cJSON_AddBoolToObject(o, "api_key_present", cfg->api_key != NULL);
	return o;
}
