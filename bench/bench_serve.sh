#!/bin/sh
# reval serve under load, next to its in-process peer on the same items:
# math rewards/s as single-item POST /get_reward at 256 in flight and as
# POST /v1/rewards batches of 1,024 (wrk), against serve_bench (the same
# reward computed in process, on as many threads as the server has workers);
# POST /run_code per second against `reval check code` on the same program;
# p50/p99 latency from wrk.  Goal (not asserted): batches at least 0.5 x the
# in-process rate.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${REVAL_BUILD:-$root/build}
reval=${REVAL_BIN:-$build/reval}
secs=${BENCH_SECONDS:-5}
cpus=$(nproc)
dir=$(mktemp -d /tmp/reval-bench-serve-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if ! command -v wrk >/dev/null || ! command -v python3 >/dev/null; then
	echo "wrk or python3 missing (make deps installs them); skipping"
	exit 0
fi

# The items: the Qwen2.5-Math recording's 800 outputs, half with a <think> block.
python3 - "$root" "$dir" <<'PY'
import json, os, sys
root, d = sys.argv[1], sys.argv[2]
rec = os.path.join(root, "datasets/recordings/qwen25-math-rm-maj-example")
gold = {str(p["idx"]): (p["problem"], str(p["answer"]))
        for p in map(json.loads, open(os.path.join(rec, "math100.problems.jsonl")))}
items = []
for i, s in enumerate(map(json.loads, open(os.path.join(rec, "maj8.samples.jsonl")))):
    q, a = gold[s["problem"]]
    r = ("<think>Let me see.</think>\n" if i % 2 else "") + s["content"]
    items.append({"prompt": q + "\n", "response": r, "gold": a})
with open(os.path.join(d, "items.jsonl"), "w") as f:
    for it in items:
        f.write(json.dumps(it) + "\n")
with open(os.path.join(d, "singles.txt"), "w") as f:
    for it in items:
        f.write(json.dumps({"query": [it["prompt"] + it["response"]], "prompts": [it["prompt"]],
                            "labels": [it["gold"]]}) + "\n")
with open(os.path.join(d, "batches.txt"), "w") as f:
    for k in range(4):
        batch = [items[(k * 1024 + j) % len(items)] for j in range(1024)]
        f.write(json.dumps({"items": [{"response": b["response"], "gold": b["gold"],
                                       "prompt": b["prompt"]} for b in batch]}) + "\n")
with open(os.path.join(d, "runcode.txt"), "w") as f:
    f.write(json.dumps({"code": "a, b = map(int, input().split())\nprint(a + b)\n",
                        "language": "python", "stdin": "20 22\n", "run_timeout": 5}) + "\n")
with open(os.path.join(d, "code_cases.jsonl"), "w") as f:
    for k in range(400):
        f.write(json.dumps({"id": k, "kind": "stdio", "language": "python",
                            "program": "a, b = map(int, input().split())\nprint(a + b)\n",
                            "tests": [{"input": "20 22\n", "output": "42\n"}]}) + "\n")
PY
cat > "$dir/post.lua" <<'LUA'
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local path = os.getenv("ROUTE")
local i = 0
request = function()
	i = i % #bodies + 1
	return wrk.format("POST", path, {["Content-Type"] = "application/json"}, bodies[i])
end
LUA

"$reval" serve --listen 127.0.0.1:0 --port-file "$dir/port" 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$dir/port")"

# Server CPU time in seconds (user + system), from /proc.
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$pid/stat"
}

# wrk_run NAME ROUTE BODIES CONNECTIONS ITEMS_PER_REQUEST
#   -> "NAME: R/s (Q requests/s), p50 X, p99 Y, C per server CPU-second"
wrk_run() {
	c0=$(cpu_s)
	BODIES="$3" ROUTE="$2" wrk -t2 -c"$4" -d"${secs}s" --timeout 60s --latency -s "$dir/post.lua" \
		"$url" >"$dir/wrk.out" 2>&1
	c1=$(cpu_s)
	awk -v name="$1" -v per="$5" -v cpu="$(echo "$c1 $c0" | awk '{ print $1 - $2 }')" -v secs="$secs" '
		/Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
		/Non-2xx/ { bad = $NF }
		END { printf "%s: %.0f/s (%.0f requests/s), p50 %s, p99 %s, %.0f per server CPU-second%s\n",
		      name, rps * per, rps, p50, p99, (cpu > 0 ? rps * per * secs / cpu : 0),
		      (bad ? ", " bad " non-2xx answers" : "") }' "$dir/wrk.out"
}

inproc=$("$build/bench/serve_bench" "$dir/items.jsonl" "$cpus" "$secs")
echo "$inproc"
single=$(wrk_run "math rewards, single-item POST /get_reward, 256 in flight" /get_reward "$dir/singles.txt" 256 1)
echo "$single"
batch=$(wrk_run "math rewards, POST /v1/rewards batches of 1,024, 4 in flight" /v1/rewards "$dir/batches.txt" 4 1024)
echo "$batch"
ratio() { # LINE LABEL
	echo "$1" | awk -v ip="$inproc" -v label="$2" -F': ' '
		{ split($2, a, "/"); n = split($0, w, ", "); for (i = 1; i <= n; i++) if (w[i] ~ /per server CPU/) { split(w[i], c, " "); cpu = c[1] } }
		END { split(ip, x, " "); split(ip, y, ", "); split(y[2], z, " ");
		      printf "  %s: %.2f x in-process rewards/s; %.2f x its rewards per CPU-second\n", label, a[1] / x[2], cpu / z[1] }'
}
ratio "$single" "single-item POSTs"
ratio "$batch" "batches of 1,024 (goal >= 0.5)"
echo "  load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $cpus CPUs"

rc=$(wrk_run "/run_code, python a+b, 8 in flight" /run_code "$dir/runcode.txt" 8 1)
echo "$rc"
t0=$(date +%s.%N)
"$reval" check code --in "$dir/code_cases.jsonl" >/dev/null 2>&1
t1=$(date +%s.%N)
cc=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", 400 / (b - a) }')
echo "reval check code, the same program, 400 cases: $cc/s"
echo "$rc" | awk -v cc="$cc" -F': ' '{ split($2, a, "/"); printf "  /run_code: %.2f x reval check code\n", a[1] / cc }'
