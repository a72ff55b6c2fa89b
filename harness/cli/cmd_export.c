/*
 * cmd_export: `reval export DIR --sft FILE` -- rejection sampling from a
 * run's journal: the correct samples become SFT data.
 *
 * Every journal line is kept or dropped for the first reason that applies,
 * in this order: its problem is not in the run (unknown_problem), an
 * infrastructure failure (infra_error), cut off by the token limit
 * (truncated), not correct (wrong), and with the options: reasoning missing,
 * never closed or no answer after it (format, --require-format), completion
 * tokens unknown, below --min-tokens or above --max-tokens (tokens_unknown,
 * too_short, too_long), the same normalised reasoning and answer as a sample
 * of the same problem kept earlier (duplicate, --dedup), more than K kept for
 * the problem already (over_per_problem, --per-problem K).  The counts per
 * reason go to stdout; the kept samples, in journal order, to FILE (written
 * atomically) as one JSON object per line in the chosen format.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/base/util.h"
#include "harness/cli/cmd.h"
#include "harness/cli/cmdopt.h"
#include "harness/model/journal.h"
#include "harness/model/sample.h"
#include "harness/pipeline/config.h"
#include "harness/pipeline/run.h"

enum drop {
	KEPT,
	D_UNKNOWN,
	D_INFRA,
	D_TRUNCATED,
	D_WRONG,
	D_FORMAT,
	D_TOKENS_UNKNOWN,
	D_TOO_SHORT,
	D_TOO_LONG,
	D_DUPLICATE,
	D_PER_PROBLEM,
	NDROP,
};

static const char *const drop_names[NDROP] = {
	"kept",           "unknown_problem", "infra_error", "truncated",
	"wrong",          "format",          "tokens_unknown", "too_short",
	"too_long",       "duplicate",       "over_per_problem",
};

enum fmt { F_MESSAGES, F_SHAREGPT, F_PROMPT_COMPLETION };
enum reasoning { R_THINK, R_FIELD, R_NONE };

struct export_args {
	const char *sft;
	const char *format;
	const char *reasoning;
	int require_format;
	int dedup;
	long min_tokens, max_tokens, per_problem;
};

#define EXPORT_OPTS(a)                                                                             \
	{                                                                                          \
		{"sft", CMDOPT_STR, &(a).sft, "FILE", "write the kept samples here (JSONL)", 0},   \
		{"format", CMDOPT_STR, &(a).format, "F",                                           \
		 "messages (default): {\"messages\": [...]}; sharegpt: {\"conversations\": "      \
		 "[...]}; prompt-completion: {\"prompt\": [...], \"completion\": [...]}", 0},      \
		{"reasoning", CMDOPT_STR, &(a).reasoning, "HOW",                                   \
		 "think (default): inline <think>...</think> before the answer; field: a "        \
		 "\"thinking\" field of the assistant message; none: drop it", 0},                 \
		{"require-format", CMDOPT_FLAG, &(a).require_format, NULL,                          \
		 "keep only samples with closed reasoning and an answer after it", 0},            \
		{"min-tokens", CMDOPT_LONG, &(a).min_tokens, "N",                                  \
		 "keep only samples of at least N completion tokens", 0},                          \
		{"max-tokens", CMDOPT_LONG, &(a).max_tokens, "N",                                  \
		 "keep only samples of at most N completion tokens", 0},                           \
		{"per-problem", CMDOPT_LONG, &(a).per_problem, "K",                                \
		 "keep at most K samples per problem (the first in the journal)", 0},              \
		{"dedup", CMDOPT_FLAG, &(a).dedup, NULL,                                           \
		 "drop a sample whose reasoning and answer, case and spacing ignored, repeat one " \
		 "kept for the problem", 0},                                                       \
	}

void cmd_export_options(void)
{
	struct export_args a;
	const struct cmdopt opts[] = EXPORT_OPTS(a);
	cmdopt_print_help(opts, ARRAY_SIZE(opts));
}

/* ---- A set of 64-bit keys with counts (open addressing) ---- */

struct keyset {
	uint64_t *key; /* 0 = empty */
	long *count;
	size_t cap, n;
};

static long *keyset_slot(struct keyset *s, uint64_t k)
{
	if (!k)
		k = 1;
	if (2 * (s->n + 1) > s->cap) {
		struct keyset old = *s;
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->key = xcalloc(s->cap, sizeof(*s->key));
		s->count = xcalloc(s->cap, sizeof(*s->count));
		s->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.key[i])
				*keyset_slot(s, old.key[i]) = old.count[i];
		free(old.key);
		free(old.count);
	}
	size_t i = (size_t)k & (s->cap - 1);
	while (s->key[i] && s->key[i] != k)
		i = (i + 1) & (s->cap - 1);
	if (!s->key[i]) {
		s->key[i] = k;
		s->n++;
	}
	return &s->count[i];
}

static void keyset_release(struct keyset *s)
{
	free(s->key);
	free(s->count);
	memset(s, 0, sizeof(*s));
}

/* ---- Export ---- */

struct exporter {
	struct export_args a;
	enum fmt fmt;
	enum reasoning rs;
	struct run *r;
	const char *journal; /* the path being read, for messages */
	struct strbuf out;
	long counts[NDROP];
	long lines;
	struct keyset per_problem, seen;
};

static uint64_t problem_key(const struct sample *s)
{
	uint64_t h = hash64(s->task, strlen(s->task) + 1, 0x5eed);
	return hash64(s->problem, strlen(s->problem), h);
}

/* The answer and reasoning with case and runs of whitespace ignored. */
static uint64_t dedup_key(const struct sample *s)
{
	struct strbuf sb = STRBUF_INIT;
	const char *parts[2] = {s->reasoning ? s->reasoning : "", s->content ? s->content : ""};
	for (int k = 0; k < 2; k++) {
		int space = 0;
		for (const char *p = parts[k]; *p; p++) {
			if (isspace((unsigned char)*p)) {
				space = 1;
				continue;
			}
			if (space && sb.len)
				strbuf_addch(&sb, ' ');
			space = 0;
			strbuf_addch(&sb, (char)tolower((unsigned char)*p));
		}
		strbuf_addch(&sb, '\x1f');
	}
	uint64_t h = hash64(sb.buf, sb.len, problem_key(s));
	strbuf_release(&sb);
	return h;
}

static int has_answer(const char *content)
{
	for (const char *p = content ? content : ""; *p; p++)
		if (!isspace((unsigned char)*p))
			return 1;
	return 0;
}

static enum drop judge(struct exporter *e, const struct sample *s, const struct problem *p)
{
	if (!p)
		return D_UNKNOWN;
	if (sample_is_infra(s))
		return D_INFRA;
	if ((s->finish_reason && !strcmp(s->finish_reason, "length")) ||
	    s->grade.status == GRADE_TRUNCATED)
		return D_TRUNCATED;
	if (!s->grade.correct)
		return D_WRONG;
	if (e->a.require_format && (!s->reasoning || !s->reasoning_closed || !has_answer(s->content)))
		return D_FORMAT;
	if (e->a.min_tokens || e->a.max_tokens) {
		if (s->completion_tokens < 0)
			return D_TOKENS_UNKNOWN;
		if (e->a.min_tokens && s->completion_tokens < e->a.min_tokens)
			return D_TOO_SHORT;
		if (e->a.max_tokens && s->completion_tokens > e->a.max_tokens)
			return D_TOO_LONG;
	}
	if (e->a.dedup) {
		long *seen = keyset_slot(&e->seen, dedup_key(s));
		if (*seen)
			return D_DUPLICATE;
		*seen = 1;
	}
	if (e->a.per_problem) {
		long *n = keyset_slot(&e->per_problem, problem_key(s));
		if (*n >= e->a.per_problem)
			return D_PER_PROBLEM;
		++*n;
	}
	return KEPT;
}

static cJSON *message(const char *role_key, const char *role, const char *text_key,
		      const char *text)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, role_key, role);
	cJSON_AddStringToObject(m, text_key, text);
	return m;
}

static char *assistant_text(const struct exporter *e, const struct sample *s)
{
	const char *content = s->content ? s->content : "";
	if (e->rs != R_THINK || !s->reasoning)
		return xstrdup(content);
	return xasprintf("<think>\n%s\n</think>\n\n%s", s->reasoning, content);
}

static void emit(struct exporter *e, const struct task *t, const struct problem *p,
		 const struct sample *s)
{
	int sharegpt = e->fmt == F_SHAREGPT;
	const char *rk = sharegpt ? "from" : "role", *tk = sharegpt ? "value" : "content";
	cJSON *turns = cJSON_CreateArray();
	if (t->system)
		cJSON_AddItemToArray(turns, message(rk, "system", tk, t->system));
	cJSON_AddItemToArray(turns, message(rk, sharegpt ? "human" : "user", tk, p->prompt));
	char *text = assistant_text(e, s);
	cJSON *reply = message(rk, sharegpt ? "gpt" : "assistant", tk, text);
	free(text);
	if (e->rs == R_FIELD && s->reasoning)
		cJSON_AddStringToObject(reply, "thinking", s->reasoning);
	cJSON *line = cJSON_CreateObject();
	if (e->fmt == F_PROMPT_COMPLETION) {
		cJSON_AddItemToObject(line, "prompt", turns);
		cJSON *completion = cJSON_AddArrayToObject(line, "completion");
		cJSON_AddItemToArray(completion, reply);
	} else {
		cJSON_AddItemToArray(turns, reply);
		cJSON_AddItemToObject(line, sharegpt ? "conversations" : "messages", turns);
	}
	json_append(&e->out, line);
	strbuf_addch(&e->out, '\n');
	cJSON_Delete(line);
}

static const struct task *find_task(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->ntasks; i++)
		if (!strcmp(r->tasks[i]->id, id))
			return r->tasks[i];
	return NULL;
}

static enum reval_err export_line(void *ud, const cJSON *obj, long lineno)
{
	struct exporter *e = ud;
	struct sample s;
	const char *why;
	if (sample_from_json(&s, obj, &why)) {
		diag("cannot read journal '%s' line %ld: %s", e->journal, lineno, why);
		sample_release(&s);
		return RV_EINPUT;
	}
	e->lines++;
	const struct task *t = find_task(e->r, s.task);
	const struct problem *p = t ? task_problem(t, s.problem) : NULL;
	enum drop d = judge(e, &s, p);
	e->counts[d]++;
	if (d == KEPT)
		emit(e, t, p, &s);
	sample_release(&s);
	return RV_OK;
}

static enum reval_err parse_choices(struct exporter *e)
{
	const char *f = e->a.format ? e->a.format : "messages";
	const char *rs = e->a.reasoning ? e->a.reasoning : "think";
	if (!strcmp(f, "messages"))
		e->fmt = F_MESSAGES;
	else if (!strcmp(f, "sharegpt"))
		e->fmt = F_SHAREGPT;
	else if (!strcmp(f, "prompt-completion"))
		e->fmt = F_PROMPT_COMPLETION;
	else {
		diag("--format wants messages, sharegpt or prompt-completion, not '%s'", f);
		return RV_EUSAGE;
	}
	if (!strcmp(rs, "think"))
		e->rs = R_THINK;
	else if (!strcmp(rs, "field"))
		e->rs = R_FIELD;
	else if (!strcmp(rs, "none"))
		e->rs = R_NONE;
	else {
		diag("--reasoning wants think, field or none, not '%s'", rs);
		return RV_EUSAGE;
	}
	if (e->rs == R_FIELD && e->fmt == F_SHAREGPT) {
		diag("--reasoning field needs role messages (--format messages or prompt-completion); "
		     "ShareGPT turns carry text only");
		return RV_EUSAGE;
	}
	if (e->a.max_tokens && e->a.min_tokens > e->a.max_tokens) {
		diag("--min-tokens %ld is above --max-tokens %ld", e->a.min_tokens, e->a.max_tokens);
		return RV_EUSAGE;
	}
	return RV_OK;
}

/* The run's tasks as they were: the prompts must be the ones the samples answered. */
static enum reval_err same_prompts(const struct run *r, const cJSON *stored, const char *dir)
{
	const cJSON *ot;
	cJSON_ArrayForEach(ot, cJSON_GetObjectItemCaseSensitive(stored, "tasks"))
	{
		const struct task *t = find_task(r, json_str(ot, "id") ? json_str(ot, "id") : "");
		const char *sha = json_str(ot, "prompt_sha256");
		if (t && sha && strcmp(sha, t->prompt_sha256)) {
			diag("cannot export '%s': the prompts of task '%s' changed since the run (prompt "
			     "sha256 %s, now %s)",
			     dir, t->id, sha, t->prompt_sha256);
			return RV_EMISMATCH;
		}
	}
	return RV_OK;
}

static void summarise(const struct exporter *e, const char *dir)
{
	printf("export '%s' -> '%s': %ld samples, %ld kept\n", dir, e->a.sft, e->lines,
	       e->counts[KEPT]);
	for (int d = 1; d < NDROP; d++)
		if (e->counts[d])
			printf("  dropped %-16s %ld\n", drop_names[d], e->counts[d]);
}

enum reval_err cmd_export(int argc, char **argv)
{
	struct exporter e;
	memset(&e, 0, sizeof(e));
	strbuf_init(&e.out);
	const struct cmdopt opts[] = EXPORT_OPTS(e.a);
	char **pos = NULL;
	int npos = 0;
	struct config cfg;
	struct run r;
	cJSON *stored = NULL;
	char *jpath = NULL;
	memset(&r, 0, sizeof(r));
	config_init(&cfg);
	enum reval_err err = cmdopt_parse(opts, ARRAY_SIZE(opts), "export", argc, argv, &pos, &npos);
	if (!err && npos != 1) {
		diag("'reval export' takes one run directory (see 'reval help export')");
		err = RV_EUSAGE;
	}
	if (!err && !e.a.sft) {
		diag("'reval export' needs --sft FILE");
		err = RV_EUSAGE;
	}
	if (!err)
		err = parse_choices(&e);
	if (!err)
		err = run_load_config(pos[0], &cfg, &stored);
	if (!err) {
		free(cfg.out);
		cfg.out = xstrdup(pos[0]);
		err = config_finish(&cfg);
	}
	if (!err)
		err = run_setup(&r, &cfg);
	if (!err)
		err = same_prompts(&r, stored, pos[0]);
	e.r = &r;
	long torn = 0;
	if (!err) {
		jpath = path_join(pos[0], "samples.jsonl");
		e.journal = jpath;
		err = journal_read(jpath, export_line, &e, &torn);
	}
	if (!err) {
		int ioerr = write_file_atomic(e.a.sft, e.out.buf, e.out.len);
		if (ioerr) {
			diag("cannot write '%s': %s", e.a.sft, strerror(ioerr));
			err = RV_EIO;
		}
	}
	if (!err) {
		summarise(&e, pos[0]);
		if (torn)
			printf("  (a torn last journal line was skipped)\n");
		if (fflush(stdout)) {
			diag("cannot write the summary: %s", strerror(errno));
			err = RV_EIO;
		}
	}
	free(jpath);
	keyset_release(&e.per_problem);
	keyset_release(&e.seen);
	strbuf_release(&e.out);
	cJSON_Delete(stored);
	run_release(&r);
	config_release(&cfg);
	free(pos);
	return err;
}
