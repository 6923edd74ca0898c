#!/usr/bin/env bash
# Measures `wsk serve-echo` beside peer echo servers (Node ws, Go gorilla) in one sitting,
# with the neutral load generator from ../shared/tools (release build; server pinned to
# core 0, load generator to core 1). Prints one line per run, then idle-connection RSS.
#
#   scripts/bench-serve-echo.sh [SECONDS]
#
# Needs: ../shared/tools/wsload.c and ../shared/peers/, node-ws, golang-go and
# golang-github-gorilla-websocket-dev (apt-get), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
shared=${WSK_SHARED:-../shared}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

scripts/build-release.sh >/dev/null
cc -O2 -o "$work/wsload" "$shared/tools/wsload.c"
cp "$shared/peers/"* "$work/"
(cd "$work" && GO111MODULE=off GOPATH=/usr/share/gocode go build -o go-gorilla-echo go-gorilla-echo.go)

run_matrix() {
    local name=$1 port=$2
    for connections in 1 100; do
        for size in 16 16k; do
            for depth in 1 8; do
                result=$(taskset -c 1 "$work/wsload" -c "$connections" -s "$size" -d "$depth" -t "$seconds" -w 1 "ws://127.0.0.1:$port/" 2>/dev/null || true)
                printf '%-10s c=%-3s s=%-3s d=%s  %s\n' "$name" "$connections" "$size" "$depth" "$result"
            done
        done
    done
}

# One server at a time, so idle peers do not share core 0 with the one being measured.
taskset -c 0 node "$work/node-ws-echo.js" 9202 >/dev/null 2>&1 &
sleep 1.5
run_matrix node-ws 9202
kill $! 2>/dev/null || true

taskset -c 0 "$work/go-gorilla-echo" 9203 >/dev/null 2>&1 &
sleep 1.5
run_matrix gorilla 9203
kill $! 2>/dev/null || true

taskset -c 0 .build/release/wsk serve-echo --port 9201 --threads 1 >/dev/null 2>&1 &
wsk_pid=$!
sleep 1.5
run_matrix wsk 9201

echo "idle connections (wsk serve-echo, 10000):"
python3 scripts/idle-connections.py 9201 "$wsk_pid" 10000
