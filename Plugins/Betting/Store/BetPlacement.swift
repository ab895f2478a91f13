import Foundation
import HubKernel
import SQLKit

/// Places a bet: the round must be taking bets, the stake is debited and the bet inserted in
/// one transaction, and an idempotency key answers its first bet again.
struct BetPlacement: Sendable {
    /// A bet to place, checked for shape already.
    struct Request: Sendable, Equatable {
        var table: String
        var roundID: String
        var selection: BetSelection
        var amount: Money
        var idempotencyKey: String
    }

    let database: Database
    let clock: any HubClock

    /// - Returns: the bet and the balance after it, and whether it was placed now (`false`
    ///   when the key answered an earlier bet).
    /// - Throws: `conflict` for a round not taking bets, insufficient funds, or a key used
    ///   for a different bet; `not_found` for an unknown round.
    func place(_ request: Request, by userID: String) async throws -> (bet: BetView, balance: Money, placed: Bool) {
        if let earlier = try await earlierBet(request, userID: userID) { return earlier }
        let now = clock.nowMs()
        do {
            return try await database.transaction { sql in
                guard let round = try await RoundStore.load(request.roundID, on: sql),
                      round.table == request.table
                else { throw HubError.notFound("no round '\(request.roundID)' at table '\(request.table)'") }
                guard round.phase == "betting", now < round.phaseEndsAt else {
                    throw HubError.conflict("round \(round.number) is \(round.phase == "betting" ? "closing" : round.phase); bets are taken while it is betting")
                }
                let id = UUID().uuidString.lowercased()
                let (balance, seq) = try await WalletStore.move(userID, .bet, amount: -request.amount.minorUnits, reference: id, at: now, on: sql)
                try await sql.raw("""
                    INSERT INTO betting_bets (id, round_id, user_id, type, selection, amount, status, idempotency_key, ledger_seq, created_at)
                    VALUES (\(bind: id), \(bind: round.id), \(bind: userID), \(bind: request.selection.type), \(bind: request.selection.selection),
                            \(bind: request.amount.minorUnits), 'pending', \(bind: request.idempotencyKey), \(bind: seq), \(bind: now))
                    """).run()
                let bet = BetView(id: id, roundId: round.id, type: request.selection.type, selection: request.selection.selection,
                                  amount: request.amount, status: "pending", payout: nil, createdAt: now)
                return (bet, Money(minorUnits: balance), true)
            }
        } catch let error as HubError {
            throw error
        } catch {
            // two requests with one key at once: UNIQUE (user_id, idempotency_key) let one through
            if let earlier = try await earlierBet(request, userID: userID) { return earlier }
            throw error
        }
    }

    /// The bet placed earlier with this key, if any.
    /// - Throws: `conflict` when that bet differs from `request`.
    private func earlierBet(_ request: Request, userID: String) async throws -> (bet: BetView, balance: Money, placed: Bool)? {
        try await database.withConnection { sql in
            guard let row = try await sql.raw("""
                SELECT \(unsafeRaw: RoundStore.joinedBetColumns),
                       r.table_name
                FROM betting_bets b JOIN betting_rounds r ON r.id = b.round_id
                WHERE b.user_id = \(bind: userID) AND b.idempotency_key = \(bind: request.idempotencyKey)
                """).first()
            else { return nil }
            let bet = try RoundStore.bet(row).view
            guard bet.roundId == request.roundID, try row.decode(column: "table_name", as: String.self) == request.table,
                  bet.type == request.selection.type, bet.selection == request.selection.selection, bet.amount == request.amount
            else {
                throw HubError.conflict("idempotencyKey '\(request.idempotencyKey)' was used for a different bet")
            }
            return (bet, Money(minorUnits: try await WalletStore.balance(of: userID, on: sql)), false)
        }
    }
}
