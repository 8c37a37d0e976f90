#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL server for ratchet's tests.
#
#   eval "$(scripts/pg-test-server.sh start /tmp/ratchet-pg)"   # prints export lines
#   scripts/pg-test-server.sh stop /tmp/ratchet-pg              # stops it, removes the dir
#   scripts/pg-test-server.sh crash /tmp/ratchet-pg             # stops it at once, keeps the data
#
# `crash` is an immediate shutdown, as after a power cut: no checkpoint, and
# the next `start` recovers from the WAL, on the same port when it is free.
# The server listens on a unix socket in DIR and on 127.0.0.1 at the first free
# port from 55432 up. Local (socket) connections are trusted; over 127.0.0.1 the
# role ratchet_pw must give its password s3cret-pw (scram-sha-256), every other
# role is trusted. fsync is off: the data is thrown away (with
# PG_TEST_SERVER_DURABLE=1 in the environment, fsync, synchronous_commit and
# full_page_writes keep PostgreSQL's defaults, as benchmarks need). When run as
# root the server runs as the unprivileged `postgres` user, since PostgreSQL
# refuses root.
# Both commands are idempotent and print nothing but the exports and errors.
set -euo pipefail

readonly FIRST_PORT=55432
readonly LAST_PORT=55531
readonly PW_ROLE=ratchet_pw
readonly PW_PASSWORD=s3cret-pw

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start DIR | stop DIR | crash DIR" >&2
  exit 2
}

# The newest PostgreSQL server binaries installed.
find_bindir() {
  local best="" dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n); do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && best="$dir"
  done
  [[ -n "$best" ]] || die "no PostgreSQL server found under /usr/lib/postgresql/*/bin"
  echo "$best"
}

# Runs a command as the server's owner: `postgres` when we are root.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    if command -v runuser >/dev/null; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

# Makes every ancestor of $1 traversable by others, so `postgres` can reach it.
make_traversable() {
  local dir
  dir="$(dirname "$1")"
  while [[ "$dir" != "/" ]]; do
    as_owner test -x "$dir" || chmod o+x "$dir"
    dir="$(dirname "$dir")"
  done
}

port_in_use() {
  (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

print_exports() {
  local dir="$1" port="$2"
  echo "export RATCHET_TEST_PG='host=$dir port=$port user=postgres dbname=postgres'"
  echo "export RATCHET_TEST_PG_HOST=127.0.0.1"
  echo "export RATCHET_TEST_PG_PORT=$port"
  echo "export RATCHET_TEST_PG_USER=postgres"
}

wait_ready() {
  local bindir="$1" dir="$2" port="$3" i
  for i in $(seq 1 100); do
    if "$bindir/pg_isready" -q -h "$dir" -p "$port" -d postgres -U postgres; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

start() {
  local dir="$1" bindir port durability
  bindir="$(find_bindir)"
  durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [[ "${PG_TEST_SERVER_DURABLE:-0}" == 1 ]] && durability="-c fsync=on"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"
  (( ${#dir} + 16 <= 107 )) || die "$dir is too long for a unix socket path; use a shorter DIR"

  if [[ -f "$dir/port" ]] && as_owner "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
    port="$(cat "$dir/port")"
    wait_ready "$bindir" "$dir" "$port" || die "server in $dir does not accept connections"
    print_exports "$dir" "$port"
    return 0
  fi

  if [[ "$(id -u)" == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user to run the server"
    chown postgres: "$dir"
    make_traversable "$dir"
  fi

  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    rm -rf "$dir/data"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=trust -N >"$dir/initdb.log" 2>&1 ||
      die "initdb failed, see $dir/initdb.log"
    as_owner sh -c "cat >'$dir/data/pg_hba.conf'" <<EOF
local all all                    trust
host  all $PW_ROLE 127.0.0.1/32  scram-sha-256
host  all $PW_ROLE ::1/128       scram-sha-256
host  all all      127.0.0.1/32  trust
host  all all      ::1/128       trust
EOF
  fi

  local previous="" candidates
  [[ -f "$dir/port" ]] && previous="$(cat "$dir/port")"
  candidates="$previous $(seq "$FIRST_PORT" "$LAST_PORT")"
  local started=""
  for port in $candidates; do
    port_in_use "$port" && continue
    [[ -e "$dir/.s.PGSQL.$port" ]] && continue
    if as_owner "$bindir/pg_ctl" start -w -t 30 -D "$dir/data" -l "$dir/server.log" -o \
      "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$dir' \
       $durability \
       -c max_connections=250 -c shared_buffers=64MB \
       -c password_encryption=scram-sha-256" >/dev/null 2>&1; then
      started=1
      break
    fi
    # Another server may have taken the port between the check and the start.
    grep -q "could not bind\|could not create lock file" "$dir/server.log" 2>/dev/null ||
      die "the server did not start, see $dir/server.log"
  done
  [[ -n "$started" ]] || die "no free port in $FIRST_PORT..$LAST_PORT"
  echo "$port" >"$dir/port"

  wait_ready "$bindir" "$dir" "$port" || die "server does not accept connections, see $dir/server.log"
  "$bindir/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    >/dev/null 2>"$dir/setup.log" <<EOF || die "cannot create role $PW_ROLE, see $dir/setup.log"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PW_ROLE') THEN
    CREATE ROLE $PW_ROLE LOGIN CREATEDB PASSWORD '$PW_PASSWORD';
  END IF;
END \$\$;
EOF
  print_exports "$dir" "$port"
}

stop() {
  local dir="$1" bindir
  [[ -d "$dir" ]] || return 0
  bindir="$(find_bindir)"
  if [[ -f "$dir/data/PG_VERSION" ]] && as_owner "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; then
    as_owner "$bindir/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null 2>&1 ||
      die "cannot stop the server in $dir"
  fi
  rm -rf "$dir"
}

# Stops the server as a crash would, keeping its data directory.
crash() {
  local dir="$1" bindir
  bindir="$(find_bindir)"
  as_owner "$bindir/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null 2>&1 ||
    die "cannot stop the server in $dir"
}

[[ $# == 2 ]] || usage
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  crash) crash "$2" ;;
  *) usage ;;
esac
