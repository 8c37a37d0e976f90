#!/usr/bin/env bash
# Installs the Debian package `make deb` made, as a user would (apt-get
# install ./...deb, which also installs its Depends), and runs the installed
# ratchet: --version, then an upgrade of examples/bookshop on a new SQLite
# file, checking the database afterwards.
#   scripts/deb-smoke-test.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
arch=$(dpkg --print-architecture)
version=$(sed -n 's/^project(ratchet VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")
deb="$(realpath "$build")/ratchet_${version}_${arch}.deb"
[[ -f "$deb" ]] || { echo "deb-smoke-test: $deb is missing: run make deb first" >&2; exit 1; }
sudo=""
[[ "$(id -u)" -eq 0 ]] || sudo="sudo"
echo "deb-smoke-test: installing $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$deb" >/dev/null

ratchet=/usr/bin/ratchet
[[ -x "$ratchet" ]] || { echo "deb-smoke-test: the package installed no $ratchet" >&2; exit 1; }
"$ratchet" --version
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$ratchet" upgrade --set "$here/examples/bookshop" --db "sqlite:$work/bookshop.db"
applied=$(sqlite3 "$work/bookshop.db" "SELECT COUNT(*) FROM ratchet_items WHERE phase = 'applied'")
state=$(sqlite3 "$work/bookshop.db" "SELECT status FROM ratchet_state")
if [[ "$applied" != 12 || "$state" != active ]]; then
  echo "deb-smoke-test: expected 12 items applied and state active, got $applied and $state" >&2
  exit 1
fi
echo "deb-smoke-test: ok: the installed ratchet upgraded examples/bookshop (12 items, state active)"
