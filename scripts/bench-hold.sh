#!/usr/bin/env bash
# A --hold run against serve-echo (issue 13's capacity figure): serve-echo on core 0, one
# bench generator on core 1, N connections held with a ping every 5 s; prints both sides'
# peak RSS and the bench result's connection counts, ping and handshake figures.
#
#   scripts/bench-hold.sh [CONNECTIONS] [SECONDS] [WSK_BINARY]
#
# Default binary: this checkout's release build (built if missing). Each side keeps 64
# descriptors free, so under `ulimit -n L` a process holds at most L - 64 connections.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-20000}
seconds=${2:-20}
binary=${3:-}
if [[ -z "$binary" ]]; then
    scripts/build-release.sh >/dev/null
    binary=.build/release/wsk
fi
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
taskset -c 0 "$binary" serve-echo --port 0 --threads 1 >"$work/port" 2>/dev/null &
server=$!
for _ in $(seq 100); do grep -q listening "$work/port" 2>/dev/null && break; sleep 0.05; done
port=$(sed 's/.*://' "$work/port")
before=$(awk '/VmRSS/{print $2}' "/proc/$server/status")
echo "command: wsk bench -c $count --hold --ping-interval 5 --duration $seconds --warmup 0 --threads 1 --json ws://127.0.0.1:$port/"
taskset -c 1 "$binary" bench -c "$count" --hold --ping-interval 5 --duration "$seconds" --warmup 0 --threads 1 --json \
    "ws://127.0.0.1:$port/" >"$work/result.json" 2>"$work/stderr" &
bench=$!
peak=0
while kill -0 "$bench" 2>/dev/null; do
    rss=$(awk '/VmRSS/{print $2}' "/proc/$server/status" 2>/dev/null || echo 0)
    ((rss > peak)) && peak=$rss
    sleep 0.5
done
status=0
wait "$bench" || status=$?
echo "bench exit status: $status"
python3 - "$work/result.json" "$before" "$peak" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
before, peak = int(sys.argv[2]), int(sys.argv[3])
open_ = r.get("connections_open") or 0
print(f"connections: open {open_}, peak {r.get('connections_peak')}, failed {r.get('connections_failed')}, lost {r.get('connections_lost')}")
for failure in r.get("failures") or []:
    print(f"  failure: {failure['count']} x {failure['step']}: {failure['reason']}")
print(f"pings sent {r.get('pings_sent')}, pongs {r.get('pongs')}, ping_us {r.get('ping_us')}")
print(f"handshake_us {r.get('handshake_us')}")
print(f"serve-echo RSS: {before} KiB before, {peak} KiB peak"
      + (f" ({(peak - before) * 1024 // open_} B per held connection)" if open_ else ""))
print(f"bench peak RSS: {r.get('max_rss_bytes', 0) // 1024} KiB")
PY
