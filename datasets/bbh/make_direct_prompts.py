#!/usr/bin/env python3
"""Derive the answer-only ("direct") BBH few-shot prompts from the CoT prompts.

Run from datasets/bbh/:   python3 make_direct_prompts.py
It reads cot-prompts/<task>.txt (verbatim upstream, suzgunmirac/BIG-Bench-Hard @ 9ee07bd)
and writes direct-prompts/<task>.txt.  Python 3 standard library only.

The BBH paper's answer-only prompts use the same three exemplars as the CoT prompts, with the
answer alone after "A:".  So each exemplar's
    A: Let's think step by step.<newline or space><chain of thought> So the answer is <X>.
becomes
    A: <X>
Everything else (the canary line, the "-----" separator, the task description, the questions)
is kept byte for byte.  The bbh_direct task derives the same text at load time
("fewshot_style": "answer_only"); these files are the readable, independently derived reference
it was checked against.  The script fails loudly if an exemplar does not
have that shape, and is idempotent: running it again produces identical files.
"""
import os
import sys

COT_OPEN = "A: Let's think step by step."
MARKER = "So the answer is "


def derive(text, name):
    head, sep, body = text.partition("\n\nQ: ")
    if not sep:
        sys.exit(f"{name}: no exemplar found")
    blocks = body.split("\n\nQ: ")
    out = []
    for i, block in enumerate(blocks):
        q, sep, a = block.partition("\n" + COT_OPEN)
        if not sep or a[:1] not in ("\n", " "):
            sys.exit(f"{name}: exemplar {i + 1} has no '{COT_OPEN.strip()}' line")
        at = a.rfind(MARKER)
        if at < 0 or not a.endswith("."):
            sys.exit(f"{name}: exemplar {i + 1} does not end with 'So the answer is X.'")
        answer = a[at + len(MARKER):-1]
        if not answer or "\n" in answer:
            sys.exit(f"{name}: exemplar {i + 1} has an empty or multi-line answer")
        out.append(f"{q}\nA: {answer}")
    return head + "\n\nQ: " + "\n\nQ: ".join(out)


def main():
    os.makedirs("direct-prompts", exist_ok=True)
    names = sorted(n for n in os.listdir("cot-prompts") if n.endswith(".txt"))
    if len(names) != 27:
        sys.exit(f"expected 27 CoT prompt files, found {len(names)}")
    for name in names:
        with open(os.path.join("cot-prompts", name), encoding="utf-8", newline="") as f:
            text = f.read()
        with open(os.path.join("direct-prompts", name), "w", encoding="utf-8", newline="") as f:
            f.write(derive(text, name))
    print(f"wrote {len(names)} files to direct-prompts/")


if __name__ == "__main__":
    main()
