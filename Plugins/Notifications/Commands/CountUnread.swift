import HubKernel

/// `notifications.unreadCount {}` → `{count}`.
struct CountUnread: CommandHandler {
    static let type: CommandType = "notifications.unreadCount"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable {}

    let store: NotificationStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> UnreadCount {
        UnreadCount(count: try await store.unreadCount(of: context.identity.userID))
    }
}
