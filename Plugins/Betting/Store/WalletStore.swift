import Foundation
import HubKernel
import SQLKit

/// The wallets and their ledger: the only code that changes a balance, always together with
/// the ledger line that explains it, in the caller's transaction.
struct WalletStore: Sendable {
    /// What a ledger line records.
    enum Kind: String { case deposit, bet, payout, refund, adjustment }

    let database: Database
    let clock: any HubClock

    /// Adds `amount` (negative to debit) to `userID`'s wallet and appends the ledger line.
    /// - Returns: the balance after and the line's sequence number in this wallet.
    /// - Throws: `conflict` when a debit exceeds the balance (nothing is written).
    static func move(_ userID: String, _ kind: Kind, amount: Int64, reference: String, reason: String? = nil, actor: String? = nil,
                     at now: Int64, on sql: any SQLDatabase) async throws -> (balance: Int64, seq: Int64) {
        try await sql.raw("""
            INSERT INTO betting_wallets (user_id, balance, ledger_seq) VALUES (\(bind: userID), 0, 0) ON CONFLICT (user_id) DO NOTHING
            """).run()
        // the row lock (PostgreSQL) or the writer lock (SQLite) orders movements of one wallet
        guard let row = try await sql.raw("""
            UPDATE betting_wallets SET balance = balance + \(bind: amount), ledger_seq = ledger_seq + 1
            WHERE user_id = \(bind: userID) AND balance + \(bind: amount) >= 0
            RETURNING balance, ledger_seq
            """).first()
        else {
            let balance = try await balance(of: userID, on: sql)
            throw HubError.conflict("insufficient funds: the balance is \(Money(minorUnits: balance)), the bet \(Money(minorUnits: -amount))")
        }
        let balance = try row.decode(column: "balance", as: Int64.self)
        let seq = try row.decode(column: "ledger_seq", as: Int64.self)
        try await sql.raw("""
            INSERT INTO betting_ledger (id, user_id, seq, kind, amount, balance_after, reference, reason, actor_id, created_at)
            VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: userID), \(bind: seq), \(bind: kind.rawValue), \(bind: amount),
                    \(bind: balance), \(bind: reference), \(bind: reason), \(bind: actor), \(bind: now))
            """).run()
        return (balance, seq)
    }

    static func balance(of userID: String, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw("SELECT balance FROM betting_wallets WHERE user_id = \(bind: userID)").first()?
            .decode(column: "balance", as: Int64.self) ?? 0
    }

    /// The balance of `userID` (zero without a wallet).
    func balance(of userID: String) async throws -> Money {
        Money(minorUnits: try await database.withConnection { try await Self.balance(of: userID, on: $0) })
    }

    /// Credits a payment once: a repeated `paymentID` with the same user and amount answers
    /// the balance after the first credit and credits nothing.
    /// - Throws: `conflict` when the payment id was used for another user or amount.
    func deposit(paymentID: String, userID: String, amount: Money) async throws -> (balance: Money, repeated: Bool) {
        if let earlier = try await earlierDeposit(paymentID, userID: userID, amount: amount) { return (earlier, true) }
        do {
            let now = clock.nowMs()
            let balance = try await database.transaction { sql in
                try await Self.move(userID, .deposit, amount: amount.minorUnits, reference: paymentID, at: now, on: sql).balance
            }
            return (Money(minorUnits: balance), false)
        } catch {
            // the same payment delivered twice at once: the UNIQUE (kind, reference) let one through
            if let earlier = try await earlierDeposit(paymentID, userID: userID, amount: amount) { return (earlier, true) }
            throw error
        }
    }

    private func earlierDeposit(_ paymentID: String, userID: String, amount: Money) async throws -> Money? {
        guard let row = try await database.withConnection({ sql in
            try await sql.raw("""
                SELECT user_id, amount, balance_after FROM betting_ledger WHERE kind = 'deposit' AND reference = \(bind: paymentID)
                """).first()
        }) else { return nil }
        guard try row.decode(column: "user_id", as: String.self) == userID, try row.decode(column: "amount", as: Int64.self) == amount.minorUnits else {
            throw HubError.conflict("payment \(paymentID) was already credited with another user or amount")
        }
        return Money(minorUnits: try row.decode(column: "balance_after", as: Int64.self))
    }

    /// An admin's credit (positive) or debit (negative) with its reason, in the ledger.
    func adjust(userID: String, amount: Money, reason: String, actor: String) async throws -> (balance: Money, entry: String) {
        let now = clock.nowMs()
        let reference = UUID().uuidString.lowercased()
        let balance = try await database.transaction { sql in
            try await Self.move(userID, .adjustment, amount: amount.minorUnits, reference: reference, reason: reason, actor: actor, at: now, on: sql).balance
        }
        return (Money(minorUnits: balance), reference)
    }

    /// `userID`'s ledger, newest first, below sequence number `before`.
    func ledger(of userID: String, before: Int64?, limit: Int) async throws -> [(seq: Int64, entry: LedgerEntryView)] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT id, seq, kind, amount, balance_after, reference, reason, created_at FROM betting_ledger
                WHERE user_id = \(bind: userID) AND seq < \(bind: before ?? Int64.max)
                ORDER BY seq DESC LIMIT \(bind: limit)
                """).all().map { row in
                    (try row.decode(column: "seq", as: Int64.self),
                     LedgerEntryView(id: try row.decode(column: "id", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                                     amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self)),
                                     balanceAfter: Money(minorUnits: try row.decode(column: "balance_after", as: Int64.self)),
                                     reference: try row.decode(column: "reference", as: String.self),
                                     reason: try row.decode(column: "reason", as: String?.self),
                                     createdAt: try row.decode(column: "created_at", as: Int64.self)))
                }
        }
    }

    /// Wallets whose balance is not the sum of their ledger (for `reconcile`; empty when sound).
    func mismatches() async throws -> [(userID: String, balance: Int64, ledgerSum: Int64)] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT w.user_id, w.balance, CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) AS ledger_sum
                FROM betting_wallets w LEFT JOIN betting_ledger l ON l.user_id = w.user_id
                GROUP BY w.user_id, w.balance
                HAVING w.balance <> COALESCE(SUM(l.amount), 0)
                """).all().map {
                    (try $0.decode(column: "user_id", as: String.self), try $0.decode(column: "balance", as: Int64.self),
                     try $0.decode(column: "ledger_sum", as: Int64.self))
                }
        }
    }
}
