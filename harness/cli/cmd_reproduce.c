/*
 * reval reproduce: regrade every bundled recording through the replay
 * engine, as ordinary run directories, and compare reval's figures with the
 * published ones.  A figure that differs is a failure unless it is listed,
 * with its reason, in recordings/KNOWN_DIFFERENCES.json.  Settings whose
 * grader is not built into this binary are listed as waiting, never counted
 * as reproduced.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graders/grader.h"
#include "harness/cli/cmd.h"
#include "harness/pipeline/config.h"
#include "harness/base/json.h"
#include "harness/pipeline/run.h"
#include "harness/model/task.h"

struct tally_line {
	long ok, explained, mismatch, waiting;
};

static const cJSON *known_difference(const cJSON *known, const char *rec, const char *setting,
				     const char *task, const char *metric)
{
	const cJSON *k;
	cJSON_ArrayForEach(k, known)
	{
		const char *r = json_str(k, "recording"), *s = json_str(k, "setting");
		const char *t = json_str(k, "task"), *m = json_str(k, "metric");
		if (r && s && t && m && !strcmp(r, rec) && !strcmp(s, setting) && !strcmp(t, task) &&
		    !strcmp(m, metric))
			return k;
	}
	return NULL;
}

/* The graders a setting needs that this binary lacks, as a list; empty when none. */
static void missing_graders(const struct task_catalog *cat, const cJSON *tasks, struct strbuf *out)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, tasks)
	{
		for (size_t i = 0; i < cat->ndefs; i++) {
			const char *id = json_str(cat->defs[i], "id");
			if (!cJSON_IsString(t) || strcmp(id, t->valuestring))
				continue;
			const char *g = json_str(cat->defs[i], "grader");
			if (g && !grader_find(g) && !strstr(out->buf, g))
				strbuf_addf(out, "%s%s", out->len ? "," : "", g);
		}
	}
}

static enum reval_err run_setting(const char *data_dir, const char *recdir, const cJSON *setting,
				  const char *out, int progress)
{
	struct config cfg;
	struct run r;
	config_init(&cfg);
	memset(&r, 0, sizeof(r));
	struct strbuf tasks = STRBUF_INIT;
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(setting, "tasks"))
	strbuf_addf(&tasks, "%s%s", tasks.len ? "," : "", t->valuestring);
	char *replay = path_join(recdir, json_str(setting, "replay"));
	cfg.tasks = strbuf_detach(&tasks);
	cfg.engine = xasprintf("replay:%s", replay);
	cfg.out = xstrdup(out);
	cfg.data_dir = xstrdup(data_dir);
	cfg.n = (long)json_num(setting, "n", 1);
	cfg.progress = progress;
	if (json_str(setting, "model"))
		cfg.model = xstrdup(json_str(setting, "model"));
	free(replay);
	/* A reproduction always starts from nothing, so it regrades with today's graders. */
	char *j = path_join(out, "samples.jsonl"), *c = path_join(out, "config.json");
	unlink(j);
	unlink(c);
	free(j);
	free(c);
	enum reval_err err = config_finish(&cfg);
	if (!err)
		err = run_setup(&r, &cfg);
	if (!err)
		err = run_execute(&r);
	if (err == RV_EPARTIAL)
		err = RV_OK; /* a recording's own failures are part of what is reproduced */
	run_release(&r);
	config_release(&cfg);
	return err;
}

static void compare(const char *rec, const char *setting, const cJSON *published,
		    const cJSON *results, const cJSON *known, struct tally_line *tl)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, published)
	{
		const char *task = json_str(p, "task"), *metric = json_str(p, "metric");
		double want = json_num(p, "value", NAN);
		double tol = json_num(p, "tolerance", 1e-9);
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(results, "tasks"), task),
				"metrics"),
			metric);
		double got = json_num(m, "value", NAN);
		const char *status;
		if (!isnan(got) && fabs(got - want) <= tol + 1e-12) {
			status = "ok";
			tl->ok++;
		} else if (known_difference(known, rec, setting, task ? task : "", metric ? metric : "")) {
			status = "explained";
			tl->explained++;
		} else {
			status = "MISMATCH";
			tl->mismatch++;
		}
		printf("%-28s %-20s %-40s %-9s %10.5f %10.5f  %s\n", rec, setting, task ? task : "?",
		       metric ? metric : "?", want, got, status);
	}
}

enum reval_err cmd_reproduce(int argc, char **argv)
{
	struct config cfg;
	char **pos;
	int npos;
	config_init(&cfg);
	enum reval_err err = config_parse_args(&cfg, "reproduce", argc, argv, &pos, &npos);
	char *data = task_find_data_dir(cfg.data_dir);
	char *out = xstrdup(cfg.out ? cfg.out : "build/reproduce");
	char *recroot = path_join(data, "recordings");
	cJSON *known = NULL;
	struct task_catalog cat;
	struct tally_line tl = {0};
	memset(&cat, 0, sizeof(cat));
	if (!err)
		err = task_catalog_load(&cat, data);
	if (!err) {
		char *kpath = path_join(recroot, "KNOWN_DIFFERENCES.json");
		if (access(kpath, F_OK) == 0)
			err = json_load_file(kpath, "known differences", &known);
		free(kpath);
	}
	DIR *d = err ? NULL : opendir(recroot);
	if (!err && !d) {
		diag("cannot open recordings directory '%s': %s", recroot, strerror(errno));
		err = RV_EINPUT;
	}
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			GROW(names, cap, nnames + 1);
			names[nnames++] = xstrdup(e->d_name);
		}
	if (d)
		closedir(d);
	for (size_t i = 0; i < nnames; i++)
		for (size_t k = i + 1; k < nnames; k++)
			if (strcmp(names[i], names[k]) > 0) {
				char *tmp = names[i];
				names[i] = names[k];
				names[k] = tmp;
			}
	if (!err)
		printf("%-28s %-20s %-40s %-9s %10s %10s  %s\n", "RECORDING", "SETTING", "TASK",
		       "METRIC", "PUBLISHED", "REVAL", "STATUS");
	for (size_t i = 0; !err && i < nnames; i++) {
		char *recdir = path_join(recroot, names[i]);
		char *mpath = path_join(recdir, "manifest.json");
		cJSON *man = NULL;
		if (access(mpath, F_OK) == 0 && !(err = json_load_file(mpath, "manifest", &man))) {
			const cJSON *s;
			cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(man, "settings"))
			{
				const char *setting = json_str(s, "setting");
				const cJSON *pub = cJSON_GetObjectItemCaseSensitive(s, "published");
				struct strbuf miss = STRBUF_INIT;
				missing_graders(&cat, cJSON_GetObjectItemCaseSensitive(s, "tasks"), &miss);
				if (miss.len) {
					printf("%-28s %-20s %-40s %-9s %10s %10s  waiting for grader %s "
					       "(%d figures)\n",
					       names[i], setting, "-", "-", "-", "-", miss.buf,
					       cJSON_GetArraySize(pub));
					tl.waiting += cJSON_GetArraySize(pub);
					strbuf_release(&miss);
					continue;
				}
				strbuf_release(&miss);
				char *dir = xasprintf("%s/%s/%s", out, names[i], setting);
				int mk = mkdir_p(dir);
				if (mk) {
					diag("cannot create '%s': %s", dir, strerror(mk));
					err = RV_EIO;
				}
				if (!err)
					err = run_setting(data, recdir, s, dir, cfg.progress == 1);
				cJSON *res = NULL;
				if (!err) {
					char *rpath = path_join(dir, "results.json");
					err = json_load_file(rpath, "results", &res);
					free(rpath);
				}
				if (!err)
					compare(names[i], setting, pub, res, known, &tl);
				cJSON_Delete(res);
				free(dir);
				if (err)
					break;
			}
		}
		cJSON_Delete(man);
		free(mpath);
		free(recdir);
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	if (!err) {
		printf("\n%ld figures reproduced, %ld differ with a known reason, %ld MISMATCH, %ld "
		       "waiting for a grader\n",
		       tl.ok, tl.explained, tl.mismatch, tl.waiting);
		printf("run directories: %s/<recording>/<setting>/\n", out);
		if (tl.mismatch)
			err = RV_EFAIL;
	}
	cJSON_Delete(known);
	task_catalog_release(&cat);
	free(recroot);
	free(out);
	free(data);
	free(pos);
	config_release(&cfg);
	return err;
}
