#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and prints its URL; the other verbs act on it.
#   export SWITCHBOARD_TEST_PG_STATE=$(mktemp -d)   # where the cluster lives (required)
#   url=$(scripts/pg-throwaway.sh start)            # on a free loopback port, or SWITCHBOARD_TEST_PG_PORT
#   SWITCHBOARD_TEST_PG_FSYNC=on …                  # durable commits (benchmarks); tests run with fsync off
#   scripts/pg-throwaway.sh pause | resume          # stop and restart the server, keeping the data
#   scripts/pg-throwaway.sh stop                    # stop it and remove the state directory
# Each run names its own directory and port, so two runs on one host never share a cluster.
# Needs Debian's postgresql package (initdb, pg_ctl). As root, runs the server as 'postgres'.
set -euo pipefail
state=${SWITCHBOARD_TEST_PG_STATE:?set SWITCHBOARD_TEST_PG_STATE to a directory for this run alone (mktemp -d)}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
server_start() {
  as_pg "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 \
    -o "-p $(cat "$state/port") -k $state -c listen_addresses=127.0.0.1 -c fsync=${SWITCHBOARD_TEST_PG_FSYNC:-off} -c max_connections=2000" start >/dev/null
}

case "${1:-start}" in
start)
  mkdir -p "$state"
  [ "$(id -u)" = 0 ] && chown postgres "$state"
  echo "${SWITCHBOARD_TEST_PG_PORT:-$(free_port)}" >"$state/port"
  as_pg "$bin/initdb" -D "$state/data" -A trust -U postgres >"$state/initdb.log" 2>&1
  server_start
  echo "postgres://postgres@127.0.0.1:$(cat "$state/port")/postgres"
  ;;
pause)   # stop the server, keep the data (to test outages)
  as_pg "$bin/pg_ctl" -D "$state/data" -m immediate -w stop >/dev/null
  ;;
resume)
  server_start
  ;;
stop)
  [ -d "$state/data" ] && as_pg "$bin/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$state"
  ;;
*)
  echo "usage: $0 start|pause|resume|stop" >&2
  exit 2
  ;;
esac
