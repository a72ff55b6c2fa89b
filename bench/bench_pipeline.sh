#!/bin/sh
# Regrading the largest bundled recording (BIG-Bench Hard, code-davinci-002
# chain of thought: 6,511 samples over 27 tasks): samples per second and peak
# memory, for a fresh replayed run and for 'reval grade' of the same journal.
# A baseline to compare later work against; nothing here is asserted.
set -eu
bin=${REVAL_BIN:-build/reval}
peak=${REVAL_BUILD:-build}/bench/peakrss
root=$(cd "$(dirname "$0")/.." && pwd)
rec=$root/datasets/recordings/bbh-codex-suzgun2022/cot.samples.jsonl
out=$(mktemp -d /tmp/reval-bench-pipeline-XXXXXX)
samples=$(wc -l < "$rec")

measure() { # label, then the command
	label=$1; shift
	"$peak" "$@" >/dev/null 2>"$out/stderr" || { cat "$out/stderr"; exit 1; }
	line=$(tail -n 1 "$out/stderr")
	wall=${line#wall_s=}; wall=${wall%% *}
	rss=${line##*maxrss_kb=}
	awk -v l="$label" -v n="$samples" -v w="$wall" -v r="$rss" 'BEGIN {
		printf "%-34s %6d samples  %8.3f s  %10.0f samples/s  peak RSS %6.1f MiB\n", l, n, w, n / w, r / 1024 }'
}

measure "run (replay, grade, journal)" "$bin" run --task bbh --engine "replay:$rec" --out "$out/run" --no-progress
measure "grade (regrade the journal)" "$bin" grade "$out/run"
rm -rf "$out"
