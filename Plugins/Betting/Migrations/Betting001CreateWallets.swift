import HubKernel
import SQLKit

/// Wallets and their ledger. Every invariant of the money is a constraint here: a balance is
/// never negative, a ledger line is never zero and never leaves a negative balance, its kind
/// is one of five, and a reference (a payment id, a bet id) is used once per kind — so a
/// payment is credited once and a bet is paid or refunded once, whatever the code does.
struct Betting001CreateWallets: Migration {
    let name = "betting.001_create_wallets"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE betting_wallets (
                user_id TEXT PRIMARY KEY REFERENCES hub_users (id),
                balance BIGINT NOT NULL CHECK (balance >= 0),
                ledger_seq BIGINT NOT NULL CHECK (ledger_seq >= 0)
            )
            """).run()
        try await database.raw("""
            CREATE TABLE betting_ledger (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES betting_wallets (user_id),
                seq BIGINT NOT NULL CHECK (seq > 0),
                kind TEXT NOT NULL CHECK (kind IN ('deposit', 'bet', 'payout', 'refund', 'adjustment')),
                amount BIGINT NOT NULL CHECK (amount <> 0),
                balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
                reference TEXT NOT NULL,
                reason TEXT,
                actor_id TEXT,
                created_at BIGINT NOT NULL,
                CHECK ((kind IN ('deposit', 'payout', 'refund')) = (amount > 0) OR kind = 'adjustment'),
                CHECK (kind <> 'bet' OR amount < 0),
                CHECK (kind <> 'adjustment' OR (reason IS NOT NULL AND actor_id IS NOT NULL)),
                UNIQUE (user_id, seq),
                UNIQUE (kind, reference)
            )
            """).run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE betting_ledger").run()
        try await database.raw("DROP TABLE betting_wallets").run()
    }
}
