import Foundation
import Synchronization

/// What a module may ask of the running hub beyond publishing: another module's topic rules
/// (presence tracks `chat:<room>` only for those who may read the room) and events to one
/// connection (notifications sends the unread count on connect).
///
/// Handed to modules in ``ModuleSetup`` before the hub exists, and bound to it once built.
public final class HubAccess: Sendable {
    private struct WeakHub: Sendable { weak var hub: Hub? }
    // weak: the hub owns the modules that hold this
    private let reference = Mutex(WeakHub())

    init() {}

    func bind(_ hub: Hub) { reference.withLock { $0.hub = hub } }
    private var hub: Hub? { reference.withLock { $0.hub } }

    /// What `hub.subscribe` would answer for `topic`, under its owning module's rules (the
    /// kernel's for `user:<id>`). - Throws: `feature_disabled` when that module is off.
    public func access(to topic: Topic, for identity: Identity) async throws -> TopicAccess {
        guard let hub else { throw HubError.unavailable("the hub is starting") }
        return try await hub.access(to: topic, for: identity)
    }

    /// Sends an event to one connection (no topic, no `seq`), e.g. from a connect hook.
    ///
    /// From a connect hook or a command on the SQLite default, the event is held with the
    /// rest of that work (``PendingDurability``) and leaves once what it may have read is on
    /// disk; it is not sent if that flush fails.
    /// - Returns: whether it was queued (or held).
    @discardableResult
    public func send<Event: HubEvent>(_ event: Event, toConnection id: String) -> Bool {
        guard let hub, let connection = hub.connection(id: id) else { return false }
        if let pending = PendingDurability.current,
           pending.hold(until: 0, { _ = hub.sendEvent(Event.type.rawValue, event, to: connection) }) {
            return true
        }
        return hub.sendEvent(Event.type.rawValue, event, to: connection)
    }

    /// Whether this node is one of a cluster (state a module keeps in memory is then this
    /// node's only; presence keeps it in the database instead).
    public var isClustered: Bool { hub?.isClustered ?? false }

    /// The names of the nodes whose heartbeat is at most `withinMs` old (this node alone
    /// outside a cluster): what a module reaps a dead node's leftovers by.
    public func liveNodeNames(withinMs: Int64) async throws -> Set<String> {
        guard let hub else { throw HubError.unavailable("the hub is starting") }
        guard let cluster = hub.cluster else { return [hub.node] }
        return try await cluster.nodeNames(seenWithinMs: withinMs)
    }
}
