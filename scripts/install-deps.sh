#!/usr/bin/env bash
# Installs the system packages wsk needs to build and test on a fresh Debian machine.
# Needs root (CI runs as root); uses sudo when available otherwise.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
packages=(libedit-dev zlib1g-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "system packages: ${packages[*]} installed"
