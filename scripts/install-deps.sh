#!/usr/bin/env bash
# Installs what ratchet needs to build and test, from Debian packages only.
# Idempotent: packages already present are not downloaded again.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsqlite3-dev sqlite3
  libpq-dev libpg-query-dev postgresql postgresql-contrib
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev libssl-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  # The tests check that the generated completions parse in each shell.
  zsh fish
  # scripts/check-layers.py and bench/run.py.
  python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "ratchet: these packages are missing and I am not root: ${missing[*]}" >&2
    echo "ratchet: install them with: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "ratchet: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The Debian postgresql package would start a cluster of its own; ratchet's
# tests start a throwaway server instead, so the package's is not needed.
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
