/// Runs work that must happen on one node of a cluster at a time (a round clock, an SLA
/// monitor).
///
/// A service wraps its loop in ``whileLeader(_:_:)``. ``SingleNodeLeadership``, the only
/// implementation today, simply runs the loop. Cluster mode (not built yet) will run it on the
/// one node holding a PostgreSQL lock, cancel it when the lock is lost and start it elsewhere
/// when that node dies; services written against this protocol need no change for it.
/// ```swift
/// func run() async throws {
///     try await leadership.whileLeader("betting.round-clock") { try await tickForever() }
/// }
/// ```
public protocol Leadership: Sendable {
    /// Runs `body` whenever this node leads `name`, until the surrounding task is cancelled.
    func whileLeader(_ name: String, _ body: @escaping @Sendable () async throws -> Void) async throws
}

/// The single-node leadership: this node always leads.
public struct SingleNodeLeadership: Leadership {
    /// The leadership of a hub that runs alone.
    public init() {}
    /// Runs `body` at once: a single node always leads.
    public func whileLeader(_ name: String, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await body()
    }
}
