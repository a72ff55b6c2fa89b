#!/bin/sh
# Math checker throughput on one core: answer pairs from the conformance
# file, full outputs from the Qwen2.5-Math recording, and the slowest case.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${REVAL_BUILD:-$root/build}
pin=""
if command -v taskset >/dev/null 2>&1; then
	pin="taskset -c 0"
fi
$pin "$build/bench/math_bench" "$root/tests/data/math/math_equiv.jsonl" \
	"$root/datasets/recordings/qwen25-math-rm-maj-example/math_cot_100.jsonl"
