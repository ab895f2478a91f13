import Logging
public import SQLKit
import Synchronization

/// Transactions: one caller's (``transaction(_:)``) and one shared by a batch of callers
/// (``sharedTransaction(_:)``), on either engine.
extension Database {
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// The ``Transaction`` is an `SQLDatabase` for the body's statements; work attached to it
    /// (events published `in:` it) runs after the commit and before this returns, and never
    /// when the body throws or the commit fails. It returns only once its writes are committed.
    public func transaction<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> T {
        if case .sqlite(let handle, let lock, let durability) = backend {
            do {
                let (value, transaction, written) = try await lock.withLock {
                    try await committedLocally(body, handle: handle, durability: durability)
                }
                // within a command, its reply and the events published on commit wait for the
                // flush while the connection's next command runs (PendingDurability); the flush
                // is shared with every commit made meanwhile
                if durability != nil, PendingDurability.current?.hold(until: written, { transaction.committed() }) == true {
                    return value
                }
                try await durability?.waitUntilDurable(written)
                transaction.committed()
                return value
            } catch {
                throw DatabaseUnavailable.wrapping(error)
            }
        }
        let (value, transaction) = try await committedRemotely(body)
        transaction.committed()
        return value
    }

    /// Runs `body` in one transaction for several callers at once — a batch of their commands'
    /// writes (``DatabaseBatcher``) — and returns once it is committed, without waiting for the
    /// flush: each caller hands the ``SharedCommit`` to its own command
    /// (``SharedCommit/adopt()``), whose reply then waits for the flush as after a transaction of
    /// its own. Its events go out once it is on disk (on PostgreSQL, before this returns).
    /// Rolled back when `body` throws.
    public func sharedTransaction<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> (value: T, commit: SharedCommit) {
        if case .sqlite(let handle, let lock, let durability) = backend {
            let (value, commit): (T, SharedCommit)
            do {
                (value, commit) = try await lock.withLock {
                    let (value, transaction, written) = try await committedLocally(body, handle: handle, durability: durability)
                    // made while the connection is held: shared commits are ordered as committed
                    let commit = sharedCommitOrder.withLock { latest in
                        let commit = SharedCommit(target: written, database: self, previous: latest) { transaction.committed() }
                        latest = commit
                        return commit
                    }
                    return (value, commit)
                }
            } catch {
                throw DatabaseUnavailable.wrapping(error)
            }
            // the events go out once on disk even if no caller adopts the commit (all of them
            // gone meanwhile); never after a failed flush
            whenDurable(commit.target) { failure in if failure == nil { commit.deliver() } }
            return (value, commit)
        }
        // PostgreSQL: committed means on disk, and the pool's connections commit in no order of
        // ours: nothing to wait for and nothing to order after
        let (value, transaction) = try await committedRemotely(body)
        let commit = SharedCommit(target: 0, database: self, previous: nil) { transaction.committed() }
        commit.deliver()
        return (value, commit)
    }

    /// SQLite, holding the connection: `body` between `BEGIN IMMEDIATE` and `COMMIT`, its
    /// before-commit work included. - Returns: its value, the transaction (for its after-commit
    /// work) and the commit to wait for.
    private func committedLocally<T: Sendable>(_ body: (Transaction) async throws -> T, handle: SQLiteHandle,
                                               durability: SQLiteDurability?) async throws -> (T, Transaction, UInt64) {
        handle.beginTurn()
        try handle.execute("BEGIN IMMEDIATE")
        do {
            let transaction = Transaction(session(handle))
            let value = try await body(transaction)
            try await transaction.finish()
            try handle.execute("COMMIT")
            durability?.checkpointIfOverdue(on: handle)
            return (value, transaction, durability?.commits.load(ordering: .acquiring) ?? 0)
        } catch {
            // some errors end the transaction themselves
            if handle.inTransaction { try? handle.execute("ROLLBACK") }
            throw error
        }
    }

    /// PostgreSQL: `body` in an explicit transaction on a pooled connection, committed.
    private func committedRemotely<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> (T, Transaction) {
        try await withConnection { sql in
            let transaction = Transaction(sql)
            let result = try await ExplicitTransaction.run(on: sql, kind: kind) {
                let result = try await body(transaction)
                try await transaction.finish()
                return result
            }
            return (result, transaction)
        }
    }

    /// SQLKit's view of the SQLite connection, for the holder of its lock.
    func session(_ handle: SQLiteHandle) -> SQLiteSession {
        SQLiteSession(handle: handle, logger: logger, queryLogLevel: .trace)
    }
}
