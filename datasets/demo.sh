#!/bin/sh
# The demonstration behind 'make demo': regrade a real recording end to end.
# code-davinci-002's chain-of-thought answers on all 27 BIG-Bench Hard tasks
# (Suzgun et al. 2022) go through the replay engine, the grader, the journal
# and the metrics, exactly as a live run would; reval writes an HTML report of
# it, then compares every bundled recording with its published scores.
set -eu
bin=${1:-build/reval}
out=${2:-build/demo}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
"$bin" run --task bbh --engine "replay:$here/recordings/bbh-codex-suzgun2022/cot.samples.jsonl" \
	--model code-davinci-002 --out "$out/bbh-cot"
echo
echo "BIG-Bench Hard, code-davinci-002, chain of thought (avg@1 per subtask):"
sed -n 's/^\(bbh\/[a-z_]*\),avg@1,\([0-9.]*\),.*/\1 \2/p' "$out/bbh-cot/results.csv" |
	awk '{ printf "  %-48s %6.1f%%\n", $1, 100 * $2 }'
echo
"$bin" report "$out/bbh-cot" --html "$out/report.html" --md "$out/summary.md"
"$bin" reproduce --out "$out/reproduce" | tail -n 2
echo
echo "run directory: $out/bbh-cot (config.json, samples.jsonl, results.json, results.csv, problems.jsonl)"
echo "report:        $out/report.html (open in a browser), $out/summary.md"
