#include "harness/model/dataset.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/json.h"
#include "harness/base/sha256.h"

#define DATASET_MAX_BYTES (1024u << 20) /* a data file larger than this is refused */
#define DATASET_MAX_SHOWN 20              /* bad lines named one by one with every_error */

enum reval_err dataset_resolve(struct task *t, const char *data_dir, const cJSON *user_paths)
{
	const cJSON *us = cJSON_GetObjectItemCaseSensitive(t->def, "user_supplied");
	const char *rel = json_str(t->def, "dataset");
	if (us) {
		const char *flag = json_str(us, "flag");
		const char *env = json_str(us, "env");
		const char *help = json_str(us, "help");
		const char *path = flag ? json_str(user_paths, flag) : NULL;
		if (!path && env)
			path = getenv(env);
		if (!path || !*path) {
			diag("task '%s' needs data you supply: pass --user-data %s=PATH%s%s%s%s", t->id,
			     flag ? flag : "?", env ? " or set " : "", env ? env : "",
			     help ? "; " : "", help ? help : "");
			return RV_EINPUT;
		}
		t->dataset = xstrdup(path);
		return RV_OK;
	}
	if (!rel) {
		diag("cannot read task file '%s': task '%s': missing field \"dataset\"", t->file,
		     t->id);
		return RV_EINPUT;
	}
	t->dataset = rel[0] == '/' ? xstrdup(rel) : path_join(data_dir, rel);
	return RV_OK;
}

char *dataset_transform_answer(const char *how, const char *raw, const char **err)
{
	*err = NULL;
	if (!how || !strcmp(how, "none"))
		return xstrdup(raw);
	if (!strcmp(how, "after_hash")) {
		const char *h = strstr(raw, "####");
		if (!h) {
			*err = "no \"####\" in the answer";
			return NULL;
		}
		struct strbuf sb = STRBUF_INIT;
		for (const char *p = h + 4; *p; p++)
			if (*p != ',')
				strbuf_addch(&sb, *p);
		strbuf_trim(&sb);
		return strbuf_detach(&sb);
	}
	if (!strcmp(how, "integer")) {
		/* Integer text exactly, at any length a long long holds; else a
		 * number with a zero fraction ("12.0"), below 2^53 where every
		 * whole double is exact. */
		char *end;
		errno = 0;
		long long ll = strtoll(raw, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (!errno && end != raw && !*end)
			return xasprintf("%lld", ll);
		errno = 0;
		double d = strtod(raw, &end);
		while (isspace((unsigned char)*end))
			end++;
		if (errno || end == raw || *end || !(fabs(d) < 9007199254740992.0) ||
		    d != floor(d)) {
			*err = "the answer is not an integer";
			return NULL;
		}
		return xasprintf("%lld", (long long)d);
	}
	if (!strcmp(how, "strip_parens")) {
		struct strview v = sv_trim(sv_from(raw));
		if (v.len >= 2 && v.ptr[0] == '(' && v.ptr[v.len - 1] == ')') {
			v.ptr++;
			v.len -= 2;
		}
		return sv_dup(sv_trim(v));
	}
	*err = "unknown answer_transform (none, after_hash, integer, strip_parens)";
	return NULL;
}

/* ---- CSV: RFC 4180, a header row, every row an object of strings ---- */

/* Parse one CSV record starting at *p; returns a list of fields or NULL at the end. */
static cJSON *csv_record(const char **p, int *line, const char **err)
{
	const char *s = *p;
	if (!*s)
		return NULL;
	cJSON *row = cJSON_CreateArray();
	struct strbuf f = STRBUF_INIT;
	for (;;) {
		strbuf_reset(&f);
		if (*s == '"') {
			s++;
			for (;;) {
				if (!*s) {
					*err = "unterminated quoted field";
					strbuf_release(&f);
					cJSON_Delete(row);
					return NULL;
				}
				if (*s == '"' && s[1] == '"') {
					strbuf_addch(&f, '"');
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					if (*s == '\n')
						(*line)++;
					strbuf_addch(&f, *s++);
				}
			}
		} else {
			while (*s && *s != ',' && *s != '\n' && *s != '\r')
				strbuf_addch(&f, *s++);
		}
		cJSON_AddItemToArray(row, cJSON_CreateString(f.buf));
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\r')
			s++;
		if (*s == '\n') {
			s++;
			(*line)++;
		} else if (*s) {
			*err = "stray character after a quoted field";
			strbuf_release(&f);
			cJSON_Delete(row);
			return NULL;
		}
		break;
	}
	strbuf_release(&f);
	*p = s;
	return row;
}

/* ---- one record into one problem ---- */

struct reader {
	struct task *t;
	size_t cap;
	const cJSON *fields;
	const cJSON *filter;
	const char *transform;
	long line;
	int every_error; /* go on past a bad line (the catalogue's every_error) */
	long nbad;      /* bad lines seen */
};

static int bad(struct reader *r, const char *field, const char *why)
{
	if (r->nbad++ >= DATASET_MAX_SHOWN)
		return 1;
	if (field)
		diag("cannot read dataset '%s' line %ld: field \"%s\": %s", r->t->dataset, r->line,
		     field, why);
	else
		diag("cannot read dataset '%s' line %ld: %s", r->t->dataset, r->line, why);
	return 1;
}

static int keep_record(const struct reader *r, const cJSON *rec)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, r->filter)
	{
		char *want = json_scalar_text(f);
		char *have = json_scalar_text(cJSON_GetObjectItemCaseSensitive(rec, f->string));
		int eq = want && have && !strcmp(want, have);
		free(want);
		free(have);
		if (!eq)
			return 0;
	}
	return 1;
}

/* GPQA-style choices: a list of fields, the first one correct, shuffled by problem id. */
static int build_choices(struct reader *r, cJSON *rec, const char *id, struct problem *p)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(r->fields, "choices");
	if (!cJSON_IsArray(spec))
		return 0;
	int n = cJSON_GetArraySize(spec);
	if (n < 2 || n > 26)
		return bad(r, "choices", "a choices list needs 2 to 26 field names");
	char **text = xcalloc((size_t)n, sizeof(char *));
	int *order = xcalloc((size_t)n, sizeof(int));
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const cJSON *name = cJSON_GetArrayItem(spec, i);
		char *v = cJSON_IsString(name) ? json_scalar_text(cJSON_GetObjectItemCaseSensitive(
							 rec, name->valuestring))
					       : NULL;
		if (!v) {
			rc = bad(r, cJSON_IsString(name) ? name->valuestring : "choices",
				 "missing choice");
			goto out;
		}
		struct strview sv = sv_trim(sv_from(v));
		text[i] = sv_dup(sv);
		free(v);
		order[i] = i;
	}
	if (json_bool(r->t->def, "shuffle_choices", 0)) {
		/* Fisher-Yates driven by the problem id: the same order on every machine. */
		uint64_t s = hash64(id, strlen(id), 0x5eed);
		for (int i = n - 1; i > 0; i--) {
			s = mix64(s);
			int j = (int)(s % (uint64_t)(i + 1));
			int tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
	}
	cJSON *list = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		cJSON_AddItemToArray(list, cJSON_CreateString(text[order[i]]));
		if (order[i] == 0)
			p->answer = xasprintf("%c", 'A' + i);
	}
	cJSON_AddItemToObject(rec, "_choices", list);
out:
	for (int i = 0; i < n; i++)
		free(text[i]);
	free(text);
	free(order);
	return rc;
}

/* Takes rec: it becomes the problem's record, or is freed. */
static int add_problem(struct reader *r, cJSON *rec)
{
	struct task *t = r->t;
	if (!cJSON_IsObject(rec)) {
		cJSON_Delete(rec);
		return bad(r, NULL, "not a JSON object");
	}
	if (!keep_record(r, rec)) {
		cJSON_Delete(rec);
		return 0;
	}
	struct problem p = {0};
	const char *idf = json_str(r->fields, "id");
	if (idf) {
		p.id = json_scalar_text(cJSON_GetObjectItemCaseSensitive(rec, idf));
		if (!p.id) {
			cJSON_Delete(rec);
			return bad(r, idf, "missing (the task's id field)");
		}
	} else {
		p.id = xasprintf("%zu", t->nproblems);
	}
	const char *qf = json_str(r->fields, "question");
	if (!qf || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rec, qf))) {
		free(p.id);
		cJSON_Delete(rec);
		return bad(r, qf ? qf : "fields.question", "missing or not a string");
	}
	if (build_choices(r, rec, p.id, &p)) {
		free(p.id);
		cJSON_Delete(rec);
		return 1;
	}
	const char *af = json_str(r->fields, "answer");
	if (af && !p.answer) {
		char *raw = json_scalar_text(cJSON_GetObjectItemCaseSensitive(rec, af));
		const char *why = "missing";
		if (raw)
			p.answer = dataset_transform_answer(r->transform, raw, &why);
		free(raw);
		if (!p.answer) {
			free(p.id);
			cJSON_Delete(rec);
			return bad(r, af, why);
		}
	}
	p.meta = xcalloc(t->nmeta + 1, sizeof(char *));
	for (size_t i = 0; i < t->nmeta; i++)
		p.meta[i] = json_scalar_text(cJSON_GetObjectItemCaseSensitive(rec, t->meta_keys[i]));
	p.record = rec;
	GROW(t->problems, r->cap, t->nproblems + 1);
	t->problems[t->nproblems++] = p;
	return 0;
}

static int build_index(struct reader *r)
{
	struct task *t = r->t;
	const char *dup = task_index_problems(t);
	if (dup) {
		diag("cannot read dataset '%s': problem id '%s' appears twice (task '%s')", t->dataset,
		     dup, t->id);
		return 1;
	}
	return 0;
}

struct dataset_file {
	char *path;
	char sha256[65];
	cJSON **recs; /* one per non-blank line */
	long *lines;  /* the line of each record */
	size_t n;
	struct dataset_file *next;
};

void dataset_files_free(struct dataset_file *f)
{
	while (f) {
		struct dataset_file *next = f->next;
		for (size_t i = 0; i < f->n; i++)
			cJSON_Delete(f->recs[i]);
		free(f->recs);
		free(f->lines);
		free(f->path);
		free(f);
		f = next;
	}
}

/* Parse a JSONL text into a dataset_file; on a malformed line report it and return NULL. */
static struct dataset_file *parse_jsonl(struct reader *r, char *text, size_t len)
{
	struct dataset_file *f = xcalloc(1, sizeof(*f));
	size_t cap = 0;
	struct lines it;
	struct strview l;
	lines_init(&it, text, len);
	while (lines_next(&it, &l)) {
		r->line = (long)it.no;
		if (!sv_trim(l).len)
			continue;
		int at = 0;
		cJSON *rec = json_parse_text(l.ptr, &at);
		if (!rec) {
			bad(r, NULL, "malformed JSON");
			if (r->every_error)
				continue;
			dataset_files_free(f);
			return NULL;
		}
		if (f->n == cap) {
			cap = cap ? 2 * cap : 256;
			f->recs = xrealloc(f->recs, cap * sizeof(cJSON *));
			f->lines = xrealloc(f->lines, cap * sizeof(long));
		}
		f->recs[f->n] = rec;
		f->lines[f->n++] = r->line;
	}
	f->path = xstrdup(r->t->dataset);
	return f;
}

/* Under every_error a file with bad lines comes back with the records of the good ones. */
static int read_jsonl(struct reader *r, struct dataset_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		r->line = f->lines[i];
		if (add_problem(r, cJSON_Duplicate(f->recs[i], 1)) && !r->every_error)
			return 1;
	}
	return r->nbad > 0;
}

static int read_csv(struct reader *r, const char *text)
{
	const char *p = text, *err = NULL;
	int line = 1;
	if (!strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	cJSON *header = csv_record(&p, &line, &err);
	if (!header) {
		r->line = line;
		return bad(r, NULL, err ? err : "empty CSV file");
	}
	int ncol = cJSON_GetArraySize(header);
	for (;;) {
		r->line = line;
		cJSON *row = csv_record(&p, &line, &err);
		if (!row) {
			cJSON_Delete(header);
			return err ? bad(r, NULL, err) : r->nbad > 0;
		}
		if (cJSON_GetArraySize(row) == 1 && !*cJSON_GetArrayItem(row, 0)->valuestring) {
			cJSON_Delete(row);
			continue;
		}
		if (cJSON_GetArraySize(row) != ncol) {
			cJSON_Delete(row);
			bad(r, NULL, "wrong number of columns");
			if (r->every_error)
				continue;
			cJSON_Delete(header);
			return 1;
		}
		cJSON *rec = cJSON_CreateObject();
		for (int i = 0; i < ncol; i++)
			cJSON_AddItemToObject(rec, cJSON_GetArrayItem(header, i)->valuestring,
					      cJSON_Duplicate(cJSON_GetArrayItem(row, i), 0));
		cJSON_Delete(row);
		if (add_problem(r, rec) && !r->every_error) {
			cJSON_Delete(header);
			return 1;
		}
	}
}

/* With every_error, the bad lines past those named are counted in one more line. */
static enum reval_err read_failed(const struct reader *r)
{
	if (r->nbad > DATASET_MAX_SHOWN)
		diag("cannot read dataset '%s': %ld more bad lines", r->t->dataset,
		     r->nbad - DATASET_MAX_SHOWN);
	return RV_EINPUT;
}

enum reval_err dataset_read(struct task *t, struct task_catalog *cat)
{
	struct reader r = {.t = t, .every_error = cat->every_error};
	r.fields = cJSON_GetObjectItemCaseSensitive(t->def, "fields");
	r.filter = cJSON_GetObjectItemCaseSensitive(t->def, "filter");
	r.transform = json_str(t->def, "answer_transform");
	if (!cJSON_IsObject(r.fields)) {
		diag("cannot read task file '%s': task '%s': missing field \"fields\"", t->file, t->id);
		return RV_EINPUT;
	}
	const char *why = NULL;
	char *probe = dataset_transform_answer(r.transform, "#### 1", &why);
	free(probe);
	if (why && strstr(why, "unknown")) {
		diag("cannot read task file '%s': field \"answer_transform\": %s", t->file, why);
		return RV_EINPUT;
	}
	size_t n = strlen(t->dataset);
	int csv = n > 4 && !strcmp(t->dataset + n - 4, ".csv");
	struct dataset_file *f = NULL;
	for (f = cat->files_read; f && !csv; f = f->next)
		if (!strcmp(f->path, t->dataset))
			break;
	if (!f) {
		char *text, unread[128];
		size_t len;
		if (read_text_file(t->dataset, DATASET_MAX_BYTES, &text, &len, unread,
				   sizeof(unread))) {
			diag("cannot read dataset '%s' of task '%s': %s", t->dataset, t->id, unread);
			return RV_EINPUT;
		}
		int rc = 0;
		sha256_hex(text, len, t->dataset_sha256);
		if (csv) {
			rc = read_csv(&r, text);
		} else if ((f = parse_jsonl(&r, text, len)) && r.nbad) {
			/* Lines that parsed are still read, for what else is wrong; nothing is kept. */
			read_jsonl(&r, f);
			dataset_files_free(f);
			rc = 1;
		} else if (f) {
			memcpy(f->sha256, t->dataset_sha256, sizeof(f->sha256));
			f->next = cat->files_read;
			cat->files_read = f;
		} else {
			rc = 1;
		}
		free(text);
		if (rc)
			return read_failed(&r);
	}
	if (f) {
		memcpy(t->dataset_sha256, f->sha256, sizeof(f->sha256));
		if (read_jsonl(&r, f))
			return read_failed(&r);
	}
	if (!t->nproblems) {
		diag("dataset '%s' of task '%s' has no problems", t->dataset, t->id);
		return RV_EINPUT;
	}
	return build_index(&r) ? RV_EINPUT : RV_OK;
}
