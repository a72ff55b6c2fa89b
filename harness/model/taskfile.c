#include "harness/model/taskfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum tf_type {
	TF_STRING,      /* a string */
	TF_STRING_NULL, /* a string or null */
	TF_BOOL,        /* true or false */
	TF_OBJECT,      /* an object whose keys are the table's "NAME.*" lines */
	TF_ANY_OBJECT,  /* an object read by its user (grader options, sampling, filter) */
	TF_STRINGS,     /* a list of strings */
	TF_INTS,        /* a list of whole numbers */
	TF_FIELDS,      /* a field name, or a list of field names */
};

struct tf_key {
	const char *name; /* dotted: "fields.question" */
	enum tf_type type;
	int required;
};

/*
 * Every key of a task file (docs/formats.md describes each one).  A new
 * key is a new line here and its reader where it is used.
 */
static const struct tf_key keys[] = {
	{"id", TF_STRING, 1},
	{"description", TF_STRING, 0},
	{"dataset", TF_STRING_NULL, 0},
	{"filter", TF_ANY_OBJECT, 0},
	{"user_supplied", TF_OBJECT, 0},
	{"user_supplied.flag", TF_STRING, 0},
	{"user_supplied.env", TF_STRING, 0},
	{"user_supplied.help", TF_STRING, 0},
	{"fields", TF_OBJECT, 1},
	{"fields.id", TF_STRING, 0},
	{"fields.question", TF_STRING, 1},
	{"fields.answer", TF_STRING, 0},
	{"fields.choices", TF_FIELDS, 0},
	{"fields.metadata", TF_STRINGS, 0},
	{"answer_transform", TF_STRING, 0},
	{"shuffle_choices", TF_BOOL, 0},
	{"prompt", TF_OBJECT, 0},
	{"prompt.system", TF_STRING_NULL, 0},
	{"prompt.template", TF_STRING, 0},
	{"prompt.fewshot", TF_STRING_NULL, 0},
	{"prompt.fewshot_style", TF_STRING, 0},
	{"grader", TF_STRING, 1},
	{"grader_options", TF_ANY_OBJECT, 0},
	{"sampling", TF_ANY_OBJECT, 0},
	{"metrics", TF_OBJECT, 0},
	{"metrics.pass_k", TF_INTS, 0},
	{"metrics.cons_k", TF_INTS, 0},
	{"breakdown", TF_STRINGS, 0},
	{"subtasks", TF_STRINGS, 0},
	{"subtask_options", TF_ANY_OBJECT, 0},
};

static const char *const type_text[] = {
	[TF_STRING] = "a string",
	[TF_STRING_NULL] = "a string or null",
	[TF_BOOL] = "true or false",
	[TF_OBJECT] = "an object",
	[TF_ANY_OBJECT] = "an object",
	[TF_STRINGS] = "a list of strings",
	[TF_INTS] = "a list of whole numbers",
	[TF_FIELDS] = "a field name or a list of field names",
};

/* The keys directly under prefix ("" for the top level) are those of the form "prefix.NAME". */
static int child_of(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n && (strncmp(name, prefix, n) || name[n] != '.'))
		return 0;
	return !strchr(name + (n ? n + 1 : 0), '.');
}

static const struct tf_key *find(const char *full)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].name, full))
			return &keys[i];
	return NULL;
}

static int all_of(const cJSON *list, int want_int)
{
	const cJSON *e;
	if (!cJSON_IsArray(list))
		return 0;
	cJSON_ArrayForEach(e, list)
	{
		if (want_int ? !cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble)
			     : !cJSON_IsString(e))
			return 0;
	}
	return 1;
}

static int type_ok(enum tf_type type, const cJSON *v)
{
	switch (type) {
	case TF_STRING: return cJSON_IsString(v);
	case TF_STRING_NULL: return cJSON_IsString(v) || cJSON_IsNull(v);
	case TF_BOOL: return cJSON_IsBool(v);
	case TF_OBJECT:
	case TF_ANY_OBJECT: return cJSON_IsObject(v);
	case TF_STRINGS: return all_of(v, 0);
	case TF_INTS: return all_of(v, 1);
	case TF_FIELDS: return cJSON_IsString(v) || all_of(v, 0);
	}
	return 0;
}

static int check_object(const cJSON *obj, const char *prefix, struct strbuf *errs)
{
	int bad = 0;
	const cJSON *kv;
	cJSON_ArrayForEach(kv, obj)
	{
		char *full = *prefix ? xasprintf("%s.%s", prefix, kv->string) : xstrdup(kv->string);
		const struct tf_key *k = find(full);
		if (!k) {
			strbuf_addf(errs, "field \"%s\": unknown key (known:", full);
			int first = 1;
			for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
				if (child_of(keys[i].name, prefix)) {
					strbuf_addf(errs, "%s %s", first ? "" : ",",
						    keys[i].name + (*prefix ? strlen(prefix) + 1 : 0));
					first = 0;
				}
			strbuf_adds(errs, ")\n");
			bad++;
		} else if (!type_ok(k->type, kv)) {
			strbuf_addf(errs, "field \"%s\" must be %s\n", full, type_text[k->type]);
			bad++;
		} else if (k->type == TF_OBJECT) {
			bad += check_object(kv, full, errs);
		}
		free(full);
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].required && child_of(keys[i].name, prefix) &&
		    !cJSON_GetObjectItemCaseSensitive(obj, keys[i].name + (*prefix ? strlen(prefix) + 1
										    : 0))) {
			strbuf_addf(errs, "field \"%s\": missing (required)\n", keys[i].name);
			bad++;
		}
	return bad;
}

int taskfile_check(const cJSON *def, struct strbuf *errs)
{
	if (!cJSON_IsObject(def)) {
		strbuf_adds(errs, "a task file holds one JSON object\n");
		return 1;
	}
	int bad = check_object(def, "", errs);
	if (!cJSON_GetObjectItemCaseSensitive(def, "dataset") &&
	    !cJSON_GetObjectItemCaseSensitive(def, "user_supplied")) {
		strbuf_adds(errs, "field \"dataset\": missing (required: the data file)\n");
		bad++;
	}
	return bad;
}
