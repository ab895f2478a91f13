#!/usr/bin/env bash
# scripts/bench/pg-send-batch.sh REV_A REV_B [SECONDS] — what PostgreSQL itself spends on
# chat.send's batch statement (SendBatchStatement) as written at two git revisions: pgbench,
# one client on CPU 1, a throwaway PostgreSQL on CPU 0 with synchronous_commit off (the
# statement, not the disk), batches of 4 sends in 4 rooms and of 16 in 8 rooms picked at random
# among 100, every event numbered as in cluster mode; three rounds, the revisions interleaved,
# VACUUM before each run, after a warm-up run of each. Prints pgbench's average latency per batch.
# Needs Debian's postgresql package (psql, pgbench) and a switchboard build for the migrations
# (SB_BIN, default .build-release/release/switchboard).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
[[ $# -ge 2 ]] || { sed -n '2,9p' "$0"; exit 2; }
A="$1"; B="$2"; SECONDS_PER_RUN="${3:-10}"
. "$ROOT/scripts/bench/pg-batch-database.sh"
SHAPES=("4 4" "16 8")
for rev in "$A" "$B"; do
  for shape in "${SHAPES[@]}"; do
    set -- $shape
    python3 "$ROOT/scripts/bench/send_batch_sql.py" "$rev" "$1" "$2" > "$SWITCHBOARD_TEST_PG_STATE/$(git -C "$ROOT" rev-parse --short "$rev")-$1.sql"
  done
done
# a warm-up run of each (the first runs on a cold cache measured twice as slow)
for script in "$SWITCHBOARD_TEST_PG_STATE"/*.sql; do
  PGOPTIONS='-c synchronous_commit=off' taskset -c 1 "$PGBENCH" -n -M prepared -c 1 -T 2 -f "$script" "$URL" >/dev/null 2>&1
done
for round in 1 2 3; do
  for shape in "${SHAPES[@]}"; do
    set -- $shape
    for rev in "$A" "$B"; do
      psql "$URL" -q -c "VACUUM ANALYZE"
      script="$SWITCHBOARD_TEST_PG_STATE/$(git -C "$ROOT" rev-parse --short "$rev")-$1.sql"
      latency="$(PGOPTIONS='-c synchronous_commit=off' taskset -c 1 "$PGBENCH" -n -M prepared -c 1 -T "$SECONDS_PER_RUN" -f "$script" "$URL" 2>&1 \
        | sed -n 's/^latency average = //p')"
      echo "round $round  batch of $1 sends in $2 rooms  $rev: ${latency:-failed}"
    done
  done
done
