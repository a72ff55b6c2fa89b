#!/usr/bin/env python3
"""One-time converter: upstream model-output recordings -> reval replay files and manifests.

How it was run (once, from the repository root, Python 3.11, standard library only):

    python3 datasets/recordings/import.py /work/shared/recordings

The argument is the read-only source area whose folders hold the upstream files byte for byte
(or as converted there; see each folder's README.md for repository, commit and sha256).  For
each folder it writes datasets/recordings/<folder>/:

    LICENSE                   copied verbatim
    README.md                 what the recording is, provenance, sha256 of every upstream file
    <setting>.samples.jsonl   reval replay lines {task, problem, sample, content, ...}
    manifest.json             settings and published figures (fractions in [0, 1])

and, where the problems are not a bundled dataset, the problems extracted from the recording
(datasets/recordings/<folder>/*.problems.jsonl or datasets/reasoning-gym/) with a task file in
datasets/tasks/.  Every replay row is mapped to the problem id of its task (by order, checked
against the question text, or by question text / answer where the order differs) and the script
stops if any row does not map.  Running it again rewrites the same bytes.

Published figures: a figure the source prints rounded (6.7%) gets a tolerance of half its last
digit (0.0005); a figure computed here from the source's own per-sample labels is exact.
"""
import ast
import difflib
import hashlib
import json
import os
import shutil
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.dirname(HERE)
SRC = None  # set in main()


# ---- helpers ----

def die(msg):
    sys.exit("import.py: " + msg)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(", ", ": ")) + "\n")


def write_json(path, obj):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def norm(s):
    return " ".join(str(s).split())


def sample(task, problem, idx, content):
    return {"task": task, "problem": str(problem), "sample": idx, "content": content}


def rounded(value_percent, decimals):
    """A percentage printed with `decimals` digits -> fraction and tolerance."""
    v = round(value_percent / 100.0, decimals + 2)
    return v, 0.5 * 10 ** -(decimals + 2)


def figure(task, metric, value, source, tolerance=None, note=None):
    f = {"task": task, "metric": metric, "value": value, "source": source}
    if tolerance is not None:
        f["tolerance"] = tolerance
    if note:
        f["note"] = note
    return f


def out_dir(folder):
    d = os.path.join(HERE, folder)
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(os.path.join(SRC, folder, "LICENSE"), os.path.join(d, "LICENSE"))
    return d


def upstream_files(folder):
    base = os.path.join(SRC, folder)
    out = []
    for root, _, files in os.walk(base):
        for name in files:
            p = os.path.join(root, name)
            out.append((os.path.relpath(p, base), sha256(p)))
    return sorted(out)


def write_readme(folder, text):
    rows = "\n".join(f"| `{p}` | `{h}` |" for p, h in upstream_files(folder))
    with open(os.path.join(HERE, folder, "README.md"), "w", encoding="utf-8") as f:
        f.write(text.rstrip() + "\n\n## Upstream files (as read by import.py)\n\n"
                "| file | sha256 |\n|---|---|\n" + rows + "\n")


def dataset_rows(rel):
    return read_jsonl(os.path.join(DATASETS, rel))


def check_same_question(kind, a, b, where):
    if norm(a) != norm(b):
        die(f"{where}: {kind} question text differs from the bundled dataset")


# ---- bbh-codex-suzgun2022 ----

def bbh():
    folder = "bbh-codex-suzgun2022"
    d = out_dir(folder)
    src = os.path.join(SRC, folder)
    data = {(r["task"], r["idx"]): r for r in dataset_rows("bbh/bbh_all.jsonl")}
    pub = read_jsonl(os.path.join(src, "published_eval_metrics.jsonl"))
    settings = []
    for mode, task_id in (("cot", "bbh"), ("direct", "bbh_direct")):
        rows = read_jsonl(os.path.join(src, f"code-davinci-002-{mode}.jsonl"))
        out = []
        for r in rows:
            gold = data.get((r["task"], r["idx"]))
            if gold is None or gold["target"] != r["target"]:
                die(f"{folder}/{mode}: row {r['task']}/{r['idx']} does not map to bbh_all.jsonl")
            out.append(sample(f"{task_id}/{r['task']}", r["idx"], 0, r["prediction"]))
        if len(out) != len(data):
            die(f"{folder}/{mode}: {len(out)} rows for {len(data)} problems")
        write_jsonl(os.path.join(d, f"{mode}.samples.jsonl"), out)
        subs = sorted({r["task"] for r in rows})
        figs = [figure(f"{task_id}/{p['task']}", "avg@1", round(p["accuracy"] / 100, 12),
                       "published_eval_metrics.jsonl (accuracy)")
                for p in pub if p["mode"] == mode]
        settings.append({"setting": mode, "model": "code-davinci-002",
                         "tasks": [f"{task_id}/{s}" for s in subs],
                         "replay": f"{mode}.samples.jsonl", "n": 1, "published": figs})
    write_json(os.path.join(d, "manifest.json"), {"recording": folder, "settings": settings})
    write_readme(folder, """# BIG-Bench Hard: Codex (code-davinci-002) outputs, Suzgun et al. 2022

- Source: suzgunmirac/BIG-Bench-Hard @ 9ee07bd481feebf959a6b59d61ea57bdcf30964d,
  `code-davinci-002-outputs/code-davinci-002-{cot,direct}/<task>_few_shot_template_0-255000.json`
  and `..._eval_metrics.jsonl`. License MIT (`LICENSE`). The upstream records were first converted
  in the shared source area (few-shot prompt dropped, aligned by `idx` with `bbh/bbh_all.jsonl`);
  this folder is made from that conversion by `../import.py`.
- Model: OpenAI code-davinci-002, 3-shot, greedy, one output per question.
- Settings: `cot` (tasks `bbh/<subtask>`, prompts `bbh/cot-prompts`) and `direct` (tasks
  `bbh_direct/<subtask>`, answer-only prompts), 27 subtasks x 6511 questions each.
- `content` = the model's raw continuation (`prediction`); problem id = `idx`.
- Published: the 27 x 2 per-subtask `accuracy` values (percent in the source; fractions here),
  54 figures. Verified before import with a throwaway script: the `bbh` task's exact-grader rule
  (text after the last "So the answer is ", trailing "." removed) reproduces all 27 CoT figures,
  and the `bbh_direct` rule (stripped output equals target) all 27 answer-only figures.
  `accuracy_with_calc` (calculator-corrected chains, differs for two subtasks) is not a target.
""")


# ---- rg-eval-reasoning-models ----

RG_TASKS = ["gcd", "lcm", "basic_arithmetic", "chain_sum", "count_bits", "products",
            "bitwise_arithmetic", "leg_counting", "base_conversion", "letter_counting",
            "count_primes", "number_sequence", "aiw", "syllogism", "knights_knaves",
            "family_relationships"]


def rg_reasoning():
    folder = "rg-eval-reasoning-models"
    d = out_dir(folder)
    src = os.path.join(SRC, folder)
    pub = json.load(open(os.path.join(src, "published_scores.json"), encoding="utf-8"))
    problems = {}
    settings = []
    for model in ("deepseek-r1", "o3-mini", "qwq-32b"):
        out, figs = [], []
        for task in sorted(RG_TASKS):
            rows = read_jsonl(os.path.join(src, model, f"{task}.jsonl"))
            for r in rows:
                key = (task, r["idx"])
                p = {"task": task, "idx": r["idx"], "question": r["question"],
                     "answer": r["expected_answer"]}
                if problems.setdefault(key, p) != p:
                    die(f"{folder}/{model}/{task}: idx {r['idx']} differs between models")
                out.append(sample(f"rg/{task}", r["idx"], 0, r["full_model_response"]))
            meta = pub[model]["tasks"][task]
            figs.append(figure(f"rg/{task}", "avg@1", meta["average_mean_score"],
                               "published_scores.json (average_mean_score, from summary.json)"))
        write_jsonl(os.path.join(d, f"{model}.samples.jsonl"), out)
        settings.append({"setting": model, "model": pub[model]["model"],
                         "tasks": [f"rg/{t}" for t in sorted(RG_TASKS)],
                         "replay": f"{model}.samples.jsonl", "n": 1, "published": figs})
    write_json(os.path.join(d, "manifest.json"), {"recording": folder, "settings": settings})
    # The problems: identical for the three models (same configs and seed 45).
    rgdir = os.path.join(DATASETS, "reasoning-gym")
    os.makedirs(rgdir, exist_ok=True)
    shutil.copyfile(os.path.join(src, "LICENSE"), os.path.join(rgdir, "LICENSE"))
    rows = [problems[k] for k in sorted(problems, key=lambda k: (k[0], k[1]))]
    write_jsonl(os.path.join(rgdir, "zero_shot_hard.jsonl"), rows)
    configs = {t: pub["deepseek-r1"]["tasks"][t]["config"] for t in RG_TASKS}
    write_json(os.path.join(rgdir, "configs.json"),
               {"system_prompt": pub["deepseek-r1"]["tasks"]["gcd"]["system_prompt"],
                "configs": configs})
    write_readme(folder, """# Reasoning models on reasoning-gym tasks (DeepSeek-R1, o3-mini, QwQ-32B)

- Source: open-thought/reasoning-gym-eval @ 5f09fecc342a25d693895b7304a9dec43b47f436 (Apache-2.0,
  `LICENSE`), `reasoninggym-paper-experiments/zero-shot/hard/<run>/<category>/<task>.json` and the
  runs' `summary.json` (paper arXiv 2505.24760). Converted in the shared source area to one JSONL per
  (model, task); this folder is made from that by `../import.py`.
- Runs: deepseek/deepseek-r1 (Nebius), openai/o3-mini, qwen/qwq-32b (DeepInfra), April 2025;
  temperature 0.6, top_p 0.95, max_tokens 32768, one completion; the reasoning trace was not
  returned, `content` is the final message (`full_model_response`).
- 16 tasks x 50 questions ("hard" configs, seed 45), task ids `rg/<task>`, problem id = `idx`.
  The questions and expected answers are identical across the three runs (checked on import) and
  ship as `datasets/reasoning-gym/zero_shot_hard.jsonl` (task file `datasets/tasks/rg.json`).
- Published: per-task `average_mean_score` for each model, 48 figures. Graded by reval's `rg`
  grader (graders/rg.c), which reproduces every recorded per-item `score`.
""")


# ---- rg-eval-math-harness ----

def map_by_order(rows, data, qkey, dkey, idkey, where):
    if len(rows) != len(data):
        die(f"{where}: {len(rows)} rows, dataset has {len(data)}")
    ids = []
    for i, (r, p) in enumerate(zip(rows, data)):
        check_same_question(where, r[qkey], p[dkey], f"{where} row {i}")
        ids.append(p[idkey] if idkey else i)
    return ids


def map_llama(results, data, where):
    """Map by question text, else by unique answer, else by closest text among equal answers."""
    used, ids = set(), []
    for i, r in enumerate(results):
        gold = int(float(r["expected_answer"]))
        cands = [p for p in data if int(float(p["answer"])) == gold]
        exact = [p for p in cands if norm(p["problem"]) == norm(r["question"])]
        if exact:
            best = exact[0]
        elif cands:
            # The copies differ in LaTeX spelling (\\(O=(0,0)\\) vs $O(0,0)$), so the text
            # only has to be clearly closer to the chosen problem than to any other.
            def ratio(p):
                return difflib.SequenceMatcher(None, norm(p["problem"]), norm(r["question"])).ratio()
            best = max(cands, key=ratio)
            others = [ratio(p) for p in data if p is not best]
            if ratio(best) < 0.4 or ratio(best) <= max(others):
                die(f"{where} row {i}: no clearly closest problem ({ratio(best):.2f})")
        else:
            die(f"{where} row {i}: no problem with answer {gold}")
        if best["id"] in used:
            die(f"{where} row {i}: problem {best['id']} mapped twice")
        used.add(best["id"])
        ids.append(best["id"])
    return ids


def rg_math():
    folder = "rg-eval-math-harness"
    d = out_dir(folder)
    src = os.path.join(SRC, folder)
    aime = dataset_rows("aime2024/test.jsonl")
    amc = dataset_rows("amc2023/test.jsonl")
    gsm = dataset_rows("gsm8k/test.jsonl")
    settings = []

    def harness_setting(setting, tasks):
        out, figs = [], []
        for task in tasks:
            rows = read_jsonl(os.path.join(src, setting, f"{task}.jsonl"))
            metrics = json.load(open(os.path.join(src, setting, f"{task}_metrics.json")))
            if task == "aime24":
                ids = map_by_order(rows, aime, "question", "problem", "id", f"{setting}/{task}")
            elif task == "amc23":
                ids = map_by_order(rows, amc, "question", "problem", "id", f"{setting}/{task}")
            elif task == "gsm8k":
                ids = map_by_order(rows, gsm, "question", "question", None, f"{setting}/{task}")
            else:
                ids = [r["idx"] for r in rows]
            for pid, r in zip(ids, rows):
                if len(r["code"]) != 1:
                    die(f"{setting}/{task}: expected one response per problem")
                out.append(sample(task, pid, 0, r["code"][0]))
            value, tol = rounded(metrics["acc"], 1)
            figs.append(figure(task, "avg@1", value, f"{setting}/{task}_metrics.json (acc, percent, 1 decimal)",
                               tolerance=tol))
        write_jsonl(os.path.join(d, f"{setting}.samples.jsonl"), out)
        settings.append({"setting": setting, "model": setting, "tasks": list(tasks),
                         "replay": f"{setting}.samples.jsonl", "n": 1, "published": figs})

    harness_setting("Qwen2.5-3B-Instruct", ["aime24", "amc23", "minerva_math", "gsm8k"])
    harness_setting("Qwen-2.5-3B-rlft", ["aime24", "amc23"])

    # Minerva math problems come only with this recording: ship them with a task file.
    rows = read_jsonl(os.path.join(src, "Qwen2.5-3B-Instruct", "minerva_math.jsonl"))
    write_jsonl(os.path.join(d, "minerva_math.problems.jsonl"),
                [{"idx": r["idx"], "problem": r["question"], "answer": r["gt"], "type": r["type"],
                  "solution": r["solution"]} for r in rows])

    # Llama-3B RL checkpoint, 50 samples per problem.
    out, figs = [], []
    for task, fname, data in (("aime24", "aime2024_results.json", aime),
                              ("amc23", "amc2023_results.json", amc)):
        blob = json.load(open(os.path.join(src, "llama-3b-rl-step800", fname), encoding="utf-8"))
        ds = blob["categories"][0]["datasets"][0]
        results = ds["results"]
        ids = map_llama(results, data, f"llama/{task}")
        solved = 0
        for pid, r in zip(ids, results):
            comps = r["completions"]
            if isinstance(comps, str):
                comps = ast.literal_eval(comps)
            if len(comps) != 50:
                die(f"llama/{task}: {len(comps)} completions for problem {pid}")
            for k, c in enumerate(comps):
                out.append(sample(task, pid, k, c["full_model_response"]))
            solved += any(float(c["score"]) == 1.0 for c in comps)
        figs.append(figure(task, "avg@50", ds["average_score"], f"{fname} (average_score)"))
        figs.append(figure(task, "pass@50", solved / len(results),
                           f"{fname} (per-completion score labels: {solved}/{len(results)} problems solved)"))
    write_jsonl(os.path.join(d, "llama-3b-rl-step800.samples.jsonl"), out)
    settings.append({"setting": "llama-3b-rl-step800", "model": "llama-3b-instruct RL step 800",
                     "tasks": ["aime24", "amc23"], "replay": "llama-3b-rl-step800.samples.jsonl",
                     "n": 50, "published": figs})
    write_json(os.path.join(d, "manifest.json"), {"recording": folder, "settings": settings})
    write_readme(folder, """# Math-benchmark outputs from the reasoning-gym paper experiments

- Source: open-thought/reasoning-gym-eval @ 5f09fecc342a25d693895b7304a9dec43b47f436 (Apache-2.0,
  `LICENSE`), `reasoninggym-paper-experiments/math-evals/`. Upstream files byte-identical in the
  shared source area (renamed); this folder is made by `../import.py`.
- `Qwen2.5-3B-Instruct`: Qwen2.5-Math evaluation harness, greedy, 1 sample; tasks aime24, amc23,
  minerva_math, gsm8k. `Qwen-2.5-3B-rlft`: the paper's RL finetune (presumably), aime24, amc23.
  Published `acc` from the `_metrics.json` files (percent, one decimal -> tolerance 0.0005).
- `llama-3b-rl-step800`: a Llama-3B RL checkpoint, vLLM, temperature 0.6, top_p 0.9,
  max_tokens 2048, 50 samples per problem (sample index = position in `completions`). Published
  `average_score` (exact float) -> avg@50; pass@50 computed here from the stored per-completion
  labels (AIME 7/30, AMC 26/40).
- Problem ids: aime24 and amc23 rows follow `datasets/aime2024/test.jsonl` and
  `datasets/amc2023/test.jsonl` in order (question text checked); gsm8k rows follow
  `datasets/gsm8k/test.jsonl` (line numbers, text checked). The Llama files come from other copies
  (HF Maxwell-Jia/AIME_2024, math-ai/amc23) in another order: mapped by question text, else by the
  unique answer, else by the closest text among problems with that answer (all rows map, one to one).
- Minerva math (272 problems) is not a bundled dataset: `minerva_math.problems.jsonl` holds the
  problems and gold answers extracted from the recording (`idx`, `problem`, `answer`, `type`,
  `solution`), task `minerva_math` (`datasets/tasks/minerva_math.json`).
- Grading needs the `math` grader.
""")


# ---- gsm8k-gpt3-cobbe2021 ----

def gsm8k_gpt3():
    folder = "gsm8k-gpt3-cobbe2021"
    d = out_dir(folder)
    rows = read_jsonl(os.path.join(SRC, folder, "example_model_solutions.jsonl"))
    gsm = dataset_rows("gsm8k/test.jsonl")
    ids = map_by_order(rows, gsm, "question", "question", None, folder)
    settings = []
    for setting in ("6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification"):
        out = [sample("gsm8k", pid, 0, r[setting]["solution"]) for pid, r in zip(ids, rows)]
        correct = sum(bool(r[setting]["is_correct"]) for r in rows)
        write_jsonl(os.path.join(d, f"{setting}.samples.jsonl"), out)
        settings.append({"setting": setting, "model": "GPT-3 " + setting.replace("_", " "),
                         "tasks": ["gsm8k"], "replay": f"{setting}.samples.jsonl", "n": 1,
                         "published": [figure("gsm8k", "avg@1", correct / len(rows),
                                              f"example_model_solutions.jsonl (is_correct: {correct}/{len(rows)})")]})
    write_json(os.path.join(d, "manifest.json"), {"recording": folder, "settings": settings})
    write_readme(folder, """# GSM8K: GPT-3 solutions released with the GSM8K paper (Cobbe et al. 2021)

- Source: openai/grade-school-math @ 3101c7d5072418e28b9008a6636bde82a006892c,
  `grade_school_math/data/example_model_solutions.jsonl` (byte-identical upstream copy). License MIT.
- 1319 rows in the order of `datasets/gsm8k/test.jsonl` (question text checked on import); problem
  id = line number, task `gsm8k`.
- Settings: `6b_finetuning`, `6b_verification`, `175b_finetuning`, `175b_verification` (GPT-3 6B /
  175B finetuned on GSM8K; "verification" = the solution a trained verifier picked among samples).
  `content` = the setting's `solution`; they end with the final number and contain `<<a*b=c>>`
  calculator annotations.
- Published: OpenAI's per-item `is_correct` labels, as accuracy (exact fractions: 286, 515, 458,
  742 of 1319). Upstream caveat: about 1% of samples have calculator errors.
""")


# ---- zeroeval-o1 ----

def zeroeval():
    folder = "zeroeval-o1"
    d = out_dir(folder)
    src = os.path.join(SRC, folder)
    summ = json.load(open(os.path.join(src, "published_summary.json")))
    gsm = dataset_rows("gsm8k/test.jsonl")
    models = ("o1-mini-2024-09-12", "o1-preview-2024-09-12", "gpt-4o-2024-08-06")
    problems = None
    settings = []
    for model in models:
        out, figs, tasks = [], [], ["zeroeval_math_l5"]
        rows = read_jsonl(os.path.join(src, "math-l5", f"{model}.jsonl"))
        probs = [{"id": r["id"], "problem": r["problem"], "answer": r["answer"]} for r in rows]
        if problems is None:
            problems = probs
        elif probs != problems:
            die(f"{folder}/{model}: math-l5 problems differ between models")
        out += [sample("zeroeval_math_l5", r["id"], 0, r["output"]) for r in rows]
        v, tol = rounded(float(summ[f"math-l5/{model}"]["Acc"]), 2)
        figs.append(figure("zeroeval_math_l5", "avg@1", v, "published_summary.json (Acc, percent, 2 decimals)", tol))
        gpath = os.path.join(src, "gsm", f"{model}.jsonl")
        if os.path.exists(gpath):
            grows = read_jsonl(gpath)
            ids = map_by_order(grows, gsm, "problem", "question", None, f"{folder}/gsm/{model}")
            for i, r in zip(ids, grows):
                if r["id"] != f"gsm8k-main-test-#{i}":
                    die(f"{folder}/gsm/{model}: id {r['id']} at line {i}")
            out += [sample("gsm8k", pid, 0, r["output"]) for pid, r in zip(ids, grows)]
            v, tol = rounded(float(summ[f"gsm/{model}"]["Acc"]), 2)
            figs.append(figure("gsm8k", "avg@1", v, "published_summary.json (Acc, percent, 2 decimals)", tol))
            tasks.append("gsm8k")
        write_jsonl(os.path.join(d, f"{model}.samples.jsonl"), out)
        settings.append({"setting": model, "model": model, "tasks": tasks,
                         "replay": f"{model}.samples.jsonl", "n": 1, "published": figs})
    write_jsonl(os.path.join(d, "math_l5.problems.jsonl"), problems)
    write_json(os.path.join(d, "manifest.json"), {"recording": folder, "settings": settings})
    write_readme(folder, """# ZeroEval: o1-mini, o1-preview (and gpt-4o) on MATH level 5 and GSM8K

- Source: WildEval/ZeroEval @ 8c1485edf12c6efb5f69135a562927c5ad484059 (Apache-2.0, `LICENSE`),
  `result_dirs/math-l5/<model>.json`, `result_dirs/gsm/o1-mini-2024-09-12.json`, and the published
  `result_dirs/{math-l5,gsm}.summary.json`. Converted to JSONL in the shared source area; this
  folder is made from that by `../import.py`.
- One response per problem (temperature 0; o1 models ignore it; max_tokens 4096). `content` = the
  visible response (`output`), which the prompt asks to end with a JSON block
  `{"reasoning": ..., "answer": ...}`.
- math-l5: 721 MATH level-5 test problems with numeric answers, not a bundled dataset: shipped as
  `math_l5.problems.jsonl` (`id`, `problem`, `answer`; identical across the three models), task
  `zeroeval_math_l5`. gsm: rows follow `datasets/gsm8k/test.jsonl` (ids `gsm8k-main-test-#<line>`
  and question text checked), task `gsm8k`.
- Published `Acc` (percent, 2 decimals -> tolerance 0.00005): math-l5 o1-mini 89.32, o1-preview
  84.47, gpt-4o 55.34; gsm o1-mini 96.06. ZeroEval's rule is lenient (first number of the JSON
  `answer` equals the first number of the gold, after removing `$` and `,` and turning a/b into a
  float), so a strict `math` grader may score lower. Not yet checked (the `math` grader did not
  exist when this was imported): understood differences belong in `../KNOWN_DIFFERENCES.json`.
""")


# ---- qwen25-math-rm-maj-example ----

def qwen_rm_maj():
    folder = "qwen25-math-rm-maj-example"
    d = out_dir(folder)
    rows = read_jsonl(os.path.join(SRC, folder, "math_cot_100.jsonl"))
    out, problems = [], []
    n_correct = n_samples = solved = maj = 0
    for r in rows:
        if len(r["code"]) != 8 or len(r["score"]) != 8 or len(r["pred"]) != 8:
            die(f"{folder}: idx {r['idx']} does not have 8 samples")
        problems.append({"idx": r["idx"], "problem": r["question"], "answer": r["gt"],
                         "level": r["level"], "solution": r["solution"]})
        for k, text in enumerate(r["code"]):
            out.append(sample("qwen25_math100", r["idx"], k, text))
        n_correct += sum(bool(s) for s in r["score"])
        n_samples += 8
        solved += any(r["score"])
        # Majority over the extracted answers; ties go to the answer seen first.  The vote is
        # correct when a sample with that answer was labelled correct.
        top = Counter(r["pred"]).most_common(1)[0][0]
        maj += any(bool(s) for p, s in zip(r["pred"], r["score"]) if p == top)
    write_jsonl(os.path.join(d, "maj8.samples.jsonl"), out)
    write_jsonl(os.path.join(d, "math100.problems.jsonl"), problems)
    src = "math_cot_100.jsonl (per-sample score labels)"
    figs = [figure("qwen25_math100", "avg@8", n_correct / n_samples, f"{src}: {n_correct}/{n_samples}"),
            figure("qwen25_math100", "cons@8", maj / len(rows),
                   f"{src}: majority of pred, ties to the first seen: {maj}/{len(rows)}"),
            figure("qwen25_math100", "pass@8", solved / len(rows), f"{src}: {solved}/{len(rows)}")]
    write_json(os.path.join(d, "manifest.json"), {"recording": folder, "settings": [
        {"setting": "maj8", "model": "Qwen2.5-Math-Instruct (unnamed in the source)",
         "tasks": ["qwen25_math100"], "replay": "maj8.samples.jsonl", "n": 8, "published": figs}]})
    write_readme(folder, """# Qwen2.5-Math RM@8 / Maj@8 example: 100 MATH problems x 8 samples

- Source: QwenLM/Qwen2.5-Math @ a45202bd16f1ec06f433442dc1152d0074773465,
  `evaluation/data/eval_rm_maj_example/math_cot_100.jsonl` (byte-identical upstream copy). MIT.
- An unnamed Qwen2.5-Math-Instruct model, 8 sampled CoT responses per problem (temperature 0.7,
  top_p 0.8 per the repo README), system prompt "Please reason step by step, and put your final
  answer within \\boxed{}.". `content` = each response (`code[k]`), sample index k.
- The 100 MATH test problems are not all in MATH-500, so they ship here as
  `math100.problems.jsonl` (`idx`, `problem`, `answer` = `gt`, `level`, `solution`), task
  `qwen25_math100`.
- No aggregate is published upstream; the figures in `manifest.json` are computed here from the
  harness's own per-sample `score` labels: avg@8 = 728/800 = 0.91, cons@8 = 93/100 (majority of
  the extracted `pred`, ties to the first seen), pass@8 = 96/100.
""")
    return n_correct, n_samples, maj, solved


def main():
    global SRC
    if len(sys.argv) != 2:
        die("usage: import.py SHARED_RECORDINGS_DIR")
    SRC = sys.argv[1]
    bbh()
    rg_reasoning()
    rg_math()
    gsm8k_gpt3()
    zeroeval()
    print("qwen25 rm-maj:", qwen_rm_maj())


if __name__ == "__main__":
    main()
