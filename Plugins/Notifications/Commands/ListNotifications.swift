import HubKernel

/// `notifications.list {before?, limit?, unreadOnly?}` → `{items, nextCursor}`: the caller's
/// notifications, newest first.
struct ListNotifications: CommandHandler {
    static let type: CommandType = "notifications.list"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var before: String?
        var limit: Int?
        var unreadOnly: Bool?
        func validate() throws(ValidationFailure) {
            if let before, NotificationStore.Cursor(before) == nil {
                throw ValidationFailure("before", "before must be a cursor from nextCursor")
            }
            if let limit, !(1...100).contains(limit) { throw ValidationFailure("limit", "limit must be 1 to 100") }
        }
    }
    typealias Reply = Page<NotificationView>

    let store: NotificationStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let limit = payload.limit ?? 50
        let items = try await store.page(of: context.identity.userID, before: payload.before.flatMap(NotificationStore.Cursor.init),
                                         limit: limit, unreadOnly: payload.unreadOnly ?? false)
        let next = items.count == limit ? items.last.map { NotificationStore.Cursor(createdAt: $0.createdAt, id: $0.id).text } : nil
        return Reply(items: items, nextCursor: next)
    }
}
