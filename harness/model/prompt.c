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

char *prompt_render(const char *tmpl, const cJSON *rec, const char *question, const char *fewshot,
		    const char *subtask, const char **err)
{
	struct strbuf sb = STRBUF_INIT;
	*err = NULL;
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '{' && p[1] == '{') {
			strbuf_addch(&sb, '{');
			p++;
			continue;
		}
		if (p[0] == '}' && p[1] == '}') {
			strbuf_addch(&sb, '}');
			p++;
			continue;
		}
		if (*p != '{') {
			strbuf_addch(&sb, *p);
			continue;
		}
		const char *end = strchr(p, '}');
		if (!end) {
			*err = "unclosed '{' in the template (write {{ for a literal brace)";
			break;
		}
		struct strview name = {p + 1, (size_t)(end - p - 1)};
		if (sv_eq(name, "question")) {
			strbuf_adds(&sb, question);
		} else if (sv_eq(name, "choices")) {
			add_choices(&sb, rec);
		} else if (sv_eq(name, "fewshot")) {
			strbuf_adds(&sb, fewshot ? fewshot : "");
		} else if (sv_eq(name, "subtask")) {
			strbuf_adds(&sb, subtask ? subtask : "");
		} else if (name.len > 6 && !memcmp(name.ptr, "field:", 6)) {
			char *key = xstrndup(name.ptr + 6, name.len - 6);
			char *v = json_scalar_text(cJSON_GetObjectItemCaseSensitive(rec, key));
			free(key);
			if (!v) {
				*err = "a {field:NAME} placeholder names a field the record lacks";
				break;
			}
			strbuf_adds(&sb, v);
			free(v);
		} else {
			*err = "unknown placeholder (question, choices, fewshot, subtask, field:NAME)";
			break;
		}
		p = end;
	}
	if (*err) {
		strbuf_release(&sb);
		return NULL;
	}
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

enum reval_err prompt_render_all(struct task *t, const char *data_dir)
{
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(t->def, "prompt");
	const char *tmpl = json_str(pr, "template");
	const char *sys = json_str(pr, "system");
	const char *fs = json_str(pr, "fewshot");
	const char *style = json_str(pr, "fewshot_style");
	const char *subtask = json_str(t->def, "subtask");
	const char *qf = json_str(cJSON_GetObjectItemCaseSensitive(t->def, "fields"), "question");
	char *fewshot = NULL;
	enum reval_err err = RV_OK;
	if (!tmpl)
		tmpl = "{question}";
	if (style && strcmp(style, "answer_only") && strcmp(style, "as_is")) {
		diag("cannot read task file '%s': field \"prompt.fewshot_style\" must be \"as_is\" or "
		     "\"answer_only\"",
		     t->file);
		return RV_EINPUT;
	}
	if (fs) {
		char *path = path_join(data_dir, fs), *raw, why[128];
		if (read_text_file(path, FEWSHOT_MAX_FILE, &raw, NULL, why, sizeof(why))) {
			diag("cannot read few-shot file '%s' of task '%s': %s", path, t->id, why);
			free(path);
			return RV_EINPUT;
		}
		free(path);
		fewshot = prompt_fewshot_clean(raw, style && !strcmp(style, "answer_only"));
		free(raw);
	}
	free(t->system);
	t->system = sys ? xstrdup(sys) : NULL;
	struct strbuf fp = STRBUF_INIT;
	strbuf_addf(&fp, "system:%s\ntemplate:%s\nfewshot:%s", sys ? sys : "", tmpl,
		    fewshot ? fewshot : "");
	sha256_hex(fp.buf, fp.len, t->prompt_sha256);
	strbuf_release(&fp);
	for (size_t i = 0; i < t->nproblems; i++) {
		struct problem *p = &t->problems[i];
		const char *why;
		const char *q = json_str(p->record, qf);
		p->prompt = prompt_render(tmpl, p->record, q ? q : "", fewshot, subtask, &why);
		if (!p->prompt) {
			diag("cannot render the prompt of task '%s' (task file '%s') for problem '%s': %s",
			     t->id, t->file, p->id, why);
			err = RV_EINPUT;
			break;
		}
	}
	free(fewshot);
	return err;
}
