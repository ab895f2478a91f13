import Foundation
import HubKernel
import SQLKit

/// Rounds and their bets. Every phase change is a compare-and-set on the round's row, so a
/// duplicated tick (two leaders for a moment, a retried call) changes nothing the second
/// time; settling and voiding move every bet and its money in the same transaction.
struct RoundStore: Sendable {
    /// A round as stored.
    struct Round: Sendable, Equatable {
        var id: String
        var table: String
        var number: Int64
        var phase: String
        var phaseEndsAt: Int64
        var serverSeed: String
        var commitment: String
        var result: Int?

        /// What clients may see: the seed only once the round is settled.
        var view: RoundView {
            RoundView(id: id, table: table, number: number, phase: phase, phaseEndsAt: phaseEndsAt, commitment: commitment,
                      result: result, serverSeed: phase == "settled" ? serverSeed : nil)
        }
    }

    /// A bet as stored, with its owner.
    struct Bet: Sendable {
        var userID: String
        var ledgerSeq: Int64
        var view: BetView
    }

    /// What settling or voiding did: the round after, and per user the bets and the balance after.
    struct Outcome: Sendable {
        var round: Round
        var bets: [String: [BetView]]
        var balances: [String: Money]
    }

    let database: Database
    let configuration: BettingConfiguration

    static let roundColumns = "id, table_name, number, phase, phase_ends_at, server_seed, commitment, result"
    static let betColumns = "id, round_id, user_id, type, selection, amount, status, payout, ledger_seq, created_at"
    /// ``betColumns`` of a bet aliased `b` in a join.
    static let joinedBetColumns = betColumns.split(separator: ",").map { "b." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    static func round(_ row: any SQLRow) throws -> Round {
        Round(id: try row.decode(column: "id", as: String.self), table: try row.decode(column: "table_name", as: String.self),
              number: try row.decode(column: "number", as: Int64.self), phase: try row.decode(column: "phase", as: String.self),
              phaseEndsAt: try row.decode(column: "phase_ends_at", as: Int64.self),
              serverSeed: try row.decode(column: "server_seed", as: String.self),
              commitment: try row.decode(column: "commitment", as: String.self), result: try row.decode(column: "result", as: Int?.self))
    }

    static func bet(_ row: any SQLRow) throws -> Bet {
        Bet(userID: try row.decode(column: "user_id", as: String.self), ledgerSeq: try row.decode(column: "ledger_seq", as: Int64.self),
            view: BetView(id: try row.decode(column: "id", as: String.self), roundId: try row.decode(column: "round_id", as: String.self),
                          type: try row.decode(column: "type", as: String.self), selection: try row.decode(column: "selection", as: String.self),
                          amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self)),
                          status: try row.decode(column: "status", as: String.self),
                          payout: try row.decode(column: "payout", as: Int64?.self).map(Money.init(minorUnits:)),
                          createdAt: try row.decode(column: "created_at", as: Int64.self)))
    }

    // MARK: - Reading

    /// The table's open round (`betting` or `locked`), else its latest closed one.
    func current(_ table: String) async throws -> Round? {
        try await database.withConnection { try await current(table, on: $0) }
    }

    func current(_ table: String, on sql: any SQLDatabase) async throws -> Round? {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.roundColumns) FROM betting_rounds WHERE table_name = \(bind: table)
            ORDER BY number DESC LIMIT 1
            """).first().map(Self.round)
    }

    static func load(_ id: String, on sql: any SQLDatabase) async throws -> Round? {
        try await sql.raw("SELECT \(unsafeRaw: Self.roundColumns) FROM betting_rounds WHERE id = \(bind: id)").first().map(Self.round)
    }

    /// Closed rounds of `table`, newest first, numbered below `before`.
    func history(_ table: String, before: Int64?, limit: Int) async throws -> [Round] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.roundColumns) FROM betting_rounds
                WHERE table_name = \(bind: table) AND phase IN ('settled', 'voided') AND number < \(bind: before ?? Int64.max)
                ORDER BY number DESC LIMIT \(bind: limit)
                """).all().map(Self.round)
        }
    }

    /// `userID`'s bets in `roundID`, in the order placed.
    func bets(of userID: String, in roundID: String) async throws -> [BetView] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.betColumns) FROM betting_bets WHERE round_id = \(bind: roundID) AND user_id = \(bind: userID)
                ORDER BY ledger_seq
                """).all().map { try Self.bet($0).view }
        }
    }

    /// `userID`'s bets, newest first, below ledger sequence `before`; of one table when given.
    func bets(of userID: String, table: String?, before: Int64?, limit: Int) async throws -> [Bet] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.joinedBetColumns)
                FROM betting_bets b JOIN betting_rounds r ON r.id = b.round_id
                WHERE b.user_id = \(bind: userID) AND b.ledger_seq < \(bind: before ?? Int64.max)
                  AND (\(bind: table) IS NULL OR r.table_name = \(bind: table))
                ORDER BY b.ledger_seq DESC LIMIT \(bind: limit)
                """).all().map(Self.bet)
        }
    }

    /// Rounds still open at their deadline and bets left pending on a closed round (for `reconcile`).
    func halfSettled() async throws -> [String] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT DISTINCT r.id FROM betting_rounds r JOIN betting_bets b ON b.round_id = r.id
                WHERE r.phase IN ('settled', 'voided') AND b.status = 'pending'
                """).all().map { try $0.decode(column: "id", as: String.self) }
        }
    }

    // MARK: - The round's life

    /// Opens round `number` of `table` in `betting`, with a fresh seed, in one transaction
    /// with `then` (which publishes in it).
    /// - Returns: the round, or `nil` when another opened it first (the unique index).
    func open(_ table: String, at now: Int64, then announce: @Sendable (Round, Transaction) async throws -> Void) async throws -> Round? {
        let seed = ProvablyFair.newSeed()
        do {
            return try await database.transaction { sql in
                let last = try await sql.raw("SELECT MAX(number) AS number FROM betting_rounds WHERE table_name = \(bind: table)")
                    .first()?.decode(column: "number", as: Int64?.self) ?? 0
                let round = Round(id: UUID().uuidString.lowercased(), table: table, number: last + 1, phase: "betting",
                                  phaseEndsAt: now + configuration.bettingPhaseMs, serverSeed: ProvablyFair.hex(seed),
                                  commitment: ProvablyFair.commitment(of: seed), result: nil)
                try await sql.raw("""
                    INSERT INTO betting_rounds (id, table_name, number, phase, phase_ends_at, server_seed, commitment, opened_at)
                    VALUES (\(bind: round.id), \(bind: table), \(bind: round.number), 'betting', \(bind: round.phaseEndsAt),
                            \(bind: round.serverSeed), \(bind: round.commitment), \(bind: now))
                    """).run()
                try await announce(round, sql)
                return round
            }
        } catch {
            // another tick or node opened it first: the partial unique index refused this one
            if let open = try await current(table), open.phase == "betting" || open.phase == "locked" { return nil }
            throw error
        }
    }

    /// Locks a round in `betting`: bets are refused from now; `then` publishes in the same
    /// transaction. - Returns: the round after, or `nil` when it was not in `betting`
    /// (someone else moved it).
    func lock(_ roundID: String, then announce: @Sendable (Round, Transaction) async throws -> Void) async throws -> Round? {
        try await database.transaction { sql in
            guard let locked = try await sql.raw("""
                UPDATE betting_rounds SET phase = 'locked', phase_ends_at = phase_ends_at + \(bind: configuration.lockedPhaseMs)
                WHERE id = \(bind: roundID) AND phase = 'betting' RETURNING \(unsafeRaw: Self.roundColumns)
                """).first().map(Self.round)
            else { return nil }
            try await announce(locked, sql)
            return locked
        }
    }

    /// Draws the result of a `locked` round and settles every bet on it, crediting payouts,
    /// in one transaction with `then` (which publishes in it). - Returns: `nil` when the round
    /// was not `locked`.
    func settle(_ roundID: String, at now: Int64, then announce: @Sendable (Outcome, Transaction) async throws -> Void) async throws -> Outcome? {
        try await database.transaction { sql in
            guard let locked = try await Self.load(roundID, on: sql), locked.phase == "locked",
                  let seed = ProvablyFair.bytes(hex: locked.serverSeed)
            else { return nil }
            let result = ProvablyFair.result(seed: seed, roundID: roundID)
            guard let round = try await sql.raw("""
                UPDATE betting_rounds SET phase = 'settled', result = \(bind: result), closed_at = \(bind: now),
                    phase_ends_at = \(bind: max(now, locked.phaseEndsAt) + configuration.settledPhaseMs)
                WHERE id = \(bind: roundID) AND phase = 'locked' RETURNING \(unsafeRaw: Self.roundColumns)
                """).first().map(Self.round)
            else { return nil }
            let outcome = try await close(round, on: sql, at: now) { bet in
                guard let selection = try? BetSelection(type: bet.view.type, selection: bet.view.selection) else { return ("lost", 0) }
                guard selection.wins(result) else { return ("lost", 0) }
                return ("won", configuration.multiplier(for: selection).payout(for: bet.view.amount).minorUnits)
            }
            try await announce(outcome, sql)
            return outcome
        }
    }

    /// Voids an open round and refunds every bet on it, in one transaction with `then`.
    /// - Returns: `nil` when the round was not open.
    func void(_ roundID: String, at now: Int64, then announce: @Sendable (Outcome, Transaction) async throws -> Void) async throws -> Outcome? {
        try await database.transaction { sql in
            guard let round = try await sql.raw("""
                UPDATE betting_rounds SET phase = 'voided', closed_at = \(bind: now), phase_ends_at = \(bind: now)
                WHERE id = \(bind: roundID) AND phase IN ('betting', 'locked') RETURNING \(unsafeRaw: Self.roundColumns)
                """).first().map(Self.round)
            else { return nil }
            let outcome = try await close(round, on: sql, at: now) { bet in ("refunded", bet.view.amount.minorUnits) }
            try await announce(outcome, sql)
            return outcome
        }
    }

    /// Moves every pending bet of `round` to the status `decide` gives it, each guarded by
    /// `status = 'pending'`, and credits its payout.
    private func close(_ round: Round, on sql: Transaction, at now: Int64,
                       decide: (Bet) throws -> (status: String, payout: Int64)) async throws -> Outcome {
        let pending = try await sql.raw("""
            SELECT \(unsafeRaw: Self.betColumns) FROM betting_bets WHERE round_id = \(bind: round.id) AND status = 'pending' ORDER BY ledger_seq
            """).all().map(Self.bet)
        var outcome = Outcome(round: round, bets: [:], balances: [:])
        for var bet in pending {
            let (status, payout) = try decide(bet)
            let moved = try await sql.raw("""
                UPDATE betting_bets SET status = \(bind: status), payout = \(bind: payout), settled_at = \(bind: now)
                WHERE id = \(bind: bet.view.id) AND status = 'pending' RETURNING id
                """).first()
            guard moved != nil else { continue }
            bet.view.status = status
            bet.view.payout = Money(minorUnits: payout)
            if payout > 0 {
                let kind: WalletStore.Kind = status == "refunded" ? .refund : .payout
                let (balance, _) = try await WalletStore.move(bet.userID, kind, amount: payout, reference: bet.view.id, at: now, on: sql)
                outcome.balances[bet.userID] = Money(minorUnits: balance)
            } else if outcome.balances[bet.userID] == nil {
                outcome.balances[bet.userID] = Money(minorUnits: try await WalletStore.balance(of: bet.userID, on: sql))
            }
            outcome.bets[bet.userID, default: []].append(bet.view)
        }
        return outcome
    }
}
