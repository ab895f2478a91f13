import Foundation
import HubKernel

/// `betting.adjust {username, amount, reason}` (admin) → `{balance, entryId}`: credits a
/// positive amount or debits a negative one (`"-5.00"`), with a required reason, as an
/// `adjustment` line of the ledger that names the admin. A debit below zero is `conflict`.
struct AdjustWallet: CommandHandler {
    static let type: CommandType = "betting.adjust"
    static let role: Role = .admin
    static let rateLimit = RateLimit(30, per: .seconds(60), burst: 10, scope: .user)

    struct Payload: Decodable, Sendable {
        var username: String
        var amount: String
        var reason: String
    }
    struct Reply: Encodable, Sendable {
        var balance: Money
        var entryId: String
    }

    let wallets: WalletStore
    let users: any UserDirectory
    let events: EventPublisher<BettingModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let negative = payload.amount.hasPrefix("-")
        let magnitude = try Money(parsing: negative ? String(payload.amount.dropFirst()) : payload.amount, field: "amount")
        guard magnitude.minorUnits > 0 else { throw ValidationFailure("amount", "amount must not be zero") }
        let reason = payload.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (3...500).contains(reason.unicodeScalars.count), !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationFailure("reason", "reason must be 3 to 500 characters without control characters")
        }
        guard let user = try await users.user(username: payload.username.lowercased()) else {
            throw HubError.notFound("no user '\(payload.username)'")
        }
        let (balance, entry) = try await wallets.adjust(userID: user.id, amount: Money(minorUnits: negative ? -magnitude.minorUnits : magnitude.minorUnits),
                                                        reason: reason, actor: context.identity.userID)
        try await events.publish(WalletChanged(balance: balance, kind: "adjustment"), toUser: user.id)
        return Reply(balance: balance, entryId: entry)
    }
}
