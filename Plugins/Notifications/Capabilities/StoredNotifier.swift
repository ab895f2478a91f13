import HubKernel

/// The `Notifier` this module offers other modules: validates, stores one notification per
/// recipient, then delivers each to `user:<id>`. While the module is switched off it stores
/// nothing and says so (`skipped`).
struct StoredNotifier: Notifier {
    let store: NotificationStore
    let events: EventPublisher<NotificationsModule>
    let isEnabled: @Sendable () -> Bool

    func notify(_ notification: OutgoingNotification) async throws -> NotifyOutcome {
        guard isEnabled() else { return .skipped(reason: "notifications are switched off") }
        let recipients = Array(Set(notification.userIDs)).sorted()
        guard !recipients.isEmpty else { return .skipped(reason: "no recipients") }
        var clean = notification
        clean.title = try NotificationRules.title(notification.title)
        clean.body = try NotificationRules.body(notification.body)
        clean.link = try NotificationRules.link(notification.link)
        let stored = try await store.insert(clean, to: recipients)
        // stored first: a device never hears of a notification that a reload would not show
        for (userID, view) in stored {
            try await events.publish(NotificationCreated(notification: view), toUser: userID)
        }
        return .stored(ids: stored.map(\.1.id))
    }
}
