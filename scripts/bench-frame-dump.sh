#!/usr/bin/env bash
# Throughput of `wsk frame-dump` (release build) on a large stream of masked client frames,
# with --count (no per-frame output), and the same bytes as a capture under tshark.
#
#   scripts/bench-frame-dump.sh [MiB]         default 1024 MiB of 4 KiB and 16 KiB frames
#   TSHARK_MIB=64 scripts/bench-frame-dump.sh  size of the capture given to tshark (default 64;
#                                              tshark keeps per-frame state, 1 GiB would not fit)
#
# Prints GB/s (10^9 bytes per second) for frame-dump on the raw stream, and the wall time of
# frame-dump --pcap and of tshark on the same capture file.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-1024}
tshark_mib=${TSHARK_MIB:-64}
work=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT

scripts/build-release.sh >/dev/null
wsk=$(swift build -c release --product wsk --show-bin-path)/wsk

python3 scripts/captures/make-stream.py "$mib" "$work/stream.bin"
bytes=$(stat -c %s "$work/stream.bin")
cat "$work/stream.bin" >/dev/null  # warm the page cache

best=""
for _ in 1 2 3; do
    start=$(date +%s.%N)
    "$wsk" frame-dump --count --role client "$work/stream.bin" >"$work/count.txt"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
done
echo "frame-dump --count: $(cat "$work/count.txt")"
printf 'frame-dump raw stream: %d bytes in %.3f s = %.2f GB/s (best of 3)\n' "$bytes" "$best" "$(echo "$bytes / $best / 1000000000" | bc -l)"

if command -v tshark >/dev/null; then
    python3 scripts/captures/make-stream.py "$tshark_mib" "$work/small.bin" --pcap "$work/small.pcap"
    pbytes=$(stat -c %s "$work/small.pcap")
    start=$(date +%s.%N)
    "$wsk" frame-dump --count --pcap "$work/small.pcap" >"$work/pcount.txt"
    end=$(date +%s.%N)
    printf 'frame-dump --pcap --count: %d-byte capture in %.3f s (%s)\n' "$pbytes" "$(echo "$end - $start" | bc -l)" "$(cat "$work/pcount.txt")"
    start=$(date +%s.%N)
    frames=$(tshark -r "$work/small.pcap" -Y websocket -T fields -e websocket.opcode 2>/dev/null | wc -l)
    end=$(date +%s.%N)
    printf 'tshark -Y websocket: same capture in %.3f s (%d packets with WebSocket frames)\n' "$(echo "$end - $start" | bc -l)" "$frames"
fi
