#include "graders/code/judge.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DETAIL_TESTS_MAX 200 /* per-test entries kept in the detail */
#define MSG_MAX 300          /* bytes of stderr or reason kept per test */
#define FAIL_TEXT_MAX 800    /* bytes of each text of the first failing test kept */

const char *code_verdict_name(enum code_verdict v)
{
	static const char *const names[] = {
		"pass",         "wrong_answer",      "runtime_error", "timeout",
		"memory_limit", "output_limit",      "compile_error", "sandbox_violation",
		"no_code",      "skipped",           "infra_error",
	};
	return (size_t)v < ARRAY_SIZE(names) ? names[v] : "unknown";
}

void code_case_release(struct code_case *c)
{
	free(c->id);
	free(c->program);
	free(c->entry_point);
	free(c->context);
	free(c->test);
	cJSON_Delete(c->asserts);
	cJSON_Delete(c->imports);
	cJSON_Delete(c->inputs);
	free(c->reference);
	for (size_t i = 0; i < c->ntests; i++) {
		free(c->tests[i].input);
		free(c->tests[i].output);
	}
	free(c->tests);
	memset(c, 0, sizeof(*c));
}

void code_outcome_release(struct code_outcome *o)
{
	cJSON_Delete(o->detail);
	memset(o, 0, sizeof(*o));
}

void code_limits_default(struct code_limits *l, enum code_kind kind, enum code_lang lang)
{
	if (l->time_s <= 0)
		l->time_s = kind == CODE_FUNCTION ? 3 : lang == CODE_PYTHON ? 4 : 2;
	if (l->wall_s <= 0)
		l->wall_s = 2 * l->time_s + 1;
	if (l->memory_mb <= 0)
		l->memory_mb = kind == CODE_FUNCTION ? 1024 : 512;
	if (l->output_mb <= 0)
		l->output_mb = 8;
}

/* ---- Per-test records ---- */

struct judge {
	const struct code_case *c;
	struct sandbox *sb;
	char job[32];
	cJSON *detail;  /* the outcome's detail object */
	cJSON *tests;   /* detail array */
	cJSON *failing; /* detail "failing": the first failing test, once there is one */
	int passed;
	int total;
	enum code_verdict first_fail; /* CV_PASS while none */
	int violation;
	int infra;
	char *broken; /* a setup failed on a fresh worker too: why */
};

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF, no NUL. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
		 : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (!k || k > n || !c)
		return 0;
	unsigned cp = k == 1 ? c : c & (0x7Fu >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	static const unsigned least[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < least[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k;
}

/* At most MSG_MAX bytes of s as valid UTF-8: each byte that starts no valid
 * character becomes U+FFFD, and the clip falls between characters.  Result
 * lines are JSON, and a reader rejects a line that is not UTF-8. */
static char *utf8_clean(const char *s, size_t len, size_t max)
{
	static const char repl[] = "\xEF\xBF\xBD";
	struct strbuf b = STRBUF_INIT;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_char(u + i, len - i);
		size_t add = k ? k : sizeof(repl) - 1;
		if (b.len + add > max)
			break;
		strbuf_add(&b, k ? s + i : repl, add);
		i += k ? k : 1;
	}
	return strbuf_detach(&b);
}

static char *clip(const char *s, size_t len)
{
	return utf8_clean(s, len, MSG_MAX);
}

/*
 * s (len bytes) under key, at most FAIL_TEXT_MAX bytes of it: the head, or
 * the tail (where a traceback ends), cut on a UTF-8 character boundary and
 * marked with "…", with every byte that starts no valid character made U+FFFD.
 */
static void add_capped(cJSON *o, const char *key, const char *s, size_t len, int tail)
{
	if (!s)
		return;
	if (len <= FAIL_TEXT_MAX) {
		char *t = utf8_clean(s, len, SIZE_MAX);
		cJSON_AddStringToObject(o, key, t);
		free(t);
		return;
	}
	size_t from = tail ? len - FAIL_TEXT_MAX : 0, n = FAIL_TEXT_MAX;
	while (tail && from < len && ((unsigned char)s[from] & 0xC0) == 0x80)
		from++, n--;
	while (!tail && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	char *body = tail ? utf8_clean(s + from, len - from, SIZE_MAX) : utf8_clean(s, n, SIZE_MAX);
	char *t = xasprintf(tail ? "…%s" : "%s…", body);
	cJSON_AddStringToObject(o, key, t);
	free(body);
	free(t);
}

/* The first test that failed, for a reader of the journal: which one, its verdict and message. */
static void note_failing(struct judge *j, enum code_verdict v, const char *msg)
{
	if (v == CV_PASS || v == CV_SKIPPED || j->failing || !j->detail)
		return;
	j->failing = cJSON_AddObjectToObject(j->detail, "failing");
	cJSON_AddNumberToObject(j->failing, "test", j->total - 1);
	cJSON_AddStringToObject(j->failing, "verdict", code_verdict_name(v));
	if (msg && *msg)
		add_capped(j->failing, "message", msg, strlen(msg), 1);
}

static void record(struct judge *j, enum code_verdict v, double cpu_ms, double wall_ms,
		   long mem_kb, const char *msg)
{
	j->total++;
	note_failing(j, v, msg);
	if (v == CV_PASS)
		j->passed++;
	else if (j->first_fail == CV_PASS)
		j->first_fail = v;
	if (v == CV_SANDBOX_VIOLATION)
		j->violation = 1;
	if (v == CV_INFRA_ERROR)
		j->infra = 1;
	if (cJSON_GetArraySize(j->tests) >= DETAIL_TESTS_MAX)
		return;
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "verdict", code_verdict_name(v));
	cJSON_AddNumberToObject(t, "cpu_ms", cpu_ms);
	cJSON_AddNumberToObject(t, "wall_ms", wall_ms);
	cJSON_AddNumberToObject(t, "mem_kb", (double)mem_kb);
	if (msg && *msg) {
		char *m = clip(msg, strlen(msg));
		cJSON_AddStringToObject(t, "msg", m);
		free(m);
	}
	cJSON_AddItemToArray(j->tests, t);
}

static int mentions_oom(const struct strbuf *err)
{
	return strstr(err->buf, "MemoryError") || strstr(err->buf, "std::bad_alloc") ||
	       strstr(err->buf, "Cannot allocate memory") || strstr(err->buf, "out of memory");
}

/* The verdict of a run that did not end normally, or CV_PASS when it did. */
static enum code_verdict run_verdict(const struct sandbox_result *r, const struct code_limits *l)
{
	int cpu_over = r->cpu_ms > l->time_s * 1000;
	switch (r->status) {
	case SBX_INFRA:
	case SBX_SETUP_FAILED:
		return CV_INFRA_ERROR;
	case SBX_TIMEOUT:
		return CV_TIMEOUT;
	case SBX_OUTPUT_LIMIT:
		return CV_OUTPUT_LIMIT;
	case SBX_SIGNALED:
		if (r->signal == SIGSYS)
			return CV_SANDBOX_VIOLATION;
		if (r->signal == SIGXCPU || (r->signal == SIGKILL && cpu_over))
			return CV_TIMEOUT;
		if (mentions_oom(&r->err) || r->maxrss_kb >= l->memory_mb * 1024 * 9 / 10)
			return CV_MEMORY_LIMIT;
		return CV_RUNTIME_ERROR;
	case SBX_EXITED:
		if (cpu_over)
			return CV_TIMEOUT;
		if (r->exit_code == 0)
			return CV_PASS;
		return mentions_oom(&r->err) ? CV_MEMORY_LIMIT : CV_RUNTIME_ERROR;
	}
	return CV_INFRA_ERROR;
}

/* A run that failed where the candidate had no part (the worker failed, or
 * could not set the run up) is retried once on a fresh worker; a setup that
 * fails there too marks the judgement broken: the sandbox cannot work, and
 * the caller must stop rather than drop samples from the score. */
static int retry_infra(struct judge *j, const struct sandbox_run *run, struct sandbox_result *res)
{
	if (res->status != SBX_INFRA && res->status != SBX_SETUP_FAILED)
		return 0;
	sandbox_result_release(res);
	sandbox_exec(j->sb, run, res);
	if (res->status == SBX_SETUP_FAILED && !j->broken)
		j->broken = xstrdup(res->error ? res->error : "the sandbox cannot set a run up");
	return 1;
}

/* Run once; an infrastructure failure is retried (retry_infra), and a busy
 * timeout (CPU at least half the limit: maybe the machine was loaded) is
 * re-run once before it is final. */
static void run_retry(struct judge *j, const struct sandbox_run *run, struct sandbox_result *res)
{
	sandbox_exec(j->sb, run, res);
	if (retry_infra(j, run, res))
		return;
	if (run_verdict(res, &j->c->lim) == CV_TIMEOUT && res->cpu_ms >= j->c->lim.time_s * 500) {
		sandbox_result_release(res);
		sandbox_exec(j->sb, run, res);
		retry_infra(j, run, res);
	}
}

static struct sandbox_limits sbx_limits(const struct code_limits *l, double n_tests)
{
	struct sandbox_limits s = {
		.cpu_s = l->time_s * n_tests,
		.wall_s = l->wall_s * n_tests,
		.mem_mb = l->memory_mb,
		.out_bytes = l->output_mb << 20,
	};
	return s;
}

/* ---- Compiled languages ---- */

static int compile(struct judge *j, cJSON *detail)
{
	const struct code_case *c = j->c;
	static const char *const cc[] = {"/usr/bin/gcc", "-O2", "-std=gnu11", "-pipe", "-o", "a.out",
					 "main.c", "-lm", NULL};
	static const char *const cxx[] = {"/usr/bin/g++", "-O2", "-std=gnu++17", "-pipe", "-o",
					  "a.out", "main.cpp", NULL};
	struct sandbox_run run = {
		.mode = SBX_EXEC,
		.job = j->job,
		.argv = c->lang == CODE_C ? cc : cxx,
		.src_name = c->lang == CODE_C ? "main.c" : "main.cpp",
		.keep = "a.out",
		.program = sv_from(c->program),
		.lim = {.cpu_s = 30, .wall_s = 60, .mem_mb = 2048, .out_bytes = 1 << 20,
			.fsize_mb = 256, .nproc = 64, .nofile = 256},
	};
	struct sandbox_result r;
	run_retry(j, &run, &r);
	int ok = r.status == SBX_EXITED && r.exit_code == 0;
	cJSON_AddNumberToObject(detail, "compile_ms", r.wall_ms);
	if (!ok) {
		const char *why = r.status == SBX_INFRA || r.status == SBX_SETUP_FAILED
					  ? (r.error ? r.error : "sandbox failure") : NULL;
		char *msg = r.status == SBX_TIMEOUT ? xstrdup("compilation ran out of time")
			    : why ? clip(why, strlen(why)) : clip(r.err.buf, r.err.len);
		cJSON_AddStringToObject(detail, "compile_error", msg);
		free(msg);
		if (r.status == SBX_INFRA || r.status == SBX_SETUP_FAILED)
			j->infra = 1;
	}
	sandbox_result_release(&r);
	return ok ? 0 : -1;
}

/* ---- Stdio problems ---- */

static void judge_stdio(struct judge *j)
{
	const struct code_case *c = j->c;
	static const char *const bin[] = {"@job/bin/a.out", NULL};
	int stop = 0;
	for (size_t i = 0; i < c->ntests; i++) {
		if (stop) {
			record(j, CV_SKIPPED, 0, 0, 0, "not run: an earlier test failed hard");
			continue;
		}
		struct sandbox_run run = {
			.mode = c->lang == CODE_PYTHON ? SBX_PY_STDIO : SBX_EXEC,
			.job = j->job,
			.argv = c->lang == CODE_PYTHON ? NULL : bin,
			.input = sv_from(c->tests[i].input),
			.program = c->lang == CODE_PYTHON ? sv_from(c->program) : sv_from(""),
			.lim = sbx_limits(&c->lim, 1),
		};
		struct sandbox_result r;
		run_retry(j, &run, &r);
		enum code_verdict v = run_verdict(&r, &c->lim);
		struct strbuf why = STRBUF_INIT;
		if (v == CV_PASS) {
			/* All of it: a NUL byte must not hide what follows. */
			struct strview got = {r.out.buf, r.out.len};
			if (!code_compare(got, sv_from(c->tests[i].output),
					  &c->tests[i].cmp, &why))
				v = CV_WRONG_ANSWER;
		} else if (v == CV_INFRA_ERROR) {
			strbuf_adds(&why, r.error ? r.error : "sandbox failure");
		} else if (r.err.len) {
			char *m = clip(r.err.buf, r.err.len);
			strbuf_adds(&why, m);
			free(m);
		}
		cJSON *had = j->failing;
		record(j, v, r.cpu_ms, r.wall_ms, r.maxrss_kb, why.buf);
		if (j->failing && !had) {
			/* This test is the first to fail: what it was given, wanted and got. */
			add_capped(j->failing, "input", c->tests[i].input, strlen(c->tests[i].input), 0);
			add_capped(j->failing, "expected", c->tests[i].output,
				   strlen(c->tests[i].output), 0);
			if (r.out.len || v == CV_WRONG_ANSWER)
				add_capped(j->failing, "actual", r.out.buf ? r.out.buf : "", r.out.len,
					   0);
			/* The whole of stderr, not the head the per-test entry keeps: a
			 * traceback says what went wrong at its end. */
			if (r.err.len && v != CV_WRONG_ANSWER)
				cJSON_DeleteItemFromObject(j->failing, "message");
			if (r.err.len)
				add_capped(j->failing, v == CV_WRONG_ANSWER ? "stderr" : "message",
					   r.err.buf, r.err.len, 1);
		}
		strbuf_release(&why);
		sandbox_result_release(&r);
		stop = v != CV_PASS && v != CV_WRONG_ANSWER && v != CV_RUNTIME_ERROR;
	}
}

/* ---- Function problems ---- */

static char *func_spec(const struct code_case *c, size_t *ntests)
{
	static const char *const forms[] = {"check", "asserts", "io"};
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "form", forms[c->form]);
	cJSON_AddStringToObject(s, "entry", c->entry_point ? c->entry_point : "");
	cJSON_AddNumberToObject(s, "call_s", c->lim.wall_s);
	if (c->context)
		cJSON_AddStringToObject(s, "context", c->context);
	*ntests = 1;
	switch (c->form) {
	case CODE_FORM_CHECK:
		cJSON_AddStringToObject(s, "test", c->test ? c->test : "");
		break;
	case CODE_FORM_ASSERTS:
		cJSON_AddItemToObject(s, "asserts", cJSON_Duplicate(c->asserts, 1));
		if (c->imports)
			cJSON_AddItemToObject(s, "imports", cJSON_Duplicate(c->imports, 1));
		*ntests = (size_t)cJSON_GetArraySize(c->asserts);
		break;
	case CODE_FORM_IO:
		cJSON_AddItemToObject(s, "inputs", cJSON_Duplicate(c->inputs, 1));
		cJSON_AddStringToObject(s, "reference", c->reference ? c->reference : "");
		cJSON_AddNumberToObject(s, "atol", c->atol);
		*ntests = (size_t)cJSON_GetArraySize(c->inputs);
		break;
	}
	char *text = cJSON_PrintUnformatted(s);
	cJSON_Delete(s);
	return text;
}

static enum code_verdict runner_verdict(const char *v)
{
	static const struct {
		const char *name;
		enum code_verdict v;
	} names[] = {
		{"pass", CV_PASS},           {"wrong_answer", CV_WRONG_ANSWER},
		{"runtime_error", CV_RUNTIME_ERROR}, {"timeout", CV_TIMEOUT},
		{"memory_limit", CV_MEMORY_LIMIT},   {"skipped", CV_SKIPPED},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(v, names[i].name))
			return names[i].v;
	return CV_RUNTIME_ERROR;
}

static void judge_function(struct judge *j)
{
	const struct code_case *c = j->c;
	size_t n;
	char *spec = func_spec(c, &n);
	if (!n)
		n = 1;
	struct sandbox_run run = {
		.mode = SBX_PY_FUNC,
		.job = j->job,
		.program = sv_from(c->program),
		.spec = sv_from(spec),
		.lim = sbx_limits(&c->lim, (double)n),
	};
	/* The runner computes reference results too: give the run room for both. */
	if (c->form == CODE_FORM_IO)
		run.lim.wall_s *= 2;
	if (run.lim.wall_s > 900)
		run.lim.wall_s = 900;
	struct sandbox_result r;
	sandbox_exec(j->sb, &run, &r);
	retry_infra(j, &run, &r);
	free(spec);
	struct code_limits total = c->lim;
	total.time_s *= (double)n;
	enum code_verdict whole = run_verdict(&r, &total);
	/* The candidate's own exit status means nothing here: only the runner's verdicts. */
	if (whole == CV_RUNTIME_ERROR || whole == CV_PASS || whole == CV_MEMORY_LIMIT)
		whole = CV_PASS;
	if (r.status == SBX_EXITED || r.status == SBX_SIGNALED) {
		if (r.cpu_ms > c->lim.time_s * 1000 * (double)n)
			whole = CV_TIMEOUT;
	}
	const cJSON *tests = cJSON_GetObjectItemCaseSensitive(r.runner, "tests");
	const cJSON *rerr = cJSON_GetObjectItemCaseSensitive(r.runner, "error");
	if (whole == CV_INFRA_ERROR || (!tests && whole == CV_PASS)) {
		const char *why = cJSON_IsString(rerr) ? rerr->valuestring
				  : r.error ? r.error : "the test runner reported nothing";
		for (size_t i = 0; i < n; i++)
			record(j, CV_INFRA_ERROR, r.cpu_ms, r.wall_ms, r.maxrss_kb, why);
	} else if (!tests) {
		for (size_t i = 0; i < n; i++)
			record(j, i ? CV_SKIPPED : whole, r.cpu_ms, r.wall_ms, r.maxrss_kb,
			       r.err.len ? r.err.buf : NULL);
	} else {
		const cJSON *t;
		cJSON_ArrayForEach(t, tests)
		{
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "v");
			const cJSON *ms = cJSON_GetObjectItemCaseSensitive(t, "ms");
			const cJSON *msg = cJSON_GetObjectItemCaseSensitive(t, "msg");
			enum code_verdict tv = cJSON_IsString(v) ? runner_verdict(v->valuestring)
								 : CV_RUNTIME_ERROR;
			/* A run that ended hard (seccomp, output flood, wall clock) explains
			 * every test it did not pass. */
			if (tv != CV_PASS && whole != CV_PASS)
				tv = whole;
			record(j, tv, r.cpu_ms, cJSON_IsNumber(ms) ? ms->valuedouble : 0,
			       r.maxrss_kb, cJSON_IsString(msg) ? msg->valuestring : NULL);
		}
		if (whole != CV_PASS && j->first_fail == CV_PASS) {
			/* Every test passed yet the run ended hard afterwards (an output
			 * flood after the last call): not a pass. */
			record(j, whole, r.cpu_ms, r.wall_ms, r.maxrss_kb, "the run ended abnormally");
		}
	}
	sandbox_result_release(&r);
}

/* ---- Entry ---- */

/* 0, or -1 when a run could not be set up even on a fresh worker (the
 * verdict is then infra_error, and the detail says why). */
static int broken(struct judge *j, struct code_outcome *out)
{
	if (!j->broken)
		return 0;
	out->verdict = CV_INFRA_ERROR;
	char *why = xasprintf("the sandbox cannot set up a run, even on a fresh worker: %s",
			      j->broken);
	cJSON_DeleteItemFromObjectCaseSensitive(out->detail, "error");
	cJSON_AddStringToObject(out->detail, "error", why);
	free(why);
	free(j->broken);
	j->broken = NULL;
	return -1;
}

int code_judge(struct sandbox *sb, const struct code_case *c, struct code_outcome *out)
{
	static atomic_ulong next_job;
	struct judge j = {.c = c, .sb = sb, .first_fail = CV_PASS};
	snprintf(j.job, sizeof(j.job), "j%lu", (unsigned long)atomic_fetch_add(&next_job, 1));
	memset(out, 0, sizeof(*out));
	out->detail = cJSON_CreateObject();
	j.detail = out->detail;
	cJSON_AddStringToObject(out->detail, "kind", c->kind == CODE_FUNCTION ? "function" : "stdio");
	cJSON_AddStringToObject(out->detail, "language", code_lang_name(c->lang));
	cJSON_AddStringToObject(out->detail, "isolation", sandbox_layers(sb));
	if (sandbox_degraded(sb))
		cJSON_AddBoolToObject(out->detail, "isolation_degraded", 1);
	j.tests = cJSON_AddArrayToObject(out->detail, "tests");
	size_t total = c->kind == CODE_STDIO ? c->ntests
		       : c->form == CODE_FORM_ASSERTS ? (size_t)cJSON_GetArraySize(c->asserts)
		       : c->form == CODE_FORM_IO ? (size_t)cJSON_GetArraySize(c->inputs) : 1;
	if (!c->program) {
		out->verdict = CV_NO_CODE;
		out->tests_total = (int)total;
		return 0;
	}
	if (c->kind == CODE_FUNCTION && c->lang != CODE_PYTHON) {
		cJSON_AddStringToObject(out->detail, "error", "function problems are Python only");
		out->verdict = CV_INFRA_ERROR;
		out->tests_total = (int)total;
		return 0;
	}
	if (c->lang != CODE_PYTHON && compile(&j, out->detail)) {
		out->verdict = j.infra ? CV_INFRA_ERROR : CV_COMPILE_ERROR;
		out->tests_total = (int)total;
		sandbox_job_end(sb, j.job);
		return broken(&j, out);
	}
	if (c->kind == CODE_STDIO)
		judge_stdio(&j);
	else
		judge_function(&j);
	sandbox_job_end(sb, j.job);
	out->tests_passed = j.passed;
	out->tests_total = j.total;
	if (j.infra)
		out->verdict = CV_INFRA_ERROR;
	else if (j.violation)
		out->verdict = CV_SANDBOX_VIOLATION;
	else if (j.total == 0)
		out->verdict = CV_WRONG_ANSWER; /* nothing was tested: never a pass */
	else
		out->verdict = j.first_fail;
	if (j.total == 0)
		cJSON_AddStringToObject(out->detail, "error", "the problem has no tests");
	return broken(&j, out);
}
