"""Hostile traffic against a running `reval serve`; each probe gets its own
error or verdict and the server keeps serving the others.

    python3 hostile.py MODE URL PID

MODE traffic (server with --max-body-mb 1 --grader code --options {"time_s": 1}): malformed JSON, bad items among
good ones, huge bodies, slow clients, many idle connections, code that
forks, floods or eats memory -- and after each, a good request must still be
answered correctly; the server's resident memory stays bounded.  MODE
limits (--queue 4 --code-workers 1 --deadline 1 --max-buffered-mb 1): a full
queue, or request bodies past the buffered total, answer 429 with
Retry-After, a request larger than the queue 413;
an item past its deadline scores "timeout" while the rest of its batch is
scored.  MODE drain: SIGTERM while a request is in flight; the request is
still answered.  MODE token (--token-file holding "s3cret"): 401 without the
bearer token, /health open.  Prints one line per probe; exits 1 on the first failure.
"""

import concurrent.futures
import http.client
import json
import os
import resource
import signal
import socket
import sys
import time
import urllib.parse

GOOD = {"items": [{"id": "g", "grader": "math", "response": "<think>2+2</think> \\boxed{4}", "gold": "4"}]}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Server:
    def __init__(self, url, pid):
        u = urllib.parse.urlparse(url)
        self.host, self.port, self.pid = u.hostname, u.port, pid

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        c.request(method, path, body=data, headers=headers or {})
        r = c.getresponse()
        text = r.read()
        c.close()
        return r.status, dict(r.getheaders()), text

    def good(self, why):
        status, _, text = self.request("POST", "/v1/rewards", GOOD)
        res = json.loads(text)["results"][0] if status == 200 else None
        if not res or res["reward"] != 2 or res["verdict"] != "correct":
            fail("after %s the server did not score a good item: %d %r" % (why, status, text[:300]))

    def rss_mb(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return -1


def expect_error(s, path, body, code, words, why):
    status, _, text = s.request("POST", path, body)
    if status != code or words not in text.decode(errors="replace"):
        fail("%s: want %d with '%s', got %d %r" % (why, code, words, status, text[:300]))
    s.good(why)
    print("ok: %s -> %d %s" % (why, status, text[:100].decode(errors="replace")))


def malformed(s):
    expect_error(s, "/v1/rewards", b"{bad json", 400, "not a JSON object", "malformed JSON")
    expect_error(s, "/v1/rewards", b"\xff\xfe\x00garbage", 400, "not a JSON object", "binary garbage")
    expect_error(s, "/get_reward", {"query": "x"}, 400, "list of strings", "query not a list")
    expect_error(s, "/get_reward", {"query": ["a"], "labels": []}, 400, "as long as",
                 "labels of another length")
    expect_error(s, "/run_code", {"language": "python"}, 400, "\\\"code\\\"", "run_code without code")
    expect_error(s, "/run_code", {"code": "x", "language": "cobol"}, 400, "unsupported",
                 "run_code in an unknown language")
    expect_error(s, "/run_code", {"code": "x", "files": {"../escape": "AA=="}}, 400,
                 "plain file name", "run_code with a file outside its directory")
    expect_error(s, "/nowhere", {}, 404, "no such route", "unknown route")
    status, _, text = s.request("POST", "/v1/rewards", {"items": [
        7, {"response": "x", "grader": "math"}, {"response": "x", "gold": "1", "grader": "nope"},
        {"response": "x", "gold": "1", "grader": "math", "options": 3}, GOOD["items"][0],
        {"response": "\\boxed{12}", "gold": 12, "grader": "math"}]})
    res = json.loads(text)["results"] if status == 200 else fail("mixed batch: %d" % status)
    errs = [r["error"] for r in res[:4]]
    if not all(errs) or res[4]["reward"] != 2 or res[5]["accuracy"] != 1 or res[4]["error"]:
        fail("mixed batch: every bad item needs its own error, the good ones a score: %r" % res)
    print("ok: mixed batch -> per-item errors %r" % errs)


def huge(s):
    # A declared length over the cap is refused before a byte of the body is read.
    sock = socket.create_connection((s.host, s.port))
    sock.sendall(b"POST /v1/rewards HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000000000\r\n\r\n")
    sock.settimeout(30)
    head = sock.recv(4096).decode(errors="replace")
    sock.close()
    if " 413 " not in head.split("\r\n")[0]:
        fail("a 1 GB Content-Length: want 413, got %r" % head[:200])
    s.good("a 1 GB Content-Length")
    print("ok: 1 GB declared -> 413 before the body")
    # A chunked body that grows past the cap.
    sock = socket.create_connection((s.host, s.port))
    sock.sendall(b"POST /v1/rewards HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    sent = 0
    try:
        for _ in range(64):  # 4 MiB against a 1 MiB cap
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        sock.sendall(b"0\r\n\r\n")
        sock.settimeout(30)
        head = sock.recv(4096).decode(errors="replace")
    except OSError:
        head = "closed"
    sock.close()
    if " 413 " not in head.split("\r\n")[0] and head != "closed":
        fail("a 4 MiB chunked body: want 413 or a closed connection, got %r" % head[:200])
    s.good("a 4 MiB chunked body")
    print("ok: 4 MiB chunked body -> %s" % head.split("\r\n")[0])


def slow_and_idle(s, idle):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    idle = min(idle, hard - 200)
    slow = []
    for _ in range(20):  # headers, then a byte now and then
        k = socket.create_connection((s.host, s.port))
        k.sendall(b"POST /v1/rewards HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
        slow.append(k)
    conns = []
    for _ in range(idle):  # connected, silent
        conns.append(socket.create_connection((s.host, s.port)))
    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        for f in [ex.submit(s.good, "slow and idle clients") for _ in range(64)]:
            for k in slow:
                k.sendall(b" ")
            f.result()
    status, _, text = s.request("GET", "/metrics")
    if status != 200 or b"reval_requests_total" not in text:
        fail("/metrics with %d idle connections: %d" % (idle, status))
    for k in slow + conns:
        k.close()
    s.good("closing the idle connections")
    print("ok: 20 slow clients and %d idle connections; 64 good requests answered meanwhile" % idle)


def bad_code(s):
    probes = {
        "fork bomb": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        "output flood": "import sys\nwhile True:\n    sys.stdout.write('y' * 65536)\n",
        "memory hog": "x = []\nwhile True:\n    x.append(' ' * (1 << 24))\n",
        "sleeper": "import time\ntime.sleep(30)\n",
    }
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        futs = {name: ex.submit(s.request, "POST", "/run_code",
                                {"code": code, "language": "python", "run_timeout": 2})
                for name, code in probes.items()}
        s.good("code that forks, floods and hogs (while it runs)")
        for name, f in futs.items():
            status, _, text = f.result()
            a = json.loads(text)
            if status != 200 or a["status"] == "Success":
                fail("%s: want a failed run, got %d %r" % (name, status, text[:300]))
            print("ok: %s -> %s / %s" % (name, a["status"], a["run_result"] and a["run_result"]["status"]))
    # The same inside a reward batch: only that item fails.
    status, _, text = s.request("POST", "/v1/rewards", {"items": [
        {"grader": "code", "response": "```python\n" + probes["fork bomb"] + "```",
         "tests": [{"input": "", "output": "1\n"}]}, GOOD["items"][0]]})
    res = json.loads(text)["results"]
    if res[0]["reward"] != 0 or res[1]["reward"] != 2:
        fail("a fork bomb among rewards: %r" % res)
    print("ok: fork bomb as a reward item -> %s; its neighbour scored" % res[0]["verdict"])
    status, _, text = s.request("POST", "/run_code", {"code": "print(6 * 7)", "language": "python"})
    if json.loads(text)["run_result"]["stdout"] != "42\n":
        fail("after the hostile code, a good run failed: %r" % text)


def traffic(s):
    before = s.rss_mb()
    malformed(s)
    huge(s)
    slow_and_idle(s, int(os.environ.get("IDLE_CONNECTIONS", "10000")))
    bad_code(s)
    after = s.rss_mb()
    if after > 512:
        fail("resident memory %.0f MB after the hostile traffic" % after)
    print("ok: resident memory %.0f MB before, %.0f MB after" % (before, after))


def limits(s):
    """Server with --queue 4 --code-workers 1 --deadline 1 --max-buffered-mb 1."""
    items = [dict(GOOD["items"][0], id=i) for i in range(5)]
    status, _, text = s.request("POST", "/v1/rewards", {"items": items})
    if status != 413 or b"the queue holds 4" not in text:
        fail("5 items against a queue of 4: want 413 (it can never fit), got %d %r" % (status, text))
    sleeper = {"grader": "code", "response": "```python\nimport time\ntime.sleep(4)\nprint(1)\n```",
               "tests": [{"input": "", "output": "1\n"}]}
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        late = ex.submit(s.request, "POST", "/v1/rewards",
                         {"items": [sleeper, sleeper, sleeper, GOOD["items"][0]]})
        time.sleep(0.4)  # one sleeper runs, two wait in the code queue
        status, headers, text = s.request("POST", "/v1/rewards", {"items": [sleeper] * 3})
        if status != 429 or "Retry-After" not in headers:
            fail("3 code items against a code queue holding 2 of 4: want 429 with Retry-After, "
                 "got %d %r" % (status, headers))
        print("ok: a full queue -> 429, Retry-After %s; more items than it holds -> 413"
              % headers["Retry-After"])
        status, _, text = late.result()
    res = json.loads(text)["results"]
    if [r["verdict"] for r in res] != ["timeout"] * 3 + ["correct"] or res[3]["reward"] != 2:
        fail("items past their deadline: %r" % res)
    print("ok: three 4 s items with a 1 s deadline -> timeout; their neighbour scored")
    # Bodies held over all connections are capped (--max-buffered-mb 1).
    a = socket.create_connection((s.host, s.port))
    a.sendall(b"POST /v1/rewards HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n" + b" " * 800000)
    time.sleep(0.3)
    status, headers, text = s.request("POST", "/v1/rewards", b" " * 600000)
    if status != 429 or "Retry-After" not in headers:
        fail("a body past the buffered total: want 429, got %d %r" % (status, text[:200]))
    a.sendall(b" " * 100000)
    a.settimeout(30)
    head = a.recv(4096).decode(errors="replace")
    a.close()
    if " 400 " not in head.split("\r\n")[0]:
        fail("the held body, once whole, must be read (400: not JSON), got %r" % head[:200])
    s.good("bodies past the buffered total")
    print("ok: a second body past the buffered total -> 429; the first is still read")
    status, _, text = s.request("GET", "/metrics")
    if b'reval_items_total{verdict="timeout"} 3' not in text:
        fail("/metrics does not count the timeout: %r" % text)
    print("ok: /metrics counts the timeout")


def drain(s):
    body = {"items": [{"grader": "code", "response": "```python\nimport time\ntime.sleep(1.5)\nprint(1)\n```",
                       "tests": [{"input": "", "output": "1\n"}]}]}
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        f = ex.submit(s.request, "POST", "/v1/rewards", body)
        time.sleep(0.5)
        os.kill(s.pid, signal.SIGTERM)
        status, _, text = f.result()
    res = json.loads(text)["results"][0] if status == 200 else fail("in flight at SIGTERM: %d" % status)
    if res["verdict"] != "pass":
        fail("the request in flight at SIGTERM was not finished: %r" % res)
    print("ok: SIGTERM while a request was in flight; it was answered: %s" % res["verdict"])


def token(s):
    """Server started with --token-file holding "s3cret"."""
    status, _, text = s.request("POST", "/v1/rewards", GOOD)
    if status != 401:
        fail("no token: want 401, got %d %r" % (status, text[:200]))
    status, _, _ = s.request("POST", "/v1/rewards", GOOD, {"Authorization": "Bearer wrong"})
    if status != 401:
        fail("a wrong token: want 401, got %d" % status)
    status, _, _ = s.request("GET", "/metrics")
    if status != 401:
        fail("/metrics without the token: want 401, got %d" % status)
    status, _, _ = s.request("GET", "/health")
    if status != 200:
        fail("/health needs no token: got %d" % status)
    status, _, text = s.request("POST", "/v1/rewards", GOOD, {"Authorization": "Bearer s3cret"})
    if status != 200 or json.loads(text)["results"][0]["reward"] != 2:
        fail("the right token: %d %r" % (status, text[:200]))
    print("ok: the bearer token is required (401 without it or with another), /health is open")


if __name__ == "__main__":
    mode, url, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"traffic": traffic, "limits": limits, "drain": drain, "token": token}[mode](Server(url, pid))
