#!/usr/bin/env bash
# serve-echo's CPU per echoed message with WebSockets over HTTP/2 (RFC 8441) next to
# HTTP/1.1, in one sitting and with one generator: `wsk bench` (release build) on core 1,
# `wsk serve-echo --http2 --threads 1` on core 0. For each shape: HTTP/1.1 (one TCP
# connection per WebSocket), HTTP/2 with one stream per TCP connection, and HTTP/2 with
# every WebSocket on one TCP connection. The server's CPU (utime + stime from
# /proc/PID/stat) is sampled over the measured window only and divided by the messages
# bench counted in it. Prints one line per run and the median of the repeats.
#
#   scripts/bench-http2.sh [SECONDS] [REPEATS]
#   CONFIGS='100 16 1;100 16KiB 1;10 16 8' scripts/bench-http2.sh 5 3
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
repeats=${2:-3}
scripts/build-release.sh >/dev/null
wsk=.build/release/wsk
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
warmup=1
ticks_per_second=$(getconf CLK_TCK)
source scripts/lib/bench-common.sh

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

port=9411
taskset -c 0 "$wsk" serve-echo --port $port --threads 1 --http2 >/dev/null 2>&1 &
server=$!
wait_for_port $port

# measure NAME BENCH-FLAGS...: prints "NAME  msgs/s  µs CPU/msg  p50".
measure() {
    local name=$1
    shift
    taskset -c 1 "$wsk" bench --threads 1 --binary --warmup "$warmup" --duration "$seconds" --json "$@" "ws://127.0.0.1:$port/" >"$work/out" 2>"$work/err" &
    local generator=$!
    sleep "$warmup"
    local before after
    before=$(cpu_ticks $server)
    sleep "$seconds"
    after=$(cpu_ticks $server)
    wait $generator || true
    python3 - "$work/out" "$name" $((after - before)) "$ticks_per_second" <<'PY'
import json, sys
path, name, ticks, hz = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
try:
    result = json.load(open(path))
except Exception:
    print(f"{name}: bench failed"); sys.exit()
messages = result["messages"]
if messages == 0:
    print(f"{name}: no messages"); sys.exit()
cpu_us = ticks / hz * 1e6 / messages
print(f"{name:<44} {result['messages_per_second']:>9.0f} msgs/s  {cpu_us:6.2f} us CPU/msg  p50 {result['latency_us']['p50']:.0f} us  errors {result['errors']}")
PY
}

configs=${CONFIGS:-"100 16 1;100 16KiB 1"}
IFS=';' read -ra shapes <<<"$configs"
for config in "${shapes[@]}"; do
    read -r connections size depth <<<"$config"
    echo "== $connections WebSockets x $size, binary, depth $depth =="
    for variant in "HTTP/1.1" "HTTP/2, 1 stream per TCP connection" "HTTP/2, all on 1 TCP connection"; do
        case $variant in
        "HTTP/1.1") flags=() ;;
        "HTTP/2, 1 stream per TCP connection") flags=(--http2) ;;
        *) flags=(--streams-per-connection "$connections") ;;
        esac
        results=()
        for _ in $(seq 1 "$repeats"); do
            line=$(measure "$variant" -c "$connections" -s "$size" -d "$depth" "${flags[@]}")
            echo "  $line"
            results+=("$(echo "$line" | grep -oE '[0-9.]+ us CPU' | grep -oE '^[0-9.]+' || echo 0)")
        done
        echo "   median: $(printf '%s\n' "${results[@]}" | median) us CPU/msg"
    done
done
