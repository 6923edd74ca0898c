#!/usr/bin/env bash
# libFuzzer targets for every parser of peer or file input (FuzzTesting/, see its README.md).
# Linux, swift.org toolchain. Builds in release with ASan + libFuzzer (debug is ~12x slower).
#
#   scripts/fuzz.sh build                      build every target
#   scripts/fuzz.sh run TARGET [SECONDS]       fuzz one target from its corpus (default 60 s)
#   scripts/fuzz.sh --minutes N [TARGET...]    fuzz each target (default: all) N minutes, one
#                                              after the other, and print a table: executions,
#                                              execs/s, coverage at start and end, crashes
#   scripts/fuzz.sh --run-regressions          replay every FailCases/TARGET-* file through its
#                                              target; fails if any still crashes
#   scripts/fuzz.sh --ci                       CI: build, every target FUZZ_CI_SECONDS (20) s
#                                              on its corpus, then --run-regressions
#
# Environment: FUZZ_CONFIG=release|debug (default release), FUZZ_WORK=DIR keeps the new
# inputs each run finds in DIR/TARGET (default: a temporary folder, deleted). Crashes are
# written to FailCases/TARGET-crash-<sha1> (also -timeout-, -oom-): fix the bug, add a unit
# test in the main package, and commit the file so --run-regressions replays it.
set -euo pipefail
cd "$(dirname "$0")/../FuzzTesting"
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0
targets=(FuzzFrameDecoder FuzzConnection FuzzHandshakeRequest FuzzHandshakeResponse FuzzExtensionHeader
    FuzzInflate FuzzCaptureFile FuzzTCPReassembler FuzzHTTPHead FuzzByteText FuzzSOCKS5)
config=${FUZZ_CONFIG:-release}
# Per input: 10 s before libFuzzer reports a timeout (its default, 1200 s, never fires in a
# short run), 2 GiB of RSS before it reports an out-of-memory.
limits=(-timeout=10 -rss_limit_mb=2048)

build() {
    # lld: the default gold linker crashes on libFuzzer's runtime. -parse-as-library: the
    # targets have no top-level code; libFuzzer's driver is the entry point.
    swift build -c "$config" --toolset toolset.json -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
}

max_len() {
    case $1 in
    FuzzCaptureFile) echo 16384 ;;  # real captures are a few KiB
    *) echo 4096 ;;
    esac
}

is_target() {
    local t
    for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done
    return 1
}

# fuzz TARGET SECONDS LOG: one run from the committed corpus; new inputs go to a work folder.
fuzz() {
    local target=$1 seconds=$2 log=$3 work
    if [ -n "${FUZZ_WORK:-}" ]; then
        work=$FUZZ_WORK/$target
        mkdir -p "$work"
    else
        work=$(mktemp -d)
    fi
    local status=0
    .build/"$config"/"$target" "${limits[@]}" -max_total_time="$seconds" -max_len="$(max_len "$target")" \
        -print_final_stats=1 -artifact_prefix=FailCases/"$target"- "$work" Corpus/"$target" >"$log" 2>&1 || status=$?
    [ -z "${FUZZ_WORK:-}" ] && rm -rf "$work"
    return $status
}

# row TARGET LOG STATUS: one line of the table, from libFuzzer's output.
row() {
    local target=$1 log=$2 status=$3
    local runs secs rate start end crashes
    # "Done 123456 runs in 600 second(s)"; a run stopped by a crash has no Done line: then
    # the last "#N ... cov:" line and -print_final_stats' average.
    runs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    [ -z "$runs" ] && runs=$(sed -n 's/^#\([0-9]*\).*cov:.*/\1/p' "$log" | tail -1)
    if [ -n "$secs" ] && [ "$secs" -gt 0 ]; then
        rate=$((${runs:-0} / secs))
    else
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    fi
    start=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | head -1)
    end=$(sed -n 's/^#[0-9]*.* cov: \([0-9]*\).*/\1/p' "$log" | tail -1)
    crashes=$(grep -cE '^==[0-9]+== ERROR: libFuzzer|^SUMMARY: libFuzzer: timeout' "$log" || true)
    [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes="exit $status"
    printf '%-22s %12s %9s %9s %9s %8s\n' "$target" "${runs:--}" "${rate:--}" "${start:--}" "${end:-${start:--}}" "$crashes"
}

# campaign SECONDS TARGET...: each target in turn, then the table.
campaign() {
    local seconds=$1
    shift
    local logs rows=() failed=0 t status
    logs=$(mktemp -d)
    for t in "$@"; do
        echo "fuzzing $t for $seconds s ..." >&2
        status=0
        fuzz "$t" "$seconds" "$logs/$t.log" || status=$?
        rows+=("$(row "$t" "$logs/$t.log" "$status")")
        if [ "$status" -ne 0 ]; then
            failed=1
            grep -E 'property violated|Fatal error|ERROR: libFuzzer|Test unit written' "$logs/$t.log" | head -5 >&2 || true
        fi
    done
    printf '%-22s %12s %9s %9s %9s %8s\n' target executions execs/s cov-start cov-end crashes
    printf '%s\n' "${rows[@]}"
    echo "(logs in $logs)"
    return $failed
}

regressions() {
    shopt -s nullglob
    local replayed=0 failed=0 file t
    for file in FailCases/*; do
        t=${file#FailCases/}
        t=${t%%-*}
        if ! is_target "$t"; then
            echo "FailCases: $file names no target" >&2
            failed=$((failed + 1))
            continue
        fi
        replayed=$((replayed + 1))
        if ! .build/"$config"/"$t" "${limits[@]}" "$file" >/tmp/fuzz-regression.log 2>&1; then
            echo "FAILED: $t $file" >&2
            grep -E 'property violated|Fatal error|ERROR' /tmp/fuzz-regression.log | head -3 >&2 || true
            failed=$((failed + 1))
        fi
    done
    echo "regressions: $replayed replayed, $failed still failing"
    [ "$failed" -eq 0 ]
}

case "${1:-}" in
build)
    build
    ;;
run)
    target=${2:?usage: scripts/fuzz.sh run TARGET [SECONDS]}
    is_target "$target" || { echo "unknown target $target (one of: ${targets[*]})" >&2; exit 64; }
    build
    campaign "${3:-60}" "$target"
    ;;
--minutes)
    minutes=${2:?usage: scripts/fuzz.sh --minutes N [TARGET...]}
    [[ "$minutes" =~ ^[1-9][0-9]*$ ]] || { echo "--minutes needs a whole number of minutes, at least 1" >&2; exit 64; }
    shift 2
    chosen=("$@")
    [ ${#chosen[@]} -eq 0 ] && chosen=("${targets[@]}")
    for t in "${chosen[@]}"; do is_target "$t" || { echo "unknown target $t" >&2; exit 64; }; done
    build
    campaign "$((minutes * 60))" "${chosen[@]}"
    ;;
--run-regressions)
    build
    regressions
    ;;
--ci)
    started=$SECONDS
    build
    echo "fuzz build: $((SECONDS - started)) s ($config)"
    status=0
    campaign "${FUZZ_CI_SECONDS:-20}" "${targets[@]}" || status=1
    regressions || status=1
    echo "fuzz CI step: $((SECONDS - started)) s"
    exit $status
    ;;
*)
    sed -n '2,21p' "$0"
    exit 64
    ;;
esac
