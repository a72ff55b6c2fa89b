#!/usr/bin/env python3
"""pool_client.py URL MODEL PROMPTS N CONCURRENCY SEEDS: a plain promise-pool client.

What a user writes around the openai SDK: a fixed number of workers, each
sending the next (problem, sample) as its own chat request with its own seed,
in plan order, retrying a 429 after its Retry-After.  It is the peer the
bench measures reval against.  PROMPTS is JSONL with a "problem" id and a
"prompt" per problem (and "system" when there is one); SEEDS is a reval
journal whose per-sample seeds it sends, so that both clients ask for the
same work.  Prints: samples=N errors=N retries=N
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def main():
    url, model, prompts_path, n, conc, seeds_path = sys.argv[1:7]
    n, conc = int(n), int(conc)
    with open(prompts_path) as f:
        prompts = [json.loads(line) for line in f if line.strip()]
    seeds = {}
    with open(seeds_path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                seeds[(r["problem"], r["sample"])] = r["seed"]
    work = [(p, s) for p in range(len(prompts)) for s in range(n)]
    u = urllib.parse.urlparse(url)
    lock = threading.Lock()
    state = {"next": 0, "errors": 0, "retries": 0, "done": 0}

    def worker():
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        while True:
            with lock:
                if state["next"] >= len(work):
                    return
                p, s = work[state["next"]]
                state["next"] += 1
            msgs = []
            if prompts[p].get("system"):
                msgs.append({"role": "system", "content": prompts[p]["system"]})
            msgs.append({"role": "user", "content": prompts[p]["prompt"]})
            body = json.dumps({"model": model, "messages": msgs, "temperature": 0.6,
                               "seed": seeds[(prompts[p]["problem"], s)]})
            for _ in range(1000):
                try:
                    conn.request("POST", u.path + "/chat/completions", body,
                                 {"Content-Type": "application/json"})
                    r = conn.getresponse()
                    data = r.read()
                except OSError:
                    conn.close()
                    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
                    with lock:
                        state["retries"] += 1
                    continue
                if r.status == 429:
                    with lock:
                        state["retries"] += 1
                    time.sleep(float(r.getheader("Retry-After") or 1))
                    continue
                with lock:
                    if r.status == 200 and json.loads(data).get("choices"):
                        state["done"] += 1
                    else:
                        state["errors"] += 1
                break

    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("samples=%d errors=%d retries=%d" % (state["done"], state["errors"], state["retries"]))


main()
