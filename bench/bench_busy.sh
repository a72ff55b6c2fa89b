#!/bin/sh
# Keeping a batching server busy: reval against the fake server's
# continuous-batching simulator (64 slots, one token per slot per step,
# seeded heavy-tailed lengths; 200 GSM8K problems x 8 samples), next to a
# plain promise-pool client at fixed concurrencies, in the same run.  For
# each: the server's utilisation (decoding slot-steps over all slot-steps
# from the first token to the last) and the wall time in steps over the
# longest-first ideal, both from the simulator's step log (simstat.py).
# Goals (not asserted): default >= 0.90 busy and not below the best fixed
# pool; with --schedule-from <= 1.04x the ideal; with 429s past 64 queued
# sequences >= 0.88 busy, every sample delivered once.  The pool client sends
# the prompts and per-sample seeds of reval's default run, so both ask for
# the same work; the --schedule-from run is the next night (another seed)
# ordered by the first night's journal.
set -eu
build=${REVAL_BUILD:-build}
reval=${REVAL_BIN:-$build/reval}
fake=${REVAL_FAKE:-$build/fake-openai}
here=$(cd "$(dirname "$0")" && pwd)
slots=64
step=${BENCH_STEP_MS:-1}
problems=${BENCH_PROBLEMS:-200}
n=8
len=300:0.6:0.5:4096
pools=${BENCH_POOLS:-"64 96 192"}
dir=$(mktemp -d /tmp/reval-bench-busy-XXXXXX)
fake_pid=
cleanup() {
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

start_fake() { # NAME [FLAGS...]
	name=$1
	shift
	"$fake" --port 0 --sim "$slots:$step" --sim-len "$len" --step-log "$dir/$name.steps" "$@" \
		> "$dir/$name.port" &
	fake_pid=$!
	i=0
	while [ ! -s "$dir/$name.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	url=http://127.0.0.1:$(awk '{ print $2 }' "$dir/$name.port")/v1
}
stop_fake() {
	kill "$fake_pid" 2>/dev/null || true
	wait "$fake_pid" 2>/dev/null || true
	fake_pid=
}
now() { date +%s.%N; }
# The journal's count of lines, of distinct samples and of failed samples.
delivered() {
	python3 -c 'import json,sys
rows=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
keys={(r["task"],r["problem"],r["sample"]) for r in rows}
err=sum(1 for r in rows if r.get("error"))
again=sum(1 for r in rows if (r.get("attempts") or 1) > 1)
print("samples=%d distinct=%d errors=%d resent=%d" % (len(rows), len(keys), err, again))' "$1"
}
row() { # LABEL STEPS-NAME WALL DELIVERY
	python3 "$here/simstat.py" "$slots" "$dir/$2.steps" > "$dir/$2.stat"
	printf '  %-44s %s  wall %5.1f s  %s\n' "$1" "$(awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "busy %.3f  wall/ideal %.3fx", v["busy"], v["ratio"] }' "$dir/$2.stat")" "$3" "$4"
}
reval_run() { # NAME SEED [FLAGS...]
	name=$1
	seed=$2
	shift 2
	t0=$(now)
	"$reval" run --task gsm8k --limit "$problems" --n "$n" --seed "$seed" --base-url "$url" \
		--model fake-model --out "$dir/$name" "$@" > /dev/null 2> "$dir/$name.err" || true
	wall=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
}

echo "workload: $problems GSM8K problems x $n samples; $slots slots, $step ms per step;"
echo "  lengths log-normal: median/sigma per problem/sigma per sample/cap = $len tokens"

# The prompts reval sends, for the pool client to send the same.
"$reval" run --task gsm8k --limit "$problems" --n 1 --concurrency 1 --out "$dir/dump" \
	--engine "exec:cat >> '$dir/prompts.jsonl'; echo >> '$dir/prompts.jsonl'; echo ok" \
	> /dev/null 2>&1

start_fake night1
reval_run night1 1
stop_fake
row "reval, default" night1 "$wall" "$(delivered "$dir/night1/samples.jsonl")"

start_fake night2
reval_run night2 2 --schedule-from "$dir/night1"
stop_fake
row "reval, --schedule-from the previous run" night2 "$wall" "$(delivered "$dir/night2/samples.jsonl")"

start_fake servern
reval_run servern 2 --no-split-n
stop_fake
row "reval, server-side n (--no-split-n)" servern "$wall" "$(delivered "$dir/servern/samples.jsonl")"

best=; best_busy=0
for k in $pools; do
	start_fake "pool$k"
	t0=$(now)
	out=$(python3 "$here/pool_client.py" "$url" fake-model "$dir/prompts.jsonl" "$n" "$k" "$dir/night1/samples.jsonl")
	wall=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
	stop_fake
	row "pool client, $k in flight" "pool$k" "$wall" "$out"
	b=$(awk '{ split($1, kv, "="); print kv[2] }' "$dir/pool$k.stat")
	if awk -v b="$b" -v m="$best_busy" 'BEGIN { exit !(b > m) }'; then best=$k; best_busy=$b; fi
done

start_fake over --queue-cap 64 --retry-after 1
reval_run over 1
stop_fake
row "reval, default, 429 past 64 queued" over "$wall" "$(delivered "$dir/over/samples.jsonl")"

start_fake tight --queue-cap 8 --retry-after 1
reval_run tight 1
stop_fake
row "reval, default, 429 past 8 queued" tight "$wall" "$(delivered "$dir/tight/samples.jsonl")"

start_fake overpool --queue-cap 64 --retry-after 1
t0=$(now)
out=$(python3 "$here/pool_client.py" "$url" fake-model "$dir/prompts.jsonl" "$n" "$best" "$dir/night1/samples.jsonl")
wall=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
stop_fake
row "pool client, $best in flight, 429 past 64" overpool "$wall" "$out"

get() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$dir/$1.stat"; }
echo "against the goals:"
awk -v d="$(get night1 busy)" -v p="$best_busy" -v k="$best" -v s="$(get night2 ratio)" \
	-v o="$(get over busy)" -v t="$(get tight busy)" 'BEGIN {
	printf "  default busy %.3f (goal >= 0.90; best fixed pool, %s in flight: %.3f)\n", d, k, p
	printf "  --schedule-from wall/ideal %.3fx (goal <= 1.04x)\n", s
	printf "  429 overload busy %.3f past 64 queued, %.3f past 8 (goal >= 0.88)\n", o, t }'
