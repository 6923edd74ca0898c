#!/usr/bin/env bash
# Server CPU per echoed message: `wsk serve-echo` (one or more builds) beside the raw TCP
# echo floor from ../shared/tools, in one sitting. Server pinned to core 0, load generator
# (wsload, or tcp-pingpong for the floor) to core 1. The server's CPU (utime + stime from
# /proc/PID/stat) is sampled over the measured window only and divided by the messages the
# generator counted in it. Prints one line per run and the median of the repeats.
#
#   scripts/bench-cpu-per-message.sh [SECONDS] [REPEATS] [WSK_BINARY ...]
#
# With no binary, builds and measures this checkout's release wsk. Compare two builds:
#   scripts/bench-cpu-per-message.sh 5 3 /tmp/wsk-before .build/release/wsk
#   CONFIGS='100 16 18 8;1 16 18 1' scripts/bench-cpu-per-message.sh 5 3 .build/release/wsk
#   PEERS='node-ws=node ../shared/peers/node-ws-echo.js {port}' scripts/bench-cpu-per-message.sh
#   PEERS='py-websockets=python3 ../shared/peers/py-websockets-echo.py {port};gorilla=./go-gorilla-echo {port}' …
#   (gorilla: build it as ../shared/peers/README.md says; Go is not a CI dependency)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
repeats=${2:-3}
shift $(( $# > 2 ? 2 : $# )) || true
binaries=("$@")
if [ ${#binaries[@]} -eq 0 ]; then
    scripts/build-release.sh >/dev/null
    binaries=(.build/release/wsk)
fi
shared=${WSK_SHARED:-../shared}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cc -O2 -o "$work/wsload" "$shared/tools/wsload.c"
cc -O2 -o "$work/tcp-echo-server" "$shared/tools/tcp-echo-server.c"
cc -O2 -o "$work/tcp-pingpong" "$shared/tools/tcp-pingpong.c"
warmup=1
ticks_per_second=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

source scripts/lib/bench-common.sh

# measure NAME PID GENERATOR-COMMAND...: prints µs of server CPU per message.
measure() {
    local name=$1 pid=$2
    shift 2
    local out="$work/out"
    taskset -c 1 "$@" >"$out" 2>/dev/null &
    local generator=$!
    sleep "$warmup"
    local before after
    before=$(cpu_ticks "$pid")
    sleep "$seconds"
    after=$(cpu_ticks "$pid")
    wait "$generator" || true
    local rate
    rate=$(grep -oE '(msgs_per_s=|msgs/s: )[0-9.]+' "$out" | tail -1 | grep -oE '[0-9.]+$' || echo 0)
    awk -v t=$((after - before)) -v hz="$ticks_per_second" -v r="$rate" -v s="$seconds" -v n="$name" \
        'BEGIN { m = r * s; if (m == 0) { printf "%s: no messages\n", n; exit } printf "%-40s %9.0f msgs/s  %6.2f us CPU/msg\n", n, r, t / hz * 1e6 / m }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# PEERS adds other echo servers, "NAME=COMMAND" separated by ';', {port} standing for the
# port: PEERS='node-ws=node ../shared/peers/node-ws-echo.js {port}'.
IFS=';' read -ra peers <<<"${PEERS:-}"

# measure_server NAME GENERATOR-COMMAND...: the server just started on $port (pid $server),
# measured REPEATS times with the generator, then stopped; the next server gets a new port.
measure_server() {
    local name=$1
    shift
    wait_for_port $port
    results=()
    for _ in $(seq 1 "$repeats"); do
        line=$(measure "$name" $server "$@")
        echo "$line"
        results+=("$(echo "$line" | grep -oE '[0-9.]+ us' | grep -oE '[0-9.]+')")
    done
    echo "   median: $(printf '%s\n' "${results[@]}" | median) us"
    kill $server; wait $server 2>/dev/null || true
    port=$((port + 1))
}

# measure_websocket_server NAME: measure_server with wsload for the current shape.
measure_websocket_server() {
    measure_server "$1" "$work/wsload" -b -c "$connections" -s "$size" -d "$depth" -t "$seconds" -w "$warmup" "ws://127.0.0.1:$port/"
}

port=9311
# CONFIGS overrides the shapes: "CONNECTIONS SIZE RAW_SIZE DEPTH" each (RAW_SIZE: the same
# message with its WebSocket header, for the TCP floor).
configs=${CONFIGS:-"100 16 18 1;100 16k 16402 1"}
IFS=';' read -ra shapes <<<"$configs"
for config in "${shapes[@]}"; do
    read -r connections size raw depth <<<"$config"
    depth=${depth:-1}
    echo "== $connections connections x $size B, binary, depth $depth =="
    taskset -c 0 "$work/tcp-echo-server" $port >/dev/null 2>&1 &
    server=$!
    measure_server "tcp-echo (floor) ${raw} B" "$work/tcp-pingpong" -p $port -c "$connections" -s "$raw" -n "$depth" -d "$seconds" -w "$warmup"
    # wsk builds, then the PEERS.
    for binary in "${binaries[@]}"; do
        taskset -c 0 "$binary" serve-echo --port $port --threads 1 >/dev/null 2>&1 &
        server=$!
        measure_websocket_server "$binary"
    done
    for peer in "${peers[@]}"; do
        command=${peer#*=}
        taskset -c 0 bash -c "exec ${command//\{port\}/$port}" >/dev/null 2>&1 &
        server=$!
        measure_websocket_server "${peer%%=*}"
    done
done
