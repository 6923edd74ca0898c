#!/usr/bin/env bash
# `wsk bench` as a load generator beside the neutral C `wsload` (../shared/tools), against
# the same server in one sitting: `wsk serve-echo --threads 1` on core 0, the generator on
# core 1. Prints each run's msgs/s and the generator's own CPU per message (utime + stime
# from /proc/PID/stat over its whole run, warm-up included, ÷ messages in its measured
# window — the same for both), and the medians.
#
#   scripts/bench-generator.sh [SECONDS] [REPEATS] [WSK_BINARY]   (WSK_SERVER=BINARY: another server build)
#   CONFIGS='100 16 1;100 16KiB 1;1 16 1' scripts/bench-generator.sh 5 3
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
repeats=${2:-3}
wsk=${3:-}
if [ -z "$wsk" ]; then
    scripts/build-release.sh >/dev/null
    wsk=.build/release/wsk
fi
shared=${WSK_SHARED:-../shared}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cc -O2 -o "$work/wsload" "$shared/tools/wsload.c"
ticks_per_second=$(getconf CLK_TCK)
source scripts/lib/bench-common.sh
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

port=9611
taskset -c 0 "${WSK_SERVER:-$wsk}" serve-echo --port $port --threads 1 >/dev/null 2>&1 &
wait_for_port $port

# run NAME COMMAND...: prints "NAME  msgs/s  us CPU/msg" (generator CPU).
run() {
    local name=$1
    shift
    taskset -c 1 "$@" >"$work/out" 2>/dev/null &
    local pid=$! ticks="0 0" line
    # Sample the generator's CPU (user, system) until it exits (the last sample is its total).
    while kill -0 $pid 2>/dev/null; do
        line=$(awk '{print $14, $15}' "/proc/$pid/stat" 2>/dev/null) && ticks=$line
        sleep 0.05
    done
    wait $pid || true
    python3 - "$work/out" "$name" "$ticks" "$ticks_per_second" "$seconds" <<'PY'
import json, re, sys
path, name, ticks, hz, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
user, system = (int(t) for t in ticks.split())
text = open(path).read()
try:
    rate = json.loads(text)["messages_per_second"]
except Exception:
    m = re.findall(r"(?:msgs_per_s=|msgs/s: )([0-9.]+)", text)
    rate = float(m[-1]) if m else 0
if not rate:
    print(f"{name}: no messages"); sys.exit()
per = lambda t: t / hz * 1e6 / (rate * seconds)
print(f"{name:<10} {rate:>9.0f} msgs/s  {per(user + system):6.2f} us CPU/msg (user {per(user):5.2f}, system {per(system):5.2f}; generator, warm-up included)")
PY
}

configs=${CONFIGS:-"100 16 1;100 16KiB 1"}
IFS=';' read -ra shapes <<<"$configs"
for config in "${shapes[@]}"; do
    read -r connections size depth <<<"$config"
    raw_size=$size
    [ "$size" = "16KiB" ] && raw_size=16k
    echo "== $connections connections x $size, binary, depth $depth, against wsk serve-echo =="
    for generator in wsload "wsk bench"; do
        rates=()
        for _ in $(seq 1 "$repeats"); do
            if [ "$generator" = wsload ]; then
                line=$(run wsload "$work/wsload" -b -c "$connections" -s "$raw_size" -d "$depth" -t "$seconds" -w 1 "ws://127.0.0.1:$port/")
            else
                line=$(run "wsk bench" "$wsk" bench --threads 1 --binary -c "$connections" -s "$size" -d "$depth" --duration "$seconds" --warmup 1 --json "ws://127.0.0.1:$port/")
            fi
            echo "  $line"
            rates+=("$(echo "$line" | awk '{for (i = 1; i <= NF; i++) if ($i == "msgs/s") print $(i - 1)}')")
        done
        echo "   median: $(printf '%s\n' "${rates[@]}" | median) msgs/s"
    done
done
