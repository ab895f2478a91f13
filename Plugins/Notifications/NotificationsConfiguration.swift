public import Configuration
public import HubKernel

/// The notifications module's settings, under `modules.notifications.*`.
public struct NotificationsConfiguration: Sendable {
    /// `notifications.send` per sender per minute (the burst is the same).
    public var sendPerMinute: Int

    /// - `sendPerMinute` (int, optional, default: 5): `MODULES_NOTIFICATIONS_SEND_PER_MINUTE`, ≥ 1.
    public init(config: ConfigReader, sendPerMinute: Int = 5) throws {
        self.sendPerMinute = config.int(forKey: "sendPerMinute", default: sendPerMinute)
        guard self.sendPerMinute >= 1 else { throw ConfigurationError("MODULES_NOTIFICATIONS_SEND_PER_MINUTE must be ≥ 1") }
    }
}
