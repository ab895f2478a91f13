import Synchronization

/// Lets a module ask whether an identity may subscribe to a topic another module owns (presence
/// tracks `chat:<room>` only for those who may read the room), with the owner's own rules.
///
/// Handed to modules in ``ModuleSetup`` before the hub exists, and bound to it once built.
public final class TopicAccess: Sendable {
    private struct WeakHub: Sendable { weak var hub: Hub? }
    // weak: the hub owns the modules that hold this
    private let reference = Mutex(WeakHub())

    init() {}

    func bind(_ hub: Hub) { reference.withLock { $0.hub = hub } }
    private var hub: Hub? { reference.withLock { $0.hub } }

    /// Throws like `hub.subscribe` would: `not_found` (no owner), `feature_disabled`, `forbidden`.
    public func authorize(_ topic: Topic, for identity: Identity) async throws {
        guard let hub else { throw HubError.unavailable("the hub is starting") }
        try await hub.authorizeSubscription(topic, for: identity)
    }

    /// How many connections of `userID` are open on this node.
    public func connectionCount(of userID: String) -> Int {
        hub?.openConnections.filter { $0.identity.userID == userID }.count ?? 0
    }
}
