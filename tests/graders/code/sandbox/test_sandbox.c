/*
 * The sandbox layers themselves, seen from inside a run: what the
 * candidate can see and do, and what is left after a worker ends.
 */
#include <criterion/criterion.h>
#include <sched.h>
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
	/* .graves: where the fork server sets ended runs' worlds aside (mode 0). */
	cr_expect_str_eq(r.out.buf,
			 "['.graves', 'bin', 'dev', 'etc', 'lib', 'lib64', 'proc', 'sbin', 'tmp', "
			 "'usr']\nFalse False False\nTrue\nTrue reval\n");
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

/* Every bind of the host is read-only, files (/etc/ld.so.cache, the device
 * nodes) as well as directories; only /proc and the run's own /tmp are
 * writable mounts a candidate can reach, and the devices still work.  An
 * earlier run's world, set aside under /.graves (which no candidate can
 * enter: see tests/data/code/isolation/13-*), is writable, but out of reach. */
Test(sandbox, every_bind_is_read_only)
{
	struct sandbox_result r;
	run_py("pass\n", &r);
	cr_assert_eq(r.status, SBX_EXITED, "%s", r.err.buf);
	sandbox_result_release(&r);
	run_py("rw, graves = [], 0\n"
	       "for line in open('/proc/self/mountinfo'):\n"
	       "    f = line.split()\n"
	       "    graves += f[4].startswith('/.graves/')\n"
	       "    if 'rw' in f[5].split(',') and f[4] not in ('/proc', '/tmp') and not "
	       "f[4].startswith('/.graves/'):\n"
	       "        rw.append(f[4])\n"
	       "print(sorted(rw), graves > 0)\n"
	       "with open('/dev/null', 'w') as null:\n"
	       "    null.write('x')\n"
	       "print(len(open('/dev/urandom', 'rb').read(8)))\n",
	       &r);
	cr_assert_eq(r.status, SBX_EXITED, "%s", r.err.buf);
	cr_expect_str_eq(r.out.buf, "[] True\n8\n");
	sandbox_result_release(&r);
}

/* The RssAnon field of a /proc/PID/status text, in kB, or -1. */
static long rss_anon(const char *status)
{
	const char *p = strstr(status, "RssAnon:");
	return p ? strtol(p + 8, NULL, 10) : -1;
}

/* A run starts with the fork server's memory: every fork copies a page table
 * entry for each of its resident anonymous pages, and every candidate unmaps
 * them.  So the fork server holds no more than an interpreter that imports
 * the modules it has, plus 1 MiB -- nothing of how it started (its source,
 * the compiler's work on it, which a `-c` program would keep for good). */
Test(sandbox, a_run_starts_with_no_more_memory_than_a_bare_interpreter)
{
	struct sandbox_result r;
	run_py("status = open('/proc/self/status').read()\n"
	       "import sys\n"
	       "print(status)\n"
	       "print(' '.join(sorted(sys.modules)))\n",
	       &r);
	cr_assert_eq(r.status, SBX_EXITED, "%s", r.err.buf);
	long run = rss_anon(r.out.buf);
	const char *mods = strrchr(r.out.buf, '\n');
	while (mods && mods > r.out.buf && mods[-1] != '\n')
		mods--;
	cr_assert(run > 0 && mods && strstr(mods, "collections"), "%s", r.out.buf);
	const char *bare_argv[] = {"/usr/bin/python3", "-s", "-P", "-c",
				   "import importlib, gc, sys\n"
				   "for m in sys.argv[1].split():\n"
				   "    try:\n"
				   "        importlib.import_module(m)\n"
				   "    except BaseException:\n"
				   "        pass\n"
				   "gc.collect()\n"
				   "gc.freeze()\n"
				   "print(open('/proc/self/status').read())\n",
				   mods, NULL};
	char *const bare_env[] = {"PYTHONHASHSEED=0", "LANG=C.UTF-8", NULL};
	struct proc_result bare;
	support_run(&bare, bare_argv, bare_env);
	cr_assert_eq(bare.status, 0, "%s", bare.err.buf);
	long base = rss_anon(bare.out.buf);
	cr_assert_gt(base, 0, "%s", bare.out.buf);
	cr_expect_leq(run, base + 1024,
		      "a run starts with %ld kB of anonymous memory, a bare interpreter with the "
		      "same modules %ld kB",
		      run, base);
	sandbox_result_release(&r);
	proc_result_release(&bare);
}

/* A program cannot widen its CPU set where a cpuset enforces it; where none
 * can be made the worker's layers say the pin is advisory. */
Test(sandbox, the_cpu_pin_holds_or_says_it_is_advisory)
{
	if (sandbox_cpu(sb) < 0)
		cr_skip("one usable CPU: nothing to pin");
	char msg[64];
	snprintf(msg, sizeof(msg), "CPU %d pinned (advisory", sandbox_cpu(sb));
	if (!sandbox_cpu_enforced(sb)) {
		cr_expect(strstr(sandbox_layers(sb), msg), "%s", sandbox_layers(sb));
		cr_skip("no cpuset here: %s", sandbox_layers(sb));
	}
	cr_expect(strstr(sandbox_layers(sb), "cpuset"), "%s", sandbox_layers(sb));
	struct sandbox_result r;
	run_py("import os\n"
	       "try:\n"
	       "    os.sched_setaffinity(0, range(os.cpu_count()))\n"
	       "except OSError:\n"
	       "    pass\n"
	       "print(sorted(os.sched_getaffinity(0)))\n",
	       &r);
	char want[32];
	snprintf(want, sizeof(want), "[%d]\n", sandbox_cpu(sb));
	cr_expect_str_eq(r.out.buf, want, "%s", r.err.buf);
	sandbox_result_release(&r);
}

/* A batch's thread stays on its worker's CPU from one run to the next, and
 * gets the CPUs it had back at the end; a run outside a batch leaves the
 * thread as it found it. */
Test(sandbox, a_batch_thread_stays_on_its_workers_cpu_then_gets_its_cpus_back)
{
	if (sandbox_cpu(sb) < 0)
		cr_skip("one usable CPU: nothing to pin");
	cpu_set_t before, now;
	cr_assert_eq(sched_getaffinity(0, sizeof(before), &before), 0);
	struct sandbox_result r;
	run_py("print(1)\n", &r);
	sandbox_result_release(&r);
	cr_assert_eq(sched_getaffinity(0, sizeof(now), &now), 0);
	cr_expect(CPU_EQUAL(&now, &before), "a run alone left the thread pinned");
	sandbox_stay_begin();
	for (int i = 0; i < 2; i++) {
		run_py("print(1)\n", &r);
		cr_expect_str_eq(r.out.buf, "1\n", "%s", r.err.buf);
		sandbox_result_release(&r);
		cr_assert_eq(sched_getaffinity(0, sizeof(now), &now), 0);
		cr_expect(CPU_COUNT(&now) == 1 && CPU_ISSET(sandbox_cpu(sb), &now),
			  "run %d: the thread is not on CPU %d alone", i, sandbox_cpu(sb));
	}
	sandbox_stay_end();
	cr_assert_eq(sched_getaffinity(0, sizeof(now), &now), 0);
	cr_expect(CPU_EQUAL(&now, &before), "the thread did not get its CPUs back");
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

/* A run the fork server cannot set up is nobody's verdict, and whatever the
 * fork server holds is suspect: the next run gets a fresh worker. */
Test(sandbox, a_setup_failure_replaces_the_worker)
{
	struct sandbox_result r;
	pid_t before = sandbox_pid(sb);
	struct sandbox_run run = {
		.mode = SBX_PY_STDIO,
		.job = "../x",
		.program = sv_from("print(1)\n"),
		.lim = {.cpu_s = 2, .wall_s = 4},
	};
	cr_assert_eq(sandbox_exec(sb, &run, &r), 0);
	cr_expect_eq(r.status, SBX_SETUP_FAILED, "%s", sandbox_status_name(r.status));
	sandbox_result_release(&r);
	run_py("print(6 * 7)\n", &r);
	cr_expect_str_eq(r.out.buf, "42\n");
	cr_expect_neq(sandbox_pid(sb), before, "the same worker serves on");
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

/* ---- In a chroot whose root is not a mount point ---- */

/* The script that builds a chroot under $D/ROOT_PARENT/root -- /usr, the
 * device nodes, /proc, a tmpfs /tmp and this build -- and runs RUN in it. */
static const char chroot_script[] =
	"set -eu\n"
	"R=\"$D/$ROOT_PARENT/root\"\n"
	"mkdir -p \"$R/usr\" \"$R/proc\" \"$R/dev\" \"$R/tmp\" \"$R/etc\"\n"
	"mount --rbind /usr \"$R/usr\"\n"
	"for l in bin sbin lib lib64; do [ -e \"/usr/$l\" ] && ln -s \"usr/$l\" \"$R/$l\"; done\n"
	"for d in null zero random urandom; do\n"
	"  touch \"$R/dev/$d\" && mount --bind \"/dev/$d\" \"$R/dev/$d\"\n"
	"done\n"
	"mount -t proc proc \"$R/proc\"\n"
	"mount -t tmpfs tmpfs \"$R/tmp\"\n"
	"mkdir -p \"$R/dev/shm\" && mount -t tmpfs tmpfs \"$R/dev/shm\"\n"
	"cp /etc/ld.so.cache \"$R/etc/\" 2>/dev/null || true\n"
	/* After the tmpfs /tmp: a build under /tmp needs its mount point on it. */
	"mkdir -p \"$R$B\" && mount --bind \"$B\" \"$R$B\"\n"
	"set +e -f\n"
	/* A clean environment: none of this test runner's own variables. */
	"chroot \"$R\" /usr/bin/env -i PATH=/usr/bin:/bin REVAL_IN_CHROOT=1 $RUN "
	"> \"$D/out\" 2> \"$D/err\"\n"
	"echo $? > \"$D/rc\"\n"
	"grep -c ' reval' /proc/self/mountinfo > \"$D/mounts\" || true\n";

static char *chroot_run(const char *tag, const char *prepare, const char *run)
{
	char *dir = support_tmpdir(tag);
	char *script = xasprintf("D='%s'; B='%s'; RUN=\"%s\"\n%s%s", dir, getenv("REVAL_BUILD"), run,
				 prepare, chroot_script);
	char *spath = path_join(dir, "chroot.sh");
	cr_assert_eq(support_write(spath, script), 0);
	char *cmd = xasprintf("unshare --mount sh '%s'", spath);
	int st = system(cmd);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the chroot could not be made (%d)", st);
	free(cmd);
	free(spath);
	free(script);
	return dir;
}

static char *slurp_in(const char *dir, const char *name);

static void chroot_skip_unless_able(void)
{
	if (getenv("REVAL_IN_CHROOT"))
		cr_skip("already in the chroot");
	if (geteuid() != 0 || !getenv("REVAL_BUILD") ||
	    system("command -v unshare >/dev/null 2>&1 && command -v chroot >/dev/null 2>&1"))
		cr_skip("needs root, REVAL_BUILD, unshare and chroot");
}

/*
 * Debian's sbuild and pbuilder build in a chroot whose root is not a mount
 * point: it can be neither made private nor pivoted away.  The sandbox moves
 * its new root over the old one instead, and its own suite passes there.
 */
Test(sandbox_chroot, the_suite_passes_where_the_root_is_not_a_mount_point, .timeout = 600)
{
	chroot_skip_unless_able();
	char *dir = chroot_run("chroot", "ROOT_PARENT=c\nmount --make-rprivate /\n",
			       "$B/tests/reval-tests --jobs 1 --filter sandbox/*");
	char *rc = slurp_in(dir, "rc"), *err = slurp_in(dir, "err");
	cr_expect_str_eq(rc, "0\n", "%s", err);
	cr_expect(strstr(err, "Synthesis: Tested: ") && strstr(err, "| Failing: 0 | Crashing: 0"),
		  "%s", err);
	cr_expect(!strstr(err, "degraded"), "%s", err);
	free(rc);
	free(err);
	free(dir);
}

/*
 * Where the chroot's filesystem shares its mounts with another place (here
 * a peer bind of it: on a host, the host itself), a mount made in the
 * sandbox would show up there and outlive it.  The checker then runs
 * without namespaces, says so in one line, and leaves no mount behind.
 */
Test(sandbox_chroot, a_chroot_that_shares_its_mounts_degrades_in_one_line, .timeout = 300)
{
	chroot_skip_unless_able();
	static const char shared[] = "ROOT_PARENT=m\n"
				     "mount --make-rprivate /\n"
				     "mkdir -p \"$D/m\" \"$D/peer\"\n"
				     "mount -t tmpfs tmpfs \"$D/m\"\n"
				     "mount --make-shared \"$D/m\"\n"
				     "mount --bind \"$D/m\" \"$D/peer\"\n";
	char *dir = support_tmpdir("chroot-shared-cases");
	char *cases = path_join(dir, "cases.jsonl");
	cr_assert_eq(support_write(cases,
				   "{\"id\":\"sum\",\"kind\":\"stdio\",\"program\":\"a, b = map(int, "
				   "input().split())\\nprint(a + b)\\n\",\"tests\":[{\"input\":\"2 3\\n\","
				   "\"output\":\"5\\n\"}]}\n"),
		     0);
	/* The cases travel through the build directory, which the chroot holds. */
	char *in = xasprintf("%s/chroot-shared-cases.jsonl", getenv("REVAL_BUILD"));
	char *cp = xasprintf("cp '%s' '%s'", cases, in);
	cr_assert_eq(system(cp), 0);
	char *run = xasprintf("$B/reval check code --workers 1 --in %s", in);
	char *d2 = chroot_run("chroot-shared", shared, run);
	char *rc = slurp_in(d2, "rc"), *out = slurp_in(d2, "out"), *err = slurp_in(d2, "err");
	char *mounts = slurp_in(d2, "mounts");
	cr_expect_str_eq(rc, "0\n", "%s", err);
	cr_expect(strstr(out, "{\"id\":\"sum\",\"verdict\":\"pass\""), "%s %s", out, err);
	cr_expect_eq(support_nonempty_lines(err), 2, "%s", err); /* the warning, the summary */
	cr_expect(strstr(err, "WARNING: the code sandbox is degraded") &&
			  strstr(err, "(a chroot) and shares its mounts with the host"),
		  "%s", err);
	/* No tmpfs of the sandbox is left, at the chroot or at its peer. */
	cr_expect_str_eq(mounts, "0\n", "a sandbox mount was left behind");
	free(mounts);
	unlink(in);
	free(rc);
	free(out);
	free(err);
	free(run);
	free(cp);
	free(in);
	free(cases);
	free(dir);
	free(d2);
}

static char *slurp_in(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	char *text = slurp(p);
	free(p);
	return text;
}
