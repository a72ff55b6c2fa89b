/*
 * reval report on real regrades of the bundled reasoning-gym recordings
 * (three models on the same 16 tasks), and on a toy run whose model output
 * tries to inject markup.  The HTML is opened in headless Chromium (Debian's
 * chromium package; `make deps` installs it): the rendered DOM must carry the
 * leaderboard numbers of each results.json, the page must record that it
 * rendered with no script error and no blocked request, and Chromium's log
 * must hold no console message.  A control page that does try to load an
 * image proves the log check can see a violation.  The screenshot is saved
 * under build/test-output/.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness/base/json.h"
#include "tests/support/regrade.h"
#include "tests/support/support.h"

static const char *const settings[] = {"deepseek-r1", "o3-mini", "qwq-32b"};

static struct proc_result report(const char *const *args)
{
	struct proc_result r;
	support_reval(&r, args);
	return r;
}

/* ---- Chromium ---- */

static int have_chromium(void)
{
	return system("command -v chromium >/dev/null 2>&1") == 0;
}

/*
 * Run headless Chromium on a file with flags (--dump-dom, --screenshot=...),
 * stdout to out (may be NULL), its log to log.  Asserts it ran.
 */
static void chromium(const char *dir, const char *html, const char *flags, const char *out,
		     const char *log)
{
	cr_assert(have_chromium(),
		  "chromium is not installed: run 'make deps' (Debian package chromium) to run "
		  "the HTML report test");
	char *profile = path_join(dir, "chromium-profile");
	char *cmd = xasprintf(
		"timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic "
		"--no-first-run --disable-background-networking --disable-component-update "
		"--disable-sync --disable-default-apps --user-data-dir='%s' --enable-logging=stderr "
		"--v=0 --virtual-time-budget=5000 %s 'file://%s' >'%s' 2>'%s'",
		profile, flags, html, out ? out : "/dev/null", log);
	int st = system(cmd);
	cr_assert_eq(st, 0, "chromium failed (%d): %s", st, cmd);
	free(cmd);
	free(profile);
}

/* Lines of Chromium's log that report something a page printed or had blocked. */
static int console_lines(const char *log, struct strbuf *seen)
{
	char *text = regrade_slurp(log);
	int n = 0;
	for (char *cur = text, *line; (line = regrade_next_line(&cur));)
		if (strstr(line, ":CONSOLE") || strstr(line, "Content Security Policy")) {
			strbuf_addf(seen, "%s\n", line);
			n++;
		}
	free(text);
	return n;
}

static void assert_selfcheck(const char *dom)
{
	const char *sc = strstr(dom, "id=\"selfcheck\"");
	cr_assert_not_null(sc, "no #selfcheck in the rendered page");
	const char *end = strchr(sc, '>');
	char *tag = xstrndup(sc, (size_t)(end - sc));
	cr_assert(strstr(tag, "data-ready=\"1\""), "the page's script did not finish: %s", tag);
	cr_assert(strstr(tag, "data-errors=\"0\""), "the page saw errors or blocked requests: %s",
		  tag);
	free(tag);
}

/* The displayed text and data-v of a leaderboard cell in the rendered DOM. */
static int find_cell(const char *dom, const char *run, const char *task, double *v,
		     char text[32])
{
	char *key = xasprintf("data-run=\"%s\" data-task=\"%s\" data-metric=\"avg@1\" data-v=\"",
			      run, task);
	const char *p = strstr(dom, key);
	size_t klen = strlen(key);
	free(key);
	if (!p)
		return -1;
	*v = strtod(p + klen, NULL);
	const char *gt = strchr(p, '>');
	size_t n = strcspn(gt + 1, "<");
	snprintf(text, 32, "%.*s", (int)(n < 31 ? n : 31), gt + 1);
	return 0;
}

Test(report, html_leaderboard_in_chromium_matches_results, .timeout = 600)
{
	char *dir = support_tmpdir("report-html");
	char *runs[3];
	for (int i = 0; i < 3; i++)
		runs[i] = regrade(dir, settings[i], settings[i], NULL, NULL);
	char *html = path_join(dir, "report.html");
	const char *args[] = {"report", runs[0], runs[1], runs[2], "--html", html, NULL};
	struct proc_result r = report(args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);

	/* Nothing in the file can reach the network. */
	char *page = regrade_slurp(html);
	cr_assert(strstr(page, "default-src 'none'"), "no Content-Security-Policy");
	cr_assert_null(strstr(page, "src=\""), "the page references an external resource");
	cr_assert_null(strstr(page, "<link"), "the page links an external resource");
	cr_assert_null(strstr(page, "url("), "the stylesheet loads something");

	char *dom_path = path_join(dir, "dom.html"), *log = path_join(dir, "chromium.log");
	chromium(dir, html, "--dump-dom", dom_path, log);
	struct strbuf seen = STRBUF_INIT;
	cr_assert_eq(console_lines(log, &seen), 0, "console messages:\n%s", seen.buf);
	char *dom = regrade_slurp(dom_path);
	assert_selfcheck(dom);

	/* Every cell against results.json, and the order of the rows by mean score. */
	double mean[3];
	for (int i = 0; i < 3; i++) {
		char *rp = path_join(runs[i], "results.json");
		cJSON *res = support_json_file(rp);
		const cJSON *t;
		int cells = 0;
		mean[i] = 0;
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(res, "tasks"))
		{
			double want = support_metric(res, t->string, "avg@1"), v;
			char text[32], expect[32];
			cr_assert_eq(find_cell(dom, settings[i], t->string, &v, text), 0,
				     "no leaderboard cell for %s %s", settings[i], t->string);
			cr_assert_float_eq(v, want, 1e-9, "%s %s", settings[i], t->string);
			snprintf(expect, sizeof(expect), "%.1f", 100 * want);
			cr_assert_str_eq(text, expect, "%s %s", settings[i], t->string);
			mean[i] += want / 16;
			cells++;
		}
		cr_assert_eq(cells, 16);
		cJSON_Delete(res);
		free(rp);
	}
	const char *first = strstr(dom, "<tbody>");
	const char *pos[3];
	for (int i = 0; i < 3; i++) {
		char *row = xasprintf("<tr data-run=\"%s\">", settings[i]);
		pos[i] = strstr(first, row);
		cr_assert_not_null(pos[i], "no row %s", row);
		free(row);
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (mean[i] > mean[j])
				cr_assert_lt(pos[i], pos[j], "%s should rank above %s", settings[i],
					     settings[j]);
	/* The drill-down of failures and the changes between runs are in the page. */
	cr_assert(strstr(dom, "class=\"drill\""));
	cr_assert(strstr(dom, "Changes against deepseek-r1"));
	cr_assert(strstr(dom, "final answer:"));

	/* The screenshot, kept with the test output. */
	const char *build = getenv("REVAL_BUILD");
	char *outdir = path_join(build && *build ? build : "build", "test-output");
	cr_assert_eq(mkdir_p(outdir), 0);
	char *shot = path_join(outdir, "report-leaderboard.png");
	char *flags = xasprintf("--hide-scrollbars --window-size=1400,1800 --screenshot='%s'", shot);
	char *log2 = path_join(dir, "chromium-shot.log");
	remove(shot);
	chromium(dir, html, flags, NULL, log2);
	struct stat st;
	cr_assert(stat(shot, &st) == 0 && st.st_size > 10000, "no screenshot at %s", shot);
	fprintf(stderr, "report test: screenshot of the HTML report saved to %s\n", shot);

	free(log2);
	free(flags);
	free(shot);
	free(outdir);
	free(dom);
	strbuf_release(&seen);
	free(dom_path);
	free(log);
	free(page);
	proc_result_release(&r);
	free(html);
	for (int i = 0; i < 3; i++)
		free(runs[i]);
	free(dir);
}

Test(report, chromium_log_check_sees_a_blocked_request, .timeout = 300)
{
	char *dir = support_tmpdir("report-control");
	char *html = path_join(dir, "control.html");
	cr_assert_eq(support_write(html, "<!DOCTYPE html><html><head><meta "
					 "http-equiv=\"Content-Security-Policy\" content=\"default-src "
					 "'none'\"></head><body><img "
					 "src=\"http://127.0.0.1:9/x.png\"></body></html>\n"),
		     0);
	char *log = path_join(dir, "chromium.log");
	chromium(dir, html, "--dump-dom", NULL, log);
	struct strbuf seen = STRBUF_INIT;
	cr_assert_gt(console_lines(log, &seen), 0,
		     "a blocked image left no trace in the log: the check would be blind");
	strbuf_release(&seen);
	free(log);
	free(html);
	free(dir);
}

/* ---- Hostile model output ---- */

static const char hostile[] =
	"</script><script>window.__pwned=1</script><img src=x onerror=\\\"alert(1)\\\">"
	"</pre></details><style>body{display:none}</style>";

static char *toy_run(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 12; i++)
		for (int s = 0; s < 4; s++)
			strbuf_addf(&sb,
				    "{\"task\":\"toy\",\"problem\":\"p%02d\",\"sample\":%d,"
				    "\"content\":\"%s\",\"reasoning\":\"%s\",\"finish_reason\":"
				    "\"stop\"}\n",
				    i, s, s == 0 ? hostile : "x", s == 0 ? hostile : "");
	char *replay = path_join(dir, "hostile.jsonl");
	cr_assert_eq(support_write(replay, sb.buf), 0);
	strbuf_release(&sb);
	char *data = support_path("tests/data/toy");
	char *engine = xasprintf("replay:%s", replay);
	char *out = path_join(dir, "toy");
	const char *args[] = {"run", "--task", "toy", "--data-dir", data, "--engine", engine,
			      "--out", out, NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	free(replay);
	free(data);
	free(engine);
	return out;
}

Test(report, model_output_cannot_inject_markup, .timeout = 300)
{
	char *dir = support_tmpdir("report-hostile");
	char *run = toy_run(dir);
	char *html = path_join(dir, "r.html");
	const char *args[] = {"report", run, "--html", html, NULL};
	struct proc_result r = report(args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	char *page = regrade_slurp(html);
	cr_assert(strstr(page, "&lt;/script&gt;&lt;script&gt;window.__pwned=1"),
		  "the hostile text is not shown escaped");
	cr_assert_null(strstr(page, "<img src=x"));
	cr_assert_null(strstr(page, "__pwned=1</script>"));
	cr_assert_null(strstr(page, "<style>body{display:none}"));
	/* The prompt of the task is in the drill-down. */
	cr_assert(strstr(page, "Q: 0+0"), "no prompt in the drill-down");
	char *dom_path = path_join(dir, "dom.html"), *log = path_join(dir, "chromium.log");
	chromium(dir, html, "--dump-dom", dom_path, log);
	char *dom = regrade_slurp(dom_path);
	assert_selfcheck(dom);
	cr_assert_null(strstr(dom, "<img"), "an <img> element was created");
	struct strbuf seen = STRBUF_INIT;
	cr_assert_eq(console_lines(log, &seen), 0, "console messages:\n%s", seen.buf);
	strbuf_release(&seen);
	free(dom);
	free(dom_path);
	free(log);
	free(page);
	proc_result_release(&r);
	free(html);
	free(run);
	free(dir);
}

/* ---- CSV and Markdown ---- */

Test(report, csv_rows_match_results_json)
{
	char *dir = support_tmpdir("report-csv");
	char *runs[2];
	for (int i = 0; i < 2; i++)
		runs[i] = regrade(dir, settings[i], settings[i], NULL, NULL);
	char *csv = path_join(dir, "s.csv"), *pcsv = path_join(dir, "p.csv");
	char *md = path_join(dir, "s.md");
	const char *args[] = {"report",	      runs[0], runs[1], "--csv", csv, "--problems-csv",
			      pcsv,	      "--md",  md,	NULL};
	struct proc_result r = report(args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert_eq(r.out.len, 0, "stdout is only for what was asked: %s", r.out.buf);
	char *text = regrade_slurp(csv);
	int rows = 0;
	char *cur = text, *line = regrade_next_line(&cur);
	cr_assert_str_eq(line, "run,model,task,metric,value,ci_low,ci_high,problems,samples,"
			       "samples_per_problem,significantly_below_best");
	cJSON *res[2];
	for (int i = 0; i < 2; i++) {
		char *p = path_join(runs[i], "results.json");
		res[i] = support_json_file(p);
		free(p);
	}
	while ((line = regrade_next_line(&cur))) {
		char run[64], model[64], task[64], metric[32];
		double v, lo, hi;
		int n = sscanf(line, "%63[^,],%63[^,],%63[^,],%31[^,],%lf,%lf,%lf", run, model, task,
			       metric, &v, &lo, &hi);
		cr_assert_eq(n, 7, "row: %s", line);
		int i = !strcmp(run, settings[1]);
		cr_assert_float_eq(v, support_metric(res[i], task, metric), 1e-9, "%s", line);
		cr_assert(lo <= v + 1e-12 && v <= hi + 1e-12, "interval: %s", line);
		rows++;
	}
	cr_assert_eq(rows, 2 * 16 * 2, "one row per run, task and metric (avg@1, pass@1)");
	cr_assert_eq(support_count_lines(pcsv), 1 + 2 * 16 * 50);
	char *mdt = regrade_slurp(md);
	/* o3-mini leads; R1's 24% on leg_counting is significantly below its 82%. */
	const char *row = strstr(mdt, "| rg/leg_counting (avg@1) | **82.0**");
	cr_assert_not_null(row, "%s", mdt);
	char *line_md = xstrndup(row, strcspn(row, "\n"));
	cr_assert(strstr(line_md, "| 24.0 ±") && strstr(line_md, "▼"), "%s", line_md);
	free(line_md);
	for (int i = 0; i < 2; i++) {
		cJSON_Delete(res[i]);
		free(runs[i]);
	}
	free(mdt);
	free(text);
	free(csv);
	free(pcsv);
	free(md);
	proc_result_release(&r);
	free(dir);
}

Test(report, bad_input_exits_2)
{
	const char *none[] = {"report", NULL};
	struct proc_result r = report(none);
	cr_assert_eq(r.status, 2);
	proc_result_release(&r);
	const char *missing[] = {"report", "/nonexistent/run", NULL};
	r = report(missing);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err.buf, "/nonexistent/run"), "%s", r.err.buf);
	proc_result_release(&r);
}

/*
 * Where the reports go: '-' is stdout, a missing directory is created, and
 * a symlink to a character device (made here, with /dev/null's numbers)
 * is written through and left a symlink.
 */
Test(report, outputs_go_to_stdout_new_directories_and_through_links)
{
	char *dir = support_tmpdir("report-outputs");
	const char *const extra[] = {"--task", "rg/leg_counting", NULL};
	char *run = regrade(dir, "r1", settings[0], NULL, extra);
	char *html = xasprintf("%s/out/sub/r.html", dir);
	const char *args[] = {"report", run, "--csv", "-", "--html", html, NULL};
	struct proc_result r = report(args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_expect(!strncmp(r.out.buf, "run,model,task,metric", 21), "stdout: %s", r.out.buf);
	struct stat st;
	cr_expect_eq(stat(html, &st), 0, "%s was not written", html);
	proc_result_release(&r);

	char *node = xasprintf("%s/null", dir), *link = xasprintf("%s/stdout", dir);
	if (mknod(node, S_IFCHR | 0666, makedev(1, 3)) == 0) {
		cr_assert_eq(symlink(node, link), 0);
		const char *via[] = {"report", run, "--md", link, "--csv", link, NULL};
		r = report(via);
		cr_expect_eq(r.status, 0, "%s", r.err.buf);
		cr_assert_eq(lstat(link, &st), 0);
		cr_expect(S_ISLNK(st.st_mode), "the symlink was replaced by a file");
		cr_assert_eq(lstat(node, &st), 0);
		cr_expect(S_ISCHR(st.st_mode), "the device node was replaced by a file");
		proc_result_release(&r);
	}
	free(node);
	free(link);
	free(html);
	free(run);
	free(dir);
}
