import HubKernel

/// `notifications.read {ids}` → `{updated, unread}`: marks the caller's notifications read;
/// an id that is not the caller's is `not_found` and nothing changes. Every device hears the
/// new count (`notifications.unread` on `user:<id>`).
struct ReadNotifications: CommandHandler {
    static let type: CommandType = "notifications.read"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var ids: [String]
        func validate() throws(ValidationFailure) {
            guard (1...100).contains(ids.count) else { throw ValidationFailure("ids", "ids must list 1 to 100 notifications") }
            guard ids.allSatisfy({ (1...64).contains($0.count) }) else { throw ValidationFailure("ids", "ids must be notification ids") }
        }
    }
    struct Reply: Encodable, Sendable { var updated: Int; var unread: Int }

    let store: NotificationStore
    let events: EventPublisher<NotificationsModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let (updated, unread) = try await store.markRead(payload.ids, of: context.identity.userID)
        try await events.publish(UnreadCount(count: unread), toUser: context.identity.userID)
        return Reply(updated: updated, unread: unread)
    }
}
