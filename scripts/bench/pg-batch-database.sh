# Sourced by pg-send-batch.sh and pg-plan-cache.sh (ROOT set): a throwaway PostgreSQL on CPU 0
# with durable commits, migrated in cluster mode by $SB_BIN (default the release build), seeded
# with 100 users each a member of their own room — the rooms chat.send's batch statement writes
# to. Sets PGBENCH, URL and SWITCHBOARD_TEST_PG_STATE (the scratch directory, removed on exit
# with the database).
BIN="${SB_BIN:-$ROOT/.build-release/release/switchboard}"
PGBENCH="$(ls /usr/lib/postgresql/*/bin/pgbench | tail -1)"
export SWITCHBOARD_TEST_PG_STATE="$(mktemp -d /tmp/sb-pg-batch-XXXXXX)"
trap '"$ROOT/scripts/pg-throwaway.sh" stop >/dev/null 2>&1 || true; rm -rf "$SWITCHBOARD_TEST_PG_STATE"' EXIT
URL="$(SWITCHBOARD_TEST_PG_FSYNC=on taskset -c 0 "$ROOT/scripts/pg-throwaway.sh" start)"
DATABASE_URL="$URL" HUB_CLUSTER=on "$BIN" migrate >/dev/null 2>&1
psql "$URL" -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO hub_users (id, username, password_hash, display_name, role, created_at)
    SELECT 'u' || n, 'user' || n, 'x', 'U' || n, 'user', 0 FROM generate_series(0, 99) n;
INSERT INTO chat_rooms (name, kind, created_by, created_at) SELECT 'r' || n, 'public', 'u' || n, 0 FROM generate_series(0, 99) n;
INSERT INTO chat_members (room, user_id, joined_at) SELECT 'r' || n, 'u' || n, 0 FROM generate_series(0, 99) n;
SQL
