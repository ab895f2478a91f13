#!/usr/bin/env bash
# scripts/bench/soak.sh [USERS] [SECONDS] [switchboard-load mixed options]
#
# The soak of issue #17: Switchboard (release build, SQLite default, scripts/bench/switchboard.env)
# on CPU 0, `switchboard-load mixed` with USERS connections (default 10000) for SECONDS (default
# 2400) on CPU 1, an agent account sending a notification to every user every 15 s. Every 30 s
# it samples the server's RSS, open files and threads into $RESULTS/<stamp>-soak.csv; at the end
# it prints the first and last samples, the growth over the last ten minutes, and every log line
# at warning level or above. The load report (JSON) lands beside it. Memory grows until every
# topic's history is full (HUB_TOPIC_HISTORY_SIZE events: with a notification to every user
# every 15 s, ~25 minutes for the default 100), then must stay flat: run 40 minutes or more.
#   default rates for 10,000 users: chat 0.01/s, typing 0.02/s, presence 1/600 s, unread count
#   0.005/s per user (a tenth of `mixed`'s human rates per user: ~100 persisted messages/s and
#   ~3,000 deliveries/s in all, inside one core, so the soak measures leaks, not saturation)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
USERS="${1:-10000}"
SECONDS_TOTAL="${2:-2400}"
shift 2 || shift $# || true
RESULTS="${RESULTS:-$ROOT/Benchmarks/results/latest}"
. "$ROOT/scripts/bench/release.sh" 65536
mkdir -p "$RESULTS"
STAMP="$(date +%Y%m%d-%H%M%S)"
CSV="$RESULTS/$STAMP-soak.csv"
LOG="$RESULTS/$STAMP-soak-server.log"
TMP="$(mktemp -d)"
PORT="${PORT:-8080}"
PID=""; SAMPLER=""
stop() {
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null || true
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"; for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap stop EXIT

set -a; . "$ROOT/scripts/bench/switchboard.env"; set +a
# access tokens live 15 minutes: the load tool refreshes each socket's on hub.token_expiring
# (POST /auth/refresh, then hub.auth), as clients do. SOAK_TOKEN_TTL=seconds overrides the
# lifetime (the 2026-12-01 run, before the load tool refreshed, used 6000).
export LOG_LEVEL=notice DATABASE_URL="sqlite://$TMP/switchboard.sqlite"
[[ -n "${SOAK_TOKEN_TTL:-}" ]] && export AUTH_ACCESS_TOKEN_TTL_SECONDS="$SOAK_TOKEN_TTL"
if curl -fsS -m 1 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
  echo "port $PORT already serves: stop that server first" >&2; exit 1
fi
printf 'agent-password-1\n' | "$BIN/switchboard" user create soak-agent --role agent >/dev/null
taskset -c 0 "$BIN/switchboard" serve --host 127.0.0.1 --port "$PORT" >"$LOG" 2>&1 &
PID=$!
for i in $(seq 1 300); do
  curl -fsS -m 1 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "server exited:"; cat "$LOG"; exit 1; }
  sleep 0.2
done
kill -0 "$PID" 2>/dev/null || { echo "server exited:"; cat "$LOG"; exit 1; }

echo "elapsed_s,rss_kib,open_files,threads" >"$CSV"
START=$(date +%s)
(
  while kill -0 "$PID" 2>/dev/null; do
    echo "$(( $(date +%s) - START )),$(awk '/VmRSS/ {print $2}' /proc/$PID/status),$(ls /proc/$PID/fd | wc -l),$(awk '/Threads/ {print $2}' /proc/$PID/status)" >>"$CSV"
    sleep 30
  done
) &
SAMPLER=$!

echo "# soak: $USERS users for ${SECONDS_TOTAL}s against pid $PID; samples in $CSV" >&2
taskset -c 1 "$BIN/switchboard-load" mixed --target switchboard --port "$PORT" --server-pid "$PID" \
  --users "$USERS" --duration "$SECONDS_TOTAL" --agent soak-agent:agent-password-1 \
  --chat-rate 0.01 --typing-rate 0.02 --presence-rate 0.001666 --read-rate 0.005 \
  --json "$RESULTS/$STAMP-soak.json" "$@"
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""

python3 - "$CSV" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
first, last = rows[0], rows[-1]
half = [r for r in rows if int(r["elapsed_s"]) >= int(last["elapsed_s"]) - 600]
print(f"samples: {len(rows)}; first {first}; last {last}")
if half:
    print(f"last ten minutes: RSS {half[0]['rss_kib']} -> {half[-1]['rss_kib']} KiB "
          f"({int(half[-1]['rss_kib']) - int(half[0]['rss_kib']):+d}), open files {half[0]['open_files']} -> {half[-1]['open_files']}, "
          f"max RSS {max(int(r['rss_kib']) for r in half)} KiB")
PY
echo "log lines at warning or above:"
grep -E '\b(warning|error|critical)\b' "$LOG" | head -20 || echo "  none"
