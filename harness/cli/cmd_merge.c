/* reval merge: combine the shards of one run into the results of the whole run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/base/json.h"
#include "harness/cli/cmd.h"
#include "harness/model/identity.h"
#include "harness/model/journal.h"
#include "harness/pipeline/config.h"
#include "harness/pipeline/run.h"

static enum reval_err append_raw(void *ud, const cJSON *obj, long line)
{
	(void)line;
	json_append(ud, obj);
	strbuf_addch(ud, '\n');
	return RV_OK;
}

/* Shards of one run agree on everything but the shard itself (harness/model/identity.h). */
static enum reval_err same_run(const cJSON *a, const cJSON *b, const char *da, const char *db,
			       int force)
{
	const cJSON *ta = cJSON_GetObjectItemCaseSensitive(a, "tasks");
	const cJSON *tb = cJSON_GetObjectItemCaseSensitive(b, "tasks");
	int same_tasks = cJSON_GetArraySize(ta) == cJSON_GetArraySize(tb);
	for (int i = 0; same_tasks && i < cJSON_GetArraySize(ta); i++) {
		const char *x = json_str(cJSON_GetArrayItem(ta, i), "id");
		const char *y = json_str(cJSON_GetArrayItem(tb, i), "id");
		same_tasks = x && y && !strcmp(x, y);
	}
	if (!same_tasks) {
		diag("cannot merge '%s' and '%s': they ran different tasks", da, db);
		return RV_EMISMATCH;
	}
	struct identity_diffs d = {0};
	identity_compare_run(a, b, IDENTITY_MERGE, force, &d);
	for (int i = 0; i < cJSON_GetArraySize(ta); i++) {
		const cJSON *x = cJSON_GetArrayItem(ta, i);
		identity_compare_task(json_str(x, "id"), x, cJSON_GetArrayItem(tb, i), NULL,
				      IDENTITY_MERGE, force, &d);
	}
	if (d.n)
		diag("cannot merge '%s' and '%s': %s differs (%s, %s)", da, db, d.d[0].what,
		     d.d[0].a, d.d[0].b);
	enum reval_err err = d.n ? RV_EMISMATCH : RV_OK;
	identity_diffs_release(&d);
	return err;
}

enum reval_err cmd_merge(int argc, char **argv)
{
	struct config cfg;
	struct run r;
	char **pos;
	int npos;
	cJSON *first = NULL;
	memset(&r, 0, sizeof(r));
	config_init(&cfg);
	enum reval_err err = config_parse_args(&cfg, "merge", argc, argv, &pos, &npos);
	char *out = cfg.out ? xstrdup(cfg.out) : NULL;
	int force = cfg.force == 1;
	if (!err && (npos < 1 || !out)) {
		diag("usage: reval merge DIR... --out DIR");
		err = RV_EUSAGE;
	}
	struct strbuf all = STRBUF_INIT;
	for (int i = 0; !err && i < npos; i++) {
		cJSON *doc;
		char *cpath = path_join(pos[i], "config.json");
		err = json_load_file(cpath, "run configuration", &doc);
		free(cpath);
		if (err)
			break;
		if (!first)
			first = doc;
		else {
			err = same_run(first, doc, pos[0], pos[i], force);
			cJSON_Delete(doc);
		}
		if (!err) {
			char *jpath = path_join(pos[i], "samples.jsonl");
			long torn = 0;
			err = journal_read(jpath, append_raw, &all, &torn);
			free(jpath);
		}
	}
	if (!err) {
		/* The merged run is the unsharded one: same flags, no shard. */
		cJSON *flags = cJSON_GetObjectItemCaseSensitive(first, "flags");
		cJSON_DeleteItemFromObjectCaseSensitive(flags, "shard");
		cJSON_DeleteItemFromObjectCaseSensitive(flags, "out");
		char *from = xasprintf("cannot read run configuration in '%s'", pos[0]);
		config_release(&cfg);
		config_init(&cfg);
		cfg.out = xstrdup(out);
		err = config_apply_json(&cfg, flags, from);
		free(from);
	}
	if (!err)
		err = config_finish(&cfg);
	if (!err)
		err = run_setup(&r, &cfg);
	if (!err) {
		int e = mkdir_p(out);
		char *jpath = path_join(out, "samples.jsonl");
		struct stat st;
		if (e) {
			diag("cannot create '%s': %s", out, strerror(e));
			err = RV_EIO;
		} else if (stat(jpath, &st) == 0) {
			diag("refusing to merge into '%s': it already holds a journal", out);
			err = RV_EUSAGE;
		} else if ((e = write_file_atomic(jpath, all.buf, all.len))) {
			diag("cannot write '%s': %s", jpath, strerror(e));
			err = RV_EIO;
		}
		free(jpath);
	}
	if (!err)
		err = run_save_config(&r, out);
	if (!err)
		err = run_results(&r);
	if (!err)
		cmd_print_run_outputs(out);
	strbuf_release(&all);
	cJSON_Delete(first);
	free(out);
	run_release(&r);
	config_release(&cfg);
	free(pos);
	return err;
}
