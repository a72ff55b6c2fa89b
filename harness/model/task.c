#include "harness/model/task.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/model/dataset.h"
#include "harness/base/json.h"
#include "harness/model/prompt.h"
#include "harness/model/taskfile.h"
#include "harness/base/sha256.h"

/* ---- sampling ---- */

void sampling_init(struct sampling *s)
{
	memset(s, 0, sizeof(*s));
	s->n = 1;
	s->temperature = s->top_p = s->top_k = s->min_p = NAN;
	s->presence_penalty = s->frequency_penalty = NAN;
	s->max_tokens = -1;
}

void sampling_release(struct sampling *s)
{
	for (size_t i = 0; i < s->nstop; i++)
		free(s->stop[i]);
	free(s->stop);
	free(s->reasoning_effort);
	sampling_init(s);
}

void sampling_copy(struct sampling *dst, const struct sampling *src)
{
	*dst = *src;
	dst->stop = src->nstop ? xcalloc(src->nstop, sizeof(char *)) : NULL;
	for (size_t i = 0; i < src->nstop; i++)
		dst->stop[i] = xstrdup(src->stop[i]);
	dst->reasoning_effort = src->reasoning_effort ? xstrdup(src->reasoning_effort) : NULL;
}

static const struct {
	const char *key;
	size_t off;
} sampling_doubles[] = {
	{"temperature", offsetof(struct sampling, temperature)},
	{"top_p", offsetof(struct sampling, top_p)},
	{"top_k", offsetof(struct sampling, top_k)},
	{"min_p", offsetof(struct sampling, min_p)},
	{"presence_penalty", offsetof(struct sampling, presence_penalty)},
	{"frequency_penalty", offsetof(struct sampling, frequency_penalty)},
};

enum reval_err sampling_from_json(struct sampling *s, const cJSON *obj, const char *where)
{
	const cJSON *v;
	if (!obj)
		return RV_OK;
	if (!cJSON_IsObject(obj)) {
		diag("%s: \"sampling\" must be an object", where);
		return RV_EINPUT;
	}
	cJSON_ArrayForEach(v, obj)
	{
		const char *k = v->string;
		int known = 0;
		for (size_t i = 0; i < ARRAY_SIZE(sampling_doubles); i++) {
			if (strcmp(k, sampling_doubles[i].key))
				continue;
			known = 1;
			if (!cJSON_IsNumber(v) && !cJSON_IsNull(v)) {
				diag("%s: field \"sampling.%s\" must be a number", where, k);
				return RV_EINPUT;
			}
			*(double *)((char *)s + sampling_doubles[i].off) =
				cJSON_IsNull(v) ? NAN : v->valuedouble;
		}
		if (known)
			continue;
		if (!strcmp(k, "n")) {
			if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 100000 ||
			    v->valuedouble != floor(v->valuedouble)) {
				diag("%s: field \"sampling.n\" must be a whole number from 1 to 100000",
				     where);
				return RV_EINPUT;
			}
			s->n = v->valueint;
		} else if (!strcmp(k, "max_tokens")) {
			if (cJSON_IsNull(v)) {
				s->max_tokens = -1;
			} else if (!cJSON_IsNumber(v) || v->valuedouble < 1) {
				diag("%s: field \"sampling.max_tokens\" must be a positive number", where);
				return RV_EINPUT;
			} else {
				s->max_tokens = (long)v->valuedouble;
			}
		} else if (!strcmp(k, "stop")) {
			const cJSON *e;
			if (!cJSON_IsArray(v)) {
				diag("%s: field \"sampling.stop\" must be a list of strings", where);
				return RV_EINPUT;
			}
			for (size_t i = 0; i < s->nstop; i++)
				free(s->stop[i]);
			free(s->stop);
			s->nstop = 0;
			s->stop = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
			cJSON_ArrayForEach(e, v)
			{
				if (!cJSON_IsString(e)) {
					diag("%s: field \"sampling.stop\" must be a list of strings", where);
					return RV_EINPUT;
				}
				s->stop[s->nstop++] = xstrdup(e->valuestring);
			}
		} else if (!strcmp(k, "reasoning_effort")) {
			if (!cJSON_IsString(v) && !cJSON_IsNull(v)) {
				diag("%s: field \"sampling.reasoning_effort\" must be a string", where);
				return RV_EINPUT;
			}
			free(s->reasoning_effort);
			s->reasoning_effort = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
		} else {
			diag("%s: unknown field \"sampling.%s\"", where, k);
			return RV_EINPUT;
		}
	}
	return RV_OK;
}

cJSON *sampling_to_json(const struct sampling *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", s->n);
	for (size_t i = 0; i < ARRAY_SIZE(sampling_doubles); i++) {
		double v = *(const double *)((const char *)s + sampling_doubles[i].off);
		if (isnan(v))
			cJSON_AddNullToObject(o, sampling_doubles[i].key);
		else
			cJSON_AddNumberToObject(o, sampling_doubles[i].key, v);
	}
	if (s->max_tokens < 0)
		cJSON_AddNullToObject(o, "max_tokens");
	else
		cJSON_AddNumberToObject(o, "max_tokens", (double)s->max_tokens);
	cJSON *stop = cJSON_AddArrayToObject(o, "stop");
	for (size_t i = 0; i < s->nstop; i++)
		cJSON_AddItemToArray(stop, cJSON_CreateString(s->stop[i]));
	if (s->reasoning_effort)
		cJSON_AddStringToObject(o, "reasoning_effort", s->reasoning_effort);
	else
		cJSON_AddNullToObject(o, "reasoning_effort");
	return o;
}

/* ---- finding the data ---- */

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *task_find_data_dir(const char *flag_value)
{
	if (flag_value && *flag_value)
		return xstrdup(flag_value);
	const char *env = getenv("REVAL_DATA");
	if (env && *env)
		return xstrdup(env);
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		static const char *const rel[] = {"/../datasets", "/../../datasets",
						  "/../share/reval/datasets"};
		for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
			char *p = xasprintf("%s%s", exe, rel[i]);
			char *tasks = path_join(p, "tasks");
			int ok = is_dir(tasks);
			free(tasks);
			if (ok) {
				char *real = realpath(p, NULL);
				free(p);
				return real ? real : xstrdup("datasets");
			}
			free(p);
		}
	}
	return xstrdup("datasets");
}

/* ---- the catalog ---- */

/* Replace every "{subtask}" in every string of v, in place. */
static void substitute(cJSON *v, const char *sub)
{
	if (cJSON_IsString(v) && strstr(v->valuestring, "{subtask}")) {
		struct strbuf sb = STRBUF_INIT;
		const char *p = v->valuestring, *q;
		while ((q = strstr(p, "{subtask}"))) {
			strbuf_add(&sb, p, (size_t)(q - p));
			strbuf_adds(&sb, sub);
			p = q + strlen("{subtask}");
		}
		strbuf_adds(&sb, p);
		cJSON_SetValuestring(v, sb.buf);
		strbuf_release(&sb);
		return;
	}
	cJSON *c;
	cJSON_ArrayForEach(c, v) substitute(c, sub);
}

/* An id is [a-z0-9_.-]+ and never ends in ".json", which names a task file (task_spec_is_path). */
static int valid_id(const char *id)
{
	if (!*id || task_spec_is_path(id))
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("_.-", *p)))
			return 0;
	return 1;
}

int task_spec_is_path(const char *entry)
{
	size_t n = strlen(entry);
	return n > 5 && !strcmp(entry + n - 5, ".json");
}

/* The index of the definition with this id, or -1. */
static long catalog_find(const struct task_catalog *cat, const char *id)
{
	for (size_t i = 0; i < cat->ndefs; i++)
		if (!strcmp(json_str(cat->defs[i], "id"), id))
			return (long)i;
	return -1;
}

static enum reval_err catalog_add(struct task_catalog *cat, cJSON *def, const char *file,
				  const char *base)
{
	const char *id = json_str(def, "id");
	long other = catalog_find(cat, id);
	if (other >= 0) {
		diag("task '%s' is defined twice: in '%s' and in '%s' (give one another \"id\")", id,
		     cat->files[other], file);
		cJSON_Delete(def);
		return RV_EINPUT;
	}
	size_t cap = cat->cap;
	GROW(cat->defs, cat->cap, cat->ndefs + 1);
	if (cap != cat->cap) {
		cat->files = xrealloc(cat->files, cat->cap * sizeof(char *));
		cat->bases = xrealloc(cat->bases, cat->cap * sizeof(char *));
	}
	cat->defs[cat->ndefs] = def;
	cat->files[cat->ndefs] = xstrdup(file);
	cat->bases[cat->ndefs] = xstrdup(base);
	cat->ndefs++;
	return RV_OK;
}

/* Every problem taskfile_check finds, one line each, naming the file. */
static int shape_errors(const cJSON *def, const char *path)
{
	struct strbuf errs = STRBUF_INIT;
	int bad = taskfile_check(def, &errs);
	struct lines it;
	struct strview l;
	lines_init(&it, errs.buf, errs.len);
	while (lines_next(&it, &l))
		if (l.len)
			diag("cannot read task file '%s': %.*s", path, (int)l.len, l.ptr);
	strbuf_release(&errs);
	return bad;
}

static enum reval_err catalog_add_file(struct task_catalog *cat, const char *path,
				       const char *base)
{
	cJSON *def;
	enum reval_err err = json_load_file(path, "task file", &def);
	if (err)
		return err;
	int shape = shape_errors(def, path);
	const char *id = json_str(def, "id");
	if (shape && cat->every_error && id) {
		/* Checking: go on to the grader and the data, which read defensively. */
		cat->errors += shape;
	} else if (shape) {
		cJSON_Delete(def);
		return RV_EINPUT;
	}
	if (!valid_id(id)) {
		diag("cannot read task file '%s': field \"id\" must be a string of [a-z0-9_.-], "
		     "not ending in .json",
		     path);
		cJSON_Delete(def);
		return RV_EINPUT;
	}
	const cJSON *subs = cJSON_GetObjectItemCaseSensitive(def, "subtasks");
	if (!subs)
		return catalog_add(cat, def, path, base);
	if (!cJSON_GetArraySize(subs)) {
		diag("cannot read task file '%s': field \"subtasks\" must be a non-empty list", path);
		cJSON_Delete(def);
		return RV_EINPUT;
	}
	const cJSON *s;
	cJSON_ArrayForEach(s, subs)
	{
		if (!cJSON_IsString(s) || !valid_id(s->valuestring)) {
			diag("cannot read task file '%s': field \"subtasks\": each must be a string "
			     "of [a-z0-9_.-]",
			     path);
			cJSON_Delete(def);
			return RV_EINPUT;
		}
		cJSON *one = cJSON_Duplicate(def, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(one, "subtasks");
		cJSON *opts = cJSON_DetachItemFromObjectCaseSensitive(one, "subtask_options");
		substitute(one, s->valuestring);
		char *full = xasprintf("%s/%s", id, s->valuestring);
		cJSON_ReplaceItemInObjectCaseSensitive(one, "id", cJSON_CreateString(full));
		cJSON_AddStringToObject(one, "family", id);
		cJSON_AddStringToObject(one, "subtask", s->valuestring);
		free(full);
		/* Per-subtask grader options override the shared ones key by key. */
		const cJSON *mine = cJSON_GetObjectItemCaseSensitive(opts, s->valuestring);
		if (cJSON_IsObject(mine)) {
			cJSON *go = cJSON_GetObjectItemCaseSensitive(one, "grader_options");
			if (!go)
				go = cJSON_AddObjectToObject(one, "grader_options");
			const cJSON *kv;
			cJSON_ArrayForEach(kv, mine)
			{
				cJSON_DeleteItemFromObjectCaseSensitive(go, kv->string);
				cJSON_AddItemToObject(go, kv->string, cJSON_Duplicate(kv, 1));
			}
		}
		cJSON_Delete(opts);
		if ((err = catalog_add(cat, one, path, base)))
			break;
	}
	cJSON_Delete(def);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add every DIR/tasks/ *.json, in name order; relative paths resolve against dir. */
static enum reval_err catalog_add_tasks_dir(struct task_catalog *cat, const char *data_dir)
{
	char *dir = path_join(data_dir, "tasks");
	DIR *d = opendir(dir);
	if (!d) {
		diag("cannot open task directory '%s': %s (set --data-dir or REVAL_DATA)", dir,
		     strerror(errno));
		free(dir);
		return RV_EINPUT;
	}
	char **names = NULL;
	size_t nnames = 0, namecap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") || e->d_name[0] == '.')
			continue;
		GROW(names, namecap, nnames + 1);
		names[nnames++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof(char *), cmp_str);
	enum reval_err err = RV_OK;
	for (size_t i = 0; i < nnames; i++) {
		char *p = path_join(dir, names[i]);
		if (!err)
			err = catalog_add_file(cat, p, data_dir);
		free(p);
		free(names[i]);
	}
	free(names);
	free(dir);
	return err;
}

enum reval_err task_catalog_load(struct task_catalog *cat, const char *data_dir)
{
	memset(cat, 0, sizeof(*cat));
	cat->data_dir = xstrdup(data_dir);
	return catalog_add_tasks_dir(cat, data_dir);
}

/* Whether a and b name one file or directory (both must exist). */
static int same_path(const char *a, const char *b)
{
	struct stat sa, sb;
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

enum reval_err task_catalog_add_dir(struct task_catalog *cat, const char *dir)
{
	if (cat->data_dir && same_path(cat->data_dir, dir))
		return RV_OK;
	return catalog_add_tasks_dir(cat, dir);
}

enum reval_err task_catalog_add_file(struct task_catalog *cat, const char *path)
{
	for (size_t i = 0; i < cat->ndefs; i++)
		if (same_path(cat->files[i], path))
			return RV_OK;
	char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	if (slash == copy)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	enum reval_err err = catalog_add_file(cat, path, slash ? copy : ".");
	free(copy);
	return err;
}

enum reval_err task_catalog_open(struct task_catalog *cat, const char *extra_dir,
				 const char *spec)
{
	char *bundled = task_find_data_dir(NULL);
	char *tasks = path_join(bundled, "tasks");
	enum reval_err err;
	if (extra_dir && *extra_dir && !is_dir(tasks)) {
		/* No bundled tasks (an installation without them): the --data-dir alone. */
		err = task_catalog_load(cat, extra_dir);
	} else {
		err = task_catalog_load(cat, bundled);
		if (!err && extra_dir && *extra_dir)
			err = task_catalog_add_dir(cat, extra_dir);
	}
	free(tasks);
	free(bundled);
	char *copy = xstrdup(spec ? spec : ""), *save = NULL;
	for (char *e = strtok_r(copy, ",", &save); !err && e; e = strtok_r(NULL, ",", &save)) {
		char *name = sv_dup(sv_trim(sv_from(e)));
		if (task_spec_is_path(name))
			err = task_catalog_add_file(cat, name);
		free(name);
	}
	free(copy);
	return err;
}

char *task_spec_absolute(const char *spec)
{
	struct strbuf sb = STRBUF_INIT;
	char *copy = xstrdup(spec), *save = NULL;
	for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		char *name = sv_dup(sv_trim(sv_from(e)));
		char *real = task_spec_is_path(name) ? realpath(name, NULL) : NULL;
		strbuf_addf(&sb, "%s%s", sb.len ? "," : "", real ? real : name);
		free(real);
		free(name);
	}
	free(copy);
	return strbuf_detach(&sb);
}

void task_catalog_release(struct task_catalog *cat)
{
	for (size_t i = 0; i < cat->ndefs; i++) {
		cJSON_Delete(cat->defs[i]);
		free(cat->files[i]);
		free(cat->bases[i]);
	}
	free(cat->defs);
	free(cat->files);
	free(cat->bases);
	free(cat->data_dir);
	dataset_files_free(cat->files_read);
	memset(cat, 0, sizeof(*cat));
}

/* ---- building a task from its definition ---- */

static enum reval_err int_list(const cJSON *def, const char *key, const char *file, int **out,
			       size_t *n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(def, key), *e;
	*out = NULL;
	*n = 0;
	if (!v)
		return RV_OK;
	if (!cJSON_IsArray(v)) {
		diag("cannot read task file '%s': field \"metrics.%s\" must be a list of numbers", file,
		     key);
		return RV_EINPUT;
	}
	*out = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(int));
	cJSON_ArrayForEach(e, v)
	{
		if (!cJSON_IsNumber(e) || e->valuedouble < 1 || e->valuedouble > 100000) {
			diag("cannot read task file '%s': field \"metrics.%s\": each k must be a "
			     "whole number from 1 to 100000",
			     file, key);
			free(*out);
			*out = NULL;
			return RV_EINPUT;
		}
		(*out)[(*n)++] = e->valueint;
	}
	return RV_OK;
}

static enum reval_err str_list(const cJSON *v, const char *what, const char *file, char ***out,
			       size_t *n)
{
	const cJSON *e;
	*out = NULL;
	*n = 0;
	if (!v)
		return RV_OK;
	if (!cJSON_IsArray(v)) {
		diag("cannot read task file '%s': field \"%s\" must be a list of strings", file, what);
		return RV_EINPUT;
	}
	*out = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
	cJSON_ArrayForEach(e, v)
	{
		if (!cJSON_IsString(e)) {
			diag("cannot read task file '%s': field \"%s\" must be a list of strings", file,
			     what);
			return RV_EINPUT;
		}
		(*out)[(*n)++] = xstrdup(e->valuestring);
	}
	return RV_OK;
}

static enum reval_err task_from_def(const cJSON *def, const char *file, const char *base,
				    struct task **out)
{
	struct task *t = xcalloc(1, sizeof(*t));
	enum reval_err err = RV_OK;
	t->def = cJSON_Duplicate(def, 1);
	t->id = xstrdup(json_str(def, "id"));
	t->family = xstrdup(json_str(def, "family") ? json_str(def, "family") : t->id);
	t->file = xstrdup(file);
	t->base_dir = xstrdup(base);
	const char *desc = json_str(def, "description");
	t->description = xstrdup(desc ? desc : "");
	sampling_init(&t->sampling);
	t->prompt_opt.num_fewshot = -1;

	const char *g = json_str(def, "grader");
	if (!g) {
		diag("cannot read task file '%s': task '%s': missing field \"grader\"", file, t->id);
		err = RV_EINPUT;
		goto out;
	}
	t->grader_name = xstrdup(g);
	const cJSON *go = cJSON_GetObjectItemCaseSensitive(def, "grader_options");
	if (go && !cJSON_IsObject(go)) {
		diag("cannot read task file '%s': field \"grader_options\" must be an object", file);
		err = RV_EINPUT;
		goto out;
	}
	t->grader_options = go ? cJSON_Duplicate(go, 1) : NULL;
	char *where = xasprintf("cannot read task file '%s'", file);
	err = sampling_from_json(&t->sampling, cJSON_GetObjectItemCaseSensitive(def, "sampling"),
				 where);
	free(where);
	if (err)
		goto out;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(def, "metrics");
	if ((err = int_list(m, "pass_k", file, &t->pass_k, &t->npass_k)) ||
	    (err = int_list(m, "cons_k", file, &t->cons_k, &t->ncons_k)))
		goto out;
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(def, "fields");
	if ((err = str_list(cJSON_GetObjectItemCaseSensitive(fields, "metadata"), "fields.metadata",
			    file, &t->meta_keys, &t->nmeta)) ||
	    (err = str_list(cJSON_GetObjectItemCaseSensitive(def, "breakdown"), "breakdown", file,
			    &t->breakdown, &t->nbreakdown)))
		goto out;
out:
	if (err) {
		task_free(t);
		return err;
	}
	*out = t;
	return RV_OK;
}

enum reval_err task_select(const struct task_catalog *cat, const char *spec, struct task ***out,
			   size_t *count)
{
	struct task **list = NULL;
	size_t n = 0, cap = 0;
	enum reval_err err = RV_OK;
	char *copy = xstrdup(spec ? spec : "");
	char *save = NULL;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		struct strview v = sv_trim(sv_from(name));
		char *want = sv_dup(v);
		size_t wl = strlen(want);
		int matched = 0, by_path = task_spec_is_path(want);
		for (size_t i = 0; i < cat->ndefs && !err; i++) {
			const char *id = json_str(cat->defs[i], "id");
			const char *fam = json_str(cat->defs[i], "family");
			int hit = by_path ? same_path(cat->files[i], want)
					  : !strcmp(id, want) || (fam && !strcmp(fam, want)) ||
						    (wl && want[wl - 1] == '/' && !strncmp(id, want, wl));
			if (!hit)
				continue;
			matched = 1;
			int dup = 0;
			for (size_t j = 0; j < n; j++)
				dup |= !strcmp(list[j]->id, id);
			if (dup)
				continue;
			GROW(list, cap, n + 1);
			err = task_from_def(cat->defs[i], cat->files[i], cat->bases[i], &list[n]);
			if (!err)
				n++;
		}
		if (!matched && !err) {
			if (by_path)
				diag("task file '%s' is not loaded (a bug: task_catalog_open adds it)",
				     want);
			else
				diag("unknown task '%s' (see 'reval tasks'; a task file is named by a "
				     "path ending in .json)",
				     want);
			err = by_path ? RV_EINTERNAL : RV_EUSAGE;
		}
		free(want);
		if (err)
			break;
	}
	free(copy);
	if (!err && !n) {
		diag("no task given (see 'reval tasks')");
		err = RV_EUSAGE;
	}
	if (err) {
		for (size_t i = 0; i < n; i++)
			task_free(list[i]);
		free(list);
		return err;
	}
	*out = list;
	*count = n;
	return RV_OK;
}

/* ---- loading the data ---- */

enum reval_err task_load(struct task *t, const struct task_catalog *cat, const cJSON *user_paths)
{
	enum reval_err err = dataset_resolve(t, t->base_dir, user_paths);
	if (err)
		return err;
	err = dataset_read(t, (struct task_catalog *)cat);
	if (err)
		return err;
	return prompt_render_all(t, t->base_dir);
}

void task_free(struct task *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nproblems; i++) {
		struct problem *p = &t->problems[i];
		free(p->id);
		free(p->answer);
		free(p->prompt);
		cJSON_Delete(p->record);
		for (size_t j = 0; j < t->nmeta; j++)
			free(p->meta[j]);
		free(p->meta);
	}
	free(t->problems);
	free(t->index);
	if (t->grader_free && t->grader_state)
		t->grader_free(t->grader_state);
	free(t->grader_name);
	cJSON_Delete(t->grader_options);
	sampling_release(&t->sampling);
	free(t->pass_k);
	free(t->cons_k);
	for (size_t i = 0; i < t->nmeta; i++)
		free(t->meta_keys[i]);
	free(t->meta_keys);
	for (size_t i = 0; i < t->nbreakdown; i++)
		free(t->breakdown[i]);
	free(t->breakdown);
	free(t->system);
	free(t->id);
	free(t->family);
	free(t->file);
	free(t->base_dir);
	free(t->description);
	free(t->dataset);
	cJSON_Delete(t->def);
	free(t);
}

const char *task_index_problems(struct task *t)
{
	size_t cap = 16;
	while (cap < 2 * t->nproblems)
		cap *= 2;
	free(t->index);
	t->index = xcalloc(cap, sizeof(size_t));
	t->index_cap = cap;
	for (size_t i = 0; i < t->nproblems; i++) {
		const char *id = t->problems[i].id;
		size_t h = hash64(id, strlen(id), 0) & (cap - 1);
		while (t->index[h]) {
			if (!strcmp(t->problems[t->index[h] - 1].id, id))
				return id;
			h = (h + 1) & (cap - 1);
		}
		t->index[h] = i + 1;
	}
	return NULL;
}

const struct problem *task_problem(const struct task *t, const char *id)
{
	if (!t->index_cap)
		return NULL;
	size_t mask = t->index_cap - 1;
	for (size_t h = hash64(id, strlen(id), 0) & mask;; h = (h + 1) & mask) {
		size_t slot = t->index[h];
		if (!slot)
			return NULL;
		if (!strcmp(t->problems[slot - 1].id, id))
			return &t->problems[slot - 1];
	}
}
