public import Logging
public import NIOCore
public import SQLKit
import Synchronization

/// One database transaction in progress: run its statements through it (it is an
/// `SQLDatabase`), and attach events that must be published only if it commits
/// (``EventPublisher/publish(_:on:in:)``).
///
/// ``Database/transaction(_:)`` hands one to its body; the work registered with
/// ``afterCommit(_:)`` runs, in order, after the commit and before `transaction` returns,
/// and is discarded when the body throws or the commit fails.
public final class Transaction: SQLDatabase, Sendable {
    private let base: any SQLDatabase
    private let pending = Mutex<[@Sendable () -> Void]>([])
    private let finishing = Mutex<[(key: String, work: @Sendable (any SQLDatabase) async throws -> Void)]>([])

    init(_ base: any SQLDatabase) { self.base = base }

    /// Runs `work` inside the transaction, just before it commits, after the body's own
    /// statements. Work is ordered by `key` (then by registration): cluster mode numbers
    /// events here, taking each topic's counter row in topic order, so two transactions that
    /// publish on the same topics never wait for each other in a cycle.
    func beforeCommit(key: String, _ work: @escaping @Sendable (any SQLDatabase) async throws -> Void) {
        finishing.withLock { $0.append((key, work)) }
    }

    /// Runs the work registered with ``beforeCommit(key:_:)`` (called by ``Database``).
    func finish() async throws {
        let work = finishing.withLock { finishing in
            defer { finishing = [] }
            return finishing.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element.work)
        }
        for item in work { try await item(base) }
    }

    /// Runs `work` once this transaction has committed (never if it rolls back).
    public func afterCommit(_ work: @escaping @Sendable () -> Void) {
        pending.withLock { $0.append(work) }
    }

    /// Runs the work registered for after the commit (called by ``Database``).
    func committed() {
        let work = pending.withLock { pending -> [@Sendable () -> Void] in
            defer { pending = [] }
            return pending
        }
        for item in work { item() }
    }

    public var logger: Logger { base.logger }
    public var eventLoop: any EventLoop { base.eventLoop }
    public var version: (any SQLDatabaseReportedVersion)? { base.version }
    public var dialect: any SQLDialect { base.dialect }
    public var queryLogLevel: Logger.Level? { base.queryLogLevel }

    public func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    public func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await base.execute(sql: query, onRow)
    }

    public func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.withSession(closure)
    }
}
