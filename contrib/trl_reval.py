"""TRL: reward functions backed by `reval serve`.

    from trl import GRPOTrainer
    from trl_reval import reval_reward, reval_reward_async
    trainer = GRPOTrainer(..., reward_funcs=[reval_reward])

The dataset's gold answer column is "answer" (or "solution"); for code,
"tests" or "record".  Completions may be plain text or conversations (the
last message's content is scored).  reval_reward_async is the same as a
coroutine, for TRL versions that await async reward functions.
REVAL_URL and REVAL_TOKEN locate the server.
"""

import asyncio

from reval_client import RevalClient

_client = RevalClient()


def _text(completion):
    if isinstance(completion, list):
        return completion[-1]["content"] if completion else ""
    return completion


def _prompt(prompt):
    if isinstance(prompt, list):
        return None  # a conversation: the chat template is the trainer's
    return prompt


def reval_reward(prompts, completions, answer=None, solution=None, tests=None, record=None,
                 **kwargs):
    n = len(completions)
    items = []
    for i in range(n):
        item = {"response": _text(completions[i])}
        p = _prompt(prompts[i]) if prompts else None
        if p:
            item["prompt"] = p
        if tests is not None:
            item["grader"], item["tests"] = "code", tests[i]
        elif record is not None:
            item["grader"], item["record"] = "code", record[i]
        else:
            gold = (answer if answer is not None else solution)
            if gold is None:
                raise ValueError("reval_reward needs an 'answer' or 'solution' column")
            item["gold"] = gold[i]
        items.append(item)
    return [r["reward"] for r in _client.rewards(items)]


async def reval_reward_async(prompts, completions, **kwargs):
    return await asyncio.to_thread(reval_reward, prompts, completions, **kwargs)
