/*
 * cmd_check_code: `reval check code --in FILE.jsonl [--workers N]`.
 *
 * Each input line is one case (see code_case_from_check_line in
 * graders/code/code.h).  Every line is read and validated before anything runs;
 * a malformed line stops the command with RV_EINPUT.  The cases are judged
 * across a pool of sandbox workers and printed on stdout in input order, one
 * JSON object per line: {"id", "verdict", "tests_passed", "tests_total",
 * "detail"}.  A summary (counts per verdict, isolation layers) goes to
 * stderr.  When the sandbox cannot set a run up even on a fresh worker, the
 * command stops: what was judged is printed, the rest (and the
 * infrastructure errors) are not, and it exits 1 saying why.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/cmd.h"
#include "harness/base/json.h"
#include "graders/code/code.h"
#include "graders/code/sandbox/pool.h"
#include "harness/base/util.h"

#define CHECK_CODE_MAX_FILE (1u << 30) /* bytes of cases accepted */
#define LINE_CAP (64u << 20)            /* one case, tests included */

struct check_job {
	struct code_case *cases;
	struct code_outcome *outs;
	char *judged; /* per case: its outcome is in */
	size_t n;
	atomic_size_t next;
	atomic_size_t stopped_at; /* the case a run could not be set up for, even on a fresh
				   * worker; n while none */
	struct sandbox_pool *pool;
};

static void *check_worker(void *arg)
{
	struct check_job *j = arg;
	for (;;) {
		if (atomic_load(&j->stopped_at) < j->n)
			return NULL;
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->n)
			return NULL;
		struct sandbox *sb = sandbox_pool_acquire(j->pool);
		int rc = code_judge(sb, &j->cases[i], &j->outs[i]);
		sandbox_pool_release(j->pool, sb);
		j->judged[i] = 1;
		size_t none = j->n;
		if (rc)
			atomic_compare_exchange_strong(&j->stopped_at, &none, i);
	}
}

static enum reval_err read_cases(const char *path, struct code_case **cases, size_t *n)
{
	char *text = NULL, unread[128];
	size_t len = 0, cap = 0;
	if (read_text_file(path, CHECK_CODE_MAX_FILE, &text, &len, unread, sizeof(unread))) {
		diag("cannot read '%s': %s", path, unread);
		return RV_EINPUT;
	}
	enum reval_err err = RV_OK;
	struct lines it;
	struct strview line;
	lines_init(&it, text, len);
	while (lines_next(&it, &line)) {
		size_t lineno = it.no;
		struct strview v = sv_trim(line);
		if (!v.len)
			continue;
		if (v.len > LINE_CAP) {
			diag("cannot read '%s' line %zu: longer than %u bytes", path, lineno, LINE_CAP);
			err = RV_EINPUT;
			break;
		}
		cJSON *j = json_parse_len(v.ptr, v.len);
		struct strbuf why = STRBUF_INIT;
		if (!j || !cJSON_IsObject(j)) {
			diag("cannot read '%s' line %zu: not a JSON object", path, lineno);
			err = RV_EINPUT;
		} else {
			GROW(*cases, cap, *n + 1);
			if (code_case_from_check_line(j, &(*cases)[*n], &why)) {
				diag("cannot read '%s' line %zu: %s", path, lineno, why.buf);
				code_case_release(&(*cases)[*n]);
				err = RV_EINPUT;
			} else {
				(*n)++;
			}
		}
		cJSON_Delete(j);
		strbuf_release(&why);
		if (err)
			break;
	}
	free(text);
	return err;
}

static enum reval_err print_outcome(const struct code_case *c, struct code_outcome *o)
{
	cJSON *line = cJSON_CreateObject();
	cJSON_AddStringToObject(line, "id", c->id);
	cJSON_AddStringToObject(line, "verdict", code_verdict_name(o->verdict));
	cJSON_AddNumberToObject(line, "tests_passed", o->tests_passed);
	cJSON_AddNumberToObject(line, "tests_total", o->tests_total);
	cJSON_AddItemToObject(line, "detail", o->detail);
	o->detail = NULL;
	char *s = cJSON_PrintUnformatted(line);
	cJSON_Delete(line);
	int bad = printf("%s\n", s) < 0;
	free(s);
	return bad ? RV_EIO : RV_OK;
}

enum reval_err cmd_check_code(int argc, char **argv)
{
	const char *in = NULL;
	long workers = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--options")) {
			/* The code grader's task options, as docs/formats.md lists them. */
			struct strbuf sb = STRBUF_INIT;
			code_options_markdown(&sb);
			int bad = fputs(sb.buf, stdout) < 0 || fflush(stdout);
			strbuf_release(&sb);
			return bad ? RV_EIO : RV_OK;
		}
		if (!strcmp(argv[i], "--in") && i + 1 < argc) {
			in = argv[++i];
		} else if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
			if (parse_long(argv[++i], &workers) || workers < 1 || workers > 256) {
				diag("--workers wants a number from 1 to 256, not '%s'", argv[i]);
				return RV_EUSAGE;
			}
		} else {
			diag("usage: reval check code --in FILE.jsonl [--workers N]");
			return RV_EUSAGE;
		}
	}
	if (!in) {
		diag("usage: reval check code --in FILE.jsonl [--workers N]");
		return RV_EUSAGE;
	}
	struct code_case *cases = NULL;
	size_t n = 0;
	enum reval_err err = read_cases(in, &cases, &n);
	struct code_outcome *outs = NULL;
	char *judged = NULL;
	struct sandbox_pool *pool = NULL;
	if (err)
		goto out;
	struct strbuf why = STRBUF_INIT;
	pool = sandbox_pool_new((int)workers, &why);
	if (!pool) {
		diag("cannot start the code sandbox: %s", why.buf);
		strbuf_release(&why);
		err = RV_EINFRA;
		goto out;
	}
	strbuf_release(&why);
	outs = xcalloc(n ? n : 1, sizeof(*outs));
	judged = xcalloc(n ? n : 1, 1);
	struct check_job job = {.cases = cases, .outs = outs, .judged = judged, .n = n, .pool = pool};
	atomic_init(&job.next, 0);
	atomic_init(&job.stopped_at, n);
	size_t nt = (size_t)sandbox_pool_size(pool);
	pthread_t *th = xcalloc(nt, sizeof(*th));
	size_t started = 0;
	for (size_t i = 1; i < nt && i < n; i++)
		if (!pthread_create(&th[started], NULL, check_worker, &job))
			started++;
	check_worker(&job);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	size_t stopped_at = atomic_load(&job.stopped_at), counts[CV_INFRA_ERROR + 1] = {0};
	size_t left = 0;
	char *stop_why = NULL;
	if (stopped_at < n) {
		const char *e = json_str(outs[stopped_at].detail, "error");
		stop_why = xstrdup(e ? e : "no reason given");
	}
	/* Only what a working sandbox judged: once it could not even set a
	 * run up, an infrastructure error is no case's verdict. */
	for (size_t i = 0; i < n && !err; i++) {
		if (!judged[i] || (stopped_at < n && outs[i].verdict == CV_INFRA_ERROR)) {
			left++;
			continue;
		}
		counts[outs[i].verdict]++;
		err = print_outcome(&cases[i], &outs[i]);
	}
	if (!err && fflush(stdout)) {
		diag("cannot write the results: %s", strerror(errno));
		err = RV_EIO;
	}
	struct strbuf sum = STRBUF_INIT;
	for (int v = 0; v <= CV_INFRA_ERROR; v++)
		if (counts[v])
			strbuf_addf(&sum, ", %zu %s", counts[v], code_verdict_name((enum code_verdict)v));
	diag("check code: %zu cases%s; isolation: %s%s", n, sum.buf, sandbox_pool_layers(pool),
	     sandbox_pool_degraded(pool) ? " (DEGRADED)" : "");
	strbuf_release(&sum);
	if (stop_why) {
		diag("check code: stopped at case '%s': %s; %zu of %zu cases not judged",
		     cases[stopped_at].id, stop_why, left, n);
		free(stop_why);
		if (!err)
			err = RV_EINFRA;
	}
out:
	for (size_t i = 0; i < n; i++) {
		code_case_release(&cases[i]);
		if (outs)
			code_outcome_release(&outs[i]);
	}
	free(cases);
	free(outs);
	free(judged);
	sandbox_pool_free(pool);
	return err;
}
