"""Trainer clients against a running `reval serve`, as the trainers call it.

    python3 clients.py MODE URL WORKDIR

MODE openrlhf: one sample per POST /get_reward, 64 in flight, a 180 s
timeout and 5 tries (OpenRLHF's remote reward call), plus the empty request
OpenRLHF sends to every URL but the first.  MODE verl: the batch reward
manager through contrib/verl_reval.py and TRL's reward function through
contrib/trl_reval.py.  MODE sandbox: SandboxFusion /run_code requests as
verl's sandbox_fusion utilities build them.  Every reward is checked against
`reval check` on the same items ($REVAL_BIN) and the format rule of
docs/rewards.md.  Prints one summary line; exits 1 on the first mismatch.
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.environ.get("REVAL_ROOT", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
REVAL = os.environ.get("REVAL_BIN", os.path.join(ROOT, "build", "reval"))
sys.path.insert(0, os.path.join(ROOT, "contrib"))


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def post(url, payload, timeout=180, tries=5):
    """OpenRLHF's request_api_wrapper: raise_for_status, 5 tries, 180 s each."""
    last = None
    for _ in range(tries):
        try:
            req = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())
        except (urllib.error.URLError, OSError) as e:
            last = e
            time.sleep(1)
    fail("%s: no answer after %d tries: %s" % (url, tries, last))


def well_formatted(response, prompt=""):
    """docs/rewards.md, the built-in format rule, written again independently."""
    text = response.lstrip(" \t\r\n\f\v")
    if not prompt.rstrip(" \t\r\n").endswith("<think>"):
        if not text.startswith("<think>"):
            return 0
        text = text[len("<think>"):]
    close = text.find("</think>")
    if close < 0 or "<think>" in text[:close]:
        return 0
    rest = text[close + len("</think>"):]
    if "<think>" in rest or "</think>" in rest:
        return 0
    return 1 if rest.strip(" \t\r\n\f\v") else 0


def math_items():
    """The bundled Qwen2.5-Math recording, in four response shapes."""
    base = os.path.join(ROOT, "datasets", "recordings", "qwen25-math-rm-maj-example")
    gold = {}
    with open(os.path.join(base, "math100.problems.jsonl")) as f:
        for line in f:
            p = json.loads(line)
            gold[str(p["idx"])] = (p["problem"], str(p["answer"]))
    items = []
    with open(os.path.join(base, "maj8.samples.jsonl")) as f:
        for i, line in enumerate(f):
            s = json.loads(line)
            question, answer = gold[s["problem"]]
            prompt = "<|user|>" + question + "<|assistant|>"
            content = s["content"]
            shape = i % 4
            if shape == 0:  # the template opened the block
                prompt += "<think>\n"
                response = "Let me work it out.\n</think>\n" + content
            elif shape == 1:
                response = "<think>Reasoning.</think>\n" + content
            elif shape == 2:
                response = content
            else:  # never closed: no answer
                response = "<think>I was cut off " + content
            items.append({"id": "%s/%d" % (s["problem"], s["sample"]), "prompt": prompt,
                          "response": response, "gold": answer})
    return items


def final_answer(response):
    """What a grader sees (harness/model/think.h): the text after the last
    </think>, nothing when a <think> is never closed."""
    close = response.rfind("</think>")
    if close >= 0:
        return response[close + len("</think>"):]
    return "" if "<think>" in response else response


def check_math(items, workdir):
    """`reval check math` verdicts on the same final answers, by id."""
    path = os.path.join(workdir, "math_cases.jsonl")
    with open(path, "w") as f:
        for it in items:
            f.write(json.dumps({"id": it["id"], "gold": it["gold"],
                                "pred": final_answer(it["response"]),
                                "pred_kind": "full_output"}) + "\n")
    out = subprocess.run([REVAL, "check", "math", "--in", path], capture_output=True, text=True)
    if out.returncode:
        fail("reval check math: " + out.stderr)
    return {v["id"]: 1.0 if v["correct"] else 0.0 for v in map(json.loads, out.stdout.splitlines())}


def compare(items, got, truth, what):
    """got[i] = (reward, accuracy, format) for items[i]; truth = accuracy by id."""
    correct = formatted = 0
    for it, (reward, acc, fmt) in zip(items, got):
        want_acc = truth[it["id"]]
        want_fmt = well_formatted(it["response"], it.get("prompt", ""))
        if acc != want_acc or fmt != want_fmt or abs(reward - (want_acc + want_fmt)) > 1e-12:
            fail("%s item %s: reward %r accuracy %r format %r, want accuracy %r format %r"
                 % (what, it["id"], reward, acc, fmt, want_acc, want_fmt))
        correct += want_acc == 1
        formatted += want_fmt
    return correct, formatted


def openrlhf(url, workdir):
    items = math_items()
    empty = post(url + "/get_reward", {"query": [], "prompts": [], "labels": []})
    if empty.get("rewards") != [] or empty.get("scores") != []:
        fail("an empty request must get empty lists, got %r" % empty)

    def one(it):
        r = post(url + "/get_reward", {"query": [it["prompt"] + it["response"]],
                                       "prompts": [it["prompt"]], "labels": [it["gold"]]})
        if len(r["rewards"]) != 1 or r["scores"] != r["rewards"]:
            fail("bad answer %r" % r)
        logs = r["extra_logs"]
        return r["rewards"][0], logs["accuracy"][0], logs["format"][0]

    with concurrent.futures.ThreadPoolExecutor(64) as ex:
        got = list(ex.map(one, items))
    c, f = compare(items, got, check_math(items, workdir), "openrlhf")
    print("openrlhf: %d rewards (one per POST, 64 in flight) match reval check math: "
          "%d correct, %d well-formatted" % (len(items), c, f))


CODE_TESTS = [{"input": "2 3\n", "output": "5\n"}, {"input": "10 -4\n", "output": "6\n"}]
CODE_ANSWERS = {
    "right": "```python\na, b = map(int, input().split())\nprint(a + b)\n```",
    "wrong": "```python\na, b = map(int, input().split())\nprint(a - b)\n```",
    "crash": "```python\nraise SystemExit(3)\n```",
    "none": "I would add the numbers.",
}


def check_code_verdicts(programs, workdir):
    """`reval check code` on stdio programs: {id: verdict}."""
    path = os.path.join(workdir, "code_cases.jsonl")
    with open(path, "w") as f:
        for pid, (lang, program, tests) in programs.items():
            f.write(json.dumps({"id": pid, "kind": "stdio", "language": lang,
                                "program": program, "tests": tests,
                                "limits": {"time_s": 1}}) + "\n")
    out = subprocess.run([REVAL, "check", "code", "--in", path, "--workers", "2"],
                         capture_output=True, text=True)
    if out.returncode:
        fail("reval check code: " + out.stderr)
    return {v["id"]: v["verdict"] for v in map(json.loads, out.stdout.splitlines())}


def verl(url, workdir):
    os.environ["REVAL_URL"] = url
    import verl_reval
    import trl_reval
    items = math_items()
    truth = check_math(items, workdir)
    got = []
    for i in range(0, len(items), 256):  # one call per training batch
        batch = items[i:i + 256]
        scores = verl_reval.compute_score(["math"] * len(batch), [it["response"] for it in batch],
                                          [it["gold"] for it in batch])
        got.extend((s["score"], s["acc"], s["format"]) for s in scores)
    # verl does not send the prompt: a prefilled <think> is not seen.
    c, f = compare([dict(it, prompt="") for it in items], got, truth, "verl")
    # Code through the same shim: the ground truth is the tests' record.
    programs, names = {}, []
    for name, answer in CODE_ANSWERS.items():
        code = answer.split("```python\n")[1].split("```")[0] if "```" in answer else None
        if code:
            programs[name] = ("python", code, CODE_TESTS)
        names.append(name)
    verdicts = check_code_verdicts(programs, workdir)
    scores = verl_reval.compute_score(["code"] * len(names), [CODE_ANSWERS[n] for n in names],
                                      [json.dumps({"tests": CODE_TESTS})] * len(names),
                                      [{"grader": "code"}] * len(names))
    for name, s in zip(names, scores):
        want = 1.0 if verdicts.get(name) == "pass" else 0.0
        if s["acc"] != want or s["score"] != want:
            fail("verl code item %s: %r, reval check code says %s" % (name, s, verdicts.get(name)))
    # TRL: conversational completions, the gold in the "answer" column.
    sub = items[:64]
    rewards = trl_reval.reval_reward(
        prompts=[[{"role": "user", "content": "q"}]] * len(sub),
        completions=[[{"role": "assistant", "content": it["response"]}] for it in sub],
        answer=[it["gold"] for it in sub])
    for it, r in zip(sub, rewards):
        want = truth[it["id"]] + well_formatted(it["response"])
        if r != want:
            fail("trl item %s: reward %r, want %r" % (it["id"], r, want))
    print("verl: %d rewards in batches of 256 match reval check math (%d correct, %d "
          "well-formatted); %d code items match reval check code; trl: %d rewards match"
          % (len(items), c, f, len(names), len(sub)))


SF_PROGRAMS = {
    "py_pass": ("python", "a, b = map(int, input().split())\nprint(a + b)\n"),
    "py_wrong": ("python", "a, b = map(int, input().split())\nprint(a * b)\n"),
    "py_crash": ("python", "import sys\nsys.exit(7)\n"),
    "py_loop": ("python", "while True:\n    pass\n"),
    "c_pass": ("c", "#include <stdio.h>\nint main(void){long a,b;scanf(\"%ld %ld\",&a,&b);"
                    "printf(\"%ld\\n\",a+b);return 0;}\n"),
    "c_broken": ("c", "int main(void){ return }\n"),
    "cpp_pass": ("cpp", "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;"
                        "std::cout<<a+b<<\"\\n\";}\n"),
}


def sandbox(url, workdir):
    cases = {}
    for name, (lang, code) in SF_PROGRAMS.items():
        for k, t in enumerate(CODE_TESTS[:1] if name == "py_loop" else CODE_TESTS):
            cases["%s#%d" % (name, k)] = (lang, code, [t])
    verdicts = check_code_verdicts(cases, workdir)

    def one(item):
        cid, (lang, code, tests) = item
        # verl's sandbox_fusion utilities build exactly this payload.
        payload = {"compile_timeout": 10, "run_timeout": 1, "code": code,
                   "stdin": tests[0]["input"], "memory_limit_MB": 1024, "language": lang,
                   "files": {}, "fetch_files": []}
        return cid, post(url + "/run_code", payload, timeout=180)

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        answers = dict(ex.map(one, cases.items()))
    for cid, a in answers.items():
        expected = cases[cid][2][0]["output"]
        cr, rr = a.get("compile_result"), a.get("run_result")
        if a["status"] not in ("Success", "Failed"):
            fail("%s: status %r: %r" % (cid, a["status"], a))
        if cr and cr["return_code"] != 0:
            got = "compile_error"
        elif rr["status"] == "TimeLimitExceeded":
            got = "timeout"
        elif rr["status"] == "Finished" and rr["return_code"] != 0:
            got = "runtime_error"
        elif a["status"] == "Success":
            got = "pass" if rr["stdout"] == expected else "wrong_answer"
        else:
            got = "?"
        if got != verdicts[cid]:
            fail("%s: /run_code says %s (%r), reval check code says %s"
                 % (cid, got, a, verdicts[cid]))
    # files: written next to the program before it runs.
    import base64
    a = post(url + "/run_code", {"code": "print(open('data.txt').read().upper())",
                                 "language": "python", "files": {
                                     "data.txt": base64.b64encode(b"from a file").decode()}})
    if a["status"] != "Success" or a["run_result"]["stdout"] != "FROM A FILE\n":
        fail("/run_code with files: %r" % a)
    print("sandbox: %d /run_code answers match reval check code (%s); files are delivered"
          % (len(answers), ", ".join(sorted(set(verdicts.values())))))


if __name__ == "__main__":
    mode, url, workdir = sys.argv[1:4]
    {"openrlhf": openrlhf, "verl": verl, "sandbox": sandbox}[mode](url, workdir)
