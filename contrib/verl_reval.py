"""verl: rewards from `reval serve` for the batch reward manager.

verl configuration (the server must be running, e.g. `reval serve --grader math`):

    reward_model.reward_manager=batch \
    custom_reward_function.path=contrib/verl_reval.py \
    custom_reward_function.name=compute_score

verl calls compute_score once per batch with the decoded responses and the
ground truths; every response becomes one item of POST /v1/rewards.  The
grader is the server's (--grader), unless extra_info carries "grader" (and
"options"); for code, the ground truth is the tests' record (a JSON object or
its text, as the code grader reads it).  Each score is a dict: verl trains on
"score" and logs the other keys.  REVAL_URL and REVAL_TOKEN locate the server.
"""

import json

from reval_client import RevalClient

_client = None


def _item(solution, truth, extra):
    item = {"response": solution}
    extra = extra or {}
    grader = extra.get("grader")
    if grader:
        item["grader"] = grader
    if extra.get("options"):
        item["options"] = extra["options"]
    if grader == "code" or (grader is None and isinstance(truth, (dict, list))):
        item["grader"] = grader or "code"
        record = json.loads(truth) if isinstance(truth, str) else truth
        item["record"] = record if isinstance(record, dict) else {"tests": record}
    else:
        item["gold"] = truth if isinstance(truth, (str, int, float)) else str(truth)
    return item


def compute_score(data_sources, solution_strs, ground_truths, extra_infos=None, **kwargs):
    global _client
    if _client is None:
        _client = RevalClient(url=kwargs.get("url"))
    extra_infos = extra_infos or [None] * len(solution_strs)
    items = [_item(s, t, e) for s, t, e in zip(solution_strs, ground_truths, extra_infos)]
    return [
        {"score": r["reward"], "acc": r["accuracy"], "format": r["format"],
         "timeout": 1.0 if r["verdict"] == "timeout" else 0.0}
        for r in _client.rewards(items)
    ]
