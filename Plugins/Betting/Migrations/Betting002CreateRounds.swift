import HubKernel
import SQLKit

/// Rounds and bets. At most one open round per table (a partial unique index), a result only
/// on a settled round, and a bet's status moves once from `pending` (settled_at set with it).
struct Betting002CreateRounds: Migration {
    let name = "betting.002_create_rounds"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE betting_rounds (
                id TEXT PRIMARY KEY,
                table_name TEXT NOT NULL,
                number BIGINT NOT NULL CHECK (number > 0),
                phase TEXT NOT NULL CHECK (phase IN ('betting', 'locked', 'settled', 'voided')),
                phase_ends_at BIGINT NOT NULL,
                server_seed TEXT NOT NULL CHECK (length(server_seed) = 64),
                commitment TEXT NOT NULL CHECK (length(commitment) = 64),
                result INTEGER CHECK (result BETWEEN 0 AND 9),
                opened_at BIGINT NOT NULL,
                closed_at BIGINT,
                CHECK ((phase = 'settled') = (result IS NOT NULL)),
                CHECK ((phase IN ('settled', 'voided')) = (closed_at IS NOT NULL)),
                UNIQUE (table_name, number)
            )
            """).run()
        try await database.raw("""
            CREATE UNIQUE INDEX betting_rounds_one_open ON betting_rounds (table_name) WHERE phase IN ('betting', 'locked')
            """).run()
        try await database.raw("""
            CREATE TABLE betting_bets (
                id TEXT PRIMARY KEY,
                round_id TEXT NOT NULL REFERENCES betting_rounds (id),
                user_id TEXT NOT NULL REFERENCES betting_wallets (user_id),
                type TEXT NOT NULL CHECK (type IN ('number', 'size', 'parity')),
                selection TEXT NOT NULL,
                amount BIGINT NOT NULL CHECK (amount > 0),
                status TEXT NOT NULL CHECK (status IN ('pending', 'won', 'lost', 'refunded')),
                payout BIGINT CHECK (payout >= 0),
                idempotency_key TEXT NOT NULL,
                ledger_seq BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                settled_at BIGINT,
                CHECK ((status = 'pending') = (settled_at IS NULL)),
                CHECK ((status = 'pending') = (payout IS NULL)),
                CHECK (status <> 'lost' OR payout = 0),
                CHECK (status <> 'refunded' OR payout = amount),
                UNIQUE (user_id, idempotency_key)
            )
            """).run()
        try await database.raw("CREATE INDEX betting_bets_round ON betting_bets (round_id, status)").run()
        try await database.raw("CREATE INDEX betting_bets_user ON betting_bets (user_id, ledger_seq)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE betting_bets").run()
        try await database.raw("DROP TABLE betting_rounds").run()
    }
}
