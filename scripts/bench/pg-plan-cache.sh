#!/usr/bin/env bash
# scripts/bench/pg-plan-cache.sh — PostgreSQL's own time for chat.send's batch statement (as
# written at HEAD) with plan_cache_mode auto (a custom plan per execution) against
# force_generic_plan (planned once): pgbench as in pg-send-batch.sh, one client on CPU 1, a
# throwaway PostgreSQL on CPU 0, synchronous_commit off, batches of 4 sends in 4 rooms and of 16
# in 8, three rounds after a warm-up run of each. SB_BIN: the switchboard that migrates.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
. "$ROOT/scripts/bench/pg-batch-database.sh"
for shape in "4 4" "16 8"; do set -- $shape; python3 "$ROOT/scripts/bench/send_batch_sql.py" HEAD "$1" "$2" > "$SWITCHBOARD_TEST_PG_STATE/b-$1.sql"; done
for s in "$SWITCHBOARD_TEST_PG_STATE"/b-*.sql; do for mode in auto force_generic_plan; do
  PGOPTIONS="-c synchronous_commit=off -c plan_cache_mode=$mode" taskset -c 1 "$PGBENCH" -n -M prepared -c 1 -T 2 -f "$s" "$URL" >/dev/null 2>&1; done; done
for round in 1 2 3; do for n in 4 16; do for mode in auto force_generic_plan; do
  psql "$URL" -q -c "VACUUM ANALYZE"
  latency="$(PGOPTIONS="-c synchronous_commit=off -c plan_cache_mode=$mode" taskset -c 1 "$PGBENCH" -n -M prepared -c 1 -T 10 -f "$SWITCHBOARD_TEST_PG_STATE/b-$n.sql" "$URL" 2>&1 | sed -n 's/^latency average = //p')"
  echo "round $round batch of $n  $mode: ${latency:-failed}"
done; done; done
