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

/* ---- The page in a viewport of a given width ---- */

/* What a harness page saw of the report in its iframe (see view_at). */
struct view {
	char *text;   /* the harness's #out: "ready=.. errors=.. width=.. scroll=.. gold=[..] drill=.." */
	int ready, errors, width, scroll;
	char gold[256];
};

static void view_release(struct view *v)
{
	free(v->text);
}

/* "#d<run>-<task>-<problem>" of the first (run, problem) of task 0 that kept a failing sample. */
static char *first_failing_cell(const char *page)
{
	const char *dd = strstr(page, "id=\"dd0\">");
	cr_assert_not_null(dd, "no drill-down data for the first task");
	const char *end = strstr(dd, "</script>");
	for (const char *p = dd; p && p < end; p = strstr(p + 1, ",\""))
		if (p[2] >= '0' && p[2] <= '9') {
			long ri, q;
			if (sscanf(p + 2, "%ld-%ld\"", &ri, &q) == 2)
				return xasprintf("#d%ld-0-%ld", ri, q);
		}
	cr_assert_fail("the first task kept no failing sample");
	return NULL;
}

/*
 * Open html at its first failing cell inside a width-px iframe of a harness
 * page (Chromium's own window has a minimum width), and read back what the
 * report's script recorded: the self-check, the document's width and scroll
 * width, and the drill-down it opened.  Asserts Chromium logged nothing.
 */
static struct view view_at(const char *dir, const char *html, int width, const char *tag)
{
	char *page = regrade_slurp(html);
	char *hash = first_failing_cell(page);
	free(page);
	char *harness = xasprintf("%s/harness-%s-%d.html", dir, tag, width);
	char *doc = xasprintf(
		"<!DOCTYPE html><html><body style=\"margin:0\"><iframe id=\"f\" src=\"file://%s%s\" "
		"style=\"width:%dpx;height:1600px;border:0\"></iframe><pre id=\"out\"></pre><script>"
		"var f=document.getElementById('f');function look(){var d=f.contentDocument,"
		"s=d&&d.getElementById('selfcheck');if(!s||s.getAttribute('data-ready')!=='1')"
		"return setTimeout(look,50);var de=d.documentElement,"
		"dr=d.querySelector('.drill[data-open]'),g=dr&&dr.querySelector('code.gold');"
		"document.getElementById('out').textContent='ready=1 errors='+"
		"s.getAttribute('data-errors')+' width='+de.clientWidth+' scroll='+de.scrollWidth+"
		"' gold=['+(g?g.textContent:'')+'] drill='+(dr?dr.textContent:'none');}"
		"f.addEventListener('load',look);</script></body></html>\n",
		html, hash, width);
	cr_assert_eq(support_write(harness, doc), 0);
	char *dom_path = xasprintf("%s/%s-%d.dom", dir, tag, width);
	char *log = xasprintf("%s/%s-%d.log", dir, tag, width);
	char *flags = xasprintf("--allow-file-access-from-files --window-size=%d,1200 --dump-dom",
				width + 100);
	chromium(dir, harness, flags, dom_path, log);
	struct strbuf seen = STRBUF_INIT;
	cr_assert_eq(console_lines(log, &seen), 0, "%s at %d px: console messages:\n%s", tag,
		     width, seen.buf);
	strbuf_release(&seen);
	char *dom = regrade_slurp(dom_path);
	const char *out = strstr(dom, "ready=");
	cr_assert_not_null(out, "%s at %d px: the harness saw no rendered report", tag, width);
	struct view v = {xstrndup(out, strcspn(out, "<")), 0, -1, 0, 0, ""};
	cr_assert_eq(sscanf(v.text, "ready=%d errors=%d width=%d scroll=%d gold=[%255[^]]]",
			    &v.ready, &v.errors, &v.width, &v.scroll, v.gold),
		     5, "%s at %d px: %s", tag, width, v.text);
	cr_assert_eq(v.errors, 0, "%s at %d px: script errors or blocked requests", tag, width);
	cr_assert_leq(v.scroll, v.width, "%s at %d px: the page scrolls sideways (%d > %d)", tag,
		      width, v.scroll, v.width);
	cr_assert_gt(strlen(v.gold), 0, "%s at %d px: the drill-down shows no gold answer: %s",
		     tag, width, v.text);
	fprintf(stderr, "report %s at %d px: %s, %d px wide, %d px of content\n", tag, width, hash,
		v.width, v.scroll);
	free(dom);
	free(flags);
	free(log);
	free(dom_path);
	free(doc);
	free(harness);
	free(hash);
	return v;
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
	long rank[3];
	for (int i = 0; i < 3; i++) {
		char *key = xasprintf("data-run=\"%s\" data-rank=\"", settings[i]);
		const char *at = strstr(dom, key);
		cr_assert_not_null(at, "no heading %s", key);
		rank[i] = strtol(at + strlen(key), NULL, 10);
		free(key);
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (mean[i] > mean[j])
				cr_assert_lt(rank[i], rank[j], "%s should rank above %s", settings[i],
					     settings[j]);
	/* 16 tasks, 3 runs: a row per task. */
	cr_assert(strstr(dom, "(a row per task, a column per run)"));
	cr_assert(strstr(dom, "Changes against deepseek-r1"));
	/* A failing cell's drill-down opens with the gold answer and the sample's text. */
	struct view v = view_at(dir, html, 1400, "lb");
	cr_assert(strstr(v.text, "final answer:"), "%s", v.text);
	view_release(&v);

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
	cr_assert(strstr(page, "\\u003c/script\\u003e\\u003cscript\\u003ewindow.__pwned=1"),
		  "the hostile text is not in the drill-down data, escaped");
	cr_assert_null(strstr(page, "<img src=x"));
	cr_assert_null(strstr(page, "__pwned=1</script>"));
	cr_assert_null(strstr(page, "<style>body{display:none}"));
	/* The prompt of the task is in the drill-down. */
	cr_assert(strstr(page, "Q: 0+0"), "no prompt in the drill-down");
	/* Opened in Chromium, the drill-down shows the text as text. */
	char *hash = first_failing_cell(page);
	char *opened = xasprintf("%s%s", html, hash);
	char *dom_path = path_join(dir, "dom.html"), *log = path_join(dir, "chromium.log");
	chromium(dir, opened, "--dump-dom", dom_path, log);
	char *dom = regrade_slurp(dom_path);
	assert_selfcheck(dom);
	cr_assert(strstr(dom, "&lt;/script&gt;&lt;script&gt;window.__pwned=1"),
		  "the opened drill-down does not show the hostile text escaped");
	cr_assert_null(strstr(dom, "<img"), "an <img> element was created");
	free(opened);
	free(hash);
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

/* ---- Scale: 1 x 27, 3 x 16 and 20 x 3 (runs x tasks) ---- */

static void check_scale(const char *dir, char *const *runs, size_t nruns, const char *tag,
			long max_bytes)
{
	char *html = xasprintf("%s/%s.html", dir, tag);
	const char **args = xcalloc(nruns + 4, sizeof(char *));
	args[0] = "report";
	for (size_t i = 0; i < nruns; i++)
		args[i + 1] = runs[i];
	args[nruns + 1] = "--html";
	args[nruns + 2] = html;
	struct proc_result r = report(args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	struct stat st;
	cr_assert_eq(stat(html, &st), 0);
	fprintf(stderr, "report %s: %ld bytes\n", tag, (long)st.st_size);
	if (max_bytes > 0)
		cr_assert_lt(st.st_size, max_bytes, "%s: the page is %ld bytes", tag,
			     (long)st.st_size);
	for (int w = 0; w < 2; w++) {
		struct view v = view_at(dir, html, w ? 400 : 1400, tag);
		view_release(&v);
	}
	free(args);
	free(html);
}

static char *slurp_in(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	char *text = regrade_slurp(path);
	free(path);
	return text;
}

Test(report, scales_from_one_run_of_27_tasks_to_20_runs_of_3, .timeout = 900)
{
	char *dir = support_tmpdir("report-scale");
	/* 1 x 27: the BBH recording, every subtask. */
	char *replay = support_path("datasets/recordings/bbh-codex-suzgun2022/cot.samples.jsonl");
	char *engine = xasprintf("replay:%s", replay);
	char *data = support_path("datasets");
	char *bbh = path_join(dir, "bbh");
	const char *run[] = {"run", "--task", "bbh", "--engine", engine, "--data-dir", data,
			     "--out", bbh, "--no-progress", NULL};
	struct proc_result r;
	support_reval(&r, run);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	check_scale(dir, &bbh, 1, "1x27", 2L << 20);
	char *page = slurp_in(dir, "1x27.html");
	cr_assert(strstr(page, "(a row per task, a column per run)"),
		  "27 tasks, 1 run: a row per task");
	cr_assert_null(strstr(page, "<title>pass@k</title>"), "a pass@k curve with n = 1");
	free(page);

	/* 3 x 16: three models on the reasoning-gym tasks. */
	char *three[3];
	for (int i = 0; i < 3; i++)
		three[i] = regrade(dir, settings[i], settings[i], NULL, NULL);
	check_scale(dir, three, 3, "3x16", 0);

	/* 20 x 3: twenty runs of three tasks. */
	char *tasks = regrade_tasks();
	char *comma = tasks;
	for (int k = 0; k < 3 && comma; k++)
		comma = strchr(comma + 1, ',');
	cr_assert_not_null(comma);
	*comma = '\0';
	const char *extra[] = {"--task", tasks, NULL};
	char *twenty[20];
	for (int i = 0; i < 20; i++) {
		char name[16];
		snprintf(name, sizeof(name), "m%02d", i);
		twenty[i] = regrade(dir, name, settings[i % 3], NULL, extra);
	}
	check_scale(dir, twenty, 20, "20x3", 0);
	page = slurp_in(dir, "20x3.html");
	cr_assert_null(strstr(page, "(a row per task, a column per run)"),
		       "3 tasks, 20 runs: a row per run");
	free(page);
	for (int i = 0; i < 20; i++)
		free(twenty[i]);
	for (int i = 0; i < 3; i++)
		free(three[i]);
	free(tasks);
	free(bbh);
	free(data);
	free(engine);
	free(replay);
	free(dir);
}

/*
 * Names the user or the machine chooses -- the run directory, the model, the engine's path --
 * can be one long word.  However long, none may make the page scroll sideways on a phone: two
 * runs whose every such name is a 150-character word, compared side by side, at 400 px.
 */
Test(report, long_unbroken_names_never_widen_the_page, .timeout = 300)
{
	char *dir = support_tmpdir("report-long");
	char word[151];
	memset(word, 'W', 150);
	word[150] = '\0';
	char *deep = path_join(dir, word);
	cr_assert_eq(mkdir(deep, 0755), 0);
	char *runs[2];
	for (int i = 0; i < 2; i++) {
		char *replay = regrade_replay(settings[i]);
		char *link = xasprintf("%s/%s%d.jsonl", deep, word, i);
		cr_assert_eq(symlink(replay, link), 0);
		char *model = xasprintf("%s/%s-%d", word, word, i);
		char *name = xasprintf("M%d%s", i, word);
		const char *extra[] = {"--model", model, NULL};
		runs[i] = regrade(dir, name, settings[i], link, extra);
		free(name);
		free(model);
		free(link);
		free(replay);
	}
	char *html = path_join(dir, "long.html");
	const char *args[] = {"report", runs[0], runs[1], "--html", html, NULL};
	struct proc_result r = report(args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	char *page = regrade_slurp(html);
	cr_assert(strstr(page, "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"),
		  "the page shows none of the long names, so it tests nothing");
	free(page);
	for (int w = 0; w < 2; w++) {
		struct view v = view_at(dir, html, w ? 400 : 1400, "long");
		view_release(&v);
	}
	free(html);
	for (int i = 0; i < 2; i++)
		free(runs[i]);
	free(deep);
	free(dir);
}

/* Breakdowns by metadata and the generation figures are shown, in HTML and in Markdown. */
Test(report, breakdowns_and_generation_are_shown, .timeout = 120)
{
	char *dir = support_tmpdir("report-breakdown");
	char *run = toy_run(dir);
	char *html = path_join(dir, "r.html"), *md = path_join(dir, "r.md");
	const char *args[] = {"report", run, "--html", html, "--md", md, NULL};
	struct proc_result r = report(args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	char *page = regrade_slurp(html), *text = regrade_slurp(md);
	cr_expect(strstr(page, "<h3>By level</h3>"), "no breakdown by level in the HTML");
	cr_expect(strstr(page, "<h3>Generation, latency and cost</h3>"));
	cr_expect(strstr(page, "<title>pass@k</title>"), "n = 4: the pass@k curve is drawn");
	cr_expect(strstr(text, "#### toy by level (avg@4)"), "%s", text);
	cr_expect(strstr(text, "#### Generation, latency and cost"), "%s", text);
	cr_expect(strstr(text, "two-sided"), "the Markdown does not say which p it uses");
	free(page);
	free(text);
	free(md);
	free(html);
	free(run);
	free(dir);
}
