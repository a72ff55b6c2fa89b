#!/bin/sh
# 'reval report' on a synthetic 100,000-sample run (4 tasks x 250 problems x
# 100 samples, each with ~1,500 characters of reasoning and a short answer,
# 30% wrong): wall time, peak memory and the size of each output.  The run is
# made the ordinary way, 'reval run' with the replay engine over a generated
# data directory.  Then the HTML page's size at 1 x 27, 3 x 16 and 20 x 3
# runs x tasks.  Figures are printed, never asserted.
set -eu
bin=${REVAL_BIN:-build/reval}
peak=${REVAL_BUILD:-build}/bench/peakrss
out=$(mktemp -d /tmp/reval-bench-report-XXXXXX)
data=$out/data
mkdir -p "$data/tasks" "$data/bench"
tasks=""
for t in alpha beta gamma delta; do
	cat >"$data/tasks/bench_$t.json" <<JSON
{"id": "bench_$t", "dataset": "bench/problems.jsonl",
 "fields": {"id": "id", "question": "q", "answer": "a"},
 "prompt": {"template": "Compute {question}. Think step by step."},
 "grader": "exact", "sampling": {"n": 100, "temperature": 0.6, "max_tokens": 4096},
 "metrics": {"pass_k": [1, 8, 64], "cons_k": [8, 100]}}
JSON
	tasks="$tasks${tasks:+,}bench_$t"
done
awk 'BEGIN { for (i = 0; i < 250; i++) printf "{\"id\": \"q%03d\", \"q\": \"%d*%d\", \"a\": \"%d\"}\n", i, i, 7, 7 * i }' \
	>"$data/bench/problems.jsonl"
awk -v tasks="$tasks" 'BEGIN {
	srand(7); n = split(tasks, T, ",")
	pad = "Let us reason about the product carefully, digit by digit, and check it twice. "
	for (k = 0; k < 4; k++) pad = pad pad
	for (t = 1; t <= n; t++) for (i = 0; i < 250; i++) {
		hard = (i % 10) / 10.0
		for (s = 0; s < 100; s++) {
			ans = (rand() < 0.3 + 0.5 * hard) ? 7 * i + 1 + int(rand() * 3) : 7 * i
			printf "{\"task\":\"%s\",\"problem\":\"q%03d\",\"sample\":%d,\"content\":\"%d\",\"reasoning\":\"%s\",\"finish_reason\":\"stop\",\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":%d}}\n",
				T[t], i, s, ans, pad, 300 + int(rand() * 3000)
		}
	}
}' >"$out/replay.jsonl"
"$bin" run --task "$tasks" --data-dir "$data" --engine "replay:$out/replay.jsonl" \
	--out "$out/run" --no-progress >/dev/null
samples=$(wc -l <"$out/run/samples.jsonl")
journal=$(du -m "$out/run/samples.jsonl" | cut -f1)
echo "synthetic run: $samples samples, journal $journal MiB"

"$peak" "$bin" report "$out/run" --html "$out/r.html" --csv "$out/r.csv" \
	--problems-csv "$out/p.csv" --md "$out/r.md" 2>"$out/stderr" || { cat "$out/stderr"; exit 1; }
line=$(tail -n 1 "$out/stderr")
wall=${line#wall_s=}; wall=${wall%% *}
rss=${line##*maxrss_kb=}
awk -v w="$wall" -v r="$rss" -v n="$samples" 'BEGIN {
	printf "report (html, csv, problems csv, md)  %8.3f s  %10.0f samples/s  peak RSS %6.1f MiB\n", w, n / w, r / 1024 }'
for f in r.html r.csv p.csv r.md; do
	printf "  %-8s %10d bytes\n" "$f" "$(wc -c <"$out/$f")"
done

# Page sizes of the HTML report at the shapes it must stay readable at
# (runs x tasks), from the bundled recordings: 1 x 27 (BBH), 3 x 16
# (reasoning-gym, three models) and 20 x 3 (twenty runs of three tasks).
rec=datasets/recordings
"$bin" run --task bbh --engine "replay:$rec/bbh-codex-suzgun2022/cot.samples.jsonl" \
	--out "$out/bbh" --no-progress >/dev/null
rg="$rec/rg-eval-reasoning-models"
for s in deepseek-r1 o3-mini qwq-32b; do
	"$bin" run --task rg --engine "replay:$rg/$s.samples.jsonl" --n 1 --out "$out/$s" \
		--no-progress >/dev/null
done
twenty=""
for i in $(seq -w 0 19); do
	case $((1${i} % 3)) in 0) s=deepseek-r1 ;; 1) s=o3-mini ;; *) s=qwq-32b ;; esac
	"$bin" run --task rg/aiw,rg/gcd,rg/lcm --engine "replay:$rg/$s.samples.jsonl" --n 1 \
		--out "$out/m$i" --no-progress >/dev/null
	twenty="$twenty $out/m$i"
done
"$bin" report "$out/bbh" --html "$out/1x27.html"
"$bin" report "$out/deepseek-r1" "$out/o3-mini" "$out/qwq-32b" --html "$out/3x16.html"
# shellcheck disable=SC2086
"$bin" report $twenty --html "$out/20x3.html"
for f in 1x27 3x16 20x3; do
	printf "  html page %-5s (runs x tasks) %10d bytes\n" "$f" "$(wc -c <"$out/$f.html")"
done
[ -n "${REVAL_BENCH_KEEP:-}" ] && echo "kept in $out" || rm -rf "$out"
