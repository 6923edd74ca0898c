#!/usr/bin/env bash
# Enforces the layering in ../shared/DESIGN.md §B.1: which target may import what.
# WSKCore stays sans-IO: NIOCore (ByteBuffer) and HTTPTypes only.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
    [WSKCore]="NIOCore HTTPTypes"
    [WSKCompression]="WSKCore NIOCore CZlib"
    # WSKNIO may use the C library (posix_spawn, waitpid, strerror) for the relay's child processes.
    # NIOTLS: the TLS handshake-completed event (bench times the TLS step on its own).
    # NIOHTTP2/NIOHPACK: WebSocket over HTTP/2 (RFC 8441), server and client.
    [WSKNIO]="WSKCore WSKCompression NIOCore NIOPosix NIOHTTP1 NIOHTTP2 NIOHPACK NIOSSL NIOTLS NIOConcurrencyHelpers HTTPTypes Glibc Darwin"
    [WSKCapture]="NIOCore"
    [WSKLineEditing]="CLibEdit Foundation Glibc Darwin"
    [WSKCLI]="WSKCore WSKCompression WSKNIO WSKCapture WSKLineEditing NIOCore NIOPosix NIOHTTP1 NIOConcurrencyHelpers HTTPTypes ArgumentParser Histogram Foundation FoundationEssentials Glibc Darwin Dispatch"
    [wsk]="WSKCLI"
)

status=0
for target in "${!allowed[@]}"; do
    dir="Sources/$target"
    [ -d "$dir" ] || continue
    while IFS= read -r line; do
        file=${line%%:*}
        module=$(echo "$line" | sed -E 's/^[^:]*:[0-9]+:[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*import[[:space:]]+(struct |class |enum |func |protocol |var |let )?([A-Za-z_][A-Za-z0-9_]*).*/\3/')
        if ! [[ " ${allowed[$target]} " == *" $module "* ]]; then
            echo "error: $file imports $module, which $target may not import (allowed: ${allowed[$target]})" >&2
            status=1
        fi
    done < <(grep -rnE '^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*import[[:space:]]' "$dir" --include='*.swift' || true)
done
[ $status -eq 0 ] && echo "imports: every target imports only what DESIGN.md allows"
exit $status
