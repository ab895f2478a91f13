import Synchronization

/// Runs work that must happen on one node of a cluster at a time (a round clock, an SLA
/// monitor).
///
/// A service wraps its loop in ``whileLeader(_:_:)``. ``SingleNodeLeadership`` simply runs
/// the loop. In cluster mode the loop runs on the one node holding the job's PostgreSQL
/// advisory lock, is cancelled when that node can no longer count on the lock, and starts
/// elsewhere when it dies (`ClusterLeadership`). Every side effect of a job must be a
/// compare-and-set on row state, so a step a deposed leader finishes late changes nothing.
/// ```swift
/// func run() async throws {
///     try await leadership.whileLeader("betting.clock") { try await tickForever() }
/// }
/// ```
public protocol Leadership: Sendable {
    /// Runs `body` whenever this node leads `name`, until the surrounding task is cancelled.
    func whileLeader(_ name: String, _ body: @escaping @Sendable () async throws -> Void) async throws
    /// The jobs this node leads now (shown in `GET /admin/cluster` as `leaderOf`).
    var ledJobs: [String] { get }
}

/// The single-node leadership: this node always leads.
public final class SingleNodeLeadership: Leadership {
    private let running = Mutex<[String: Int]>([:])
    /// The leadership of a hub that runs alone.
    public init() {}
    /// Runs `body` at once: a single node always leads.
    public func whileLeader(_ name: String, _ body: @escaping @Sendable () async throws -> Void) async throws {
        running.withLock { $0[name, default: 0] += 1 }
        defer {
            running.withLock { running in
                running[name, default: 1] -= 1
                if running[name] == 0 { running[name] = nil }
            }
        }
        try await body()
    }
    /// The jobs running now, by name.
    public var ledJobs: [String] { running.withLock { $0.keys.sorted() } }
}
