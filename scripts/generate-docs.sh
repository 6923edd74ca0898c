#!/usr/bin/env bash
# Regenerates man/ (one page per subcommand) and completions/ (bash, zsh, fish) from the
# argument-parser definitions, so the docs never drift from the code.
#
#   scripts/generate-docs.sh          write man/ and completions/
#   scripts/generate-docs.sh --check  regenerate into a temporary folder and fail if the
#                                     committed files differ (CI runs this)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-write}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

swift build --product wsk >/dev/null
bin=$(swift build --product wsk --show-bin-path)/wsk

# The plugin writes into .build/plugins/GenerateManual/outputs/wsk; clear stale pages first.
rm -rf .build/plugins/GenerateManual/outputs/wsk
swift package generate-manual --configuration debug --multi-page >/dev/null
mkdir -p "$out/man" "$out/completions"
cp .build/plugins/GenerateManual/outputs/wsk/*.1 "$out/man/"
rm -f "$out/man/wsk.help.1"   # argument-parser's implicit `help` subcommand: not a wsk page

"$bin" --generate-completion-script bash >"$out/completions/wsk.bash"
"$bin" --generate-completion-script zsh >"$out/completions/_wsk"
"$bin" --generate-completion-script fish >"$out/completions/wsk.fish"

if [ "$mode" = "--check" ]; then
    status=0
    for dir in man completions; do
        # The .Dd line carries the generation date; ignore it.
        if ! diff -r -I '^\.Dd ' "$dir" "$out/$dir" >/dev/null 2>&1; then
            echo "error: $dir/ is out of date with the command definitions; run scripts/generate-docs.sh" >&2
            diff -r -I '^\.Dd ' "$dir" "$out/$dir" | head -40 >&2 || true
            status=1
        fi
    done
    [ $status -eq 0 ] && echo "docs: man/ and completions/ are current"
    exit $status
fi

rm -rf man completions
cp -r "$out/man" man
cp -r "$out/completions" completions
echo "wrote man/ and completions/"
