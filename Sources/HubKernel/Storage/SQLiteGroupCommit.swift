import SQLKit
import Synchronization

/// Lets concurrent SQLite transactions share one commit, and so one fsync.
///
/// It exists because the embedded default commits with `synchronous = FULL`: every commit
/// waits for the disk (~2 ms here), and with one connection every writer queues behind the
/// last one's fsync. Here a transaction that finds another waiting for the connection leaves
/// the database transaction open; the next one runs inside it under a savepoint of its own,
/// and whichever finds nobody waiting (or the group full) commits for all. Each caller still
/// returns only after the commit that contains its writes, so an acknowledgement still means
/// "on disk"; a failing body rolls back to its own savepoint and leaves the others alone; a
/// failed commit fails every member. Statements outside transactions first commit the open
/// group, so they never read or write inside someone else's uncommitted work.
///
/// All state is touched only by the holder of the connection's ``AsyncLock``.
final class SQLiteGroupCommit: @unchecked Sendable {
    /// Transactions in one commit, at most: bounds how long the first waits for the fsync.
    static let maxMembers = 64

    private var open: CommitGroup?
    private var members = 0
    /// Commits issued (tests read it to see that transactions shared them).
    private(set) var commits = 0

    /// Runs `body` as a transaction; call with the connection's lock held. Answers the body's
    /// outcome and the group to wait for before reporting success.
    func run<T>(
        on sql: any SQLDatabase, othersWaiting: () -> Bool, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> (Result<T, any Error>, CommitGroup) {
        let group: CommitGroup
        let outcome: Result<T, any Error>
        if let open {
            group = open
            members += 1
            outcome = try await runAsMember(number: members, on: sql, body)
        } else {
            // the first runs without a savepoint: alone in the transaction, a failure rolls
            // back only its own work (and a transaction nobody joins costs nothing extra)
            try await sql.raw("BEGIN IMMEDIATE").run()
            group = CommitGroup()
            members = 1
            do {
                let value = try await body(sql)
                outcome = .success(value)
                open = group
            } catch {
                try? await sql.raw("ROLLBACK").run()
                group.finish(.failure(error))
                return (.failure(error), group)
            }
        }
        if self.open === group, members >= Self.maxMembers || !othersWaiting() {
            await commit(on: sql)
        }
        return (outcome, group)
    }

    /// Runs a later member of the open group under a savepoint of its own.
    private func runAsMember<T>(number: Int, on sql: any SQLDatabase, _ body: (any SQLDatabase) async throws -> T) async throws -> Result<T, any Error> {
        let savepoint = "sb_member_\(number)"
        do {
            try await sql.raw("SAVEPOINT \(unsafeRaw: savepoint)").run()
        } catch {
            await rollBack(on: sql, because: error)
            throw error
        }
        do {
            let value = try await body(sql)
            try await sql.raw("RELEASE \(unsafeRaw: savepoint)").run()
            return .success(value)
        } catch {
            do {
                try await sql.raw("ROLLBACK TO \(unsafeRaw: savepoint)").run()
                try await sql.raw("RELEASE \(unsafeRaw: savepoint)").run()
            } catch let rollbackError {
                await rollBack(on: sql, because: rollbackError)
            }
            return .failure(error)
        }
    }

    /// Commits the open group, if any; call with the lock held before statements that run
    /// outside a transaction.
    func commitPending(on sql: any SQLDatabase) async {
        await commit(on: sql)
    }

    private func commit(on sql: any SQLDatabase) async {
        guard let group = open else { return }
        open = nil
        commits += 1
        do {
            try await sql.raw("COMMIT").run()
            group.finish(.success(()))
        } catch {
            try? await sql.raw("ROLLBACK").run()
            group.finish(.failure(error))
        }
    }

    /// Abandons the whole open group (a savepoint could not be set or undone).
    private func rollBack(on sql: any SQLDatabase, because error: any Error) async {
        guard let group = open else { return }
        open = nil
        try? await sql.raw("ROLLBACK").run()
        group.finish(.failure(error))
    }
}

/// One shared commit: every member waits for its outcome.
final class CommitGroup: Sendable {
    private struct State {
        var outcome: Result<Void, any Error>?
        var waiters: [CheckedContinuation<Void, any Error>] = []
    }

    private let state = Mutex(State())

    func finish(_ outcome: Result<Void, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.outcome = outcome
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: outcome) }
    }

    /// Returns once the group committed; throws what the commit failed with.
    func committed() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { state -> Result<Void, any Error>? in
                if let outcome = state.outcome { return outcome }
                state.waiters.append(continuation)
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}
