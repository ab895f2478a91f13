import HubKernel

/// `notifications.new {notification}` on `user:<id>`: every device of the recipient.
struct NotificationCreated: HubEvent {
    typealias Module = NotificationsModule
    static let name = "new"
    var notification: NotificationView
}
