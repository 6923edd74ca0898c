#!/usr/bin/env bash
# Builds the release wsk (.build/release/wsk). Every release build of wsk goes through
# here (README, scripts/install.sh, the benchmark scripts), so that they share one set of
# compiler flags and SwiftPM does not rebuild everything between them.
#
#   scripts/build-release.sh [extra swift build arguments]
#
# -enforce-exclusivity=unchecked, for every module (SwiftNIO's too, which Package.swift's
# per-target setting cannot reach): the runtime exclusivity checks (swift_beginAccess on
# each access to a class's stored property) cost serve-echo a quarter of its user-space
# CPU per echoed 16-byte message (4.3 -> 3.3 us, scripts/bench-cpu-per-message.sh, this
# repository's issue 11). Debug builds, and so every test run, keep the checks: an
# exclusivity violation in wsk's code or in a dependency's still traps there.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release --product wsk -Xswiftc -enforce-exclusivity=unchecked "$@"
