#!/usr/bin/env bash
# Installs the system packages wsk needs to build and test on a fresh Debian machine.
# Needs root (CI runs as root); uses sudo when available otherwise.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
# Build: libedit-dev, zlib1g-dev, pkg-config. Tests: openssl (certificates), node-ws (Node
# `ws` peer), chromium (the console page in a real browser), tmux (the REPL in a real terminal),
# man-db and groff-base (the installed man pages are rendered by a test).
packages=(libedit-dev zlib1g-dev pkg-config openssl node-ws chromium tmux man-db groff-base)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "system packages: ${packages[*]} installed"

# Python `websockets` (interop peer) from PyPI.
if ! python3 -c 'import websockets' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'websockets>=12' 
fi
echo "python websockets: $(python3 -c 'import websockets; print(websockets.__version__)')"

# Python `hdrhistogram` (the reference reader of bench's HdrHistogram encoding) from PyPI.
if ! python3 -c 'import hdrh' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'hdrhistogram>=0.10'
fi
echo "python hdrhistogram: installed"
