import HubKernel

/// `betting.myBets {table?, before?, limit?}` → `{items, nextCursor}`: the caller's bets, newest first.
struct MyBets: CommandHandler {
    static let type: CommandType = "betting.myBets"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var table: String?
        var before: String?
        var limit: Int?
        func validate() throws(ValidationFailure) {
            _ = try BettingRules.cursor(before)
            _ = try BettingRules.limit(limit)
        }
    }
    typealias Reply = Page<BetView>

    let rounds: RoundStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let limit = try BettingRules.limit(payload.limit)
        let bets = try await rounds.bets(of: context.identity.userID, table: payload.table, before: try BettingRules.cursor(payload.before), limit: limit)
        return Reply(items: bets.map(\.view), nextCursor: bets.count == limit ? bets.last.map { String($0.ledgerSeq) } : nil)
    }
}
