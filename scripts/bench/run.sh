#!/usr/bin/env bash
# scripts/bench/run.sh TARGET WORKLOAD [switchboard-load options]
#
# One measured run: starts TARGET pinned to CPU 0 on loopback (a fresh database for
# switchboard and django-channels), waits for /healthz, runs
#   taskset -c 1 switchboard-load WORKLOAD --target TARGET --server-pid PID --json …
# and stops the server. The JSON lands in $RESULTS (default Benchmarks/results/latest).
#
# TARGET: switchboard | switchboard-pg | hb-raw | socketio | django-channels
#   switchboard-pg: Switchboard on a throwaway PostgreSQL started for the run on loopback
#   (scripts/pg-throwaway.sh, fsync on, default synchronous_commit), pinned to the server's CPU
# SB_ENV_FILE=file: more KEY=VALUE settings for switchboard, after scripts/bench/switchboard.env
# SB_BIN=path: another switchboard binary (an A/B of two builds); LABEL=name: the target's
#   name in the results (default TARGET), to tell the two apart in table.py
# The peers come from ../shared/bench (run its setup.sh once); switchboard and the load
# tool from `swift build -c release --scratch-path .build-release` (done here if missing).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="${BENCH:-$ROOT/../shared/bench}"
RESULTS="${RESULTS:-$ROOT/Benchmarks/results/latest}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
TARGET="${1:?usage: run.sh TARGET WORKLOAD [options]}"
WORKLOAD="${2:?usage: run.sh TARGET WORKLOAD [options]}"
shift 2
. "$ROOT/scripts/bench/release.sh" 20000
mkdir -p "$RESULTS/logs"
STAMP="$(date +%Y%m%d-%H%M%S)"
LOG="$RESULTS/logs/$STAMP-$TARGET-$WORKLOAD.log"
TMP="$(mktemp -d)"

PID=""
stop() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  if [[ -n "${PG_STATE:-}" ]]; then SWITCHBOARD_TEST_PG_STATE="$PG_STATE" "$ROOT/scripts/pg-throwaway.sh" stop || true; fi
  rm -rf "$TMP"
}
trap stop EXIT

case "$TARGET" in
  switchboard)
    PORT=8080; DIR="$TMP"
    set -a; . "$ROOT/scripts/bench/switchboard.env"; [[ -n "${SB_ENV_FILE:-}" ]] && . "$SB_ENV_FILE"; set +a
    export DATABASE_URL="sqlite://$TMP/switchboard.sqlite"
    START=("${SB_BIN:-$BIN/switchboard}" serve --host 127.0.0.1 --port "$PORT") ;;
  switchboard-pg)
    PORT=8080; DIR="$TMP"
    set -a; . "$ROOT/scripts/bench/switchboard.env"; [[ -n "${SB_ENV_FILE:-}" ]] && . "$SB_ENV_FILE"; set +a
    PG_STATE="$(mktemp -d)"
    export DATABASE_URL="$(SWITCHBOARD_TEST_PG_STATE="$PG_STATE" SWITCHBOARD_TEST_PG_FSYNC=on taskset -c "$SERVER_CPU" "$ROOT/scripts/pg-throwaway.sh" start)"
    START=("${SB_BIN:-$BIN/switchboard}" serve --host 127.0.0.1 --port "$PORT") ;;
  hb-raw)
    PORT=8103; DIR="$TMP"
    [[ -x "$BENCH/peers/hb-raw/.build/release/HBRaw" ]] || { echo "run $BENCH/setup.sh first"; exit 2; }
    START=("$BENCH/peers/hb-raw/.build/release/HBRaw" --host 127.0.0.1 --port "$PORT") ;;
  socketio)
    PORT=8102; DIR="$BENCH/peers/socketio"
    START=("$BENCH/.venv/bin/uvicorn" server:app --host 127.0.0.1 --port "$PORT" --loop uvloop
           --log-level warning --no-access-log) ;;
  django-channels)
    PORT=8101; DIR="$BENCH/peers/django-channels"
    export BENCH_DJANGO_DB="$TMP/django.sqlite3"
    (cd "$DIR" && "$BENCH/.venv/bin/python" manage.py migrate -v 0)
    START=("$BENCH/.venv/bin/daphne" -b 127.0.0.1 -p "$PORT" chatbench.asgi:application) ;;
  *) echo "unknown target $TARGET"; exit 2 ;;
esac

if curl -fsS -m 1 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
  echo "port $PORT already serves: stop that server first"; exit 1
fi
(cd "$DIR" && exec taskset -c "$SERVER_CPU" "${START[@]}") >"$LOG" 2>&1 &
PID=$!
for i in $(seq 1 300); do
  curl -fsS -m 1 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "server exited:"; cat "$LOG"; exit 1; }
  sleep 0.2
  [[ $i == 300 ]] && { echo "server not ready after 60 s"; exit 1; }
done
sleep 0.5
OUT="$RESULTS/$STAMP-$TARGET-$WORKLOAD.json"
echo "# $TARGET pid $PID (cpu $SERVER_CPU) $WORKLOAD $* (load on cpu $LOAD_CPU)" >&2
LOAD_TARGET="$TARGET"; [[ "$TARGET" == switchboard-pg ]] && LOAD_TARGET=switchboard
timeout 900 taskset -c "$LOAD_CPU" "$BIN/switchboard-load" "$WORKLOAD" --target "$LOAD_TARGET" --port "$PORT" \
  --server-pid "$PID" --json "$OUT" "$@"
if [[ "$TARGET" == switchboard-pg || -n "${LABEL:-}" ]]; then
  python3 -c 'import json, sys; p = sys.argv[1]; r = json.load(open(p)); r["target"] = sys.argv[2]; json.dump(r, open(p, "w"), indent=1)' "$OUT" "${LABEL:-$TARGET}"
fi
