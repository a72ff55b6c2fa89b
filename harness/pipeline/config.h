/*
 * config: the run configuration, from flags, a config file, the
 * environment and defaults, in that order of precedence.
 *
 * Every option is one line in the table in config.c: its flag name (also
 * its key in a --config JSON file), its type, where it lands in struct
 * config, and its help text, so the flags, the config file and --help never
 * disagree.  Unset values are NULL / CONFIG_UNSET / NAN / -1 until
 * config_finish fills the defaults.  The API key is read from the
 * environment or --api-key-file only, and is never written anywhere.
 */
#ifndef REVAL_CONFIG_H
#define REVAL_CONFIG_H

#include <cjson/cJSON.h>
#include <limits.h>

#include "harness/base/err.h"
#include "harness/base/util.h"

#define CONFIG_UNSET LONG_MIN

#define CONFIG_CONNECT_TIMEOUT_S 10     /* default --connect-timeout */
#define CONFIG_FIRST_BYTE_TIMEOUT_S 600 /* default --first-byte-timeout */
#define CONFIG_IDLE_TIMEOUT_S 120       /* default --idle-timeout */
#define CONFIG_TIMEOUT_S 600            /* default --timeout when not streaming */
#define CONFIG_BREAKER_FAILURES 30      /* default --breaker-failures */
#define CONFIG_BREAKER_WINDOW_S 900     /* default --breaker-window */

struct config {
	char *tasks;             /* comma-separated task ids or families */
	char *out;               /* run directory */
	char *engine;            /* "openai", "replay:PATH", "local:CMD", "exec:CMD" */
	char *model;
	char **base_urls;        /* one or more OpenAI-compatible base URLs */
	size_t nbase_urls;
	char *api_key_file;
	char *api;               /* "chat" (default) or "completions" */
	char *data_dir;
	char *config_file;
	cJSON *user_data;        /* {"gpqa": "/path/gpqa_diamond.csv"} from --user-data NAME=PATH */
	long n;                  /* samples per problem, overriding the task */
	long limit;              /* first N problems of each task */
	char *shard;             /* "I/N", or "auto" until config_finish resolves it */
	long shards;             /* --shards N for --shard auto; unset once resolved */
	char *endpoints;         /* file of base URLs; read into base_urls by config_finish */
	long seed;               /* run seed */
	long concurrency;        /* samples in flight, fixed; unset: found by the limiter */
	long max_concurrency;    /* the limiter's ceiling */
	char *schedule_from;     /* a previous run whose token counts order the problems */
	int split_n;             /* -1 unset (split when the limiter is adaptive), 0, 1 */
	double temperature;
	double top_p;
	double top_k;
	double min_p;
	double presence_penalty;
	double frequency_penalty;
	double price_input;      /* USD per million prompt tokens; NAN: not set */
	double price_output;     /* USD per million completion tokens; NAN: not set */
	long max_tokens;
	char **stop;
	size_t nstop;
	char *reasoning_effort;
	char *extra_body;        /* JSON object merged into every request body */
	int stream;              /* -1 unset, 0, 1 */
	char *preset;            /* "r1" */
	char *system_prompt;     /* --system-prompt as given; after finish, text that reads back */
	char *prompt_template;   /* --prompt-template FILE */
	long num_fewshot;        /* --num-fewshot N */
	char *system_prompt_text;   /* resolved by config_finish (the @FILE read), or NULL */
	char *prompt_template_text; /* read by config_finish, or kept from a run's config.json */
	long timeout_s;          /* whole request attempt; CONFIG_UNSET after finish: none (streamed) */
	long connect_timeout_s;  /* to connect */
	long first_byte_timeout_s; /* from sending to the first byte (the server's queue) */
	long idle_timeout_s;     /* silence between bytes of a response that began */
	long breaker_failures;   /* failed attempts in a row that take an endpoint out */
	long breaker_window_s;   /* failing with no success this long takes an endpoint out */
	int exclude_unfinished;  /* a sample that never finished is excluded, not counted wrong */
	long max_attempts;       /* per sample */
	long ready_timeout_s;    /* --engine local: seconds for the server to answer */
	int progress;            /* -1 auto (a terminal), 0, 1 */
	int force;               /* resume even when settings differ (never for graders) */
	int extend;              /* resume with a larger selection: more tasks, n or limit */
	char *api_key;           /* from OPENAI_API_KEY or --api-key-file; never written */
	int shard_index;         /* parsed from shard */
	int shard_count;         /* 1 when unsharded */
};

void config_init(struct config *cfg);
void config_release(struct config *cfg);

/*
 * Parse flags for command cmd ("run", "grade", ...).  Arguments that are not
 * flags are returned in *pos (argv pointers).  Errors name the flag.
 */
enum reval_err config_parse_args(struct config *cfg, const char *cmd, int argc, char **argv,
				 char ***pos, int *npos);

/* Fill what flags left unset from --config, the environment and defaults, then validate. */
enum reval_err config_finish(struct config *cfg);

/* Apply a JSON object of option keys (a config file, a stored config.json) to unset options. */
enum reval_err config_apply_json(struct config *cfg, const cJSON *doc, const char *from);

/* Print the options that apply to cmd, for help. */
void config_print_help(const char *cmd);

/* The resolved configuration as JSON, without secrets. */
cJSON *config_to_json(const struct config *cfg);

#endif
