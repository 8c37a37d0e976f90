#!/usr/bin/env bash
# The demo: a real upgrade of examples/bookshop on an SQLite file.
set -euo pipefail
ratchet=$(realpath "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
set_dir="$here/examples/bookshop"
work="$here/build/demo"
rm -rf "$work" && mkdir -p "$work"
db="sqlite:$work/bookshop.db"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

step "A new shop: nothing applied yet" "ratchet status --set examples/bookshop --db $db"
"$ratchet" status --set "$set_dir" --db "$db"

step "It installs release 1.0" "ratchet upgrade --set examples/bookshop --db $db --to 1.0"
"$ratchet" upgrade --set "$set_dir" --db "$db" --to 1.0

step "The shop takes orders for a while" "sqlite3 bookshop.db 'INSERT INTO ...'"
sqlite3 "$work/bookshop.db" "INSERT INTO books (id, author_id, title, price_cents) VALUES (4, 2, 'Bartleby, the Scrivener', 499);"
echo "(a fourth book added by the application)"

step "Before the upgrade" "ratchet status --set examples/bookshop --db $db"
"$ratchet" status --set "$set_dir" --db "$db"

step "Upgrade to the newest release" "ratchet upgrade --set examples/bookshop --db $db"
"$ratchet" upgrade --set "$set_dir" --db "$db"

step "After the upgrade" "ratchet status --set examples/bookshop --db $db"
"$ratchet" status --set "$set_dir" --db "$db"

step "The application's data came through, with slugs backfilled" "sqlite3 bookshop.db 'SELECT id, title, slug FROM books'"
sqlite3 -header -column "$work/bookshop.db" "SELECT id, title, slug FROM books ORDER BY id;"

step "Running it again does nothing" "ratchet upgrade --set examples/bookshop --db $db"
"$ratchet" upgrade --set "$set_dir" --db "$db"
echo
echo "The demo database is $work/bookshop.db; try 'ratchet status --json' or 'ratchet plan' on it."
