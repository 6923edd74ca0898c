#!/usr/bin/env bash
# libFuzzer targets for the codec (FuzzTesting/). Linux, swift.org toolchain.
#
#   scripts/fuzz.sh build                    build every target (debug, ASan + libFuzzer)
#   scripts/fuzz.sh run TARGET [SECONDS]     fuzz one target from its committed corpus
#   scripts/fuzz.sh --run-regressions        replay FuzzTesting/FailCases/* through every target
#
# Targets: FuzzFrameDecoder FuzzConnection FuzzHandshakeRequest FuzzHandshakeResponse
#          FuzzExtensionHeader FuzzInflate
set -euo pipefail
cd "$(dirname "$0")/../FuzzTesting"
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0
targets=(FuzzFrameDecoder FuzzConnection FuzzHandshakeRequest FuzzHandshakeResponse FuzzExtensionHeader FuzzInflate)

build() {
    # lld: the default gold linker crashes on libFuzzer's runtime. -parse-as-library: the
    # targets have no top-level code; libFuzzer's driver is the entry point.
    swift build -c debug --toolset toolset.json -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
}

case "${1:-}" in
build)
    build
    ;;
run)
    target=${2:?usage: scripts/fuzz.sh run TARGET [SECONDS]}
    seconds=${3:-60}
    build
    work=$(mktemp -d)
    echo "new inputs go to $work; crashes to FailCases/ (add each as a unit test too)"
    .build/debug/"$target" -max_total_time="$seconds" -max_len=4096 -artifact_prefix=FailCases/"$target"- "$work" Corpus/"$target"
    ;;
--run-regressions)
    build
    shopt -s nullglob
    cases=(FailCases/*-crash-* FailCases/*-oom-* FailCases/*-timeout-*)
    status=0
    for t in "${targets[@]}"; do
        mine=(FailCases/"$t"-*)
        [ ${#mine[@]} -eq 0 ] && continue
        .build/debug/"$t" "${mine[@]}" || status=1
    done
    echo "replayed ${#cases[@]} fail case(s)"
    exit $status
    ;;
*)
    sed -n '2,10p' "$0"
    exit 64
    ;;
esac
