import HubKernel

/// `presence.updated {entry}` on `presence:users`: a user changed state or text. Ephemeral.
struct PresenceUpdated: HubEvent {
    typealias Module = PresenceModule
    static let name = "updated"
    static let isSequenced = false
    var entry: PresenceEntry
}
