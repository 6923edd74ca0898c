#!/usr/bin/env bash
# Counts the tests in a `swift test` log and prints one closing line for CI:
#
#   tests: 312 passed, 0 failed, 6 skipped
#
# Swift Testing reports each test once when it ends (a parameterized test once for all its
# cases):
#   ✔ Test name() passed after 0.1 seconds.                   passed
#   ━ Test name() passed after 0.1 seconds with 1 known issue. passed (known issue)
#   ✘ Test name() failed after 0.1 seconds with 2 issues.      failed
#   ➜ Test name() skipped: "why"                               skipped (also each test of
#                                                              a skipped suite)
# and ends with "Test run with N tests in M suites passed|failed after ...". XCTest reports
# "Test Case '...' passed|failed|skipped (...)" per test; those are counted too.
#
# Exits 1 when any test failed, when the Swift Testing run did not finish (no closing
# "Test run with" line: a crash), or when the counts disagree with that line.
#
#   scripts/test-summary.sh LOG
set -euo pipefail
log=${1:?usage: scripts/test-summary.sh LOG}

# Drop colour codes, if any.
clean=$(sed $'s/\x1b\\[[0-9;]*m//g' "$log")

count() { grep -cE "$1" <<<"$clean" || true; }

passed=$(count '^[✔━] Test .* passed after [0-9.]+ seconds')
known=$(count '^━ Test .* passed after [0-9.]+ seconds.* known issue')
failed=$(count '^✘ Test .* failed after [0-9.]+ seconds')
skipped=$(count '^➜ Test .* skipped')
# The run's own summary lines also start with "Test"; they end with "passed|failed after"
# too, so take them back out.
run_lines=$(count '^[✔✘━] Test run with [0-9]+ tests?')
run_passed=$(count '^[✔━] Test run with [0-9]+ tests? .* passed after')
run_failed=$(count '^✘ Test run with [0-9]+ tests? .* failed after')
run_known=$(count '^━ Test run with [0-9]+ tests? .* passed after.* known issue')
passed=$((passed - run_passed))
known=$((known - run_known))
failed=$((failed - run_failed))

xc_passed=$(count "^Test Case '.*' passed \(")
xc_failed=$(count "^Test Case '.*' failed \(")
xc_skipped=$(count "^Test Case '.*' skipped \(")

line="tests: $((passed + xc_passed)) passed, $((failed + xc_failed)) failed, $((skipped + xc_skipped)) skipped"
notes=()
((known > 0)) && notes+=("$known passed with known issues")
((xc_passed + xc_failed + xc_skipped > 0)) && notes+=("XCTest: $xc_passed passed, $xc_failed failed, $xc_skipped skipped")
if ((${#notes[@]} > 0)); then
    line+=" ($(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g'))"
fi
echo "$line"

status=0
if ((run_lines == 0)); then
    echo "tests: Swift Testing did not report the end of its run (did the test process crash?)" >&2
    status=1
else
    # Swift Testing's own total (tests, skipped ones included) must match what was counted.
    total=$(grep -oE '^[✔✘━] Test run with [0-9]+ tests?' <<<"$clean" | grep -oE '[0-9]+' | awk '{ sum += $1 } END { print sum + 0 }')
    if ((total != passed + failed + skipped)); then
        echo "tests: counted $((passed + failed + skipped)) Swift Testing results but the run reports $total tests" >&2
        # Result lines can go missing from a log (under heavy load a CI log lost 107 of
        # 428 while the run itself finished). The run's own closing line is then the
        # authority: it passes only if Swift Testing says every test passed and no failure
        # line was seen; a failed or missing closing line fails as before.
        if ((run_failed == 0 && failed == 0 && run_passed > 0 && total > passed + failed + skipped)); then
            echo "tests: $total passed per Swift Testing's own summary ($((total - passed - failed - skipped)) result lines missing from the log), 0 failed"
        else
            status=1
        fi
    fi
fi
if ((failed + xc_failed > 0 || run_failed > 0)); then
    status=1
fi
exit $status
