#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests.
#   source .ci/lib/postgres.sh; pg_start [PORT]   # exports OPENBADGES_TEST_POSTGRES_URL
#   pg_stop                                        # stops it and deletes its directory
# Installs Debian's `postgresql` package if no server binaries are found. initdb refuses to run
# as root, so the cluster belongs to the `postgres` user (runuser). Trust authentication on
# 127.0.0.1 only; fsync off (a test cluster: speed over durability across power loss).

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

pg_start() {
  local port=${1:-55432}
  if ! pg_bindir >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  local bin; bin=$(pg_bindir)
  PG_DATA_DIR=$(mktemp -d /tmp/openbadges-pg.XXXXXX)
  chown postgres: "$PG_DATA_DIR"
  runuser -u postgres -- "$bin/initdb" -D "$PG_DATA_DIR/data" -U postgres -A trust -E UTF8 >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA_DIR/data" -l "$PG_DATA_DIR/log" -w \
    -o "-p $port -k $PG_DATA_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
  export PG_BIN_DIR=$bin PG_DATA_DIR
  export OPENBADGES_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $OPENBADGES_TEST_POSTGRES_URL"
}

pg_stop() {
  [ -n "${PG_DATA_DIR:-}" ] || return 0
  runuser -u postgres -- "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DATA_DIR"
}
