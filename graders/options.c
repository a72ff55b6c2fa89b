#include "graders/options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct grader_option *find(const struct grader_option *table, size_t n,
					const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

void grader_option_type_text(const struct grader_option *o, struct strbuf *out)
{
	switch (o->type) {
	case GOPT_BOOL: strbuf_adds(out, "boolean"); return;
	case GOPT_INT: strbuf_addf(out, "integer from %ld to %ld", o->min, o->max); return;
	case GOPT_NUMBER: strbuf_adds(out, "number"); return;
	case GOPT_STRING: strbuf_adds(out, "string"); return;
	case GOPT_ENUM:
		strbuf_adds(out, "one of:");
		for (size_t i = 0; o->choices[i]; i++)
			strbuf_addf(out, "%s \"%s\"", i ? "," : "", o->choices[i]);
		return;
	case GOPT_ANY: strbuf_adds(out, "JSON"); return;
	}
}

static int bad_value(const struct grader_option *o, const cJSON *v, struct strbuf *err)
{
	char *given = cJSON_PrintUnformatted(v);
	strbuf_addf(err, "option \"%s\" is %.60s; it must be ", o->name, given ? given : "?");
	cJSON_free(given);
	struct strbuf t = STRBUF_INIT;
	grader_option_type_text(o, &t);
	strbuf_addf(err, "%s%s", o->type == GOPT_BOOL || o->type == GOPT_INT ? "a " : "", t.buf);
	strbuf_release(&t);
	return 1;
}

static int read_one(const struct grader_option *o, const cJSON *v, char *base, struct strbuf *err)
{
	void *field = base + o->off;
	switch (o->type) {
	case GOPT_BOOL:
		if (!cJSON_IsBool(v))
			return bad_value(o, v, err);
		*(int *)field = cJSON_IsTrue(v);
		return 0;
	case GOPT_INT: {
		if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
		    v->valuedouble < (double)o->min || v->valuedouble > (double)o->max)
			return bad_value(o, v, err);
		*(long *)field = (long)v->valuedouble;
		return 0;
	}
	case GOPT_NUMBER:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			return bad_value(o, v, err);
		*(double *)field = v->valuedouble;
		return 0;
	case GOPT_STRING:
		if (!cJSON_IsString(v))
			return bad_value(o, v, err);
		free(*(char **)field);
		*(char **)field = xstrdup(v->valuestring);
		return 0;
	case GOPT_ENUM:
		if (cJSON_IsString(v))
			for (int i = 0; o->choices[i]; i++)
				if (!strcmp(o->choices[i], v->valuestring)) {
					*(int *)field = i;
					return 0;
				}
		return bad_value(o, v, err);
	case GOPT_ANY: return 0;
	}
	return 0;
}

int grader_options_read(const struct grader_option *table, size_t n, const cJSON *opts,
			void *settings, struct strbuf *err)
{
	if (!opts)
		return 0;
	if (!cJSON_IsObject(opts)) {
		strbuf_adds(err, "grader_options must be an object");
		return 1;
	}
	const cJSON *kv;
	cJSON_ArrayForEach(kv, opts)
	{
		const struct grader_option *o = find(table, n, kv->string);
		if (!o) {
			strbuf_addf(err, "unknown option \"%s\"", kv->string);
			for (size_t i = 0; i < n; i++)
				strbuf_addf(err, "%s\"%s\"", i ? ", " : " (known: ", table[i].name);
			strbuf_adds(err, n ? ")" : " (this grader takes none)");
			return 1;
		}
		if (read_one(o, kv, settings, err))
			return 1;
	}
	return 0;
}

void grader_options_release(const struct grader_option *table, size_t n, void *settings)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].type == GOPT_STRING) {
			char **p = (char **)((char *)settings + table[i].off);
			free(*p);
			*p = NULL;
		}
}

void grader_options_markdown(const struct grader_option *table, size_t n, struct strbuf *out)
{
	strbuf_adds(out, "| option | values | default | meaning |\n|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		const struct grader_option *o = &table[i];
		strbuf_addf(out, "| `%s` | ", o->name);
		if (o->values)
			strbuf_adds(out, o->values);
		else
			grader_option_type_text(o, out);
		strbuf_addf(out, " | %s | %s |\n", o->def, o->help);
	}
}
