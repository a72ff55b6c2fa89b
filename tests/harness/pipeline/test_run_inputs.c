/*
 * The smaller input checks of a run: sampling knobs out of range, text
 * that is not UTF-8, two answers for one sample in a replay file, and a
 * pass@k that n cannot give -- each said, never passed on or dropped quietly.
 * And errors said once: a bad journal line by every command that reads it,
 * a full disk by the run that fills it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "harness/base/json.h"
#include "tests/support/fake.h"
#include "tests/support/support.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static char *replay_file(const char *dir, const char *extra_line)
{
	char *path = path_join(dir, "replay.jsonl");
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 12; i++)
		strbuf_addf(&sb,
			    "{\"task\":\"toy\",\"problem\":\"p%02d\",\"sample\":0,\"content\":\"%d\"}\n",
			    i, 2 * i);
	if (extra_line)
		strbuf_adds(&sb, extra_line);
	cr_assert(!support_write(path, sb.buf));
	strbuf_release(&sb);
	return path;
}

static struct proc_result run(const char *dir, const char *replay, const char *const *extra)
{
	char *data = support_path("tests/data/toy");
	char *engine = xasprintf("replay:%s", replay);
	char *out = path_join(dir, "run");
	const char *args[32] = {"run", "--task", "toy", "--data-dir", data, "--engine", engine,
				"--out", out};
	size_t k = 9;
	for (size_t i = 0; extra && extra[i]; i++)
		args[k++] = extra[i];
	args[k] = NULL;
	struct proc_result r;
	support_reval(&r, args);
	free(out);
	free(engine);
	free(data);
	return r;
}

Test(run_inputs, sampling_knobs_out_of_range_are_refused)
{
	char *dir = support_tmpdir("knobs");
	char *replay = replay_file(dir, NULL);
	const char *const bad[][2] = {{"--temperature", "-1"}, {"--top-p", "0"},
				      {"--top-p", "1.5"}, {"--min-p", "-0.1"}};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct proc_result r = run(dir, replay, ARGS(bad[i][0], bad[i][1], "--n", "1"));
		cr_assert_eq(r.status, 2, "%s %s: %s", bad[i][0], bad[i][1], r.err.buf);
		cr_assert(strstr(r.err.buf, bad[i][0]), "%s", r.err.buf);
		proc_result_release(&r);
	}
	free(replay);
	free(dir);
}

Test(run_inputs, a_model_name_that_is_not_utf8_is_refused)
{
	char *dir = support_tmpdir("utf8");
	char *replay = replay_file(dir, NULL);
	struct proc_result r = run(dir, replay, ARGS("--model", "m\xff\xfe", "--n", "1"));
	cr_assert_eq(r.status, 2, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "--model is not valid UTF-8 (byte 2)"), "%s", r.err.buf);
	proc_result_release(&r);
	free(replay);
	free(dir);
}

Test(run_inputs, two_different_answers_for_one_sample_in_a_replay_file_are_refused)
{
	char *dir = support_tmpdir("dupreplay");
	char *replay = replay_file(dir, "{\"task\":\"toy\",\"problem\":\"p03\",\"sample\":0,"
					"\"content\":\"7\"}\n");
	struct proc_result r = run(dir, replay, ARGS("--n", "1"));
	cr_assert_eq(r.status, 2, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "line 13") && strstr(r.err.buf, "p03") &&
			  strstr(r.err.buf, "different answer"),
		  "%s", r.err.buf);
	proc_result_release(&r);
	free(replay);
	free(dir);
}

Test(run_inputs, a_pass_k_above_n_is_said_not_dropped_quietly)
{
	char *dir = support_tmpdir("passk");
	char *replay = replay_file(dir, NULL);
	struct proc_result r = run(dir, replay, ARGS("--n", "1"));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	cr_assert(strstr(r.err.buf, "pass@4 needs n >= 4; with n = 1 it is not reported"), "%s",
		  r.err.buf);
	proc_result_release(&r);
	char *rp = path_join(dir, "run/results.json"), *text;
	cr_assert(!read_file(rp, 1 << 20, &text, NULL));
	cr_assert(strstr(text, "pass@4 needs n >= 4"), "the warning is in results.json");
	free(text);
	free(rp);
	free(replay);
	free(dir);
}

/* Lines of stderr that are not warnings (n = 1 warns that pass@2 cannot be had). */
static int error_lines(const char *err)
{
	int n = 0;
	for (const char *p = err; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		n += len && !(len > 15 && !strncmp(p, "reval: warning:", 15));
		p = end ? end + 1 : NULL;
	}
	return n;
}

/* Line `line` of a journal replaced by text. */
static void replace_line(const char *journal, int line, const char *text)
{
	char *old;
	cr_assert(!read_file(journal, 1 << 24, &old, NULL));
	struct strbuf sb = STRBUF_INIT;
	char *save = NULL;
	int k = 0;
	for (char *l = strtok_r(old, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		strbuf_adds(&sb, ++k == line ? text : l);
		strbuf_addch(&sb, '\n');
	}
	cr_assert(!support_write(journal, sb.buf));
	strbuf_release(&sb);
	free(old);
}

Test(run_inputs, a_bad_journal_line_is_said_once_naming_the_journal_by_every_command)
{
	char *dir = support_tmpdir("badjournal");
	char *replay = replay_file(dir, NULL);
	struct proc_result r = run(dir, replay, ARGS("--n", "1"));
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	char *out = path_join(dir, "run"), *journal = path_join(out, "samples.jsonl");
	char *good;
	cr_assert(!read_file(journal, 1 << 24, &good, NULL));
	char *sft = path_join(dir, "sft.jsonl"), *merged = path_join(dir, "merged");
	const char *bad[] = {"{\"task\":\"toy\",\"problem\":\"p04\"}", "not json"};
	for (size_t b = 0; b < ARRAY_SIZE(bad); b++) {
		cr_assert(!support_write(journal, good));
		replace_line(journal, 5, bad[b]);
		char *data = support_path("tests/data/toy");
		char *engine = xasprintf("replay:%s", replay);
		const char *const cmds[][12] = {
			{"run", "--task", "toy", "--data-dir", data, "--engine", engine, "--out", out,
			 "--n", "1", NULL},
			{"run", "--task", "toy", "--data-dir", data, "--engine", engine, "--out", out,
			 "--n", "1", "--force"},
			{"grade", out, "--data-dir", data, NULL},
			{"export", out, "--sft", sft, NULL},
			{"merge", out, "--out", merged, NULL},
			{"report", out, NULL},
		};
		for (size_t c = 0; c < ARRAY_SIZE(cmds); c++) {
			const char *args[13] = {0};
			for (size_t i = 0; i < 12 && cmds[c][i]; i++)
				args[i] = cmds[c][i];
			support_reval(&r, args);
			cr_assert_eq(r.status, 2, "%s %s: exit %d: %s", args[0], args[c == 1 ? 11 : 1],
				     r.status, r.err.buf);
			cr_assert_eq(error_lines(r.err.buf), 1, "%s (%s): said %d times: %s", args[0],
				     bad[b], error_lines(r.err.buf), r.err.buf);
			cr_assert(strstr(r.err.buf, journal) && strstr(r.err.buf, "line 5"),
				  "%s (%s): the journal and its line are named: %s", args[0], bad[b],
				  r.err.buf);
			proc_result_release(&r);
		}
		free(engine);
		free(data);
	}
	free(good);
	free(sft);
	free(merged);
	free(journal);
	free(out);
	free(replay);
	free(dir);
}

Test(run_inputs, a_full_disk_is_said_once_with_the_path_and_the_run_resumes, .timeout = 60)
{
	char *dir = support_tmpdir("full");
	struct fake f;
	fake_start(&f, ARGS("--n", "honour"));
	char *data = support_path("tests/data/toy"), *out = path_join(dir, "run");
	const char *args[] = {"run", "--task", "toy", "--data-dir", data, "--base-url", f.url,
			      "--model", "fake-model", "--n", "40", "--no-split-n", "--out", out,
			      NULL};
	/*
	 * Writes past 6,000 bytes fail (EFBIG, SIGXFSZ ignored), as on a full
	 * disk: config.json fits, the journal does not.  The child inherits both.
	 */
	struct rlimit old, small = {6000, 6000};
	cr_assert(!getrlimit(RLIMIT_FSIZE, &old));
	small.rlim_max = old.rlim_max;
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
	cr_assert(!setrlimit(RLIMIT_FSIZE, &small));
	struct proc_result r;
	support_reval(&r, args);
	cr_assert(!setrlimit(RLIMIT_FSIZE, &old));
	signal(SIGXFSZ, was);
	char *journal = path_join(out, "samples.jsonl");
	cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err.buf);
	cr_assert_eq(support_nonempty_lines(r.err.buf), 1, "said %d times: %s",
		     support_nonempty_lines(r.err.buf), r.err.buf);
	cr_assert(strstr(r.err.buf, journal) && strstr(r.err.buf, strerror(EFBIG)), "%s",
		  r.err.buf);
	proc_result_release(&r);
	/* With room again the same command finishes it, each sample once. */
	support_reval(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err.buf);
	proc_result_release(&r);
	cr_assert_eq(support_count_lines(journal), 12 * 40);
	fake_stop(&f);
	free(journal);
	free(out);
	free(data);
	free(dir);
}
