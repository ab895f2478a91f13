import HubKernel

/// `betting.place {table, roundId, type, selection, amount, idempotencyKey}` → `{bet, balance}`:
/// a bet on the table's round while it is `betting`. The stake is debited and the bet stored in
/// one transaction; the same idempotencyKey answers the original bet (a different bet under a
/// used key is `conflict`).
struct PlaceBet: CommandHandler {
    static let type: CommandType = "betting.place"
    static let role: Role = .user
    static let rateLimit = RateLimit(5, per: .seconds(1), scope: .user)

    struct Payload: Decodable, Sendable {
        var table: String
        var roundId: String
        var type: String
        var selection: String
        var amount: String
        var idempotencyKey: String
    }
    struct Reply: Encodable, Sendable {
        var bet: BetView
        var balance: Money
    }

    let placement: BetPlacement
    let configuration: BettingConfiguration
    let metrics: ModuleMetrics

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        try configuration.requireTable(payload.table)
        let selection = try BetSelection(type: payload.type, selection: payload.selection)
        let amount = try Money(parsing: payload.amount, field: "amount")
        guard amount >= configuration.minBet, amount <= configuration.maxBet else {
            throw ValidationFailure("amount", "amount must be from \(configuration.minBet) to \(configuration.maxBet)")
        }
        try BettingRules.idempotencyKey(payload.idempotencyKey)
        let request = BetPlacement.Request(table: payload.table, roundID: payload.roundId, selection: selection, amount: amount,
                                           idempotencyKey: payload.idempotencyKey)
        let (bet, balance, placed) = try await placement.place(request, by: context.identity.userID)
        if placed {
            let labels = [("table", payload.table), ("type", selection.type)]
            metrics.increment("bets_placed_total", help: "Bets placed", labels: labels)
            metrics.increment("stakes_minor_units_total", by: amount.minorUnits, help: "Money staked, in cents", labels: labels)
        }
        return Reply(bet: bet, balance: balance)
    }
}
