/// `presence.diff {topic, joins, leaves}` on `presence:<topic>` (and on `presence:users` for
/// online status): user ids that arrived and left. Unsequenced, not kept in history.
struct PresenceDiff: Encodable, Sendable {
    static let type = "presence.diff"
    var topic: String
    var joins: [String]
    var leaves: [String]
}

/// `presence.updated {entry}` on `presence:users`: a user changed state or text.
struct PresenceUpdated: Encodable, Sendable {
    static let type = "presence.updated"
    var entry: PresenceEntry
}
