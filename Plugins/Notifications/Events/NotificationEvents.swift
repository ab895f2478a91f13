/// `notifications.new {notification}` on `user:<id>`: every device of the recipient.
struct NotificationCreated: Encodable, Sendable {
    static let type = "notifications.new"
    var notification: NotificationView
}

/// `notifications.unread {count}`: on connect (to that connection) and after reads (to
/// `user:<id>`, so every device shows the same count).
struct UnreadCount: Encodable, Sendable {
    static let type = "notifications.unread"
    var count: Int
}
