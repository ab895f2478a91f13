/// The state a user chose: `online`, `away` or `busy` (shown while connected).
enum PresenceState: String, Codable, Sendable, CaseIterable {
    case online, away, busy
}

/// One user's presence as clients see it.
public struct PresenceEntry: Codable, Sendable, Equatable {
    public var userId: String
    /// Whether at least one connection is open (after the leave debounce).
    public var online: Bool
    public var state: String
    public var text: String?
    /// When the user was last connected; now while online.
    public var lastSeen: Int64
    /// Open connections on this node.
    public var connections: Int
}
