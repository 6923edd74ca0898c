#!/usr/bin/env bash
# Heap allocations per echoed message in `wsk serve-echo`: an LD_PRELOAD malloc counter
# (scripts/tools/malloc-count.c: malloc, calloc, realloc, posix_memalign, all threads) is
# read before and after a measured window of wsload traffic; the difference is divided by
# the messages wsload counted in that window. A benchmark, not a test: it prints figures.
#
#   scripts/bench-allocations.sh [WSK_BINARY] [SECONDS]
#
# Default binary: this checkout's release build (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-}
seconds=${2:-3}
if [ -z "$binary" ]; then
    scripts/build-release.sh >/dev/null
    binary=.build/release/wsk
fi
shared=${WSK_SHARED:-../shared}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cc -O2 -shared -fPIC -o "$work/malloc-count.so" scripts/tools/malloc-count.c -ldl
cc -O2 -o "$work/wsload" "$shared/tools/wsload.c"

source scripts/lib/bench-common.sh

snapshot() {  # PID FILE: the allocation count so far
    rm -f "$2"
    kill -USR2 "$1"
    for _ in $(seq 1 100); do
        [ -s "$2" ] && { cat "$2"; return; }
        sleep 0.02
    done
    echo 0
}

port=9411
for config in "100 16 0" "100 16k 0" "1 16 0" "1 16k 0"; do
    read -r connections size compress <<<"$config"
    flags=(--port $port --threads 1)
    [ "$compress" = 1 ] || flags+=(--no-compression)
    MALLOC_COUNT_FILE="$work/count" LD_PRELOAD="$work/malloc-count.so" taskset -c 0 "$binary" serve-echo "${flags[@]}" >/dev/null 2>&1 &
    server=$!
    wait_for_port $port
    taskset -c 1 "$work/wsload" -b -c "$connections" -s "$size" -d 1 -t $((seconds + 2)) -w 1 "ws://127.0.0.1:$port/" >"$work/out" 2>"$work/err" &
    generator=$!
    sleep 2  # warm-up (1 s of wsload's own) and connections open
    before=$(snapshot $server "$work/count")
    start=$(date +%s.%N)
    sleep "$seconds"
    after=$(snapshot $server "$work/count")
    end=$(date +%s.%N)
    wait $generator || true
    rate=$(grep -oE '(msgs_per_s=|msgs/s: )[0-9.]+' "$work/out" | tail -1 | grep -oE '[0-9.]+$' || echo 0)
    awk -v a="$after" -v b="$before" -v r="$rate" -v s="$start" -v e="$end" -v c="$connections" -v z="$size" -v d="$compress" \
        'BEGIN { m = r * (e - s); printf "%3d connections x %-4s B %-17s %9.0f msgs/s  %6.2f allocations per echoed message\n", c, z, (d ? "permessage-deflate" : "uncompressed"), r, (a - b) / m }'
    kill $server; wait $server 2>/dev/null || true
    port=$((port + 1))
done
