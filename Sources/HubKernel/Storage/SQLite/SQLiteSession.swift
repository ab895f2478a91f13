import Logging
import NIOCore
import NIOPosix
import SQLKit

/// SQLKit's view of the ``SQLiteHandle``: every module's queries (builders and raw SQL) run
/// through it unchanged (``SQLiteDialectRules``, ``SQLiteValue``).
///
/// A statement runs synchronously in the calling task — the caller holds the database's lock,
/// and with `synchronous = NORMAL` a statement never waits for the disk.
struct SQLiteSession: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger
    let queryLogLevel: Logger.Level?

    /// SQLKit asks for one; nothing here runs on it (futures are returned already completed).
    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialectRules() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try run(query, onRow)
        // statements run on the caller's (cooperative) thread and never suspend: a long body
        // of them would keep the thread from everything else, so it yields now and then
        if handle.runningSince(yieldEvery: .milliseconds(2)) { await Task.yield() }
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> ()) throws {
        let (sql, binds) = serialize(query)
        if let queryLogLevel {
            logger.log(level: queryLogLevel, "Executing query", metadata: ["sql": .string(sql)])
        }
        try handle.execute(sql, binds.map { try SQLiteValue.encoding($0) }, onRow: { onRow($0) })
    }
}
