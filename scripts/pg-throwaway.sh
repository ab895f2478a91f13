#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and prints its URL; `stop DIR` stops it.
#   url=$(scripts/pg-throwaway.sh start)      # data dir and port are in the URL's comment file
#   scripts/pg-throwaway.sh pause | resume    # stop and restart the server, keeping the data
#   scripts/pg-throwaway.sh stop
# Needs Debian's postgresql package (initdb, pg_ctl). As root, runs the server as 'postgres'.
set -euo pipefail
state=${SWITCHBOARD_TEST_PG_STATE:-/tmp/switchboard-test-pg}
port=${SWITCHBOARD_TEST_PG_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
start)
  "$0" stop >/dev/null 2>&1 || true
  rm -rf "$state" && mkdir -p "$state"
  [ "$(id -u)" = 0 ] && chown postgres "$state"
  as_pg "$bin/initdb" -D "$state/data" -A trust -U postgres >"$state/initdb.log" 2>&1
  as_pg "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w \
    -o "-p $port -k $state -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
pause)   # stop the server, keep the data (to test outages)
  as_pg "$bin/pg_ctl" -D "$state/data" -m immediate -w stop >/dev/null
  ;;
resume)
  as_pg "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w \
    -o "-p $port -k $state -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >/dev/null
  ;;
stop)
  [ -d "$state/data" ] && as_pg "$bin/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$state"
  ;;
esac
