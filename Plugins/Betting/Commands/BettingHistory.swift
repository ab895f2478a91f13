import HubKernel

/// `betting.history {table, before?, limit?}` → `{items, nextCursor}`: the table's settled and
/// voided rounds, newest first, each with its result and revealed seed, for anyone to verify.
struct BettingHistory: CommandHandler {
    static let type: CommandType = "betting.history"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var table: String
        var before: String?
        var limit: Int?
        func validate() throws(ValidationFailure) {
            _ = try BettingRules.cursor(before)
            _ = try BettingRules.limit(limit)
        }
    }
    typealias Reply = Page<RoundView>

    let rounds: RoundStore
    let configuration: BettingConfiguration

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        try configuration.requireTable(payload.table)
        let limit = try BettingRules.limit(payload.limit)
        let items = try await rounds.history(payload.table, before: try BettingRules.cursor(payload.before), limit: limit)
        return Reply(items: items.map(\.view), nextCursor: items.count == limit ? items.last.map { String($0.number) } : nil)
    }
}
