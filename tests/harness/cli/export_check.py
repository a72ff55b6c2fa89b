"""`reval export` on the bundled recordings, checked from the outside.

    python3 export_check.py WORKDIR

Regrades every bundled recording (`reval reproduce --out WORKDIR/rep`), then
exports each run (every output format and reasoning style is used on some of
them), and a derived recording with reasoning, token counts, truncation and
repeated answers under every filter.  For each export it recomputes from the journal alone,
by the rules of `reval help export`, which samples are kept and why the
others are dropped, compares that with the counts reval printed, validates
every output line against the format's schema, and reads the kept samples
back out of the file: reasoning and answer, in journal order.  Prints one
line per recording; exits 1 on the first difference.
"""

import json
import os
import re
import subprocess
import sys

REVAL = os.environ["REVAL_BIN"]
ROOT = os.environ.get("REVAL_ROOT", ".")

SCHEMAS = {
    "messages": {"type": "object", "required": ["messages"], "only": ["messages"],
                 "properties": {"messages": {"type": "array", "min": 2, "items": "turn"}}},
    "sharegpt": {"type": "object", "required": ["conversations"], "only": ["conversations"],
                 "properties": {"conversations": {"type": "array", "min": 2, "items": "sharegpt"}}},
    "prompt-completion": {"type": "object", "required": ["prompt", "completion"],
                          "only": ["prompt", "completion"],
                          "properties": {"prompt": {"type": "array", "min": 1, "items": "turn"},
                                         "completion": {"type": "array", "min": 1, "max": 1,
                                                        "items": "turn"}}},
}
TURN = {"role": ("system", "user", "assistant"), "text": "content", "extra": ("thinking",)}
SHAREGPT = {"role": ("system", "human", "gpt"), "text": "value", "extra": ()}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def validate(line, fmt, where):
    """A small JSON-schema check: types, required and allowed keys, turn order."""
    schema = SCHEMAS[fmt]
    if not isinstance(line, dict):
        fail("%s: not an object" % where)
    for k in schema["required"]:
        if k not in line:
            fail("%s: missing %r" % (where, k))
    for k in line:
        if k not in schema["only"]:
            fail("%s: unexpected key %r" % (where, k))
    turns = []
    for k, p in schema["properties"].items():
        v = line[k]
        if not isinstance(v, list) or len(v) < p["min"] or len(v) > p.get("max", 1 << 30):
            fail("%s: %r must be a list of %d..%s turns" % (where, k, p["min"], p.get("max", "n")))
        spec = TURN if p["items"] == "turn" else SHAREGPT
        rk = "role" if spec is TURN else "from"
        for t in v:
            if not isinstance(t, dict) or set(t) - {rk, spec["text"], *spec["extra"]}:
                fail("%s: bad turn %r" % (where, t))
            if t.get(rk) not in spec["role"] or not isinstance(t.get(spec["text"]), str):
                fail("%s: bad turn %r" % (where, t))
            if "thinking" in t and (t[rk] != "assistant" or not isinstance(t["thinking"], str)):
                fail("%s: a thinking field outside the assistant turn" % where)
            turns.append((t[rk], t))
    roles = [r for r, _ in turns]
    want_tail = ["human", "gpt"] if fmt == "sharegpt" else ["user", "assistant"]
    if roles[-2:] != want_tail or roles[:-2] not in ([], ["system"]):
        fail("%s: turns %r" % (where, roles))
    return turns[-1][1], turns[-2][1]


def journal(run):
    with open(os.path.join(run, "samples.jsonl")) as f:
        return [json.loads(l) for l in f if l.strip()]


def norm(s):
    return " ".join((s or "").lower().split())


def expected(lines, opts):
    """The rules of `reval help export`, in their order."""
    counts, kept, per, seen = {}, [], {}, set()
    for s in lines:
        g = s.get("grade") or {}
        tokens = (s.get("usage") or {}).get("completion_tokens")
        if s.get("error") or g.get("status") == "infra_error":
            why = "infra_error"
        elif s.get("finish_reason") == "length" or g.get("status") == "truncated":
            why = "truncated"
        elif not g.get("correct"):
            why = "wrong"
        elif opts.get("require_format") and (s.get("reasoning") is None or not s.get("reasoning_closed", True)
                                             or not (s.get("content") or "").strip()):
            why = "format"
        elif (opts.get("min") or opts.get("max")) and tokens is None:
            why = "tokens_unknown"
        elif opts.get("min") and tokens < opts["min"]:
            why = "too_short"
        elif opts.get("max") and tokens > opts["max"]:
            why = "too_long"
        elif opts.get("dedup") and (s["task"], str(s["problem"]), norm(s.get("reasoning")), norm(s.get("content"))) in seen:
            why = "duplicate"
        elif opts.get("per") and per.get((s["task"], str(s["problem"])), 0) >= opts["per"]:
            why = "over_per_problem"
        else:
            why = "kept"
            per[(s["task"], str(s["problem"]))] = per.get((s["task"], str(s["problem"])), 0) + 1
        if why in ("kept", "over_per_problem") and opts.get("dedup"):
            seen.add((s["task"], str(s["problem"]), norm(s.get("reasoning")), norm(s.get("content"))))
        counts[why] = counts.get(why, 0) + 1
        if why == "kept":
            kept.append(s)
    return counts, kept


def export(run, out, fmt, reasoning, opts):
    args = [REVAL, "export", run, "--sft", out, "--format", fmt, "--reasoning", reasoning]
    if opts.get("require_format"):
        args.append("--require-format")
    if opts.get("dedup"):
        args.append("--dedup")
    for flag, key in (("--min-tokens", "min"), ("--max-tokens", "max"), ("--per-problem", "per")):
        if opts.get(key):
            args += [flag, str(opts[key])]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode:
        fail("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
    counts = {}
    m = re.search(r": (\d+) samples, (\d+) kept", p.stdout)
    counts["kept"] = int(m.group(2))
    for name, n in re.findall(r"dropped (\w+) +(\d+)", p.stdout):
        counts[name] = int(n)
    return int(m.group(1)), counts


def check(run, fmt, reasoning, opts, tag):
    lines = journal(run)
    out = os.path.join(run, "sft-%s-%s.jsonl" % (fmt, reasoning))
    total, got = export(run, out, fmt, reasoning, opts)
    want, kept = expected(lines, opts)
    if total != len(lines) or got != want:
        fail("%s %s/%s %r: reval printed %r of %d, the journal says %r of %d"
             % (tag, fmt, reasoning, opts, got, total, want, len(lines)))
    with open(out) as f:
        rows = [json.loads(l) for l in f]
    if len(rows) != len(kept):
        fail("%s: %d lines written, %d kept" % (tag, len(rows), len(kept)))
    text = "value" if fmt == "sharegpt" else "content"
    for i, (row, s) in enumerate(zip(rows, kept)):
        reply, prompt = validate(row, fmt, "%s line %d" % (tag, i + 1))
        body, thinking = reply[text], reply.get("thinking")
        if reasoning == "think" and s.get("reasoning") is not None:
            m = re.match(r"\A<think>\n(.*)\n</think>\n\n(.*)\Z", body, re.S)
            if not m:
                fail("%s line %d: no inline reasoning: %r" % (tag, i + 1, body[:200]))
            thinking, body = m.group(1), m.group(2)
        want_thinking = s.get("reasoning") if reasoning != "none" else None
        if body != (s.get("content") or "") or (thinking if reasoning != "none" else None) != want_thinking:
            fail("%s line %d does not read back as journal sample %s/%s/%s"
                 % (tag, i + 1, s["task"], s["problem"], s["sample"]))
        if not prompt[text].strip():
            fail("%s line %d: empty prompt" % (tag, i + 1))
    return want


def derived(workdir):
    """The Qwen2.5-Math recording with reasoning, token counts, truncation and repeats."""
    src = os.path.join(ROOT, "datasets", "recordings", "qwen25-math-rm-maj-example", "maj8.samples.jsonl")
    dst = os.path.join(workdir, "derived.samples.jsonl")
    with open(src) as f, open(dst, "w") as g:
        for i, line in enumerate(f):
            s = json.loads(line)
            if i % 5:
                s["reasoning"] = "Step %d. Let me think." % (i % 3)
            s["usage"] = {"prompt_tokens": 50, "completion_tokens": None if i % 11 == 0 else (i * 37) % 900}
            s["finish_reason"] = "length" if i % 13 == 0 else "stop"
            if i % 8 == 1:  # the first sample of the problem again
                s["content"] = prev["content"].upper()
                s["reasoning"] = prev.get("reasoning")
            prev = s if i % 8 == 0 else prev
            g.write(json.dumps(s) + "\n")
    run = os.path.join(workdir, "derived")
    p = subprocess.run([REVAL, "run", "--task", "qwen25_math100", "--engine", "replay:" + dst,
                        "--n", "8", "--out", run], capture_output=True, text=True)
    if p.returncode:
        fail("reval run on the derived recording: " + p.stderr)
    return run


def main(workdir):
    rep = os.path.join(workdir, "rep")
    p = subprocess.run([REVAL, "reproduce", "--out", rep], capture_output=True, text=True)
    if p.returncode:
        fail("reval reproduce: " + p.stderr)
    runs = sorted(os.path.dirname(os.path.join(d, f)) for d, _, fs in os.walk(rep)
                  for f in fs if f == "samples.jsonl")
    if len(runs) < 10:
        fail("only %d recordings regraded" % len(runs))
    styles = (("messages", "think"), ("messages", "field"), ("sharegpt", "none"),
              ("prompt-completion", "think"), ("sharegpt", "think"), ("prompt-completion", "none"),
              ("messages", "none"), ("prompt-completion", "field"))
    for i, run in enumerate(runs):  # every style on some recording
        tag = os.path.relpath(run, rep)
        fmt, reasoning = styles[i % len(styles)]
        counts = check(run, fmt, reasoning, {}, tag)
        print("%s (%s, reasoning %s): %s" % (tag, fmt, reasoning,
                                            ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    run = derived(workdir)
    for i, opts in enumerate(({}, {"require_format": 1}, {"min": 100, "max": 700}, {"dedup": 1},
                              {"per": 3},
                              {"require_format": 1, "min": 50, "max": 800, "dedup": 1, "per": 2})):
        fmt, reasoning = styles[i % len(styles)]
        counts = check(run, fmt, reasoning, opts, "derived")
        print("derived %r (%s, reasoning %s): %s"
              % (opts, fmt, reasoning, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))


if __name__ == "__main__":
    main(sys.argv[1])
