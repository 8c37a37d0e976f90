#!/usr/bin/env bash
# Installs the tools `make bench` compares ratchet with, by package name:
# dbmate and Liquibase from npm (into bench/.peers, not globally), sqitch
# with its PostgreSQL driver from Debian, pgbench and the sqlite3 shell.
# Idempotent. A peer that cannot be installed is reported and skipped: the
# benchmark goes on without it. Run by `make bench`, never by `make test`.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
peers="$here/bench/.peers"
# liquibase@4.28.1 is the last npm release that bundles Liquibase itself;
# the later 100.x releases are a wrapper that expects it installed already.
readonly DBMATE_PKG=dbmate@2.36.0
readonly LIQUIBASE_PKG=liquibase@4.28.1

say() { echo "bench deps: $*" >&2; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
fi

debian=(sqitch libdbd-pg-perl postgresql-contrib postgresql-client sqlite3 time)
missing=()
for p in "${debian[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
    say "not root and no sudo: cannot install ${missing[*]}; those peers are skipped"
  else
    say "installing ${missing[*]} (Debian)"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    for p in "${missing[@]}"; do
      $sudo apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
        say "could not install Debian package $p; the benchmark goes on without it"
    done
  fi
fi

if ! command -v npm >/dev/null 2>&1; then
  say "npm is not installed: dbmate and Liquibase are skipped"
  exit 0
fi
mkdir -p "$peers"
[ -f "$peers/package.json" ] || echo '{"name":"ratchet-bench-peers","private":true}' >"$peers/package.json"
for pkg in "$DBMATE_PKG" "$LIQUIBASE_PKG"; do
  name=${pkg%@*}
  version=${pkg##*@}
  have=$(node -p "try{require('$peers/node_modules/$name/package.json').version}catch(e){''}" 2>/dev/null)
  [ "$have" = "$version" ] && continue
  say "installing $pkg (npm)"
  (cd "$peers" && npm install --no-audit --no-fund --loglevel=error "$pkg" >/dev/null 2>&1) ||
    say "could not install npm package $pkg; the benchmark goes on without it"
done
exit 0
