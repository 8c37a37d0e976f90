#!/usr/bin/env bash
# Runs every test (or those whose name matches the regular expression given
# after the build directory): starts a throwaway PostgreSQL, runs ctest, and
# stops the server again whatever the outcome.
set -euo pipefail
build=${1:-build}
filter=${2:-}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/ratchet-pg.XXXXXX)
chmod 755 "$dir"
stop() { bash "$here/scripts/pg-test-server.sh" stop "$dir" >/dev/null 2>&1 || true; }
trap stop EXIT INT TERM
eval "$(bash "$here/scripts/pg-test-server.sh" start "$dir")"
# With the server started by this run, a PostgreSQL test that cannot find it
# fails instead of skipping.
export RATCHET_REQUIRE_PG=1
cd "$build"
ctest --output-on-failure -j"${JOBS:-2}" --timeout 600 ${filter:+-R "$filter"} "${CTEST_ARGS[@]:-}"
