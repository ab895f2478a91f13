/// Runs work that must happen on one node of a cluster at a time (a round clock, an SLA
/// monitor).
///
/// A service wraps its loop in ``whileLeader(_:_:)``. On a single node the loop simply runs;
/// in a cluster an implementation backed by a PostgreSQL advisory lock runs it on the node
/// holding the lock, cancels it if the lock is lost, and starts it elsewhere when that node dies.
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
    public init() {}
    public func whileLeader(_ name: String, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await body()
    }
}
