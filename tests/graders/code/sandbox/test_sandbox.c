/*
 * The sandbox layers themselves, seen from inside a run: what the
 * candidate can see and do, and what is left after a worker ends.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graders/code/sandbox/sandbox.h"
#include "tests/support/support.h"

static struct sandbox *sb;

static void up(void)
{
	struct strbuf err = STRBUF_INIT;
	struct sandbox_opts o = {.index = 3};
	cr_assert_eq(sandbox_new(&sb, &o, &err), 0, "%s", err.buf);
	strbuf_release(&err);
}

static void down(void)
{
	sandbox_free(sb);
}

static void run_py(const char *prog, struct sandbox_result *r)
{
	struct sandbox_run run = {
		.mode = SBX_PY_STDIO,
		.job = "t",
		.program = sv_from(prog),
		.lim = {.cpu_s = 2, .wall_s = 4},
	};
	cr_assert_eq(sandbox_exec(sb, &run, r), 0);
}

TestSuite(sandbox, .init = up, .fini = down, .timeout = 120);

Test(sandbox, reports_its_layers)
{
	const char *l = sandbox_layers(sb);
	cr_assert(strstr(l, "seccomp"), "%s", l);
	if (geteuid() == 0) {
		cr_expect(!sandbox_degraded(sb), "degraded as root: %s", l);
		cr_expect(strstr(l, "dedicated uids"), "%s", l);
	}
}

Test(sandbox, minimal_root_and_private_proc)
{
	struct sandbox_result r;
	run_py("import os\n"
	       "print(sorted(os.listdir('/')))\n"
	       "print(os.path.exists('/work'), os.path.exists('/root'), os.path.exists('/home'))\n"
	       "print([p for p in os.listdir('/proc') if p.isdigit()] == [os.readlink('/proc/self')])\n"
	       "print(os.getuid() != 0, open('/etc/hostname').read().strip())\n",
	       &r);
	cr_assert_eq(r.status, SBX_EXITED, "%s %s", sandbox_status_name(r.status), r.err.buf);
	cr_expect_str_eq(r.out.buf, "['bin', 'dev', 'etc', 'lib', 'lib64', 'proc', 'sbin', 'tmp', 'usr']\n"
				    "False False False\nTrue\nTrue reval\n");
	sandbox_result_release(&r);
}

Test(sandbox, root_is_read_only_and_tmp_is_private)
{
	struct sandbox_result r;
	run_py("import os\n"
	       "for p in ['/usr/bin/x', '/x', '/etc/x']:\n"
	       "    try:\n"
	       "        open(p, 'w'); print('wrote', p)\n"
	       "    except OSError as e:\n"
	       "        print('refused')\n"
	       "open('/tmp/reval-sandbox-probe', 'w').write('x')\n",
	       &r);
	cr_assert_eq(r.status, SBX_EXITED, "%s", r.err.buf);
	cr_expect_str_eq(r.out.buf, "refused\nrefused\nrefused\n");
	cr_expect_neq(access("/tmp/reval-sandbox-probe", F_OK), 0);
	sandbox_result_release(&r);
}

Test(sandbox, no_network)
{
	struct sandbox_result r;
	run_py("import socket\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM)\nprint('socket')\n", &r);
	cr_expect_eq(r.status, SBX_SIGNALED);
	cr_expect_eq(r.signal, SIGSYS);
	cr_expect_str_eq(r.out.buf, "");
	sandbox_result_release(&r);
}

Test(sandbox, wall_clock_is_the_checkers)
{
	struct sandbox_result r;
	struct sandbox_run run = {
		.mode = SBX_PY_STDIO,
		.job = "t",
		.program = sv_from("import time\ntime.sleep(60)\n"),
		.lim = {.cpu_s = 30, .wall_s = 1},
	};
	double t0 = now_ms();
	sandbox_exec(sb, &run, &r);
	cr_expect_eq(r.status, SBX_TIMEOUT, "%s", sandbox_status_name(r.status));
	cr_expect_lt(now_ms() - t0, 10000);
	sandbox_result_release(&r);
	/* The worker still serves. */
	run_py("print(6 * 7)\n", &r);
	cr_expect_str_eq(r.out.buf, "42\n");
	sandbox_result_release(&r);
}

Test(sandbox, exit_status_and_stdin)
{
	struct sandbox_result r;
	struct sandbox_run run = {
		.mode = SBX_PY_STDIO,
		.job = "t",
		.input = sv_from("20 22\n"),
		.program = sv_from("import sys\nprint(sum(map(int, sys.stdin.read().split())))\nsys.exit(3)\n"),
		.lim = {.cpu_s = 2, .wall_s = 4},
	};
	sandbox_exec(sb, &run, &r);
	cr_expect_eq(r.status, SBX_EXITED);
	cr_expect_eq(r.exit_code, 3);
	cr_expect_str_eq(r.out.buf, "42\n");
	cr_expect_gt(r.maxrss_kb, 0);
	sandbox_result_release(&r);
}

/* Where the kernel refuses namespaces the worker runs without them, says so,
 * and still confines each run: a dedicated uid (as root), rlimits and the
 * seccomp filter. */
Test(sandbox_fallback, runs_confined_without_namespaces, .timeout = 120)
{
	struct sandbox *fb;
	struct strbuf err = STRBUF_INIT;
	struct sandbox_opts o = {.index = 5, .no_namespaces = 1};
	cr_assert_eq(sandbox_new(&fb, &o, &err), 0, "%s", err.buf);
	strbuf_release(&err);
	cr_expect(sandbox_degraded(fb));
	cr_expect(strstr(sandbox_layers(fb), "NO namespaces"), "%s", sandbox_layers(fb));
	struct sandbox_result r;
	struct sandbox_run run = {
		.mode = SBX_PY_STDIO,
		.job = "t",
		.input = sv_from("20 22\n"),
		.program = sv_from("import os, sys\n"
				   "print(sum(map(int, sys.stdin.read().split())))\n"
				   "print(os.getuid() != 0)\n"),
		.lim = {.cpu_s = 2, .wall_s = 4},
	};
	cr_assert_eq(sandbox_exec(fb, &run, &r), 0);
	cr_expect_eq(r.status, SBX_EXITED, "%s %s", sandbox_status_name(r.status), r.err.buf);
	cr_expect_str_eq(r.out.buf, geteuid() == 0 ? "42\nTrue\n" : "42\nFalse\n");
	sandbox_result_release(&r);
	run.input = sv_from("");
	run.program = sv_from("import socket\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM)\n");
	cr_assert_eq(sandbox_exec(fb, &run, &r), 0);
	cr_expect_eq(r.status, SBX_SIGNALED);
	cr_expect_eq(r.signal, SIGSYS);
	sandbox_result_release(&r);
	if (geteuid() == 0) {
		/* No PID namespace to end with the test: a setsid'd, double-forked
		 * daemon must still go, by the worker's dedicated candidate uid --
		 * every time, also when its parent is already a zombie by the time
		 * the sweep looks at it and the daemon was forked after the sweep
		 * read its list of processes (hence 20 runs, not one). */
		run.program = sv_from("import os, random, time\n"
				      "if os.fork() == 0:\n"
				      "    os.setsid()\n"
				      "    time.sleep(random.random() * 0.006)\n"
				      "    if os.fork() == 0:\n"
				      "        time.sleep(60)\n"
				      "    os._exit(0)\n"
				      "print('parent', flush=True)\n"
				      "os._exit(0)\n");
		for (int i = 0; i < 30; i++) {
			cr_assert_eq(sandbox_exec(fb, &run, &r), 0);
			cr_expect_str_eq(r.out.buf, "parent\n", "%s", r.err.buf);
			sandbox_result_release(&r);
			int left = support_count_uid(sandbox_candidate_uid(fb));
			cr_assert_eq(left, 0, "run %d left %d processes of the candidate uid", i,
				     left);
		}
	}
	sandbox_free(fb);
}

static char *slurp(const char *path)
{
	char *text;
	size_t len;
	cr_assert_eq(read_file(path, 1u << 20, &text, &len), 0, "cannot read '%s'", path);
	return text;
}

/*
 * Where the kernel forbids executable memfds (vm.memfd_noexec = 2, set here
 * in a PID namespace of the test's own), the fork server's core is loaded
 * from an unlinked file instead: in $TMPDIR when its filesystem allows
 * executable mappings, else in /tmp.  With every such directory noexec the
 * checker refuses to start and says what to do.
 */
Test(sandbox_memfd_noexec, core_loads_from_a_file, .timeout = 180)
{
	if (geteuid() != 0 || access("/proc/sys/vm/memfd_noexec", W_OK) ||
	    system("command -v unshare >/dev/null 2>&1"))
		cr_skip("needs root, vm.memfd_noexec (Linux 6.3) and unshare");
	char *dir = support_tmpdir("memfd-noexec");
	char *cases = path_join(dir, "cases.jsonl");
	cr_assert_eq(support_write(cases,
				   "{\"id\":\"sum\",\"kind\":\"stdio\",\"program\":\"a, b = map(int, "
				   "input().split())\\nprint(a + b)\\n\",\"tests\":[{\"input\":\"2 3\\n\","
				   "\"output\":\"5\\n\"}]}\n"
				   "{\"id\":\"off\",\"kind\":\"stdio\",\"program\":\"print(6)\\n\","
				   "\"tests\":[{\"input\":\"2 3\\n\",\"output\":\"5\\n\"}]}\n"),
		     0);
	char *script = xasprintf(
		"set -u\n"
		"echo 2 > /proc/sys/vm/memfd_noexec || exit 90\n"
		"mkdir -p '%s/noexec' && mount -t tmpfs -o noexec tmpfs '%s/noexec' || exit 91\n"
		"TMPDIR='%s/noexec' '%s' check code --in '%s' > '%s/out1' 2> '%s/err1'\n"
		"echo $? > '%s/rc1'\n"
		/* What the second run needs is opened first: the mounts may hide
		 * it (the binary, too, may live under /tmp). */
		"exec 3< '%s' 4> '%s/out2' 5> '%s/err2' 6< '%s'\n"
		"for d in /tmp /var/tmp /dev/shm; do mount -t tmpfs -o noexec tmpfs $d || exit 92; done\n"
		"/proc/self/fd/6 check code --in /proc/self/fd/3 >&4 2>&5\n"
		"echo $? >&5\n",
		dir, dir, dir, getenv("REVAL_BIN"), cases, dir, dir, dir, cases, dir, dir,
		getenv("REVAL_BIN"));
	char *spath = path_join(dir, "noexec.sh");
	cr_assert_eq(support_write(spath, script), 0);
	char *cmd = xasprintf("unshare --pid --fork --mount-proc --mount sh '%s'", spath);
	int st = system(cmd);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the setup failed (%d)", st);

	char *p = path_join(dir, "rc1");
	char *rc1 = slurp(p);
	cr_assert_str_eq(rc1, "0\n");
	free(p);
	p = path_join(dir, "out1");
	char *out1 = slurp(p);
	cr_assert(strstr(out1, "{\"id\":\"sum\",\"verdict\":\"pass\""), "%s", out1);
	cr_assert(strstr(out1, "{\"id\":\"off\",\"verdict\":\"wrong_answer\""), "%s", out1);
	free(p);
	p = path_join(dir, "err2");
	char *err2 = slurp(p);
	cr_assert(strstr(err2, "forbids executable memfds (vm.memfd_noexec = 2)"), "%s", err2);
	cr_assert(strstr(err2, "point TMPDIR at a directory that can"), "%s", err2);
	const char *last = strrchr(err2, '\n');
	while (last && last > err2 && last[-1] != '\n')
		last--;
	cr_assert(last && atoi(last) != 0, "the checker started anyway: %s", err2);
	free(p);
	free(rc1);
	free(out1);
	free(err2);
	free(cmd);
	free(spath);
	free(script);
	free(cases);
	free(dir);
}
