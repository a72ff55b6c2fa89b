#include "harness/model/prompt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/base/sha256.h"

#define FEWSHOT_MAX_FILE (16u << 20) /* bytes of a few-shot file accepted */

static void add_choices(struct strbuf *sb, const cJSON *rec)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(rec, "_choices");
	if (!list)
		list = cJSON_GetObjectItemCaseSensitive(rec, "choices");
	const cJSON *c;
	int i = 0;
	cJSON_ArrayForEach(c, list)
	{
		char *s = json_scalar_text(c);
		strbuf_addf(sb, "%s(%c) %s", i ? "\n" : "", 'A' + i, s ? s : "");
		free(s);
		i++;
	}
}

static long line_at(const char *tmpl, const char *p)
{
	long line = 1;
	for (const char *c = tmpl; c < p; c++)
		line += *c == '\n';
	return line;
}

/* A top-level field of the record as text, or NULL when it lacks one. */
static char *record_field(const cJSON *rec, struct strview name)
{
	char *key = sv_dup(name);
	char *v = *key == '_' ? NULL : json_scalar_text(cJSON_GetObjectItemCaseSensitive(rec, key));
	free(key);
	return v;
}

char *prompt_render(const char *tmpl, const struct prompt_vars *v, struct prompt_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	memset(e, 0, sizeof(*e));
	for (const char *p = tmpl; *p; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			strbuf_addch(&sb, *p++);
			continue;
		}
		if (*p != '{') {
			strbuf_addch(&sb, *p);
			continue;
		}
		const char *end = strchr(p, '}');
		e->line = line_at(tmpl, p);
		if (!end) {
			e->why = "unclosed '{' at";
			e->name = (struct strview){p, strcspn(p, "\n")};
			break;
		}
		struct strview name = {p + 1, (size_t)(end - p - 1)};
		e->name = (struct strview){p, name.len + 2};
		if (sv_eq(name, "question")) {
			strbuf_adds(&sb, v->question);
		} else if (sv_eq(name, "choices")) {
			add_choices(&sb, v->record);
		} else if (sv_eq(name, "fewshot")) {
			strbuf_adds(&sb, v->fewshot ? v->fewshot : "");
			if (v->fewshot_used)
				*v->fewshot_used = 1;
		} else if (sv_eq(name, "subtask")) {
			strbuf_adds(&sb, v->subtask ? v->subtask : "");
		} else {
			int prefixed = name.len > 6 && !memcmp(name.ptr, "field:", 6);
			struct strview key = prefixed ? (struct strview){name.ptr + 6, name.len - 6} : name;
			char *val = key.len && !memchr(key.ptr, '\n', key.len)
					    ? record_field(v->record, key)
					    : NULL;
			if (!val) {
				e->why = prefixed ? "no such field in the record:" : "unknown placeholder";
				break;
			}
			strbuf_adds(&sb, val);
			free(val);
		}
		p = end;
	}
	if (e->why) {
		strbuf_release(&sb);
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	return strbuf_detach(&sb);
}

char *prompt_fewshot_clean(const char *text, int answer_only)
{
	const char *p = text;
	const char *nl = strchr(p, '\n');
	if (nl && strstr(p, "canary") && strstr(p, "canary") < nl) {
		const char *rule = strstr(nl, "-----");
		if (rule) {
			const char *after = strchr(rule, '\n');
			p = after ? after + 1 : rule + strlen(rule);
		}
	}
	struct strbuf sb = STRBUF_INIT;
	if (!answer_only) {
		strbuf_adds(&sb, p);
		strbuf_trim(&sb);
		return strbuf_detach(&sb);
	}
	/* "A: Let's think step by step. <reasoning> So the answer is X." -> "A: X" */
	const char *marker = "A: Let's think step by step.";
	const char *m;
	while ((m = strstr(p, marker))) {
		strbuf_add(&sb, p, (size_t)(m - p));
		const char *ans = strstr(m, "So the answer is ");
		const char *next = strstr(m + strlen(marker), "\nQ: ");
		if (!ans || (next && ans > next)) {
			strbuf_add(&sb, m, strlen(marker));
			p = m + strlen(marker);
			continue;
		}
		ans += strlen("So the answer is ");
		const char *eol = strchr(ans, '\n');
		size_t len = eol ? (size_t)(eol - ans) : strlen(ans);
		while (len && (ans[len - 1] == '.' || ans[len - 1] == ' '))
			len--;
		strbuf_adds(&sb, "A: ");
		strbuf_add(&sb, ans, len);
		p = eol ? eol : ans + strlen(ans);
	}
	strbuf_adds(&sb, p);
	strbuf_trim(&sb);
	return strbuf_detach(&sb);
}

/* ---- the few-shot pool ---- */

struct fewshot_pool {
	char *preamble;   /* the text before the first exemplar, trimmed; may be "" */
	char **shots;     /* each exemplar, trimmed */
	char **questions; /* each exemplar's question, trimmed, to recognise a problem's own */
	size_t n;
};

static char *trimmed(const char *p, size_t len)
{
	return sv_dup(sv_trim((struct strview){p, len}));
}

/* Split a cleaned few-shot text at the lines that start with "Q:". */
static void pool_split(struct fewshot_pool *pool, const char *text)
{
	memset(pool, 0, sizeof(*pool));
	const char **starts = NULL;
	size_t cap = 0;
	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, "Q:", 2)) {
			GROW(starts, cap, pool->n + 1);
			starts[pool->n++] = p;
		}
	pool->preamble = trimmed(text, pool->n ? (size_t)(starts[0] - text) : strlen(text));
	pool->shots = xcalloc(pool->n + 1, sizeof(char *));
	pool->questions = xcalloc(pool->n + 1, sizeof(char *));
	for (size_t i = 0; i < pool->n; i++) {
		const char *s = starts[i];
		size_t len = i + 1 < pool->n ? (size_t)(starts[i + 1] - s) : strlen(s);
		pool->shots[i] = trimmed(s, len);
		const char *q = pool->shots[i] + 2, *a = strstr(q, "\nA:");
		pool->questions[i] = trimmed(q, a ? (size_t)(a - q) : strlen(q));
	}
	free(starts);
}

static void pool_release(struct fewshot_pool *pool)
{
	for (size_t i = 0; i < pool->n; i++) {
		free(pool->shots[i]);
		free(pool->questions[i]);
	}
	free(pool->shots);
	free(pool->questions);
	free(pool->preamble);
	memset(pool, 0, sizeof(*pool));
}

/*
 * The preamble and the first n exemplars whose question is not question,
 * joined by blank lines; NULL when fewer than n remain.
 */
static char *pool_pick(const struct fewshot_pool *pool, size_t n, const char *question)
{
	struct strbuf sb = STRBUF_INIT;
	char *own = trimmed(question, strlen(question));
	strbuf_adds(&sb, pool->preamble);
	size_t taken = 0;
	for (size_t i = 0; i < pool->n && taken < n; i++) {
		if (!strcmp(pool->questions[i], own))
			continue;
		strbuf_addf(&sb, "%s%s", sb.len ? "\n\n" : "", pool->shots[i]);
		taken++;
	}
	free(own);
	if (taken < n) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* ---- rendering a task ---- */

/* The placeholders a template of task t may use with this record, for messages. */
static char *placeholders(const struct task *t, const cJSON *rec, int fewshot)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "{question}");
	if (cJSON_GetObjectItemCaseSensitive(rec, "_choices") ||
	    cJSON_GetObjectItemCaseSensitive(rec, "choices"))
		strbuf_adds(&sb, ", {choices}");
	if (fewshot)
		strbuf_adds(&sb, ", {fewshot}");
	if (json_str(t->def, "subtask"))
		strbuf_adds(&sb, ", {subtask}");
	const cJSON *kv;
	cJSON_ArrayForEach(kv, rec)
	if (kv->string[0] != '_')
		strbuf_addf(&sb, ", {%s}", kv->string);
	return strbuf_detach(&sb);
}

static void render_failed(const struct task *t, const struct problem *p, const char *tmpl_file,
			  const struct prompt_error *e, int fewshot)
{
	char *avail = placeholders(t, p->record, fewshot);
	if (tmpl_file)
		diag("prompt template '%s' line %ld: %s %.*s (task '%s' problem '%s' offers %s; "
		     "{{ and }} are literal braces)",
		     tmpl_file, e->line, e->why, (int)e->name.len, e->name.ptr, t->id, p->id, avail);
	else
		diag("cannot render the prompt of task '%s' (task file '%s') for problem '%s': "
		     "template line %ld: %s %.*s (fields: %s)",
		     t->id, t->file, p->id, e->line, e->why, (int)e->name.len, e->name.ptr, avail);
	free(avail);
}

/* Read and clean the task's few-shot file into *out (NULL when it has none). */
static enum reval_err read_fewshot(const struct task *t, const char *data_dir, char **out)
{
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(t->def, "prompt");
	const char *fs = json_str(pr, "fewshot"), *style = json_str(pr, "fewshot_style");
	*out = NULL;
	if (style && strcmp(style, "answer_only") && strcmp(style, "as_is")) {
		diag("cannot read task file '%s': field \"prompt.fewshot_style\" must be \"as_is\" or "
		     "\"answer_only\"",
		     t->file);
		return RV_EINPUT;
	}
	if (!fs)
		return RV_OK;
	char *path = path_join(data_dir, fs), *raw, why[128];
	if (read_text_file(path, FEWSHOT_MAX_FILE, &raw, NULL, why, sizeof(why))) {
		diag("cannot read few-shot file '%s' of task '%s': %s", path, t->id, why);
		free(path);
		return RV_EINPUT;
	}
	free(path);
	*out = prompt_fewshot_clean(raw, style && !strcmp(style, "answer_only"));
	free(raw);
	return RV_OK;
}

/* --num-fewshot against the task's pool: one that cannot be met is a usage error. */
static enum reval_err check_pool(const struct task *t, const struct fewshot_pool *pool, long n)
{
	if (n <= (long)pool->n)
		return RV_OK;
	if (!pool->n)
		diag("--num-fewshot %ld: task '%s' has no few-shot pool (a \"prompt.fewshot\" file "
		     "of exemplars starting \"Q:\"; 0 is the only count it takes)",
		     n, t->id);
	else
		diag("--num-fewshot %ld: task '%s' has %zu few-shot examples in '%s'", n, t->id,
		     pool->n, json_str(cJSON_GetObjectItemCaseSensitive(t->def, "prompt"), "fewshot"));
	return RV_EUSAGE;
}

enum reval_err prompt_render_all(struct task *t, const char *data_dir)
{
	const struct prompt_options *po = &t->prompt_opt;
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(t->def, "prompt");
	const char *tmpl = po->template_text ? po->template_text : json_str(pr, "template");
	const char *sys = po->system ? po->system : json_str(pr, "system");
	const char *subtask = json_str(t->def, "subtask");
	const char *qf = json_str(cJSON_GetObjectItemCaseSensitive(t->def, "fields"), "question");
	struct fewshot_pool pool = {0};
	char *fewshot = NULL;
	enum reval_err err = read_fewshot(t, data_dir, &fewshot);
	if (err)
		return err;
	if (!tmpl)
		tmpl = "{question}";
	if (po->num_fewshot >= 0) {
		pool_split(&pool, fewshot ? fewshot : "");
		if ((err = check_pool(t, &pool, po->num_fewshot)))
			goto out;
	}
	free(t->system);
	t->system = sys ? xstrdup(sys) : NULL;
	struct strbuf fp = STRBUF_INIT;
	strbuf_addf(&fp, "system:%s\ntemplate:%s\nfewshot:%s", sys ? sys : "", tmpl,
		    fewshot ? fewshot : "");
	if (po->num_fewshot >= 0)
		strbuf_addf(&fp, "\nnum_fewshot:%ld", po->num_fewshot);
	sha256_hex(fp.buf, fp.len, t->prompt_sha256);
	strbuf_release(&fp);
	for (size_t i = 0; i < t->nproblems && !err; i++) {
		struct problem *p = &t->problems[i];
		const char *q = json_str(p->record, qf);
		int fewshot_used = 0;
		struct prompt_vars v = {p->record, q ? q : "", fewshot, subtask, &fewshot_used};
		char *mine = NULL;
		if (po->num_fewshot >= 0 && !(v.fewshot = mine = pool_pick(&pool, (size_t)po->num_fewshot,
									  v.question))) {
			diag("--num-fewshot %ld: task '%s' has %zu few-shot examples, and one is problem "
			     "'%s' itself",
			     po->num_fewshot, t->id, pool.n, p->id);
			err = RV_EUSAGE;
			break;
		}
		struct prompt_error e;
		p->prompt = prompt_render(tmpl, &v, &e);
		if (!p->prompt) {
			render_failed(t, p, po->template_text ? po->template_file : NULL, &e,
				      fewshot != NULL);
			err = po->template_text ? RV_EUSAGE : RV_EINPUT;
		} else if (po->num_fewshot > 0 && !fewshot_used) {
			/* Every problem renders the same placeholders: examples asked for that
			 * no prompt shows are a usage error, said once. */
			if (po->template_text)
				diag("--num-fewshot %ld: the template '%s' has no {fewshot} "
				     "placeholder, so no prompt would show the examples; put "
				     "{fewshot} where they go",
				     po->num_fewshot, po->template_file);
			else
				diag("--num-fewshot %ld: task '%s''s own template has no {fewshot} "
				     "placeholder, so no prompt would show the examples",
				     po->num_fewshot, t->id);
			err = RV_EUSAGE;
		}
		free(mine);
	}
out:
	pool_release(&pool);
	free(fewshot);
	return err;
}

/* ---- the run's prompt settings ---- */

#define PROMPT_FLAG_MAX_FILE (1u << 20) /* bytes of a system prompt or template file */

static enum reval_err read_prompt_file(const char *what, const char *path, char **text)
{
	char why[128];
	size_t len;
	if (read_text_file(path, PROMPT_FLAG_MAX_FILE, text, &len, why, sizeof(why))) {
		diag("cannot read %s '%s': %s", what, path, why);
		return RV_EUSAGE;
	}
	if (len && (*text)[len - 1] == '\n')
		(*text)[--len] = '\0';
	if (len && (*text)[len - 1] == '\r')
		(*text)[--len] = '\0';
	return RV_OK;
}

enum reval_err prompt_system_from_flag(const char *value, char **text)
{
	if (value[0] != '@' || value[1] == '@') {
		*text = xstrdup(value + (value[0] == '@'));
		return RV_OK;
	}
	return read_prompt_file("--system-prompt file", value + 1, text);
}

char *prompt_system_to_flag(const char *text)
{
	return xasprintf("%s%s", text[0] == '@' ? "@" : "", text);
}

enum reval_err prompt_template_read(const char *path, char **text)
{
	return read_prompt_file("--prompt-template file", path, text);
}
