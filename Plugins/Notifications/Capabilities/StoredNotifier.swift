import HubKernel

/// The `Notifier` this module offers other modules: validates, stores one notification per
/// recipient and delivers each to `user:<id>` once stored. While the module is switched off it
/// stores nothing and says so (`skipped`).
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
        // published in the storing transaction: a device never hears of a notification that a
        // reload would not show, and the sender's next command need not wait for the flush
        let stored = try await store.insert(clean, to: recipients) { [events] userID, view, transaction in
            try await events.publish(NotificationCreated(notification: view), toUser: userID, in: transaction)
        }
        return .stored(ids: stored.map(\.1.id))
    }
}
