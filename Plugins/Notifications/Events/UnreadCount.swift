import HubKernel

/// `notifications.unread {count}`: on connect (to that connection) and after reads (to
/// `user:<id>`, so every device shows the same count). Also `notifications.unreadCount`'s reply.
struct UnreadCount: HubEvent {
    typealias Module = NotificationsModule
    static let name = "unread"
    var count: Int
}
