#!/usr/bin/env bash
# The whole test suite: layering check, build, unit and integration tests, docs check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-imports.sh
swift build --build-tests
scripts/generate-docs.sh --check
swift test
