#include "graders/code/code.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "graders/code/sandbox/pool.h"
#include "graders/options.h"

struct code_state {
	cJSON *opts;                 /* a copy of the task's options */
	int kind;                    /* -1: detect per record */
	int form;                    /* -1: detect */
	enum code_lang lang;
	int lang_set;
	struct code_cmp cmp;
	struct code_limits lim;
	int workers;
	pthread_mutex_t lock;
	struct sandbox_pool *pool;   /* made at the first grade */
	char *pool_error;
};

static const char *opt_str(const cJSON *o, const char *k, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : dflt;
}

static double opt_num(const cJSON *o, const char *k, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static int parse_limits(const cJSON *o, struct code_limits *l, struct strbuf *err)
{
	static const char *const keys[] = {"time_s", "wall_s", "memory_mb", "output_mb"};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
		if (v && (!cJSON_IsNumber(v) || v->valuedouble <= 0 || v->valuedouble > 1e6)) {
			strbuf_addf(err, "\"%s\" must be a positive number", keys[i]);
			return -1;
		}
	}
	l->time_s = opt_num(o, "time_s", l->time_s);
	l->wall_s = opt_num(o, "wall_s", l->wall_s);
	l->memory_mb = (long)opt_num(o, "memory_mb", (double)l->memory_mb);
	l->output_mb = (long)opt_num(o, "output_mb", (double)l->output_mb);
	return 0;
}

/*
 * Every option the code grader reads, with what it takes and means.
 * code_init refuses any other key and any value of the wrong type
 * (graders/options.h), 'reval check code --options' prints this table, and
 * docs/formats.md holds it verbatim (a test compares them).  The values are
 * then read where they are used, from the copy in st->opts.
 */
struct code_settings {
	char *kind, *form, *language, *compare;
	double time_s, wall_s, memory_mb, output_mb, workers;
	char *tests_field, *entry_point_field, *imports_field, *reference_field, *atol_field;
	char *prompt_field;
};

#define SET(f) offsetof(struct code_settings, f)
static const struct grader_option code_options[] = {
	{.name = "kind", .type = GOPT_STRING, .off = SET(kind), .def = "guessed from the record",
	 .values = "`function`, `stdio`",
	 .help = "tests call a function / feed stdin and compare stdout (default: guessed from the "
		 "record)"},
	{.name = "form", .type = GOPT_STRING, .off = SET(form), .def = "guessed",
	 .values = "`check`, `asserts`, `io`",
	 .help = "function tests: HumanEval `check(candidate)` source; a list of assert lines; "
		 "argument lists whose results are compared with the reference solution's"},
	{.name = "language", .type = GOPT_STRING, .off = SET(language), .def = "python",
	 .values = "`python`, `c`, `cpp`",
	 .help = "the program's language (default python, or the record's `language`)"},
	{.name = "prompt_field", .type = GOPT_STRING, .off = SET(prompt_field), .def = "prompt",
	 .values = "field name",
	 .help = "code the model continues (HumanEval `prompt`; default `prompt` with `check`)"},
	{.name = "entry_point_field", .type = GOPT_STRING, .off = SET(entry_point_field),
	 .def = "entry_point", .values = "field name",
	 .help = "the function under test (default `entry_point`)"},
	{.name = "tests_field", .type = GOPT_STRING, .off = SET(tests_field), .def = "per form",
	 .values = "field name",
	 .help = "the tests (default `test` for `check`, `test_list` for `asserts`, `tests` or "
		 "`public_tests` for stdio)"},
	{.name = "imports_field", .type = GOPT_STRING, .off = SET(imports_field),
	 .def = "test_imports", .values = "field name",
	 .help = "import lines run before the asserts (default `test_imports`)"},
	{.name = "reference_field", .type = GOPT_STRING, .off = SET(reference_field),
	 .def = "canonical_solution", .values = "field name",
	 .help = "`io`: the reference solution (default `canonical_solution`)"},
	{.name = "atol_field", .type = GOPT_STRING, .off = SET(atol_field), .def = "atol",
	 .values = "field name", .help = "`io`: float tolerance of the comparison (default `atol`)"},
	{.name = "inputs_fields", .type = GOPT_ANY, .def = "base_input, plus_input",
	 .values = "list of field names",
	 .help = "`io`: the argument lists, in order (default `base_input`, `plus_input`)"},
	{.name = "compare", .type = GOPT_STRING, .off = SET(compare), .def = "exact",
	 .values = "`exact`, `float_abs:T`, `float_rel:T`, `float_abs_or_rel:T`",
	 .help = "stdio: how output is compared, line by line and token by token (a test's own "
		 "`compare` wins); T in [0, 1]"},
	{.name = "time_s", .type = GOPT_NUMBER, .off = SET(time_s), .def = "per language",
	 .values = "number", .help = "CPU seconds per test (stdio) or per call (function)"},
	{.name = "wall_s", .type = GOPT_NUMBER, .off = SET(wall_s), .def = "from time_s",
	 .values = "number", .help = "wall-clock seconds per test"},
	{.name = "memory_mb", .type = GOPT_NUMBER, .off = SET(memory_mb), .def = "per language",
	 .values = "number", .help = "memory per program"},
	{.name = "output_mb", .type = GOPT_NUMBER, .off = SET(output_mb), .def = "per language",
	 .values = "number", .help = "output per program"},
	{.name = "workers", .type = GOPT_NUMBER, .off = SET(workers), .def = "one per CPU",
	 .values = "number", .help = "sandboxes grading in parallel (default: one per CPU)"},
};
#undef SET

void code_options_markdown(struct strbuf *out)
{
	strbuf_adds(out, "| option | values | meaning |\n|---|---|---|\n");
	for (size_t i = 0; i < ARRAY_SIZE(code_options); i++)
		strbuf_addf(out, "| `%s` | %s | %s |\n", code_options[i].name,
			    code_options[i].values, code_options[i].help);
}

static int code_init(void **state, const cJSON *opts, struct strbuf *err)
{
	struct code_settings set = {0};
	int bad = grader_options_read(code_options, ARRAY_SIZE(code_options), opts, &set, err);
	grader_options_release(code_options, ARRAY_SIZE(code_options), &set);
	if (bad)
		return 1;
	struct code_state *st = xcalloc(1, sizeof(*st));
	st->kind = st->form = -1;
	const char *kind = opt_str(opts, "kind", NULL);
	const char *form = opt_str(opts, "form", NULL);
	const char *lang = opt_str(opts, "language", NULL);
	if (kind && strcmp(kind, "function") && strcmp(kind, "stdio")) {
		strbuf_addf(err, "option \"kind\" must be \"function\" or \"stdio\", not '%s'", kind);
		goto fail;
	}
	if (kind)
		st->kind = !strcmp(kind, "stdio") ? CODE_STDIO : CODE_FUNCTION;
	if (form) {
		st->form = !strcmp(form, "check") ? CODE_FORM_CHECK : !strcmp(form, "asserts")
			   ? CODE_FORM_ASSERTS : !strcmp(form, "io") ? CODE_FORM_IO : -2;
		if (st->form == -2) {
			strbuf_addf(err, "option \"form\" must be check, asserts or io, not '%s'", form);
			goto fail;
		}
	}
	if (lang) {
		int l = code_lang_parse(lang);
		if (l < 0) {
			strbuf_addf(err, "option \"language\": unknown language '%s'", lang);
			goto fail;
		}
		st->lang = (enum code_lang)l;
		st->lang_set = 1;
	}
	if (code_cmp_parse(opt_str(opts, "compare", NULL), &st->cmp)) {
		strbuf_addf(err, "option \"compare\": unknown comparison '%s'",
			    opt_str(opts, "compare", ""));
		goto fail;
	}
	if (parse_limits(opts, &st->lim, err))
		goto fail;
	st->workers = (int)opt_num(opts, "workers", 0);
	st->opts = opts ? cJSON_Duplicate(opts, 1) : cJSON_CreateObject();
	pthread_mutex_init(&st->lock, NULL);
	*state = st;
	return 0;
fail:
	free(st);
	return 1;
}

static void code_free(void *state)
{
	struct code_state *st = state;
	if (!st)
		return;
	sandbox_pool_free(st->pool);
	free(st->pool_error);
	cJSON_Delete(st->opts);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static struct sandbox_pool *get_pool(struct code_state *st)
{
	pthread_mutex_lock(&st->lock);
	if (!st->pool && !st->pool_error) {
		struct strbuf err = STRBUF_INIT;
		st->pool = sandbox_pool_new(st->workers, &err);
		if (!st->pool) {
			diag("cannot start the code sandbox: %s", err.buf);
			st->pool_error = strbuf_detach(&err);
		}
		strbuf_release(&err);
	}
	pthread_mutex_unlock(&st->lock);
	return st->pool;
}

/* ---- Tests from records ---- */

static const char *str_field(const cJSON *rec, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *pick(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	if (!v && b)
		v = cJSON_GetObjectItemCaseSensitive(o, b);
	if (cJSON_IsObject(v)) /* {"stdin": ...} / {"stdout": ...} as in SandboxFusion */
		v = cJSON_GetObjectItemCaseSensitive(v, b ? b : a);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int code_stdio_tests_parse(const cJSON *tests, const struct code_cmp *dflt, struct code_case *c,
			   struct strbuf *err)
{
	cJSON *parsed = NULL;
	if (cJSON_IsString(tests))
		tests = parsed = cJSON_Parse(tests->valuestring);
	int ret = -1;
	if (!cJSON_IsArray(tests)) {
		strbuf_adds(err, "stdio tests must be a list of {input, output}");
		goto out;
	}
	size_t n = (size_t)cJSON_GetArraySize(tests);
	c->tests = xcalloc(n ? n : 1, sizeof(*c->tests));
	const cJSON *t;
	cJSON_ArrayForEach(t, tests)
	{
		const char *in = pick(t, "input", "stdin");
		const char *outp = pick(t, "output", "stdout");
		const char *cmp = str_field(t, "compare");
		struct code_stdio_test *ct = &c->tests[c->ntests];
		if (!in || !outp) {
			strbuf_addf(err, "test %zu: needs string \"input\" and \"output\"", c->ntests + 1);
			goto out;
		}
		if (cmp && code_cmp_parse(cmp, &ct->cmp)) {
			strbuf_addf(err, "test %zu: unknown compare '%s'", c->ntests + 1, cmp);
			goto out;
		}
		if (!cmp)
			ct->cmp = *dflt;
		ct->input = xstrdup(in);
		ct->output = xstrdup(outp);
		c->ntests++;
	}
	ret = 0;
out:
	cJSON_Delete(parsed);
	return ret;
}

/* The program for a function problem: the prompt continued, or replaced by a
 * whole function that the answer wrote out (the prompt still supplies its
 * imports and helpers, and the answer's def comes later, so it wins). */
static char *assemble(const char *prompt, struct strview code, const char *entry)
{
	if (!prompt)
		return sv_dup(code);
	int whole = 0;
	if (entry) {
		char *a = xasprintf("def %s(", entry);
		const char *p = code.ptr, *end = code.ptr + code.len;
		size_t an = strlen(a);
		while (p < end) {
			const char *q = p;
			if ((size_t)(end - q) >= 6 && !memcmp(q, "async ", 6))
				q += 6;
			if ((size_t)(end - q) >= an && !memcmp(q, a, an))
				whole = 1;
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		}
		free(a);
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, prompt);
	if (whole || (code.len && code.ptr[0] != ' ' && code.ptr[0] != '\t' && sb.len &&
		      sb.buf[sb.len - 1] != '\n'))
		strbuf_addch(&sb, '\n');
	strbuf_add(&sb, code.ptr, code.len);
	strbuf_addch(&sb, '\n');
	return strbuf_detach(&sb);
}

static int detect_form(const cJSON *rec, const char *tests_field)
{
	const char *t = str_field(rec, tests_field ? tests_field : "test");
	if (t && strstr(t, "def check"))
		return CODE_FORM_CHECK;
	/* EvalPlus judges MBPP (base and plus) on argument lists against the
	 * reference solution's results; its test_list asserts are the original
	 * MBPP ones, which some reference solutions do not satisfy. */
	if ((cJSON_GetObjectItemCaseSensitive(rec, "plus_input") ||
	     cJSON_GetObjectItemCaseSensitive(rec, "base_input")) &&
	    str_field(rec, "canonical_solution"))
		return CODE_FORM_IO;
	if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(rec, tests_field ? tests_field : "test_list")))
		return CODE_FORM_ASSERTS;
	return -1;
}

static int function_tests(const struct code_state *st, const cJSON *rec, struct code_case *c,
			  struct strbuf *err)
{
	const cJSON *o = st->opts;
	const char *tf = opt_str(o, "tests_field", NULL);
	int form = st->form >= 0 ? st->form : detect_form(rec, tf);
	if (form < 0) {
		strbuf_adds(err, "the record has no tests this grader knows");
		return -1;
	}
	c->form = (enum code_form)form;
	const char *ep = str_field(rec, opt_str(o, "entry_point_field", "entry_point"));
	c->entry_point = ep ? xstrdup(ep) : NULL;
	if (form == CODE_FORM_CHECK) {
		const char *t = str_field(rec, tf ? tf : "test");
		if (!t || !ep) {
			strbuf_adds(err, "check tests need a test source and an entry point");
			return -1;
		}
		c->test = xstrdup(t);
	} else if (form == CODE_FORM_ASSERTS) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(rec, tf ? tf : "test_list");
		if (!cJSON_IsArray(a)) {
			strbuf_adds(err, "assert tests need a list of strings");
			return -1;
		}
		c->asserts = cJSON_Duplicate(a, 1);
		const cJSON *im = cJSON_GetObjectItemCaseSensitive(rec, opt_str(o, "imports_field",
										  "test_imports"));
		if (cJSON_IsArray(im))
			c->imports = cJSON_Duplicate(im, 1);
	} else {
		const cJSON *fields = cJSON_GetObjectItemCaseSensitive(o, "inputs_fields");
		static const char *const dflt[] = {"base_input", "plus_input"};
		c->inputs = cJSON_CreateArray();
		size_t nf = cJSON_IsArray(fields) ? (size_t)cJSON_GetArraySize(fields) : 2;
		for (size_t i = 0; i < nf; i++) {
			const cJSON *f = cJSON_IsArray(fields) ? cJSON_GetArrayItem(fields, (int)i) : NULL;
			const char *name = f && cJSON_IsString(f) ? f->valuestring : dflt[i];
			const cJSON *arr = cJSON_GetObjectItemCaseSensitive(rec, name);
			const cJSON *x;
			cJSON_ArrayForEach(x, arr)
				cJSON_AddItemToArray(c->inputs, cJSON_Duplicate(x, 1));
		}
		const char *ref = str_field(rec, opt_str(o, "reference_field", "canonical_solution"));
		if (!ref || !ep) {
			strbuf_adds(err, "io tests need a reference solution and an entry point");
			return -1;
		}
		c->reference = xstrdup(ref);
		c->atol = opt_num(rec, opt_str(o, "atol_field", "atol"), 0);
	}
	return 0;
}

static int case_from_record(const struct code_state *st, const struct grade_input *in,
			    struct code_case *c, struct strbuf *err)
{
	const cJSON *rec = in->record;
	const cJSON *o = st->opts;
	const char *tf = opt_str(o, "tests_field", NULL);
	c->id = xstrdup(in->problem_id ? in->problem_id : "");
	int kind = st->kind;
	if (kind < 0)
		kind = detect_form(rec, tf) >= 0 ? CODE_FUNCTION : CODE_STDIO;
	c->kind = (enum code_kind)kind;
	c->lang = st->lang;
	if (!st->lang_set && str_field(rec, "language")) {
		int l = code_lang_parse(str_field(rec, "language"));
		if (l >= 0)
			c->lang = (enum code_lang)l;
	}
	c->lim = st->lim;
	code_limits_default(&c->lim, c->kind, c->lang);
	if (kind == CODE_FUNCTION) {
		if (function_tests(st, rec, c, err))
			return -1;
	} else {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(rec, tf ? tf : "tests");
		if (!t && !tf)
			t = cJSON_GetObjectItemCaseSensitive(rec, "public_tests");
		if (code_stdio_tests_parse(t, &st->cmp, c, err))
			return -1;
	}
	struct strview code;
	if (!code_extract(sv_from(in->content), c->lang, &code))
		return 0;
	const char *pf = opt_str(o, "prompt_field", c->form == CODE_FORM_CHECK ? "prompt" : NULL);
	const char *prompt = kind == CODE_FUNCTION && pf ? str_field(rec, pf) : NULL;
	c->program = assemble(prompt, code, c->entry_point);
	if (prompt)
		c->context = xstrdup(prompt);
	return 0;
}

/* ---- Verdicts into grades ---- */

static void fill_grade(const struct code_case *c, struct code_outcome *o, struct grade *out)
{
	out->correct = o->verdict == CV_PASS;
	out->score = out->correct;
	out->status = o->verdict == CV_NO_CODE ? GRADE_NO_ANSWER
		      : o->verdict == CV_INFRA_ERROR ? GRADE_INFRA : GRADE_OK;
	out->extracted = c->program ? xstrdup(c->program) : NULL;
	out->reason = xasprintf("%s (%d/%d tests passed)", code_verdict_name(o->verdict),
				o->tests_passed, o->tests_total);
	cJSON_AddStringToObject(o->detail, "verdict", code_verdict_name(o->verdict));
	cJSON_AddNumberToObject(o->detail, "tests_passed", o->tests_passed);
	cJSON_AddNumberToObject(o->detail, "tests_total", o->tests_total);
	out->detail = cJSON_PrintUnformatted(o->detail);
}

static int code_grade(void *state, const struct grade_input *in, struct grade *out)
{
	struct code_state *st = state;
	struct code_case c = {0};
	struct strbuf err = STRBUF_INIT;
	int ret = 0;
	memset(out, 0, sizeof(*out));
	if (case_from_record(st, in, &c, &err)) {
		out->status = GRADE_INFRA;
		out->reason = xasprintf("problem '%s': %s", in->problem_id ? in->problem_id : "?",
					err.buf);
		goto out;
	}
	struct sandbox_pool *pool = get_pool(st);
	if (!pool) {
		out->status = GRADE_INFRA;
		out->reason = xasprintf("no code sandbox: %s", st->pool_error);
		goto out;
	}
	struct sandbox *sb = sandbox_pool_acquire(pool);
	struct code_outcome o;
	ret = code_judge(sb, &c, &o) ? 1 : 0;
	sandbox_pool_release(pool, sb);
	if (ret) {
		/* Loudly, once: the run stops on the grader's failure. */
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(o.detail, "error");
		diag("code sandbox: %s", cJSON_IsString(e) ? e->valuestring : "broken");
	}
	fill_grade(&c, &o, out);
	code_outcome_release(&o);
out:
	strbuf_release(&err);
	code_case_release(&c);
	return ret;
}

/* ---- Batches ---- */

struct batch {
	struct code_state *st;
	const struct grade_input *in;
	struct grade *out;
	size_t n;
	atomic_size_t next;
	atomic_int failed; /* the sandbox broke: grade no more */
};

static void *batch_worker(void *arg)
{
	struct batch *b = arg;
	/* The thread stays on its worker's CPU from one sample to the next. */
	sandbox_stay_begin();
	for (;;) {
		size_t i = atomic_fetch_add(&b->next, 1);
		if (i >= b->n)
			break;
		if (atomic_load(&b->failed)) {
			b->out[i].status = GRADE_INFRA;
			b->out[i].reason = xstrdup("not graded: the code sandbox broke");
			continue;
		}
		if (code_grade(b->st, &b->in[i], &b->out[i]))
			atomic_store(&b->failed, 1);
	}
	sandbox_stay_end();
	return NULL;
}

int code_grade_batch(void *state, const struct grade_input *in, struct grade *out, size_t n)
{
	struct code_state *st = state;
	struct sandbox_pool *pool = get_pool(st);
	size_t nt = pool ? (size_t)sandbox_pool_size(pool) : 1;
	if (nt > n)
		nt = n ? n : 1;
	struct batch b = {.st = st, .in = in, .out = out, .n = n};
	atomic_init(&b.next, 0);
	atomic_init(&b.failed, 0);
	pthread_t *th = xcalloc(nt, sizeof(*th));
	size_t started = 0;
	for (size_t i = 1; i < nt; i++)
		if (!pthread_create(&th[i], NULL, batch_worker, &b))
			th[started++] = th[i];
	batch_worker(&b);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	return atomic_load(&b.failed) ? 1 : 0;
}

/* ---- `reval check code` lines ---- */

int code_case_from_check_line(const cJSON *j, struct code_case *c, struct strbuf *err)
{
	memset(c, 0, sizeof(*c));
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
	if (cJSON_IsString(id))
		c->id = xstrdup(id->valuestring);
	else if (cJSON_IsNumber(id))
		c->id = xasprintf("%.17g", id->valuedouble);
	else {
		strbuf_adds(err, "missing field \"id\"");
		return -1;
	}
	const char *kind = str_field(j, "kind");
	if (!kind || (strcmp(kind, "function") && strcmp(kind, "stdio"))) {
		strbuf_adds(err, "field \"kind\" must be \"function\" or \"stdio\"");
		return -1;
	}
	c->kind = !strcmp(kind, "stdio") ? CODE_STDIO : CODE_FUNCTION;
	const char *lang = str_field(j, "language");
	int l = code_lang_parse(lang ? lang : "python");
	if (l < 0) {
		strbuf_addf(err, "unknown language '%s'", lang);
		return -1;
	}
	c->lang = (enum code_lang)l;
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(j, "limits");
	if (lim && (!cJSON_IsObject(lim) || parse_limits(lim, &c->lim, err))) {
		if (!cJSON_IsObject(lim))
			strbuf_adds(err, "field \"limits\" must be an object");
		return -1;
	}
	code_limits_default(&c->lim, c->kind, c->lang);
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(j, "tests");
	const char *program = str_field(j, "program");
	if (c->kind == CODE_STDIO) {
		struct code_cmp exact = {CMP_EXACT, 0};
		if (code_stdio_tests_parse(tests, &exact, c, err))
			return -1;
		if (!program) {
			strbuf_adds(err, "stdio cases need \"program\"");
			return -1;
		}
		c->program = xstrdup(program);
		return 0;
	}
	const char *ep = str_field(j, "entry_point");
	const char *prompt = str_field(j, "prompt");
	const char *completion = str_field(j, "completion");
	if (!ep) {
		strbuf_adds(err, "function cases need \"entry_point\"");
		return -1;
	}
	c->entry_point = xstrdup(ep);
	if (cJSON_IsString(tests)) {
		c->form = CODE_FORM_CHECK;
		c->test = xstrdup(tests->valuestring);
	} else if (cJSON_IsArray(tests)) {
		const cJSON *t;
		cJSON_ArrayForEach(t, tests) if (!cJSON_IsString(t))
		{
			strbuf_adds(err, "function tests must be a check() source or a list of asserts");
			return -1;
		}
		c->form = CODE_FORM_ASSERTS;
		c->asserts = cJSON_Duplicate(tests, 1);
	} else {
		strbuf_adds(err, "function cases need \"tests\"");
		return -1;
	}
	if (prompt)
		c->context = xstrdup(prompt);
	if (program) {
		c->program = xstrdup(program);
	} else if (completion) {
		struct strview code = sv_from(completion);
		if (strstr(completion, "```") && !code_extract(sv_from(completion), c->lang, &code))
			return 0; /* no_code */
		c->program = assemble(prompt, code, ep);
	} else {
		strbuf_adds(err, "function cases need \"program\" or \"completion\"");
		return -1;
	}
	return 0;
}

const struct grader_ops grader_code = {
	.name = "code",
	.version = "2",
	.no_vote = 1, /* programs are judged by their tests, not grouped into answers */
	.init = code_init,
	.grade = code_grade,
	.grade_batch = code_grade_batch,
	.free = code_free,
	.options = code_options,
	.noptions = ARRAY_SIZE(code_options),
};
