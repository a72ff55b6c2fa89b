/* Helpers for the report and gate suites; see regrade.h. */
#include "tests/support/regrade.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "tests/support/support.h"

#define RECORDING "datasets/recordings/rg-eval-reasoning-models"

static cJSON *manifest_setting(cJSON **doc, const char *setting)
{
	char *path = support_path(RECORDING "/manifest.json");
	*doc = support_json_file(path);
	cr_assert_not_null(*doc, "cannot read %s", path);
	free(path);
	cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(*doc, "settings"))
	{
		if (!strcmp(json_str(s, "setting"), setting))
			return s;
	}
	cr_assert_fail("no setting '%s' in the recording", setting);
	return NULL;
}

char *regrade_tasks(void)
{
	cJSON *doc;
	cJSON *s = manifest_setting(&doc, "deepseek-r1");
	struct strbuf sb = STRBUF_INIT;
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(s, "tasks"))
	strbuf_addf(&sb, "%s%s", sb.len ? "," : "", t->valuestring);
	cJSON_Delete(doc);
	return strbuf_detach(&sb);
}

char *regrade_replay(const char *setting)
{
	cJSON *doc;
	cJSON *s = manifest_setting(&doc, setting);
	char *rel = xasprintf(RECORDING "/%s", json_str(s, "replay"));
	char *path = support_path(rel);
	free(rel);
	cJSON_Delete(doc);
	return path;
}

char *regrade(const char *parent, const char *name, const char *setting, const char *replay,
	      const char *const *extra)
{
	cJSON *doc;
	cJSON *s = manifest_setting(&doc, setting);
	char *tasks = regrade_tasks();
	char *file = replay ? xstrdup(replay) : regrade_replay(setting);
	char *engine = xasprintf("replay:%s", file);
	char *data = support_path("datasets");
	char *out = path_join(parent, name);
	const char *args[32] = {"run", "--task", tasks, "--engine", engine, "--model",
				json_str(s, "model"), "--n", "1", "--data-dir", data, "--out", out};
	size_t n = 13;
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	/* 3: the run finished with samples the recording lacks (counted apart, in no score). */
	cr_assert(r.status == 0 || r.status == 3, "regrade of %s failed: %s", setting, r.err.buf);
	proc_result_release(&r);
	free(tasks);
	free(file);
	free(engine);
	free(data);
	cJSON_Delete(doc);
	return out;
}

char *regrade_slurp(const char *path)
{
	char *text;
	cr_assert_eq(read_file(path, 1u << 30, &text, NULL), 0, "cannot read %s", path);
	return text;
}

char *regrade_next_line(char **cursor)
{
	char *line = *cursor;
	if (!line || !*line)
		return NULL;
	char *nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*cursor = nl + 1;
	} else {
		*cursor = line + strlen(line);
	}
	return line;
}
