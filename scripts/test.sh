#!/usr/bin/env bash
# The whole test suite: layering check, build, unit and integration tests, docs check.
# Ends with one line, "tests: N passed, F failed, S skipped" (scripts/test-summary.sh),
# and exits non-zero if `swift test` failed or any test failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-imports.sh
swift build --build-tests
scripts/generate-docs.sh --check
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# pipefail gives swift test's status through tee; keep it instead of stopping here, so the
# closing line is printed either way.
status=0
swift test 2>&1 | tee "$log" || status=$?
summary=0
scripts/test-summary.sh "$log" || summary=$?
if ((status != 0)); then
    echo "swift test exited with status $status" >&2
    exit "$status"
fi
exit "$summary"
