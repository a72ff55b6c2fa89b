# reval sandbox fork server ("zygote").  Embedded into the reval binary by
# harness/sandbox_zygote.c and run by harness/sandbox_spawn.c as the first
# process of a worker's namespaces, under the worker seccomp filter.
#
# Roles, one process each:
#   Z  this loop.  Pre-imports the standard library, holds no test data, and
#      forks one M per request.  Reads only request headers.
#   M  per-run monitor (trusted, privileged inside the worker).  Forks R and C
#      before it reads any payload, so neither inherits test data; feeds them,
#      drains C's output under a cap, kills C's PID namespace when done, and
#      writes the result frames.
#   R  trusted test runner (function problems): runs the dataset's tests and
#      calls the candidate through a proxy that exchanges plain data (marshal)
#      with C.  Runs as its own uid, under seccomp.
#   C  the candidate: its own session, PID namespace (it is pid 1 there), uid,
#      rlimits, no_new_privs and seccomp filter.
#
# Wire format on fd 3 (a stream socket to the checker): frames of a 4-byte
# little-endian length then the bytes.  Headers are JSON.
import os, sys, json, marshal, time, select, signal, resource, ctypes, gc, struct
import builtins, copy, io, traceback, shutil
# The standard library a solution may import, loaded once here so that every
# forked test starts warm.
import math, re, itertools, collections, heapq, functools, string, typing
import bisect, random, statistics, fractions, decimal, operator, array
import datetime, hashlib, cmath, numbers, enum, dataclasses, textwrap
import unicodedata, threading, queue, abc, contextlib, weakref, pprint
import base64, binascii, calendar, locale, csv, glob, fnmatch, errno, socket

CTL = 3
MAX_FRAME = 256 << 20
libc = ctypes.CDLL(None, use_errno=True)
CFG = {}
FILTER = b""


def read_exact(fd, n):
    parts = []
    while n > 0:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            return None
        parts.append(b)
        n -= len(b)
    return b"".join(parts)


def read_frame(fd, cap=MAX_FRAME):
    h = read_exact(fd, 4)
    if h is None:
        return None
    (n,) = struct.unpack("<I", h)
    if n > cap:
        raise ValueError("frame too large")
    return read_exact(fd, n) if n else b""


def write_all(fd, data):
    mv = memoryview(data)
    while len(mv):
        k = os.write(fd, mv)
        mv = mv[k:]


def write_frame(fd, data):
    write_all(fd, struct.pack("<I", len(data)) + data)


def send_json(fd, obj):
    write_frame(fd, json.dumps(obj).encode())


class sock_fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class cap_header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class cap_data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_capabilities():
    """Single-uid mode (unprivileged user namespace): the process keeps the
    namespace's root uid, so its capabilities go explicitly; no_new_privs
    keeps an exec from bringing them back."""
    hdr = cap_header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (cap_data * 2)()
    if libc.capset(ctypes.byref(hdr), data) != 0:
        raise OSError("capset failed")


def confine(lim, uid, gid, for_candidate):
    """Irreversibly drop to uid and apply rlimits, no_new_privs and seccomp.
    Raises on any failure: the caller must then exit, never run unconfined."""
    if CFG.get("setuid"):
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        if os.getresuid() != (uid, uid, uid):
            raise OSError("uid drop failed")
    def lim_set(r, soft, hard=None):
        resource.setrlimit(r, (soft, soft if hard is None else hard))
    lim_set(resource.RLIMIT_CORE, 0)
    mem = int(lim.get("mem_mb", 512)) << 20
    lim_set(resource.RLIMIT_AS, mem)
    if for_candidate:
        cpu = max(1, int(math.ceil(lim.get("cpu_s", 4))))
        lim_set(resource.RLIMIT_CPU, cpu, cpu + 1)
        lim_set(resource.RLIMIT_FSIZE, int(lim.get("fsize_mb", 16)) << 20)
        lim_set(resource.RLIMIT_NOFILE, int(lim.get("nofile", 64)))
        if CFG.get("setuid"):
            lim_set(resource.RLIMIT_NPROC, int(lim.get("nproc", 64)))
    if not for_candidate and libc.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
        raise OSError("cannot make the runner undumpable")
    if not CFG.get("setuid"):
        drop_capabilities()
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError("no_new_privs failed")
    if FILTER:
        buf = ctypes.create_string_buffer(FILTER, len(FILTER))
        prog = sock_fprog(len(FILTER) // 8, ctypes.addressof(buf))
        if libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # PR_SET_SECCOMP
            raise OSError("seccomp failed: errno %d" % ctypes.get_errno())
    elif CFG.get("need_seccomp", True):
        raise OSError("no seccomp filter")


def move_fds(wanted):
    """Make the targets of wanted (a list of (src, dst)) the only open fds."""
    tmp = [(os.dup(src), dst) for src, dst in wanted]
    for t, dst in tmp:
        os.dup2(t, dst, inheritable=True)
    targets = set(d for _, d in wanted)
    keep = max(targets) + 1
    for fd in range(keep):
        if fd not in targets:
            try:
                os.close(fd)
            except OSError:
                pass
    os.closerange(keep, 1 << 16)


# ---- C: the candidate ----

def candidate_main(hdr, fds, setup_w):
    """Child side.  Never returns."""
    try:
        os.setsid()
        lim = hdr["lim"]
        mode = hdr["mode"]
        os.chdir(hdr["cwd"])
        null = os.open("/dev/null", os.O_RDONLY)
        wanted = [(null, 0), (fds["out"], 1), (fds["err"], 2), (fds["code"], 4), (setup_w, 5)]
        if mode == "py_func":
            wanted.append((fds["rc"], 3))
        move_fds(wanted)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL if mode == "exec" else signal.SIG_IGN)
        confine(lim, CFG["uid_c"], CFG["gid_c"], True)
        program = b""
        while True:
            b = os.read(4, 1 << 20)
            if not b:
                break
            program += b
        os.close(4)
        # The monitor writes the input file before it closes the program
        # pipe, so it is complete now.
        if os.path.exists(hdr["stdin_path"]):
            fd = os.open(hdr["stdin_path"], os.O_RDONLY)
            os.dup2(fd, 0)
            os.close(fd)
        os.write(5, b"k")
        os.close(5)
    except BaseException as e:
        try:
            os.write(2, ("reval sandbox: setup failed: %r\n" % (e,)).encode())
        finally:
            os._exit(127)
    if mode == "exec":
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
        try:
            os.execve(hdr["argv"][0], hdr["argv"], env)
        except OSError as e:
            os.write(2, ("exec failed: %s\n" % e).encode())
        os._exit(126)
    sys.argv = ["main.py"]
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)))
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)))
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
                                  line_buffering=True)
    src = program.decode("utf-8", "replace")
    del program
    name = "__main__" if mode == "py_stdio" else "__candidate__"
    g = {"__name__": name, "__builtins__": builtins, "__file__": "main.py"}
    status = 0
    try:
        exec(compile(src, "main.py", "exec"), g)
    except SystemExit as e:
        if mode == "py_func":
            status = 1
        elif e.code is None or isinstance(e.code, int):
            status = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    if mode == "py_func" and status == 0:
        serve_calls(g)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        status = status or 1
    os._exit(status & 255)


BASES = (bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset)


def to_plain(x, depth=0):
    """Subclasses of plain types (Counter, OrderedDict, namedtuple...) become
    their base type; the result's equality is then the builtin one."""
    t = type(x)
    if depth > 100:
        return x
    if t in (tuple, list, set, frozenset) or (t is not dict and isinstance(x, (tuple, list, set, frozenset))):
        base = next(b for b in (tuple, list, set, frozenset) if isinstance(x, b))
        return base(to_plain(y, depth + 1) for y in x)
    if isinstance(x, dict):
        return {to_plain(k, depth + 1): to_plain(v, depth + 1) for k, v in dict.items(x)}
    if t not in BASES:
        for b in BASES:
            if isinstance(x, b):
                return b(x)
    return x


def serve_calls(g):
    """Answer the runner's calls: (name, args, kwargs) -> plain data."""
    while True:
        try:
            req = read_frame(3)
        except BaseException:
            return
        if req is None:
            return
        try:
            name, args, kw = marshal.loads(req)
            f = g.get(name)
            if f is None:
                raise NameError("name '%s' is not defined" % name)
            r = f(*args, **kw)
            try:
                data = marshal.dumps(("ok", to_plain(r)))
            except Exception:
                data = marshal.dumps(("obj", type(r).__name__, bool(r)))
        except BaseException as e:
            try:
                msg = str(e)[:300]
            except BaseException:
                msg = ""
            data = marshal.dumps(("exc", type(e).__name__, msg))
        try:
            write_frame(3, data)
        except BaseException:
            return


# ---- R: the trusted runner ----

class CallTimeout(BaseException):
    pass


class CandidateError(Exception):
    def __init__(self, kind, msg):
        Exception.__init__(self, "%s: %s" % (kind, msg))
        self.kind = kind


PLAIN = (type(None), bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset)


def plain(x, depth=0):
    t = type(x)
    if t not in PLAIN or depth > 200:
        return False
    if t in (tuple, list, set, frozenset):
        return all(plain(y, depth + 1) for y in x)
    if t is dict:
        return all(plain(k, depth + 1) and plain(v, depth + 1) for k, v in x.items())
    return True


class Opaque:
    """A result that is not plain data, known only by type name and truth.
    Equal only to another Opaque (from the reference) with both the same."""
    __slots__ = ("name", "truth")

    def __init__(self, name, truth):
        self.name, self.truth = name, truth

    def __eq__(self, other):
        return type(other) is Opaque and (self.name, self.truth) == (other.name, other.truth)

    def __bool__(self):
        return self.truth

    def __repr__(self):
        return "<%s>" % self.name


class Runner:
    def __init__(self, sock, call_s):
        self.sock = sock
        self.call_s = call_s
        self.deadline = None
        self.dead = False

    def call(self, name, args, kw):
        if self.dead:
            raise CandidateError("dead", "the candidate is no longer running")
        try:
            req = marshal.dumps((name, tuple(args), dict(kw)))
        except ValueError:
            raise CandidateError("badarg", "argument is not plain data")
        try:
            write_frame(self.sock, req)
        except OSError:
            self.dead = True
            raise CandidateError("died", "the candidate process ended")
        left = self.deadline - time.monotonic()
        r, _, _ = select.select([self.sock], [], [], max(0.0, left))
        if not r:
            self.dead = True
            raise CallTimeout()
        try:
            data = read_frame(self.sock)
        except OSError:
            data = None
        if data is None:
            self.dead = True
            raise CandidateError("died", "the candidate process ended")
        try:
            rep = marshal.loads(data)
        except Exception:
            raise CandidateError("protocol", "unreadable reply")
        if type(rep) is not tuple or not rep:
            raise CandidateError("protocol", "bad reply")
        if rep[0] == "ok" and len(rep) == 2 and plain(rep[1]):
            return rep[1]
        if rep[0] == "exc" and len(rep) == 3:
            raise CandidateError(str(rep[1]), str(rep[2]))
        if rep[0] == "obj" and len(rep) == 3 and type(rep[1]) is str and type(rep[2]) is bool:
            return Opaque(rep[1], rep[2])
        raise CandidateError("badtype", "the candidate returned a value that is not plain data")

    def proxy(self, name):
        def candidate(*args, **kw):
            return self.call(name, args, kw)
        candidate.__name__ = name
        return candidate


def runner_globals(runner):
    class G(dict):
        def __missing__(self, k):
            if k in builtins.__dict__:
                return builtins.__dict__[k]
            if k.startswith("__"):
                raise KeyError(k)
            return runner.proxy(k)
    return G(__name__="__reval_tests__", __builtins__=builtins)


def close_float(a, b, atol):
    if a == b:
        return True
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= max(atol, 1e-6) + 1e-7 * abs(b)


def same_value(out, exp, atol):
    if type(exp) is float and type(out) in (int, float):
        return close_float(float(out), exp, atol)
    if type(exp) in (list, tuple) and type(out) is type(exp) and len(out) == len(exp):
        return all(same_value(o, e, atol) for o, e in zip(out, exp))
    return out == exp


def tuplify(x):
    if type(x) is list:
        return [tuple(tuplify(y) for y in a) if type(a) is list else a for a in x]
    return x


def reference_value(v):
    v = to_plain(v)
    return v if plain(v) else Opaque(type(v).__name__, bool(v))


def verdict_of(exc):
    if isinstance(exc, CallTimeout):
        return "timeout"
    if isinstance(exc, CandidateError):
        if exc.kind == "MemoryError":
            return "memory_limit"
        if exc.kind in ("badtype",):
            return "wrong_answer"
        return "runtime_error"
    if isinstance(exc, MemoryError):
        return "memory_limit"
    return "wrong_answer"


def run_tests(spec, runner):
    g = runner_globals(runner)
    entry = spec.get("entry") or ""
    results = []
    form = spec["form"]
    call_s = float(spec.get("call_s", 3))

    def one(fn):
        t0 = time.monotonic()
        runner.deadline = t0 + call_s
        v, msg = "pass", ""
        if runner.dead:
            v, msg = "skipped", "an earlier test ended the candidate"
        else:
            try:
                fn()
            except BaseException as e:
                v = verdict_of(e)
                msg = ("%s: %s" % (type(e).__name__, e))[:300]
        results.append({"v": v, "ms": round((time.monotonic() - t0) * 1000, 3), "msg": msg})

    ctx = spec.get("context") or ""
    for imp in spec.get("imports") or []:
        ctx += "\n" + imp
    if ctx.strip():
        exec(compile(ctx, "context.py", "exec"), g)
    if entry:
        g[entry] = runner.proxy(entry)
    if form == "check":
        exec(compile(spec["test"], "test.py", "exec"), g)
        check = g.get("check") if "check" in dict.keys(g) else None
        if check is None:
            raise ValueError("the test defines no check()")
        cand = runner.proxy(entry)
        one(lambda: check(cand))
    elif form == "asserts":
        for i, src in enumerate(spec["asserts"]):
            code = compile(src, "assert_%d.py" % i, "exec")
            one(lambda code=code: exec(code, g))
    elif form == "io":
        ref = {"__name__": "__reference__", "__builtins__": builtins}
        exec(compile(spec["reference"], "reference.py", "exec"), ref)
        reff = ref[entry]
        atol = float(spec.get("atol") or 0)
        cand = runner.proxy(entry)
        for inp in spec["inputs"]:
            def t(inp=inp):
                # JSON has no tuples: when the reference refuses the lists, try
                # them as tuples, and call the candidate with what worked.
                exp, args, raised = None, inp, None
                for variant in (inp, tuplify(inp)):
                    t0 = time.monotonic()
                    try:
                        # The reference gets its arguments exactly as the
                        # candidate will: rebuilt by marshal.
                        exp = reference_value(reff(*marshal.loads(marshal.dumps(variant))))
                        args, raised = variant, None
                        break
                    except Exception as e:
                        raised = e
                    finally:
                        runner.deadline = time.monotonic() + max(call_s, 5 * (time.monotonic() - t0))
                if raised is not None:
                    # The reference itself fails on this input: the candidate must too.
                    try:
                        cand(*args)
                    except CandidateError as e:
                        if e.kind in ("badarg", "died", "protocol"):
                            raise
                        return
                    raise AssertionError("the reference raises %s here" % type(raised).__name__)
                out = cand(*args)
                if not same_value(out, exp, atol):
                    raise AssertionError("output differs from the reference")
            one(t)
    else:
        raise ValueError("unknown test form %r" % form)
    return results


def runner_main(hdr, spec_r, res_w, sock):
    try:
        move_fds([(spec_r, 3), (res_w, 4), (sock, 5)])
        devnull = os.open("/dev/null", os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
        lim = dict(hdr["lim"])
        lim["mem_mb"] = max(int(lim.get("mem_mb", 512)), int(lim.get("runner_mem_mb", 2048)))
        confine(lim, CFG["uid_r"], CFG["gid_r"], False)
        raw = b""
        while True:
            b = os.read(3, 1 << 20)
            if not b:
                break
            raw += b
        spec = json.loads(raw)
        del raw
        runner = Runner(5, float(spec.get("call_s", 3)))
        out = {"tests": run_tests(spec, runner)}
    except BaseException as e:
        out = {"error": ("%s: %s" % (type(e).__name__, e))[:500]}
    try:
        write_all(4, json.dumps(out).encode())
    finally:
        os._exit(0)


# ---- M: the monitor ----

def unshare_pid():
    if libc.unshare(0x20000000) != 0:  # CLONE_NEWPID
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWPID)")


def kill_rest(cpid, keep):
    """Teardown without a per-test PID namespace.  Inside a worker PID
    namespace: every process of it except Z, M and keep.  Without one (no
    namespaces at all): C's session, the best that remains."""
    if not CFG.get("worker_pidns"):
        try:
            os.killpg(cpid, signal.SIGKILL)
        except OSError:
            pass
        return
    me = os.getpid()
    for _ in range(50):
        victims = [int(d) for d in os.listdir("/proc") if d.isdigit()
                   and int(d) not in (1, me) and int(d) not in keep]
        if not victims:
            return
        for p in victims:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.001)


def fresh_dir(path, uid, gid, mode):
    shutil.rmtree(path, ignore_errors=True)
    os.mkdir(path, mode)
    if CFG.get("setuid"):
        os.chown(path, uid, gid)
    os.chmod(path, mode)


def monitor_main(hdr):
    res = {"status": "setup_failed"}
    out = bytearray()
    err = bytearray()
    cpid = rpid = -1
    try:
        mode = hdr["mode"]
        lim = hdr["lim"]
        out_cap = int(lim.get("out_bytes", 8 << 20))
        err_cap = 64 << 10
        job = CFG.get("tmp", "/tmp") + "/" + hdr["job"]
        if not os.path.isdir(job):
            os.mkdir(job, 0o755)
        cwd = job + "/w"
        fresh_dir(cwd, CFG["uid_c"], CFG["gid_c"], 0o700)
        hdr["cwd"] = cwd
        hdr["stdin_path"] = job + "/stdin"
        if mode == "exec":
            hdr["argv"] = [job + a[4:] if a.startswith("@job/") else a for a in hdr["argv"]]
        try:
            os.unlink(hdr["stdin_path"])
        except FileNotFoundError:
            pass
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        code_r, code_w = os.pipe()
        setup_r, setup_w = os.pipe()
        fds = {"out": out_w, "err": err_w, "code": code_r}
        if mode == "py_func":
            a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            rc_r, rc_c = a.detach(), b.detach()
            spec_r, spec_w = os.pipe()
            res_r, res_w = os.pipe()
            rpid = os.fork()
            if rpid == 0:
                runner_main(hdr, spec_r, res_w, rc_r)
            os.close(spec_r)
            os.close(res_w)
            os.close(rc_r)
            fds["rc"] = rc_c
        if CFG.get("pidns"):
            unshare_pid()
        cpid = os.fork()
        if cpid == 0:
            candidate_main(hdr, fds, setup_w)
        t_start = time.monotonic()
        for f in (out_w, err_w, code_r, setup_w):
            os.close(f)
        if mode == "py_func":
            os.close(rc_c)
        pidfd = os.pidfd_open(cpid)
        # Payload, read only now that R and C exist: stdin, program, spec.
        stdin_data = read_frame(CTL)
        program = read_frame(CTL)
        spec = read_frame(CTL)
        if stdin_data is None or program is None or spec is None:
            raise EOFError("request payload")
        if stdin_data:
            with open(hdr["stdin_path"], "wb") as f:
                f.write(stdin_data)
            os.chmod(hdr["stdin_path"], 0o644)
        del stdin_data
        if mode == "exec" and hdr.get("src_name"):
            p = cwd + "/" + hdr["src_name"]
            with open(p, "wb") as f:
                f.write(program)
            os.chmod(p, 0o644)
            program = b""
        try:
            write_all(code_w, program)
        except OSError:
            pass
        os.close(code_w)
        del program
        if mode == "py_func":
            try:
                write_all(spec_w, spec)
            except OSError:
                pass
            os.close(spec_w)
        del spec
        res = watch(hdr, cpid, pidfd, rpid, out_r, err_r, setup_r,
                    res_r if mode == "py_func" else -1, out, err, out_cap, err_cap)
        res["wall_ms"] = round((time.monotonic() - t_start) * 1000, 3)
        if mode == "exec" and hdr.get("keep") and res.get("status") == "exited" \
                and res.get("code") == 0:
            src = cwd + "/" + hdr["keep"]
            if os.path.isfile(src) and not os.path.islink(src):
                os.makedirs(job + "/bin", 0o755, exist_ok=True)
                dst = job + "/bin/" + hdr["keep"]
                shutil.copyfile(src, dst)
                os.chown(dst, 0, 0) if CFG.get("setuid") else None
                os.chmod(dst, 0o755)
                res["kept"] = True
    except BaseException as e:
        res = {"status": "setup_failed", "error": ("%s: %s" % (type(e).__name__, e))[:500]}
        for p in (cpid, rpid):
            if p > 0:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
    if not CFG.get("pidns") and cpid > 0:
        kill_rest(cpid, set())
    for p in (cpid, rpid):
        if p > 0:
            try:
                os.waitpid(p, 0)
            except ChildProcessError:
                pass
    try:
        send_json(CTL, res)
        write_frame(CTL, bytes(out))
        write_frame(CTL, bytes(err))
    finally:
        os._exit(0)


def watch(hdr, cpid, pidfd, rpid, out_r, err_r, setup_r, res_r, out, err, out_cap, err_cap):
    res = {}
    runner_out = bytearray()
    open_fds = {out_r: out, err_r: err, setup_r: None}
    if res_r >= 0:
        open_fds[res_r] = runner_out
    setup_ok = False
    c_done = False
    status = None
    rusage = None
    aborted = False
    over = False
    poller = select.poll()
    for f in open_fds:
        poller.register(f, select.POLLIN)
    poller.register(pidfd, select.POLLIN)
    poller.register(CTL, select.POLLIN)
    runner_done = res_r < 0

    def kill_c():
        try:
            os.kill(cpid, signal.SIGKILL)
        except OSError:
            pass

    while True:
        if c_done and runner_done and not (set(open_fds) & {out_r, err_r, setup_r}):
            break
        for fd, ev in poller.poll(1000):
            if fd == CTL:
                # The checker's wall clock ran out (or it went away).
                aborted = True
                kill_c()
                if rpid > 0:
                    try:
                        os.kill(rpid, signal.SIGKILL)
                    except OSError:
                        pass
                poller.unregister(CTL)
            elif fd == pidfd:
                _, st, rusage = os.wait4(cpid, 0)
                status = st
                c_done = True
                poller.unregister(pidfd)
                if not CFG.get("pidns"):
                    kill_rest(cpid, {rpid})
            elif fd in open_fds:
                b = os.read(fd, 1 << 16)
                if not b:
                    poller.unregister(fd)
                    del open_fds[fd]
                    if fd == res_r:
                        runner_done = True
                        if not c_done:
                            kill_c()
                    continue
                if fd == setup_r:
                    setup_ok = True
                    continue
                buf = open_fds[fd]
                cap = out_cap if fd == out_r else err_cap if fd == err_r else MAX_FRAME
                if len(buf) + len(b) > cap:
                    buf += b[:max(0, cap - len(buf))]
                    if fd == out_r:
                        over = True
                        kill_c()
                else:
                    buf += b
    if rpid > 0 and not runner_done:
        try:
            os.kill(rpid, signal.SIGKILL)
        except OSError:
            pass
    ru = rusage
    res["cpu_ms"] = round((ru.ru_utime + ru.ru_stime) * 1000, 3) if ru else 0
    res["maxrss_kb"] = ru.ru_maxrss if ru else 0
    if os.WIFEXITED(status):
        res["status"], res["code"] = "exited", os.WEXITSTATUS(status)
    else:
        res["status"], res["signal"] = "signaled", os.WTERMSIG(status)
    if not setup_ok:
        res["status"] = "setup_failed"
    if over:
        res["status"] = "output_limit"
    if aborted:
        res["status"] = "aborted"
    if res_r >= 0:
        try:
            res["runner"] = json.loads(bytes(runner_out)) if runner_out else None
        except ValueError:
            res["runner"] = {"error": "unreadable runner result"}
    return res


# ---- Z: the loop ----

def reap():
    while True:
        try:
            p, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if p == 0:
            return


def main():
    global CFG, FILTER
    hello = read_frame(CTL)
    CFG = json.loads(hello)
    FILTER = read_frame(CTL) or b""
    os.umask(0o022)
    sys.stdout.flush()
    # Objects that exist now are never collected: children fork without
    # copying pages just to update the collector's bookkeeping.
    gc.collect()
    gc.freeze()
    send_json(CTL, {"op": "ready", "python": sys.version.split()[0], "pid": os.getpid()})
    while True:
        raw = read_frame(CTL, 1 << 20)
        if raw is None:
            os._exit(0)
        hdr = json.loads(raw)
        op = hdr.get("op")
        if op == "run":
            sys.stdout.flush()
            sys.stderr.flush()
            m = os.fork()
            if m == 0:
                try:
                    monitor_main(hdr)
                finally:
                    os._exit(1)
            _, st = os.waitpid(m, 0)
            reap()
            send_json(CTL, {"op": "end", "m_status": st})
        elif op == "job_end":
            job = hdr.get("job", "")
            if job and "/" not in job and job not in (".", ".."):
                shutil.rmtree(CFG.get("tmp", "/tmp") + "/" + job, ignore_errors=True)
            reap()
            send_json(CTL, {"op": "end"})
        elif op == "ping":
            send_json(CTL, {"op": "end"})
        # "abort" frames that arrive after a run already ended are ignored.


main()
