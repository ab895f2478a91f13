#!/usr/bin/env bash
# scripts/bench/pg-plan-cache.sh — PostgreSQL's own time for chat.send's batch statement (as
# written at HEAD) with plan_cache_mode auto (a custom plan per execution) against
# force_generic_plan (planned once): pgbench as in pg-send-batch.sh, one client on CPU 1, a
# throwaway PostgreSQL on CPU 0, synchronous_commit off, batches of 4 sends in 4 rooms and of 16
# in 8, three rounds after a warm-up run of each. SB_BIN: the switchboard that migrates.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${SB_BIN:-$ROOT/.build-release/release/switchboard}"
PGBENCH="$(ls /usr/lib/postgresql/*/bin/pgbench | tail -1)"
export SWITCHBOARD_TEST_PG_STATE="$(mktemp -d /tmp/sb-plancache-XXXXXX)"
trap '"$ROOT/scripts/pg-throwaway.sh" stop >/dev/null 2>&1 || true; rm -rf "$SWITCHBOARD_TEST_PG_STATE"' EXIT
URL="$(SWITCHBOARD_TEST_PG_FSYNC=on taskset -c 0 "$ROOT/scripts/pg-throwaway.sh" start)"
DATABASE_URL="$URL" HUB_CLUSTER=on "$BIN" migrate >/dev/null 2>&1
psql "$URL" -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO hub_users (id, username, password_hash, display_name, role, created_at)
    SELECT 'u' || n, 'user' || n, 'x', 'U' || n, 'user', 0 FROM generate_series(0, 99) n;
INSERT INTO chat_rooms (name, kind, created_by, created_at) SELECT 'r' || n, 'public', 'u' || n, 0 FROM generate_series(0, 99) n;
INSERT INTO chat_members (room, user_id, joined_at) SELECT 'r' || n, 'u' || n, 0 FROM generate_series(0, 99) n;
SQL
for shape in "4 4" "16 8"; do set -- $shape; python3 "$ROOT/scripts/bench/send_batch_sql.py" HEAD "$1" "$2" > "$SWITCHBOARD_TEST_PG_STATE/b-$1.sql"; done
for s in "$SWITCHBOARD_TEST_PG_STATE"/b-*.sql; do for mode in auto force_generic_plan; do
  PGOPTIONS="-c synchronous_commit=off -c plan_cache_mode=$mode" taskset -c 1 "$PGBENCH" -n -M prepared -c 1 -T 2 -f "$s" "$URL" >/dev/null 2>&1; done; done
for round in 1 2 3; do for n in 4 16; do for mode in auto force_generic_plan; do
  psql "$URL" -q -c "VACUUM ANALYZE"
  latency="$(PGOPTIONS="-c synchronous_commit=off -c plan_cache_mode=$mode" taskset -c 1 "$PGBENCH" -n -M prepared -c 1 -T 10 -f "$SWITCHBOARD_TEST_PG_STATE/b-$n.sql" "$URL" 2>&1 | sed -n 's/^latency average = //p')"
  echo "round $round batch of $n  $mode: ${latency:-failed}"
done; done; done
