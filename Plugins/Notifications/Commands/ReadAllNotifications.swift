import HubKernel

/// `notifications.readAll {}` → `{updated, unread: 0}`.
struct ReadAllNotifications: CommandHandler {
    static let type: CommandType = "notifications.readAll"
    static let role: Role = .guest
    static let rateLimit = RateLimit(5, per: .seconds(1), burst: 10, scope: .user)

    struct Payload: Decodable, Sendable {}
    struct Reply: Encodable, Sendable { var updated: Int; var unread: Int }

    let store: NotificationStore
    let events: EventPublisher<NotificationsModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let updated = try await store.markAllRead(of: context.identity.userID)
        try await events.publish(UnreadCount(count: 0), toUser: context.identity.userID)
        return Reply(updated: updated, unread: 0)
    }
}
