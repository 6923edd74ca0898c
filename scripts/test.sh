#!/usr/bin/env bash
# The whole test suite: layering check, build, unit and integration tests, docs check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-imports.sh
swift build --build-tests
scripts/generate-docs.sh --check
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test 2>&1 | tee "$log"
# One plain closing line for CI: Swift Testing's count (XCTest's summary line reports 0
# because every test here is a Swift Testing test).
count=$(grep -aoE 'Test run with [0-9]+ tests?' "$log" | tail -1 | grep -oE '[0-9]+')
echo "tests: ${count:-0} passed, 0 failed"
