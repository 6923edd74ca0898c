#!/usr/bin/env bash
# Installs wsk: the release binary, the man pages and the bash, zsh and fish completions,
# each where its tool looks under the prefix.
#
#   scripts/install.sh [--prefix DIR] [--binary PATH]
#
#   --prefix DIR    where to install (default /usr/local):
#                     DIR/bin/wsk
#                     DIR/share/man/man1/wsk*.1
#                     DIR/share/bash-completion/completions/wsk
#                     DIR/share/zsh/site-functions/_wsk
#                     DIR/share/fish/vendor_completions.d/wsk.fish
#   --binary PATH   install this wsk binary instead of building .build/release/wsk
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=/usr/local
binary=
while (($#)); do
    case "$1" in
    --prefix)
        prefix=${2:?--prefix needs a directory}
        shift 2
        ;;
    --binary)
        binary=${2:?--binary needs a path}
        shift 2
        ;;
    -h | --help)
        sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "install.sh: unknown argument '$1' (try --help)" >&2
        exit 64
        ;;
    esac
done

if [ -z "$binary" ]; then
    echo "building the release binary (scripts/build-release.sh) ..."
    scripts/build-release.sh
    binary=$(swift build -c release --product wsk --show-bin-path)/wsk
fi
if [ ! -x "$binary" ]; then
    echo "install.sh: no executable wsk at '$binary'" >&2
    exit 1
fi

install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
    "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 755 "$binary" "$prefix/bin/wsk"
install -m 644 man/*.1 "$prefix/share/man/man1/"
install -m 644 completions/wsk.bash "$prefix/share/bash-completion/completions/wsk"
install -m 644 completions/_wsk "$prefix/share/zsh/site-functions/_wsk"
install -m 644 completions/wsk.fish "$prefix/share/fish/vendor_completions.d/wsk.fish"
echo "installed wsk into $prefix: bin/wsk, $(ls man/*.1 | wc -l) man pages, bash/zsh/fish completions"
