#!/usr/bin/env bash
# A throw-away PostgreSQL 15 server for the second dbt target (tests, benchmarks, by hand).
#
#   orchestration/services/postgres.sh install      install Debian's postgresql-15 if it is missing
#   orchestration/services/postgres.sh start        new cluster in a fresh /tmp folder, on a free port;
#                                           prints the settings dbt's profile reads (KEY=VALUE)
#   orchestration/services/postgres.sh stop DIR     stop the cluster of DIR (TANDEM_PG_DIR) and delete it
#
#   env $(orchestration/services/postgres.sh start) TANDEM_DBT_TARGET=postgres dbt build ...
#
# The cluster trusts local connections (no password), runs as the unprivileged `postgres` user
# when started by root (initdb refuses root), and trades durability for speed (fsync off): it
# holds nothing that is not rebuilt from the DuckDB build file.
set -euo pipefail

PG_VERSION=15
PG_BIN=${TANDEM_PG_BIN:-/usr/lib/postgresql/$PG_VERSION/bin}
PG_ROLE=tandem
PG_DATABASE=tandem
MARKER=.tandem-postgres  # stop deletes only folders that start made

say() { echo "postgres.sh: $*" >&2; }

install() {
  if [ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "$PG_BIN/postgres is missing; run as root or: sudo apt-get install postgresql-$PG_VERSION"
    exit 1
  fi
  say "installing Debian's postgresql-$PG_VERSION package (one time)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # the package's own cluster is not used: ours live in /tmp and die with the test
  apt-get install -y -qq --no-install-recommends "postgresql-$PG_VERSION" >/dev/null
  "$PG_BIN/postgres" --version >&2
}

# Run a server binary as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  install
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/tandem-pg.XXXXXX")
  touch "$dir/$MARKER"
  mkdir "$dir/socket"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$dir"
  fi
  # initdb and the server must not inherit a working directory the owner cannot enter
  cd "$dir"
  if ! as_owner "$PG_BIN/initdb" -D "$dir/data" --username="$PG_ROLE" --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    say "initdb failed:"; cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1
  fi
  local port attempt started=0
  for attempt in 1 2 3 4 5; do
    port=$(( 20000 + RANDOM % 40000 ))
    port_is_free "$port" || continue
    if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s \
      -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off" start >&2; then
      started=1
      break
    fi
    say "start on port $port failed (attempt $attempt); retrying on another port"
  done
  if [ "$started" -ne 1 ]; then
    say "the server did not start; its log:"; tail -n 20 "$dir/server.log" >&2 || true
    rm -rf "$dir"; exit 1
  fi
  as_owner "$PG_BIN/createdb" -h "$dir/socket" -p "$port" -U "$PG_ROLE" "$PG_DATABASE"
  echo "TANDEM_PG_HOST=127.0.0.1"
  echo "TANDEM_PG_PORT=$port"
  echo "TANDEM_PG_USER=$PG_ROLE"
  echo "TANDEM_PG_PASSWORD="
  echo "TANDEM_PG_DBNAME=$PG_DATABASE"
  echo "TANDEM_PG_DIR=$dir"
}

stop() {
  local dir=${1:?usage: postgres.sh stop DIR (the TANDEM_PG_DIR that start printed)}
  if [ ! -f "$dir/$MARKER" ]; then
    say "$dir is not a cluster folder made by postgres.sh start; nothing stopped or deleted"
    exit 1
  fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    cd "$dir"
    # immediate: nothing in the cluster needs a clean shutdown, it is deleted right after
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -s stop >&2 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop "${2:-}" ;;
  *) say "usage: $0 install | start | stop DIR"; exit 2 ;;
esac
