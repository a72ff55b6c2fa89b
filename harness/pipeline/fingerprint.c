#include "harness/pipeline/fingerprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/sha256.h"
#include "harness/base/util.h"
#include "harness/pipeline/run.h"

#define PART_HEX 8 /* hex digits kept of each part's sha256 */

static void add_part(struct strbuf *sb, const char *key, const char *text)
{
	char hex[65];
	sha256_hex(text, strlen(text), hex);
	strbuf_addf(sb, "%s%s=%.*s", sb->len ? "," : "", key, PART_HEX, hex);
}

static void add_json_part(struct strbuf *sb, const char *key, const cJSON *v)
{
	char *text = v ? cJSON_PrintUnformatted(v) : NULL;
	add_part(sb, key, text ? text : "null");
	cJSON_free(text);
}

char *fingerprint_task(const struct config *cfg, const struct task *t,
			   const struct sampling *s)
{
	struct strbuf sb = STRBUF_INIT;
	add_part(&sb, "model", cfg->model ? cfg->model : "");
	add_part(&sb, "api", cfg->api ? cfg->api : "chat");
	char seed[32];
	snprintf(seed, sizeof(seed), "%ld/%d", cfg->seed, RUN_SEED_SCHEME);
	add_part(&sb, "seed", seed);
	cJSON *extra = cfg->extra_body ? cJSON_Parse(cfg->extra_body) : NULL;
	add_json_part(&sb, "extra_body", extra);
	cJSON_Delete(extra);
	/* n selects how many samples; it does not change any one of them. */
	cJSON *sj = sampling_to_json(s);
	cJSON_DeleteItemFromObjectCaseSensitive(sj, "n");
	add_json_part(&sb, "sampling", sj);
	cJSON_Delete(sj);
	add_part(&sb, "prompt", t->prompt_sha256);
	add_part(&sb, "dataset", t->dataset_sha256);
	return strbuf_detach(&sb);
}

/* The value of key in a fingerprint, as a view; len 0 when absent. */
static struct strview part_of(const char *fp, const char *key, size_t klen)
{
	for (const char *p = fp; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=')
			return (struct strview){p + klen + 1, n - klen - 1};
		p = end ? end + 1 : NULL;
	}
	return (struct strview){"", 0};
}

int fingerprint_differs(const char *a, const char *b, char *key, size_t keylen)
{
	if (a && b && !strcmp(a, b))
		return 0;
	for (const char *p = a; p && *p;) {
		const char *eq = strchr(p, '=');
		if (!eq)
			break;
		size_t klen = (size_t)(eq - p);
		struct strview va = part_of(a, p, klen), vb = part_of(b, p, klen);
		if (va.len != vb.len || memcmp(va.ptr, vb.ptr, va.len)) {
			snprintf(key, keylen, "%.*s", (int)klen, p);
			return 1;
		}
		const char *comma = strchr(eq, ',');
		p = comma ? comma + 1 : NULL;
	}
	snprintf(key, keylen, "fingerprint");
	return 1;
}

void fingerprint_check_init(struct fingerprint_check *c, const cJSON *config)
{
	c->config = config;
	c->seen = cJSON_CreateObject();
}

/* The fingerprint config.json gives task id, or NULL. */
static const char *stored_fp(const cJSON *config, const char *id)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(config, "tasks"))
	{
		const cJSON *tid = cJSON_GetObjectItemCaseSensitive(t, "id");
		const cJSON *fp = cJSON_GetObjectItemCaseSensitive(t, "fingerprint");
		if (cJSON_IsString(tid) && !strcmp(tid->valuestring, id) && cJSON_IsString(fp))
			return fp->valuestring;
	}
	return NULL;
}

int fingerprint_check_line(struct fingerprint_check *c, const cJSON *line, char *key,
			   size_t keylen)
{
	const cJSON *task = cJSON_GetObjectItemCaseSensitive(line, "task");
	const cJSON *fp = cJSON_GetObjectItemCaseSensitive(line, "fp");
	if (!cJSON_IsString(task) || !cJSON_IsString(fp))
		return 0;
	const char *want = stored_fp(c->config, task->valuestring);
	if (!want) {
		const cJSON *first = cJSON_GetObjectItemCaseSensitive(c->seen, task->valuestring);
		if (!first) {
			cJSON_AddStringToObject(c->seen, task->valuestring, fp->valuestring);
			return 0;
		}
		want = first->valuestring;
	}
	return fingerprint_differs(fp->valuestring, want, key, keylen);
}

void fingerprint_check_release(struct fingerprint_check *c)
{
	cJSON_Delete(c->seen);
	memset(c, 0, sizeof(*c));
}
