public import HubKernel
import Logging

/// Notifications: persisted per-user notifications with live delivery to every device, unread
/// counts, and the `Notifier` capability other modules use to notify without importing this one.
public struct NotificationsModule: HubModule {
    public static let name: ModuleName = "notifications"

    let store: NotificationStore
    let notifier: StoredNotifier
    let configuration: NotificationsConfiguration
    let hub: HubAccess
    let logger: Logger
    let publisher: EventPublisher<NotificationsModule>

    public init(setup: ModuleSetup) throws {
        configuration = try NotificationsConfiguration(config: setup.config)
        store = NotificationStore(database: setup.database, clock: setup.clock, directory: setup.users)
        publisher = try setup.events(for: NotificationsModule.self)
        notifier = StoredNotifier(store: store, events: publisher, isEnabled: { [setup] in setup.isEnabled })
        hub = setup.hub
        logger = setup.logger
        try setup.provide((any Notifier).self, notifier)
    }

    public var migrations: [any Migration] { [Notifications001CreateItems()] }

    public var events: [any HubEvent.Type] { [NotificationCreated.self, UnreadCount.self] }

    public var rateLimits: [CommandType: RateLimit] {
        [SendNotification.type: RateLimit(configuration.sendPerMinute, per: .seconds(60), scope: .user)]
    }

    public var commands: [any CommandHandler] {
        [
            ListNotifications(store: store), ReadNotifications(store: store, events: publisher), ReadAllNotifications(store: store, events: publisher),
            CountUnread(store: store), SendNotification(store: store, notifier: notifier),
        ]
    }

    /// The unread count, to the new connection only.
    public func connected(_ connection: ConnectionInfo) async {
        do {
            let count = try await store.unreadCountOnConnect(of: connection.identity.userID)
            hub.send(UnreadCount(count: count), toConnection: connection.id)
        } catch {
            // the connection works without it; the client asks notifications.unreadCount later
            logger.warning("could not send the unread count on connect", metadata: [
                "sb.connection.id": .string(connection.id), "error": .string(String(describing: error)),
            ])
        }
    }
}
