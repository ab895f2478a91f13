public import Configuration
public import HubKernel

/// The presence module's settings, under `modules.presence.*`.
public struct PresenceConfiguration: Sendable {
    /// How long after the last connection closes a user still counts as present.
    public var offlineDebounceMs: Int
    /// Most users one `presence.query` may ask about.
    public var queryMaxUsers: Int

    /// - `offlineDebounceMs` (int, optional, default: 2000): `MODULES_PRESENCE_OFFLINE_DEBOUNCE_MS`.
    /// - `queryMaxUsers` (int, optional, default: 200): `MODULES_PRESENCE_QUERY_MAX_USERS`, 1…1000.
    public init(config: ConfigReader, offlineDebounceMs: Int = 2000, queryMaxUsers: Int = 200) throws {
        self.offlineDebounceMs = config.int(forKey: "offlineDebounceMs", default: offlineDebounceMs)
        self.queryMaxUsers = config.int(forKey: "queryMaxUsers", default: queryMaxUsers)
        guard self.offlineDebounceMs >= 0 else { throw ConfigurationError("MODULES_PRESENCE_OFFLINE_DEBOUNCE_MS must be ≥ 0") }
        guard (1...1000).contains(self.queryMaxUsers) else { throw ConfigurationError("MODULES_PRESENCE_QUERY_MAX_USERS must be 1 to 1000") }
    }
}
