# reval sandbox fork server ("zygote").  Carried by its C core (core.c, an
# extension module; source.c), which is embedded into the reval binary by
# graders/code/sandbox/zygote.c.  graders/code/sandbox/spawn.c starts python3
# as the first process of a worker's namespaces, under the worker seccomp
# filter, with the control socket on fd 3 and the core on fd 4; the few lines
# it runs (sbx_zygote_boot) load the core and run this source with the core
# as the global `core`.
#
# Roles, one process each:
#   Z  the fork server: this interpreter, once it has imported the standard
#      library, running core.c's loop.  It holds no test data: payloads reach
#      the processes that need them as descriptors (SCM_RIGHTS) that Z passes
#      on unread.  Per run it forks C into a fresh PID namespace, watches it,
#      and answers with its exit status once C and everything it started are
#      gone.
#   R  the trusted test runner (function problems), one per worker, forked
#      before any test data exists and re-forked when it dies.  It receives
#      each test spec straight from the checker on its own channel, runs the
#      tests and calls the candidate through a proxy that exchanges plain data
#      (marshal) with C.  Its own uid, undumpable, under seccomp.
#   C  the candidate: its own session, PID namespace (it is pid 1 there), uid,
#      rlimits, no_new_privs and seccomp filter.  Its stdout and stderr are
#      pipes the checker drains; its program and stdin are memfds.  Its /tmp,
#      also its working directory, is a fresh tmpfs that Z takes away when it
#      ends (core.c's world_down).
# A call's frames are read and written by the core (calls.c) at both ends.
# R trusts nothing C sends: every read has the call's deadline, a reply has
# a cap before it is decoded, a decoded value is walked within a budget
# linear in its size on the wire, and an error while describing a test's
# failure is that test's failure.
# The core confines R and C before returning into Python in them, so the
# Python below runs only in processes that are already confined.
#
# Wire format on fd 3 (a stream socket to the checker): frames of a 4-byte
# little-endian length then the bytes.  Headers are JSON; descriptors travel
# with the first bytes of the frame they belong to.
import os, sys, marshal, time, gc, struct, builtins, traceback
# Its import builds the AST node types, which compile() would otherwise build
# in every candidate: some 150 pages copied per test.
import ast
# The standard library solutions commonly import, loaded once here so that
# every forked test starts warm.  The list is a trade: whatever is loaded here
# is mapped into every fork, and forking and ending a test cost some 28 us per
# MiB of it, while a module left out costs a candidate that imports it 1-5 ms.
# So the big, rarely used ones (hashlib, datetime, dataclasses, pprint,
# calendar, queue, threading, locale) are imported by the few candidates that
# use them.
import math, re, itertools, collections, heapq, functools, string, typing, copy, io
import bisect, random, operator, statistics, fractions, decimal, cmath, numbers, array
import textwrap, unicodedata, binascii, errno, fnmatch, enum, abc, contextlib, weakref

MAX_FRAME = 256 << 20
ROLE_PY_STDIO, ROLE_PY_FUNC, ROLE_RUNNER = 1, 2, 3  # what core.serve returns in a child


def write_all(fd, data):
    mv = memoryview(data)
    while len(mv):
        k = os.write(fd, mv)
        mv = mv[k:]


def write_frame(fd, data):
    write_all(fd, struct.pack("<I", len(data)) + data)


def close_all(fds):
    for f in fds:
        try:
            os.close(f)
        except OSError:
            pass


# ---- C: the candidate ----

def candidate_main(mode, program):
    """In C, confined by the core, which has read its program and reported
    its setup: fds 0-2 are stdin and the pipes to the checker, 3 the socket
    to R (function mode).  Never returns."""
    # sys.stdin, stdout and stderr are the fork server's, on fds 0-2, never
    # read or written there: they now reach the candidate's own descriptors.
    # sys.argv is already ["main.py"] (set in the fork server).
    src = program.decode("utf-8", "replace")
    del program
    func = mode == ROLE_PY_FUNC
    name = "__candidate__" if func else "__main__"
    g = {"__name__": name, "__builtins__": builtins, "__file__": "main.py"}
    status = 0
    try:
        exec(compile(src, "main.py", "exec"), g)
    except SystemExit as e:
        if func:
            status = 1
        elif e.code is None or isinstance(e.code, int):
            status = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    if func and status == 0:
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


def answer(g, req):
    """One call: marshalled (name, args, kwargs) in, marshalled result out."""
    try:
        name, args, kw = marshal.loads(req)
        f = g.get(name)
        if f is None:
            raise NameError("name '%s' is not defined" % name)
        r = f(*args, **kw)
        try:
            # marshal takes the builtin types themselves and nothing derived
            # from them (buffers become bytes, as to_plain would make them):
            # what it takes is plain data already.  Whatever stops it (a
            # subclass, or no memory left) is for the path below to meet.
            return marshal.dumps(("ok", r))
        except Exception:
            pass
        try:
            return marshal.dumps(("ok", to_plain(r)))
        except Exception:
            return marshal.dumps(("obj", type(r).__name__, bool(r)))
    except BaseException as e:
        try:
            msg = str(e)[:300]
        except BaseException:
            msg = ""
        return marshal.dumps(("exc", type(e).__name__, msg))


def serve_calls(g):
    """Answer the runner's calls until it closes the channel: the core reads
    each call's frame and writes the reply's."""
    core.serve_calls(3, answer, g)


def warm():
    """Run the Python every candidate runs for a call -- answer() -- on data
    made up here, until its bytecode is specialised: in a child, each first
    run of a function rewrites its code object, a copy-on-write fault."""
    def probe(x, y=0):
        return [x, y, {"a": (x, 1.5)}]
    g = {"probe": probe}
    for i in range(40):
        answer(g, marshal.dumps(("probe", (i, "s"), {"y": [1, 2]})))
        to_plain((1, [2.0, "x"], {3: b"y"}, {4}, frozenset()))


# ---- R: the trusted runner ----

class CallTimeout(BaseException):
    pass


REPLY_MAX = MAX_FRAME   # bytes of one reply from the candidate
# A reply's value, expanded, may hold this many container elements and
# characters beyond what its frame could hold without back-references: so
# the work on it stays linear in the bytes the candidate sent.
NODE_SLACK = 1 << 20
CHAR_SLACK = 64 << 20


def text_of(x, cap):
    """A field of a reply as text for messages: a str, clipped before
    anything else is done with it, or nothing."""
    return x[:cap] if type(x) is str else ""


def clean(text):
    """Text that any UTF-8 reader takes: lone surrogates become '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


class CandidateError(Exception):
    def __init__(self, kind, msg):
        Exception.__init__(self, "%s: %s" % (kind, msg))
        self.kind = kind


PLAIN = (type(None), bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset)


LEAVES = (type(None), bool, int, float, complex)
SEQS = (tuple, list, set, frozenset)


def plain(x, nodes, chars):
    """x is plain data, at most 200 deep, and small once expanded: every
    visit counts, so a reply whose parts refer to each other (marshal's
    back-references) cannot make later work on it exponential.  Level by
    level, so that no level grows past the budget.  Returns True, False
    (not plain data) or None (too large)."""
    level = [x]
    for _ in range(201):
        nxt = []
        for y in level:
            t = type(y)
            if t in LEAVES:
                continue
            if t is str or t is bytes:
                chars -= len(y)
            elif t in SEQS:
                nodes -= len(y)
                if nodes < 0:
                    return None
                nxt += y
            elif t is dict:
                nodes -= 2 * len(y)
                if nodes < 0:
                    return None
                nxt += y.keys()
                nxt += y.values()
            else:
                return False
        if chars < 0:
            return None
        if not nxt:
            return True
        level = nxt
    return False


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
        core.reset()  # nothing an earlier candidate sent is read as a reply

    def call(self, name, args, kw):
        if self.dead:
            raise CandidateError("dead", "the candidate is no longer running")
        try:
            req = marshal.dumps((name, tuple(args), dict(kw)))
        except ValueError:
            raise CandidateError("badarg", "argument is not plain data")
        # The core sends the request and reads the reply's frame, every
        # wait for it under the call's deadline, its length under the cap.
        data = core.call(self.sock, req, self.deadline, REPLY_MAX)
        if type(data) is not bytes:
            self.dead = True
            if data is False:
                raise CallTimeout("no complete reply within %g s" % self.call_s)
            if data is None:
                raise CandidateError("died", "the candidate process ended")
            raise CandidateError("protocol", "a reply of %d bytes, above the cap" % data)
        size = len(data)
        try:
            rep = marshal.loads(data)
        except Exception:
            raise CandidateError("protocol", "unreadable reply")
        finally:
            data = None
        if type(rep) is not tuple or not rep:
            raise CandidateError("protocol", "bad reply")
        if rep[0] == "ok" and len(rep) == 2:
            ok = plain(rep[1], size + NODE_SLACK, 16 * size + CHAR_SLACK)
            if ok:
                return rep[1]
            if ok is None:
                raise CandidateError("badtype", "the candidate returned a value too large to check")
        elif rep[0] == "exc" and len(rep) == 3 and type(rep[1]) is str and type(rep[2]) is str:
            raise CandidateError(text_of(rep[1], 100), text_of(rep[2], 300))
        elif rep[0] == "obj" and len(rep) == 3 and type(rep[1]) is str and type(rep[2]) is bool:
            return Opaque(text_of(rep[1], 100), rep[2])
        elif rep[0] in ("exc", "obj"):
            raise CandidateError("protocol", "bad reply")
        raise CandidateError("badtype", "the candidate returned a value that is not plain data")

    def proxy(self, name):
        def candidate(*args, **kw):
            return self.call(name, args, kw)
        candidate.__name__ = name
        return candidate


class TestGlobals(dict):
    """The tests' globals: a name they do not define is a builtin, or else
    one of the candidate's functions, reached through a proxy."""
    __slots__ = ("runner",)

    def __missing__(self, k):
        if k in builtins.__dict__:
            return builtins.__dict__[k]
        if k.startswith("__"):
            raise KeyError(k)
        return self.runner.proxy(k)


# The builtins a test reads by name, there from the start: a name found in
# the tests' globals costs no call of __missing__ (a global the tests read
# and do not define is looked up in their globals first, since these are
# not a plain dict).
BUILTIN_NAMES = {k: v for k, v in builtins.__dict__.items() if not k.startswith("__")}


def runner_globals(runner):
    g = TestGlobals(BUILTIN_NAMES)
    g.update(__name__="__reval_tests__", __builtins__=builtins)
    g.runner = runner
    return g


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
    # The reference is trusted: no budget for its results.
    return v if plain(v, math.inf, math.inf) else Opaque(type(v).__name__, bool(v))


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


CODE_CACHE = collections.OrderedDict()  # compiled test sources, by (name, source)
CODE_CACHE_MAX = 1024  # a runner serves RUNNER_TESTS tests: this never evicts in practice


def compiled(src, name):
    """Test code (trusted: it comes from the dataset) is compiled once per
    source and kept for the next samples of the same problem."""
    key = (name, src)
    code = CODE_CACHE.get(key)
    if code is None:
        code = compile(src, name, "exec")
        CODE_CACHE[key] = code
        if len(CODE_CACHE) > CODE_CACHE_MAX:
            CODE_CACHE.popitem(last=False)
    else:
        CODE_CACHE.move_to_end(key)
    return code


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
    import hashlib  # the runner's alone, like json
    key = hashlib.sha256(json.dumps([spec["reference"], entry, spec["inputs"]]).encode()).digest()
    hit = REF_CACHE.get(key)
    if hit is not None:
        REF_CACHE.move_to_end(key)
        for data in hit:
            yield ref_unpack(data)
        return
    ref = {"__name__": "__reference__", "__builtins__": builtins}
    exec(compiled(spec["reference"], "reference.py"), ref)
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
    # Tests that draw their inputs from random draw the same ones for every
    # sample of a problem, in every run: a verdict is never a coin toss.
    random.setstate(SEED_0)
    g = runner_globals(runner)
    entry = spec.get("entry") or ""
    results = []
    form = spec["form"]
    call_s = float(spec.get("call_s", 3))

    def failing_line(e):
        # The dataset's own line that failed (an assert of check() or of the
        # assert list), for a reader of the verdict: "test.py:12: assert ...".
        where = None
        tb = e.__traceback__
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            src = spec.get("test") if name == "test.py" else None
            if name.startswith("assert_") and name.endswith(".py"):
                try:
                    src = spec["asserts"][int(name[7:-3])]
                except (ValueError, IndexError, KeyError, TypeError):
                    src = None
            if src:
                lines = src.splitlines()
                if 0 < tb.tb_lineno <= len(lines):
                    where = "%s:%d: %s" % (name, tb.tb_lineno, lines[tb.tb_lineno - 1].strip())
            tb = tb.tb_next
        return where

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
                # Describing the failure can fail too (its text built from
                # the candidate's data): then that is the test's failure.
                try:
                    v = verdict_of(e)
                    msg = "%s: %s" % (type(e).__name__, e)
                    where = failing_line(e) if isinstance(e, AssertionError) else None
                    msg = clean(((where[:200] + "\n") if where else "") + msg[:300])
                except BaseException:
                    v, msg = "runtime_error", "the failure could not be described"
        results.append({"v": v, "ms": round((time.monotonic() - t0) * 1000, 3), "msg": msg})

    ctx = spec.get("context") or ""
    for imp in spec.get("imports") or []:
        ctx += "\n" + imp
    if ctx.strip():
        exec(compiled(ctx, "context.py"), g)
    if entry:
        g[entry] = runner.proxy(entry)
    if form == "check":
        exec(compiled(spec["test"], "test.py"), g)
        check = g.get("check") if "check" in dict.keys(g) else None
        if check is None:
            raise ValueError("the test defines no check()")
        cand = runner.proxy(entry)
        one(lambda: check(cand))
    elif form == "asserts":
        for i, src in enumerate(spec["asserts"]):
            code = compiled(src, "assert_%d.py" % i)
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


SEED_0 = None  # random's state after random.seed(0), set by runner_main


def runner_main():
    """R's loop, confined by the core, on the channel at fd 3: a spec frame
    with the socket to C, then one result frame.  Never returns."""
    # The runner's alone, imported here rather than mapped into every fork.
    global json, SEED_0
    try:
        import json
        random.seed(0)
        SEED_0 = random.getstate()
    except BaseException:
        os._exit(1)
    for _ in range(RUNNER_TESTS):
        try:
            raw, fds = core.recv_frame(3, MAX_FRAME)
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
            try:
                out = {"error": clean(("%s: %s" % (type(e).__name__, e))[:500])}
            except BaseException:
                out = {"error": "the tests failed to run"}
        spec = runner = None
        close_all([csock])
        try:
            write_frame(3, json.dumps(out).encode())
        except BaseException:
            os._exit(1)
    # A fresh runner now and then keeps its heap small; the checker sees the
    # channel close and asks Z for another.
    os._exit(0)


RUNNER_TESTS = 500  # tests one runner serves before a fresh one


def main():
    # What a candidate's sys.argv is, set once here: set in each candidate,
    # it would copy the page of sys's dictionary.
    sys.argv = ["main.py"]
    warm()
    sys.stdout.flush()
    # Candidates skip the after-fork hooks, so they all start from this
    # state: a fixed seed makes a program that draws from random give the
    # same verdict in every worker and every run (as the fixed hash seed the
    # worker starts with does for set and dict order).
    random.seed(0)
    # Objects that exist now are never collected: children fork without
    # copying pages just to update the collector's bookkeeping.
    gc.collect()
    gc.freeze()
    # Returns only in a child, confined.
    role, program = core.serve(3, sys.version.split()[0])
    if role == ROLE_RUNNER:
        runner_main()
    elif role in (ROLE_PY_STDIO, ROLE_PY_FUNC):
        candidate_main(role, program)
    os._exit(2)


main()
