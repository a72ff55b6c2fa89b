/*
 * docs/custom-tasks.md, run as written.  Its fenced blocks are taken in
 * order, in an empty directory: a block whose info string is "LANG PATH"
 * is a file, written to PATH; a "console" block holds commands ("$ " lines),
 * each run by sh with this build's reval first on PATH and the fake OpenAI
 * server in OPENAI_BASE_URL, and must exit 0 and print exactly the lines
 * that follow it (when any do).  The grader options section must be what
 * 'reval tasks --grader-options' prints.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/fake.h"
#include "tests/support/support.h"

struct walk {
	char *dir;   /* where the examples run */
	int files;   /* file blocks written */
	int commands; /* commands run */
	int compared; /* commands whose output was compared */
};

static char *read_doc(void)
{
	char *path = support_path("docs/custom-tasks.md"), *doc;
	size_t len;
	cr_assert_eq(read_file(path, 1 << 20, &doc, &len), 0, "cannot read %s", path);
	free(path);
	return doc;
}

static void write_block(struct walk *w, const char *path, const struct strbuf *body)
{
	cr_assert(path[0] != '/' && !strstr(path, ".."), "a file block outside the directory: %s",
		  path);
	char *full = path_join(w->dir, path);
	cr_assert_eq(support_write(full, body->buf), 0, "cannot write %s", full);
	free(full);
	w->files++;
}

static void run_command(struct walk *w, const char *cmd, const struct strbuf *want, int line)
{
	char *errp = path_join(w->dir, ".stderr");
	char *sh = xasprintf("{ %s\n} 2>'%s'", cmd, errp);
	FILE *p = popen(sh, "r");
	cr_assert_not_null(p);
	struct strbuf out = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&out, buf, n);
	int st = pclose(p);
	char *err = NULL;
	size_t elen;
	if (read_file(errp, 1 << 20, &err, &elen))
		err = xstrdup("");
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "docs/custom-tasks.md line %d: '%s' failed (status %d):\n%s%s", line, cmd,
		  WIFEXITED(st) ? WEXITSTATUS(st) : -1, out.buf, err);
	if (want->len) {
		cr_expect_str_eq(out.buf, want->buf,
				 "docs/custom-tasks.md line %d: '%s' printed something else", line,
				 cmd);
		w->compared++;
	}
	w->commands++;
	free(err);
	strbuf_release(&out);
	free(sh);
	free(errp);
}

/* A console block: "$ command" lines, each followed by the output it must print. */
static void run_console(struct walk *w, const struct strbuf *body, int first_line)
{
	struct strbuf want = STRBUF_INIT;
	char *cmd = NULL;
	int cmd_line = 0;
	char *text = xstrdup(body->buf);
	struct lines it;
	struct strview l;
	lines_init(&it, text, strlen(text));
	while (lines_next(&it, &l)) {
		if (l.len >= 2 && !strncmp(l.ptr, "$ ", 2)) {
			if (cmd)
				run_command(w, cmd, &want, cmd_line);
			free(cmd);
			cmd = xstrndup(l.ptr + 2, l.len - 2);
			cmd_line = first_line + (int)it.no;
			strbuf_reset(&want);
		} else {
			cr_assert_not_null(cmd, "docs/custom-tasks.md line %d: output before a command",
					   first_line + (int)it.no);
			strbuf_add(&want, l.ptr, l.len);
			strbuf_addch(&want, '\n');
		}
	}
	if (cmd)
		run_command(w, cmd, &want, cmd_line);
	free(cmd);
	free(text);
	strbuf_release(&want);
}

/* Walk the fenced blocks of the document in order. */
static void walk_doc(struct walk *w, char *doc)
{
	struct lines it;
	struct strview l;
	lines_init(&it, doc, strlen(doc));
	while (lines_next(&it, &l)) {
		size_t ticks = 0;
		while (ticks < l.len && l.ptr[ticks] == '`')
			ticks++;
		if (ticks < 3)
			continue;
		int start = (int)it.no;
		char *info = sv_dup(sv_trim((struct strview){l.ptr + ticks, l.len - ticks}));
		struct strbuf body = STRBUF_INIT;
		int closed = 0;
		while (lines_next(&it, &l)) {
			size_t t = 0;
			while (t < l.len && l.ptr[t] == '`')
				t++;
			if (t == ticks && !sv_trim((struct strview){l.ptr + t, l.len - t}).len) {
				closed = 1;
				break;
			}
			strbuf_add(&body, l.ptr, l.len);
			strbuf_addch(&body, '\n');
		}
		cr_assert(closed, "docs/custom-tasks.md line %d: a block that never ends", start);
		char *space = strchr(info, ' ');
		if (!strcmp(info, "console"))
			run_console(w, &body, start);
		else if (space && !strchr(space + 1, ' '))
			write_block(w, space + 1, &body);
		strbuf_release(&body);
		free(info);
	}
}

Test(custom_tasks_doc, every_example_runs_as_written, .timeout = 300)
{
	struct walk w = {0};
	w.dir = support_tmpdir("custom-doc");
	const char *fargs[] = {"--model", "my-model", NULL};
	struct fake f;
	fake_start(&f, fargs);
	const char *bin = getenv("REVAL_BIN");
	cr_assert_not_null(bin, "REVAL_BIN is not set (run through make test)");
	char *bindir = xstrdup(bin);
	*strrchr(bindir, '/') = '\0';
	char *path = xasprintf("%s:%s", bindir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	cr_assert_eq(setenv("PATH", path, 1), 0);
	cr_assert_eq(setenv("OPENAI_BASE_URL", f.url, 1), 0);
	unsetenv("REVAL_DATA");
	cr_assert_eq(chdir(w.dir), 0);
	char *doc = read_doc();
	walk_doc(&w, doc);
	/* The walk saw the examples: three tasks with data and answers, their commands. */
	cr_expect_geq(w.files, 9, "only %d file blocks", w.files);
	cr_expect_geq(w.commands, 14, "only %d commands", w.commands);
	cr_expect_geq(w.compared, 7, "only %d outputs compared", w.compared);
	/* The model runs went to the fake server. */
	cr_expect_gt(fake_requests(&f), 0, "no request reached the server");
	fake_stop(&f);
	free(doc);
	free(path);
	free(bindir);
	free(w.dir);
}

Test(custom_tasks_doc, grader_options_are_the_tables_the_graders_read)
{
	const char *args[] = {"tasks", "--grader-options", NULL};
	struct proc_result r;
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	char *doc = read_doc();
	const char *sec = strstr(doc, "\n## Grader options\n");
	cr_assert_not_null(sec, "docs/custom-tasks.md has no grader options section");
	const char *table = strstr(sec, "\n### `");
	cr_assert_not_null(table);
	cr_expect_str_eq(table + 1, r.out.buf,
			 "docs/custom-tasks.md's grader options differ from 'reval tasks "
			 "--grader-options' (the section must end the document)");
	free(doc);
	proc_result_release(&r);
}
