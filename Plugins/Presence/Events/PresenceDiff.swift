import HubKernel

/// `presence.diff {topic, joins, leaves}` on `presence:<topic>` (and on `presence:users` for
/// online status): user ids that arrived and left. Ephemeral: no `seq`, not kept in history.
struct PresenceDiff: HubEvent {
    typealias Module = PresenceModule
    static let name = "diff"
    static let isSequenced = false
    var topic: String
    var joins: [String]
    var leaves: [String]
}
