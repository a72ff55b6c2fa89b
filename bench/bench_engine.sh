#!/bin/sh
# The openai engine against canned responders on loopback: its request
# rate and latency next to wrk's at the same concurrency (nginx returning a
# fixed completion), and its peak memory with 1,000 and 5,000 requests held
# in flight by the fake server's delay.  Targets (not asserted): at least
# 0.5 x wrk's rate; at most 100 KB per request in flight.
set -eu
build=${REVAL_BUILD:-build}
bench=$build/bench/bench_engine
fake=${REVAL_FAKE:-$build/fake-openai}
conc=${BENCH_CONCURRENCY:-64}
requests=${BENCH_REQUESTS:-40000}
dir=$(mktemp -d /tmp/reval-bench-engine-XXXXXX)
nginx_pid=; fake_pid=
cleanup() {
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx_bin" ] || ! command -v wrk >/dev/null; then
	echo "nginx or wrk missing (make deps installs nginx-light and wrk); skipping the rate comparison"
else
	port=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 20000) }')
	body='{"id":"c","object":"chat.completion","model":"fake-model","choices":[{"index":0,"message":{"role":"assistant","content":"The answer is \\\\boxed{4}."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}'
	cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 8192; }
http {
	access_log off;
	keepalive_requests 10000000;
	client_body_temp_path $dir;
	proxy_temp_path $dir;
	fastcgi_temp_path $dir;
	uwsgi_temp_path $dir;
	scgi_temp_path $dir;
	server {
		listen 127.0.0.1:$port;
		location / { default_type application/json; return 200 '$body'; }
	}
}
CONF
	"$nginx_bin" -c "$dir/nginx.conf" -p "$dir" &
	nginx_pid=$!
	sleep 0.5
	cat > "$dir/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"fake-model","messages":[{"role":"user","content":"Q: 2+2\nA:"}],"temperature":0.6,"max_tokens":64,"seed":1}'
LUA
	url=http://127.0.0.1:$port/v1
	wrk -t1 -c"$conc" -d5s --latency -s "$dir/post.lua" "$url/chat/completions" > "$dir/wrk.txt"
	wrk_rate=$(awk '/Requests\/sec/ { print $2 }' "$dir/wrk.txt")
	to_ms() { awk -v v="$1" 'BEGIN { u = v; sub(/[0-9.]+/, "", u); x = v + 0;
		if (u == "us") x /= 1000; else if (u == "s") x *= 1000; printf "%.3f", x }'; }
	wrk_p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$dir/wrk.txt")")
	wrk_p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$dir/wrk.txt")")
	line=$("$bench" "$url" "$requests" "$conc")
	get() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
	rate=$(get rate); p50=$(get p50_ms); p99=$(get p99_ms)
	echo "rate at concurrency $conc ($requests requests, nginx canned completion on loopback):"
	awk -v r="$rate" -v w="$wrk_rate" -v p50="$p50" -v p99="$p99" -v w50="$wrk_p50" -v w99="$wrk_p99" 'BEGIN {
		printf "  reval  %10.0f req/s   latency p50 %7.3f ms  p99 %7.3f ms\n", r, p50, p99
		printf "  wrk    %10.0f req/s   latency p50 %7.3f ms  p99 %7.3f ms\n", w, w50, w99
		printf "  ratio  %10.2f x wrk (target >= 0.5)   latency added: p50 %+.3f ms  p99 %+.3f ms\n",
			r / w, p50 - w50, p99 - w99 }'
	kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=
fi

echo "memory with requests held in flight (fake server answering after 4 s):"
"$fake" --port 0 --delay 4000 > "$dir/fake.port" &
fake_pid=$!
sleep 0.5
fport=$(awk '{ print $2 }' "$dir/fake.port")
for n in 1000 5000; do
	line=$("$bench" "http://127.0.0.1:$fport/v1" "$n" "$n")
	echo "$line" | awk -v n="$n" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "  %5d in flight: peak RSS %7.1f MB, %6.1f KB per request in flight (target <= 100), %s errors\n",
			n, v["peak_rss_kb"] / 1024, v["per_inflight_kb"], v["errors"] }'
done
