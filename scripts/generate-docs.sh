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
# A blank line in a command's discussion is an mdoc error ("Empty input line"): a paragraph.
sed -i 's/^$/.Pp/' "$out/man/"*.1
# The indented lines after "EXAMPLES:" are commands: a literal display, not wrapped text.
for page in "$out/man/"*.1; do
    awk '
        in_examples && /^  / { sub(/^  /, ""); print; next }
        in_examples { print ".Ed"; in_examples = 0 }
        /^EXAMPLES:$/ { print; print ".Bd -literal -offset indent"; in_examples = 1; next }
        { print }
        END { if (in_examples) print ".Ed" }
    ' "$page" > "$page.tmp" && mv "$page.tmp" "$page"
done
rm -f "$out/man/wsk.help.1"   # argument-parser's implicit `help` subcommand: not a wsk page
sed -i '/^\.Xr wsk\.help 1 ,$/d' "$out/man/wsk.1"
# The plugin writes the generic `.Ex -std`; each page gets wsk's real exit statuses.
exit_status() {
    local page=$1 text=$2
    sed -i "s/^\.Ex -std$/$text/" "$out/man/$page"
}
exit_status wsk.1 '0 success; 1 failure; 64 usage error (a malformed argument). Each subcommand page lists its own.'
exit_status wsk.connect.1 '0 normal close (1000, 1001, or no status); 1 connection failed (DNS, refused, TLS, proxy, timeout) or a stdin line refused; 2 upgrade refused; 3 protocol error (1002, 1007, 1009 ...); 4 abnormal close (1006, another code, or no pong); 64 malformed argument; 130 or 143 after SIGINT or SIGTERM.'
exit_status wsk.serve-echo.1 '0 stopped by SIGINT or SIGTERM; 1 failure (for example the port is taken); 64 malformed argument.'
exit_status wsk.proxy.1 '0 stopped by SIGINT or SIGTERM; 1 failure (for example the port is taken); 64 malformed argument.'
exit_status wsk.bench.1 '0 a run without errors that met every --threshold; 1 errors, a connection that could not be opened, or every connection lost; 2 a --threshold violated; 64 malformed argument.'
exit_status wsk.bench.run.1 '0 a run without errors that met every --threshold; 1 errors, a connection that could not be opened, or every connection lost; 2 a --threshold violated; 64 malformed argument.'
exit_status wsk.bench.merge.1 '0 merged, without errors, every --threshold met; 1 unreadable input or errors in the runs; 2 a --threshold violated; 64 malformed argument.'
exit_status wsk.frame-dump.1 '0 decoded; 1 unreadable input, or with --strict a violation found; 64 malformed argument.'

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
