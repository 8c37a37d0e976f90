#!/usr/bin/env bash
# Installs ratchet to a temporary prefix, then builds two programs out of
# tree against it, as a product would: examples/embedded with CMake
# (find_package(ratchet CONFIG), ratchet_embed_set) and examples/library
# with pkg-config, and runs each on a SQLite file and on the test PostgreSQL
# server (RATCHET_TEST_PG), checking what they did to the database.
#   consumers_test.sh BUILD_DIR SOURCE_DIR [SANITIZERS]
# SANITIZERS (e.g. address,undefined) are those the library was built with;
# the consumers are then built with them too.
# Exits 77 (skipped) when no PostgreSQL server is given and
# RATCHET_REQUIRE_PG is not 1.
set -euo pipefail
build=$(realpath "$1")
source=$(realpath "$2")
flags=""
[[ -z "${3:-}" ]] || flags="-fsanitize=$3 -fno-omit-frame-pointer"
if [[ -z "${RATCHET_TEST_PG:-}" ]]; then
  if [[ "${RATCHET_REQUIRE_PG:-}" == 1 ]]; then
    echo "RATCHET_TEST_PG is not set; start a server with scripts/pg-test-server.sh" >&2
    exit 1
  fi
  echo "RATCHET_TEST_PG is not set: skipped"
  exit 77
fi
work=$(mktemp -d /tmp/ratchet-consumers.XXXXXX)
pg_databases=()
cleanup() {
  for d in "${pg_databases[@]}"; do
    psql -q "$RATCHET_TEST_PG" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAILED: $*" >&2
  exit 1
}
# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
  [[ "$2" == "$3" ]] || fail "$1: got '$2', expected '$3'"
  echo "ok: $1"
}
# run_expecting CODE COMMAND...: runs it, shows its output, checks its exit code.
run_expecting() {
  local want=$1 code=0
  shift
  "$@" >"$work/out" 2>&1 || code=$?
  sed 's/^/    /' "$work/out"
  expect_eq "exit code of $(basename "$1") ${*:2}" "$code" "$want"
}
# new_pg_database VAR: creates a fresh database on the test server and sets
# VAR to its keyword conninfo.
new_pg_database() {
  local name="ratchet_consumer_$$_${#pg_databases[@]}"
  psql -q "$RATCHET_TEST_PG" -c "CREATE DATABASE $name" >/dev/null
  pg_databases+=("$name")
  printf -v "$1" '%s dbname=%s' "$RATCHET_TEST_PG" "$name"
}
pg() { psql -qAt "$1" -c "$2"; }

echo "== cmake --install to a temporary prefix"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(cd "$prefix" && ls -d lib*/cmake/ratchet | sed 's|/cmake/ratchet||')
for f in bin/ratchet "$libdir/libratchet.a" "$libdir/cmake/ratchet/ratchetConfig.cmake" \
  "$libdir/pkgconfig/ratchet.pc" include/ratchet/embedded_set.h include/ratchet/runner.h; do
  [[ -f "$prefix/$f" ]] || fail "$f is not installed"
done
expect_eq "installed headers are include/ratchet/*.h" \
  "$(cd "$prefix/include" && find . -type f | sort | tr '\n' ' ')" \
  "$(cd "$source/include" && find . -type f -name '*.h' | sort | tr '\n' ' ')"
# A public header includes only other public headers and the standard
# library: nothing from src/ and no dependency's header.
bad=$(grep -h '^#include' "$prefix"/include/ratchet/*.h | grep -Ev '^#include ("ratchet/[a-z_]+\.h"|<[a-z_]+>)$' || true)
expect_eq "public headers include only ratchet/ and standard headers" "$bad" ""
for h in "$prefix"/include/ratchet/*.h; do
  echo "#include \"ratchet/$(basename "$h")\""
done >"$work/headers.cc"
c++ -std=c++20 -fsyntax-only -I"$prefix/include" "$work/headers.cc" || fail "the headers do not compile on their own"
echo "ok: every public header compiles with only the installed include directory"
run_expecting 0 "$prefix/bin/ratchet" --version

echo "== examples/embedded built with CMake: find_package(ratchet CONFIG) and ratchet_embed_set"
cp -r "$source/examples/embedded" "$work/guestbook-src"
cmake -S "$work/guestbook-src" -B "$work/guestbook" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$work/guestbook" >/dev/null
guestbook="$work/guestbook/guestbook"
sqlite_db="$work/guestbook.db"
run_expecting 0 "$guestbook" --db "sqlite:$sqlite_db" --sign ada --message hello
expect_eq "SQLite: entries" "$(sqlite3 "$sqlite_db" 'SELECT id, name, message FROM entries')" "1|ada|hello"
expect_eq "SQLite: state" "$(sqlite3 "$sqlite_db" 'SELECT status FROM ratchet_state')" "active"
expect_eq "SQLite: applied" "$(sqlite3 "$sqlite_db" 'SELECT group_concat(version) FROM ratchet_items')" "V1,V2,V3"
new_pg_database pg_db
run_expecting 0 "$guestbook" --db "$pg_db" --sign ada
expect_eq "PostgreSQL: entries" "$(pg "$pg_db" 'SELECT id, name FROM entries')" "1|ada"
expect_eq "PostgreSQL: state" "$(pg "$pg_db" 'SELECT status FROM ratchet.state')" "active"
expect_eq "PostgreSQL: applied" \
  "$(pg "$pg_db" 'SELECT string_agg(version, $$,$$ ORDER BY version) FROM ratchet.items')" "V1,V2,V3"

echo "== the build embeds a new item file, and an edited one"
cat >"$work/guestbook-src/upgrades/items/V4__4__entries_by_date.sql" <<'SQL'
CREATE INDEX entries_by_date ON entries (signed_at);
SQL
cmake --build "$work/guestbook" >/dev/null
run_expecting 0 "$guestbook" --db "sqlite:$sqlite_db" --upgrade-only
expect_eq "SQLite: the new item ran" \
  "$(sqlite3 "$sqlite_db" "SELECT name FROM sqlite_master WHERE name = 'entries_by_date'")" "entries_by_date"
echo "CREATE INDEX entries_by_name_and_date ON entries (name, signed_at);" \
  >>"$work/guestbook-src/upgrades/items/V4__4__entries_by_date.sql"
cmake --build "$work/guestbook" >/dev/null
# The applied V4 now differs from the one compiled in: drift, refused.
run_expecting 5 "$guestbook" --db "sqlite:$sqlite_db" --upgrade-only
grep -q "applied items have changed since they were applied" "$work/out" || fail "no drift reported"
echo "ok: the edited item reached the program"

echo "== examples/library built with pkg-config"
cp -r "$source/examples/library" "$work/library"
PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" make -s -C "$work/library" CXX="c++ $flags" >/dev/null
upgrade="$work/library/upgrade_from_files"
bookshop="$source/examples/bookshop"
run_expecting 0 "$upgrade" "$bookshop" "sqlite:$work/bookshop.db"
grep -q "12 item(s) applied; status active, release 3.0" "$work/out" || fail "unexpected output"
expect_eq "SQLite: bookshop books" "$(sqlite3 "$work/bookshop.db" 'SELECT COUNT(*) FROM books')" "3"
new_pg_database pg_db
run_expecting 0 "$upgrade" "$bookshop" "$pg_db"
expect_eq "PostgreSQL: bookshop books" "$(pg "$pg_db" 'SELECT COUNT(*) FROM books')" "3"
expect_eq "PostgreSQL: state" "$(pg "$pg_db" 'SELECT status FROM ratchet.state')" "active"
run_expecting 0 "$upgrade" "$bookshop" "$pg_db"
grep -q "0 item(s) applied; status active, release 3.0, 12 item(s) recorded" "$work/out" ||
  fail "a second run should apply nothing"
run_expecting 2 "$upgrade" "$work/no-such-set" "sqlite:$work/other.db"
grep -q "no ratchet.toml here" "$work/out" || fail "no message for a missing set"
echo "PASSED"
