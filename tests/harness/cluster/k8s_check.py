#!/usr/bin/env python3
"""Read contrib/k8s manifests as Kubernetes needs them: k8s_check.py INDEXED.yaml MERGE.yaml

The Indexed Job must be a batch/v1 Job with completionMode Indexed, whole completions and
parallelism, a pod template whose containers have a name and an image, a restartPolicy a Job
accepts, and volume mounts that name volumes of the pod; its reval command must be
`run --shard auto --shards N` with N = completions.  The merge Job must merge the Indexed
Job's --out from the same claim and wait.  Each manifest is also broken on purpose, one
required field at a time, and must then be refused, so the checks are known to bite."""
import copy
import re
import sys

import yaml

NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class Bad(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Bad(what)


def arg_after(cmd, flag):
    need(flag in cmd and cmd.index(flag) + 1 < len(cmd), f"command has no {flag} VALUE")
    return cmd[cmd.index(flag) + 1]


def job(doc, where):
    need(doc.get("apiVersion") == "batch/v1", f"{where}: apiVersion is not batch/v1")
    need(doc.get("kind") == "Job", f"{where}: kind is not Job")
    name = (doc.get("metadata") or {}).get("name")
    need(isinstance(name, str) and NAME.match(name) and len(name) <= 63,
         f"{where}: metadata.name missing or not a DNS label")
    spec = doc.get("spec") or {}
    pod = ((spec.get("template") or {}).get("spec")) or {}
    need(pod.get("restartPolicy") in ("Never", "OnFailure"),
         f"{where}: a Job's restartPolicy must be Never or OnFailure")
    cs = pod.get("containers")
    need(isinstance(cs, list) and cs, f"{where}: no containers")
    vols = {v.get("name") for v in pod.get("volumes") or []}
    for c in cs:
        need(isinstance(c.get("name"), str) and NAME.match(c["name"]), f"{where}: container without a name")
        need(isinstance(c.get("image"), str) and c["image"], f"{where}: container without an image")
        for m in c.get("volumeMounts") or []:
            need(m.get("name") in vols and m.get("mountPath"), f"{where}: mount of unknown volume {m.get('name')}")
    claims = {v["name"]: (v.get("persistentVolumeClaim") or {}).get("claimName") for v in pod.get("volumes") or []}
    return name, spec, cs[0], claims


def reval_cmd(c):
    cmd = c.get("command") or []
    need(cmd and cmd[0] == "reval", "the container does not run reval")
    return cmd


def check(indexed_docs, merge_docs):
    jobs = [d for d in indexed_docs if d and d.get("kind") == "Job"]
    need(len(jobs) == 1, "the Indexed Job file must hold one Job")
    name, spec, c, claims = job(jobs[0], "indexed job")
    need(spec.get("completionMode") == "Indexed", "indexed job: completionMode is not Indexed")
    n = spec.get("completions")
    need(isinstance(n, int) and n >= 1, "indexed job: completions must be a whole number >= 1")
    p = spec.get("parallelism", 1)
    need(isinstance(p, int) and 1 <= p <= n, "indexed job: parallelism must be 1..completions")
    cmd = reval_cmd(c)
    need(cmd[1] == "run" and arg_after(cmd, "--shard") == "auto", "indexed job: not reval run --shard auto")
    need(arg_after(cmd, "--shards") == str(n), "indexed job: --shards differs from completions")
    out = arg_after(cmd, "--out")
    for d in indexed_docs:
        if d and d.get("kind") == "ConfigMap":
            need(NAME.match((d.get("metadata") or {}).get("name", "")), "configmap: bad name")
    merges = [d for d in merge_docs if d and d.get("kind") == "Job"]
    need(len(merges) == 1, "the merge file must hold one Job")
    mname, mspec, mc, mclaims = job(merges[0], "merge job")
    need(mspec.get("completionMode", "NonIndexed") == "NonIndexed", "merge job: must not be indexed")
    mcmd = reval_cmd(mc)
    need(mcmd[1] == "merge" and mcmd[2] == out, f"merge job: does not merge {out}")
    need(int(arg_after(mcmd, "--wait")) > 0, "merge job: no --wait")
    need(set(claims.values()) & set(mclaims.values()) - {None}, "merge job: not the shards' volume claim")
    return f"indexed job {name}: {n} completions, parallelism {p}, out {out}; merge job {mname}"


def breakages(docs, kind):
    """Copies of docs with one required field removed or wrong."""
    def pod(d):
        return d["spec"]["template"]["spec"]
    edits = {
        "apiVersion": lambda d: d.pop("apiVersion"),
        "name": lambda d: d["metadata"].pop("name"),
        "restartPolicy": lambda d: pod(d).__setitem__("restartPolicy", "Always"),
        "image": lambda d: pod(d)["containers"][0].pop("image"),
        "volume": lambda d: pod(d).__setitem__("volumes", []),
    }
    if kind == "indexed":
        edits["completionMode"] = lambda d: d["spec"].pop("completionMode")
        edits["completions"] = lambda d: d["spec"].__setitem__("completions", "4")
        edits["shards"] = lambda d: d["spec"].__setitem__("completions", d["spec"]["completions"] + 1)
    else:
        edits["wait"] = lambda d: pod(d)["containers"][0]["command"].remove("--wait")
    for what, f in edits.items():
        c = copy.deepcopy(docs)
        f(next(d for d in c if d and d.get("kind") == "Job"))
        yield what, c


def main():
    ix = list(yaml.safe_load_all(open(sys.argv[1])))
    mg = list(yaml.safe_load_all(open(sys.argv[2])))
    try:
        print(check(ix, mg))
    except Bad as e:
        sys.exit(f"k8s: {e}")
    for kind, docs in (("indexed", ix), ("merge", mg)):
        for what, broken in breakages(docs, kind):
            try:
                check(broken, mg) if kind == "indexed" else check(ix, broken)
            except Bad:
                continue
            sys.exit(f"k8s: the check passed a {kind} manifest without a valid {what}")
    print("every broken copy was refused")


main()
