"""Client of `reval serve` (POST /v1/rewards), Python standard library only.

    from reval_client import RevalClient
    client = RevalClient("http://127.0.0.1:8000")
    results = client.rewards([{"response": "...", "gold": "42"}])
    results[0]["reward"], results[0]["accuracy"], results[0]["format"], results[0]["verdict"]

Batches are split into chunks of at most `chunk` items.  A 429 (the server's
queue is full) or 503 is retried after the server's Retry-After, a network
error after a short pause, `tries` times in all.  Every item gets a result;
an item the server could not score has "error" set and reward 0.
Environment: REVAL_URL (default http://127.0.0.1:8000), REVAL_TOKEN.
"""

import json
import os
import time
import urllib.error
import urllib.request


class RevalError(RuntimeError):
    pass


class RevalClient:
    def __init__(self, url=None, token=None, timeout=180.0, tries=5, chunk=1024):
        self.url = (url or os.environ.get("REVAL_URL", "http://127.0.0.1:8000")).rstrip("/")
        self.token = token if token is not None else os.environ.get("REVAL_TOKEN")
        self.timeout = timeout
        self.tries = tries
        self.chunk = chunk

    def post(self, path, payload):
        """POST JSON and return the decoded answer, retrying as described above."""
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        last = None
        for attempt in range(self.tries):
            req = urllib.request.Request(self.url + path, data=body, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as r:
                    return json.loads(r.read())
            except urllib.error.HTTPError as e:
                last = "HTTP %d: %s" % (e.code, e.read()[:300].decode(errors="replace"))
                if e.code not in (429, 503):
                    raise RevalError("%s%s: %s" % (self.url, path, last)) from None
                wait = float(e.headers.get("Retry-After") or 1)
            except (urllib.error.URLError, OSError) as e:
                last = str(e)
                wait = min(2 ** attempt, 10)
            if attempt + 1 < self.tries:
                time.sleep(wait)
        raise RevalError("%s%s: gave up after %d tries: %s" % (self.url, path, self.tries, last))

    def rewards(self, items):
        """Score items ({"response", "gold" | "tests" | "record", ...}); one result each."""
        out = []
        for i in range(0, len(items), self.chunk):
            out.extend(self.post("/v1/rewards", {"items": items[i:i + self.chunk]})["results"])
        return out
