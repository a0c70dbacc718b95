#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests (the server's PostgreSQL backend).
#
#   scripts/pg.sh start DIR   make a cluster in DIR (created; must be empty or one of
#                             ours), start it on a free loopback port, create the
#                             database `rantau`, print its URL on stdout:
#                             postgres://rantau@127.0.0.1:PORT/rantau
#   scripts/pg.sh stop DIR    stop it and remove DIR
#   scripts/pg.sh pause DIR   stop it cleanly, keeping its data (a database outage)
#   scripts/pg.sh resume DIR  start a paused cluster again, on the same port
#
# Both are idempotent: `start` on a running cluster prints its URL again, `stop` on a
# missing one does nothing. Built for speed, not durability (fsync and synchronous
# commit off, trust authentication on loopback only): never for real data.
# PostgreSQL refuses to run as root, so as root the cluster belongs to `nobody`. On a
# machine without PostgreSQL 15, root installs Debian's postgresql-15 with apt-get.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
MARKER=.rantau-pg
DB=rantau
USER_NAME=rantau

die() { echo "pg.sh: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop|pause|resume DIR"; }

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

# Runs a command as the cluster's owner: `nobody` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

install_if_missing() {
  [ -x "$PG_BIN/initdb" ] && return 0
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL 15 is missing ($PG_BIN); install postgresql-15 as root"
  echo "pg.sh: installing postgresql-15" >&2
  apt-get update -qq >&2
  # Only the binaries are wanted: postgresql-common first, told not to make (and
  # start) a `main` cluster of its own when postgresql-15 arrives.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-common >&2
  sed -ri 's/^#?\s*(create_main_cluster)\s*=.*$/\1 = false/' /etc/postgresql-common/createcluster.conf
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >&2
  [ -x "$PG_BIN/initdb" ] || die "postgresql-15 installed but $PG_BIN/initdb is missing"
}

running() {
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

url() { echo "postgres://$USER_NAME@127.0.0.1:$(cat "$dir/port")/$DB"; }

# A port nothing listens on (bash's /dev/tcp connects, or fails when it is free).
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# Starts the cluster in $dir on port $1 and waits until it accepts connections.
pg_start() {
  local port=$1
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null
}

start() {
  install_if_missing
  if [ -f "$dir/$MARKER" ] && running; then
    url
    return 0
  fi
  if [ -e "$dir" ] && [ ! -f "$dir/$MARKER" ] && [ -n "$(ls -A "$dir")" ]; then
    die "$dir is not empty and not a cluster of ours; refusing to use it"
  fi
  # A cluster of ours that is not running (a crashed run): start over.
  [ -f "$dir/$MARKER" ] && rm -rf "$dir"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  touch "$dir/$MARKER"
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$dir"
    runuser -u nobody -- test -x "$dir" || die "nobody cannot reach $dir (a parent folder is private); use a folder under /tmp"
  fi
  chmod 700 "$dir"
  # The owner's working directory must be readable by it.
  cd "$dir"
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U "$USER_NAME" --auth=trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  local port
  for _ in 1 2 3; do
    port=$(free_port)
    if pg_start "$port"; then
      echo "$port" >"$dir/port"
      as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U "$USER_NAME" "$DB"
      url
      return 0
    fi
    # Most likely the port was taken between the check and the start: try another.
    tail -5 "$dir/server.log" >&2 || true
  done
  die "PostgreSQL did not start (log: $dir/server.log)"
}

stop() {
  [ -e "$dir" ] || return 0
  [ -f "$dir/$MARKER" ] || die "$dir is not a cluster of ours; not removing it"
  if running; then
    # The data is throwaway: no checkpoint needed.
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
  fi
  rm -rf "$dir"
}

pause() {
  [ -f "$dir/$MARKER" ] || die "$dir is not a cluster of ours"
  # Fast, not immediate: a clean stop, as a restart or maintenance would be (with
  # synchronous_commit off, an immediate stop could lose commits already answered).
  running && as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  return 0
}

resume() {
  [ -f "$dir/$MARKER" ] || die "$dir is not a cluster of ours"
  running && return 0
  pg_start "$(cat "$dir/port")" || die "PostgreSQL did not start again (log: $dir/server.log)"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  pause) pause ;;
  resume) resume ;;
  *) usage ;;
esac
