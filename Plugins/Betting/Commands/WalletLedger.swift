import HubKernel

/// `betting.ledger {before?, limit?}` → `{items, nextCursor}`: every movement of the caller's
/// wallet, newest first, each with the balance after it.
struct WalletLedger: CommandHandler {
    static let type: CommandType = "betting.ledger"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var before: String?
        var limit: Int?
        func validate() throws(ValidationFailure) {
            _ = try BettingRules.cursor(before)
            _ = try BettingRules.limit(limit)
        }
    }
    typealias Reply = Page<LedgerEntryView>

    let wallets: WalletStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let limit = try BettingRules.limit(payload.limit)
        let lines = try await wallets.ledger(of: context.identity.userID, before: try BettingRules.cursor(payload.before), limit: limit)
        return Reply(items: lines.map(\.entry), nextCursor: lines.count == limit ? lines.last.map { String($0.seq) } : nil)
    }
}
