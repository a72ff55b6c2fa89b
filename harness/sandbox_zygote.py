# reval sandbox fork server ("zygote").  Embedded into the reval binary by
# harness/sandbox_zygote.c and run by harness/sandbox_spawn.c as the first
# process of a worker's namespaces, under the worker seccomp filter.
#
# Roles, one process each:
#   Z  this loop.  Pre-imports the standard library and holds no test data:
#      payloads reach the processes that need them as descriptors (SCM_RIGHTS)
#      that Z passes on unread.  Per run it forks C into a fresh PID namespace,
#      watches it, and answers with its exit status once C and everything it
#      started are gone.
#   R  the trusted test runner (function problems), one per worker, forked
#      before any test data exists and re-forked when it dies.  It receives
#      each test spec straight from the checker on its own channel, runs the
#      tests and calls the candidate through a proxy that exchanges plain data
#      (marshal) with C.  Its own uid, undumpable, under seccomp.
#   C  the candidate: its own session, PID namespace (it is pid 1 there), uid,
#      rlimits, no_new_privs and seccomp filter.  Its stdout and stderr are
#      pipes the checker drains; its program and stdin are memfds.
#
# Wire format on fd 3 (a stream socket to the checker): frames of a 4-byte
# little-endian length then the bytes.  Headers are JSON; descriptors travel
# with the first bytes of the frame they belong to.
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


def recv_frame_fds(sock, cap=MAX_FRAME):
    """A frame and the descriptors that came with its first bytes, or
    (None, fds) at end of stream."""
    data, fds, _, _ = socket.recv_fds(sock, 4, 8, socket.MSG_CMSG_CLOEXEC)
    while data and len(data) < 4:
        more = os.read(sock.fileno(), 4 - len(data))
        if not more:
            break
        data += more
    if len(data) < 4:
        return None, fds
    (n,) = struct.unpack("<I", data)
    if n > cap:
        raise ValueError("frame too large")
    body = read_exact(sock.fileno(), n) if n else b""
    return body, fds


def close_all(fds):
    for f in fds:
        try:
            os.close(f)
        except OSError:
            pass


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

def candidate_main(hdr, fd, cwd, setup_w):
    """Child side.  fd names the descriptors the checker sent: program (a
    memfd), stdin (a memfd, optional), out, err, and rc (function mode: the
    socket to R).  Never returns."""
    try:
        os.setsid()
        lim = hdr["lim"]
        mode = hdr["mode"]
        os.chdir(cwd)
        stdin = fd["stdin"] if "stdin" in fd else os.open("/dev/null", os.O_RDONLY)
        wanted = [(stdin, 0), (fd["out"], 1), (fd["err"], 2), (fd["program"], 4), (setup_w, 5)]
        if mode == "py_func":
            wanted.append((fd["rc"], 3))
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
        if mode == "exec" and hdr.get("src_name"):
            with open(hdr["src_name"], "wb") as f:
                f.write(program)
            program = b""
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


REF_CACHE = collections.OrderedDict()  # reference results of recent problems, marshalled
REF_CACHE_MAX = 8                      # problems
REF_CACHE_BYTES = 16 << 20             # per problem; larger results are recomputed
BIG = 10000                            # a container this long is not worth keeping


def ref_pack(item):
    exp, args, raised, took = item
    if type(exp) is Opaque:
        exp = ("o", exp.name, exp.truth)
    elif type(exp) is AssertionError:
        exp = ("f", str(exp))
    else:
        exp = ("v", exp)
    return marshal.dumps((exp, args, raised, took))


def ref_unpack(data):
    (kind, *v), args, raised, took = marshal.loads(data)
    exp = Opaque(v[0], v[1]) if kind == "o" else AssertionError(v[0]) if kind == "f" else v[0]
    return exp, args, raised, took


def reference_results(spec, entry):
    """Per input, in order: (expected, arguments, name of what the reference
    raised or None, seconds it took).  The reference is trusted and
    deterministic, so when its results are small they are kept, marshalled,
    for the next samples of the same problem; large ones are computed again
    one input at a time, never held all at once."""
    key = hashlib.sha256(json.dumps([spec["reference"], entry, spec["inputs"]]).encode()).digest()
    hit = REF_CACHE.get(key)
    if hit is not None:
        REF_CACHE.move_to_end(key)
        for data in hit:
            yield ref_unpack(data)
        return
    ref = {"__name__": "__reference__", "__builtins__": builtins}
    exec(compile(spec["reference"], "reference.py", "exec"), ref)
    reff = ref[entry]
    kept, size = [], 0
    for inp in spec["inputs"]:
        item = None
        item = reference_one(reff, inp)
        if kept is not None:
            big = any(isinstance(x, (list, tuple, dict, set, frozenset, str, bytes))
                      and len(x) > BIG for x in (item[0], item[1]))
            data = None if big else ref_pack(item)
            size += len(data) if data else 0
            if data is None or size > REF_CACHE_BYTES:
                kept = None
            else:
                kept.append(data)
        yield item
    if kept is not None:
        REF_CACHE[key] = kept
        while len(REF_CACHE) > REF_CACHE_MAX:
            REF_CACHE.popitem(last=False)


def reference_one(reff, inp):
    # JSON has no tuples: when the reference refuses the lists, try them as
    # tuples, and call the candidate with what worked.
    exp, args, raised, took = None, inp, None, 0.0
    for variant in (inp, tuplify(inp)):
        t0 = time.monotonic()
        try:
            # The reference gets its arguments exactly as the candidate will:
            # rebuilt by marshal.
            exp = reference_value(reff(*marshal.loads(marshal.dumps(variant))))
            args, raised = variant, None
            break
        except Exception as e:
            raised = type(e).__name__
        except BaseException as e:
            # Not an error a candidate could match: the test fails.
            exp, raised = AssertionError("the reference ended with %s" % type(e).__name__), None
            break
        finally:
            took = time.monotonic() - t0
    return exp, args, raised, took


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
        atol = float(spec.get("atol") or 0)
        cand = runner.proxy(entry)
        refs = reference_results(spec, entry)
        for _ in spec["inputs"]:
            if runner.dead:
                one(None)  # skipped; no reference result is needed
                continue
            exp, args, raised, ref_s = next(refs)

            def t(exp=exp, args=args, raised=raised, ref_s=ref_s):
                runner.deadline = time.monotonic() + max(call_s, 5 * ref_s)
                if raised is not None:
                    # The reference itself fails on this input: the candidate must too.
                    try:
                        cand(*args)
                    except CandidateError as e:
                        if e.kind in ("badarg", "died", "protocol"):
                            raise
                        return
                    raise AssertionError("the reference raises %s here" % raised)
                if type(exp) is AssertionError:
                    raise AssertionError(str(exp))
                out = cand(*args)
                if not same_value(out, exp, atol):
                    raise AssertionError("output differs from the reference")
            one(t)
            # Results can be huge: hold one input's at a time, as the
            # reference computes the next.
            t = exp = args = None
    else:
        raise ValueError("unknown test form %r" % form)
    return results


def runner_main(chan):
    """R's loop: a spec frame with the socket to C, then one result frame.
    Confined once, before the first spec arrives.  Never returns."""
    try:
        move_fds([(chan, 3)])
        devnull = os.open("/dev/null", os.O_RDWR)
        for f in (0, 1, 2):
            os.dup2(devnull, f)
        os.close(devnull)
        confine({"mem_mb": int(CFG.get("runner_mem_mb", 2048))}, CFG["uid_r"], CFG["gid_r"], False)
        sock = socket.socket(fileno=3)
    except BaseException:
        os._exit(1)
    for _ in range(RUNNER_TESTS):
        try:
            raw, fds = recv_frame_fds(sock)
        except BaseException:
            os._exit(1)
        if raw is None:
            os._exit(0)
        csock = fds[0] if fds else -1
        close_all(fds[1:])
        try:
            spec = json.loads(raw)
            del raw
            runner = Runner(csock, float(spec.get("call_s", 3)))
            out = {"tests": run_tests(spec, runner)}
        except BaseException as e:
            out = {"error": ("%s: %s" % (type(e).__name__, e))[:500]}
        spec = runner = None
        close_all([csock])
        try:
            write_frame(3, json.dumps(out).encode())
        except BaseException:
            os._exit(1)
    # A fresh runner now and then keeps its heap small; the checker sees the
    # channel close and asks Z for another.
    os._exit(0)


# ---- Z: one run ----

RUNNER_TESTS = 500          # tests one runner serves before a fresh one
RUNNER_PID = -1             # R, or -1 while there is none
SELF_PIDNS = -1             # Z's own PID namespace (an fd), to return to after each run
SCRATCH = ".run"            # C's working directory for programs without a job


def unshare_pid():
    if libc.unshare(0x20000000) != 0:  # CLONE_NEWPID
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWPID)")


def back_to_own_pidns():
    """After forking C into a fresh PID namespace, Z's later children (the
    next C, a new R) must not go there: return to Z's own.  A Z that cannot
    is useless, so it ends and the checker restarts the worker."""
    if libc.setns(SELF_PIDNS, 0x20000000) != 0:
        os._exit(3)


def kill_rest(cpid, keep):
    """Teardown without a per-test PID namespace.  Inside a worker PID
    namespace: every process of it except Z and keep.  Without one (no
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


def kill_runner():
    if RUNNER_PID > 0:
        try:
            os.kill(RUNNER_PID, signal.SIGKILL)
        except OSError:
            pass


def start_runner(fds):
    global RUNNER_PID
    if not fds:
        return
    kill_runner()
    pid = os.fork()
    if pid == 0:
        close_all([SELF_PIDNS])
        runner_main(fds[0])
    RUNNER_PID = pid


def valid_job(job):
    return bool(job) and all(ch.isalnum() or ch in "_-" for ch in job)


def run(hdr, fds):
    """Fork C with the descriptors the checker sent, watch it, and return the
    result header.  C and every process it made are gone when this returns."""
    names = hdr.get("fds") or []
    fd = dict(zip(names, fds))
    cpid = -1
    setup_r = setup_w = -1
    try:
        mode = hdr["mode"]
        if len(names) != len(fds) or "program" not in fd or "out" not in fd or "err" not in fd \
                or (mode == "py_func" and "rc" not in fd):
            raise ValueError("the run's descriptors are missing")
        tmp = CFG.get("tmp", "/tmp")
        if mode == "exec":
            if not valid_job(hdr.get("job")):
                raise ValueError("bad job name")
            job = tmp + "/" + hdr["job"]
            if not os.path.isdir(job):
                os.mkdir(job, 0o755)
            cwd = job + "/w"
            hdr["argv"] = [job + a[4:] if a.startswith("@job/") else a for a in hdr["argv"]]
        else:
            job, cwd = None, tmp + "/" + SCRATCH
        fresh_dir(cwd, CFG["uid_c"], CFG["gid_c"], 0o700)
        setup_r, setup_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        if CFG.get("pidns"):
            unshare_pid()
        try:
            cpid = os.fork()
            if cpid == 0:
                candidate_main(hdr, fd, cwd, setup_w)
        finally:
            if CFG.get("pidns"):
                back_to_own_pidns()
        t_start = time.monotonic()
        close_all([setup_w] + fds)
        setup_w, fds = -1, []
        res = watch(cpid, os.pidfd_open(cpid))
        cpid = -1
        res["wall_ms"] = round((time.monotonic() - t_start) * 1000, 3)
        try:
            setup_ok = os.read(setup_r, 1) == b"k"
        except BlockingIOError:
            setup_ok = False
        if not setup_ok and res["status"] != "aborted":
            res["status"] = "setup_failed"
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
        if cpid > 0:
            try:
                os.kill(cpid, signal.SIGKILL)
                os.waitpid(cpid, 0)
            except OSError:
                pass
    close_all([f for f in (setup_r, setup_w) if f >= 0] + fds)
    return res


def watch(cpid, pidfd):
    """Wait for C; the checker may end it early with {"op": "kill"} (its wall
    clock, an output cap, or R's verdict being in)."""
    aborted = False
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    poller.register(CTL, select.POLLIN)
    while True:
        ev = dict(poller.poll())
        if CTL in ev:
            raw = msg = None
            try:
                raw = read_frame(CTL, 4096)
                msg = json.loads(raw) if raw else None
            except (ValueError, OSError):
                pass
            if raw is None:
                # The checker went away: end everything.
                os.kill(cpid, signal.SIGKILL)
                kill_runner()
                os._exit(0)
            if msg and msg.get("op") == "kill":
                try:
                    os.kill(cpid, signal.SIGKILL)
                except OSError:
                    pass
                if msg.get("abort"):
                    aborted = True
                if msg.get("runner"):
                    kill_runner()
        if pidfd in ev:
            break
    # C is pid 1 of its own namespace: when wait4 returns, the kernel has
    # killed and reaped everything it started.
    _, st, ru = os.wait4(cpid, 0)
    os.close(pidfd)
    if not CFG.get("pidns"):
        kill_rest(cpid, {RUNNER_PID})
    res = {"cpu_ms": round((ru.ru_utime + ru.ru_stime) * 1000, 3), "maxrss_kb": ru.ru_maxrss}
    if os.WIFEXITED(st):
        res["status"], res["code"] = "exited", os.WEXITSTATUS(st)
    else:
        res["status"], res["signal"] = "signaled", os.WTERMSIG(st)
    if aborted:
        res["status"] = "aborted"
    return res


# ---- Z: the loop ----

def reap():
    global RUNNER_PID
    while True:
        try:
            p, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if p == 0:
            return
        if p == RUNNER_PID:
            RUNNER_PID = -1


def main():
    global CFG, FILTER, SELF_PIDNS
    hello = read_frame(CTL)
    CFG = json.loads(hello)
    FILTER = read_frame(CTL) or b""
    os.umask(0o022)
    if CFG.get("pidns"):
        SELF_PIDNS = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    ctl = socket.socket(fileno=CTL)
    sys.stdout.flush()
    # Objects that exist now are never collected: children fork without
    # copying pages just to update the collector's bookkeeping.
    gc.collect()
    gc.freeze()
    send_json(CTL, {"op": "ready", "python": sys.version.split()[0], "pid": os.getpid()})
    while True:
        raw, fds = recv_frame_fds(ctl, 1 << 20)
        if raw is None:
            kill_runner()
            os._exit(0)
        hdr = json.loads(raw)
        del raw
        op = hdr.get("op")
        if op == "run":
            sys.stdout.flush()
            sys.stderr.flush()
            res = run(hdr, fds)
            send_json(CTL, res)
        elif op == "runner":
            start_runner(fds)
            close_all(fds)
        elif op == "job_end":
            job = hdr.get("job", "")
            if valid_job(job):
                shutil.rmtree(CFG.get("tmp", "/tmp") + "/" + job, ignore_errors=True)
            send_json(CTL, {"op": "end"})
        elif op == "ping":
            send_json(CTL, {"op": "end"})
        else:
            # "kill" frames that arrive after a run already ended are ignored.
            close_all(fds)
        reap()


main()
