public import Logging
public import SQLKit
import SQLiteKit
import PostgresKit
import NIOSSL
import Synchronization

/// The hub's database: one SQL layer (SQLKit) over the embedded SQLite file or PostgreSQL.
///
/// Use ``withConnection(_:)`` for single statements and ``transaction(_:)`` for anything that
/// must commit or fail as a whole. Connectivity failures surface as ``DatabaseUnavailable``
/// (the wire's `unavailable`, safe to retry); constraint violations pass through so the
/// caller can map them (see ``Swift/Error/isUniqueViolation``).
///
/// SQLite uses one connection in WAL mode, serialized by a fair lock; PostgreSQL uses
/// PostgresNIO's pool, which reconnects by itself when the server comes back.
public final class Database: Sendable {
    /// Which engine is behind this database.
    public enum Kind: String, Sendable { case sqlite, postgres }

    /// The engine.
    public let kind: Kind
    /// Where it is (password elided in `description`).
    public let url: DatabaseURL
    private let backend: Backend
    private let logger: Logger
    /// How long a request may wait for a pooled connection before it fails as unavailable
    /// (PostgreSQL; the pool itself would queue it until its circuit breaker trips, ~60 s).
    public let leaseTimeout: Duration
    /// Set when a lease timed out, cleared by the next granted lease: while the database is
    /// known to be down, requests give up quickly instead of each waiting the full timeout.
    private let suspectedDown = Atomic(false)

    private enum Backend: Sendable {
        case sqlite(SQLiteConnection, AsyncLock, SQLiteGroupCommit)
        case postgres(PostgresClient, PostgresConnection.Configuration)
    }

    private init(kind: Kind, url: DatabaseURL, backend: Backend, logger: Logger, leaseTimeout: Duration) {
        self.leaseTimeout = leaseTimeout
        self.kind = kind
        self.url = url
        self.backend = backend
        self.logger = logger
    }

    /// Opens the database named by `url`. For PostgreSQL the pool connects lazily; keep
    /// ``run()`` running for as long as the database is used.
    /// - Parameter searchPath: for PostgreSQL, the schema to use instead of `public` (tests
    ///   isolate themselves in a schema of their own).
    /// - Parameter leaseTimeout: see ``leaseTimeout``.
    /// - Parameter sqliteSynchronous: SQLite's `synchronous` pragma, `full` or `normal`.
    /// - Parameter maxConnections: for PostgreSQL, the pool's size (tests, which run many hubs
    ///   against one server at once, keep it small so they stay under `max_connections`).
    public static func open(_ url: DatabaseURL, logger: Logger, searchPath: String? = nil,
                            leaseTimeout: Duration = .seconds(5), sqliteSynchronous: String = "full",
                            maxConnections: Int = 16) async throws -> Database {
        switch url {
        case .sqliteMemory, .sqliteFile:
            let storage: SQLiteConnection.Storage
            if case .sqliteFile(let path) = url { storage = .file(path: path) } else { storage = .memory }
            let connection = try await SQLiteConnection.open(storage: storage, logger: logger)
            let sql = connection.sql()
            if case .sqliteFile = url { try await sql.raw("PRAGMA journal_mode = WAL").run() }
            try await sql.raw("PRAGMA foreign_keys = ON").run()
            try await sql.raw("PRAGMA busy_timeout = 5000").run()
            // FULL (the default): an acknowledged commit survives power loss, not only a process
            // crash; each commit waits for an fsync. NORMAL (WAL): fsync at checkpoints only.
            let level = sqliteSynchronous.lowercased() == "normal" ? "NORMAL" : "FULL"
            try await sql.raw("PRAGMA synchronous = \(unsafeRaw: level)").run()
            return Database(kind: .sqlite, url: url, backend: .sqlite(connection, AsyncLock(), SQLiteGroupCommit()), logger: logger,
                            leaseTimeout: leaseTimeout)
        case .postgres(let host, let port, let username, let password, let database, let sslMode):
            let tls: PostgresClient.Configuration.TLS
            switch sslMode {
            case "require": tls = .require(.makeClientConfiguration())
            case "prefer": tls = .prefer(.makeClientConfiguration())
            default: tls = .disable
            }
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls
            )
            configuration.options.connectTimeout = .seconds(5)
            configuration.options.maximumConnections = maxConnections
            // a transaction left open by a frozen node (SIGSTOP, a stalled VM) would hold its row
            // locks until it thaws; PostgreSQL ends it instead (ours last milliseconds)
            configuration.options.additionalStartupParameters = [("idle_in_transaction_session_timeout", "15000")]
            if let searchPath { configuration.options.additionalStartupParameters.append(("search_path", searchPath)) }
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            var dedicated = PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: sslMode == "require" ? .require(try .init(configuration: .makeClientConfiguration()))
                    : sslMode == "prefer" ? .prefer(try .init(configuration: .makeClientConfiguration())) : .disable)
            dedicated.options.connectTimeout = .seconds(5)
            if let searchPath { dedicated.options.additionalStartupParameters = [("search_path", searchPath)] }
            return Database(kind: .postgres, url: url, backend: .postgres(client, dedicated), logger: logger, leaseTimeout: leaseTimeout)
        }
    }

    /// Keeps the connection pool alive until the task is cancelled (PostgreSQL); for SQLite it
    /// waits for cancellation and then closes the file.
    public func run() async {
        switch backend {
        case .postgres(let client, _):
            await client.run()
        case .sqlite(let connection, _, _):
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3600))
            }
            // the future-based close: the async one refuses to run in a cancelled task
            try? await connection.close().get()
        }
    }

    /// Closes an SQLite database that was never ``run()`` (one-shot tools); for PostgreSQL,
    /// cancelling ``run()`` closes the pool.
    public func close() async {
        if case .sqlite(let connection, let lock, let group) = backend {
            await lock.withLock {
                await group.commitPending(on: connection.sql())
                try? await connection.close().get()
            }
        }
    }

    /// Runs `body` with a connection of its own; statements run outside any transaction.
    public func withConnection<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            switch backend {
            case .sqlite(let connection, let lock, let group):
                return try await lock.withLock {
                    let sql = connection.sql()
                    await group.commitPending(on: sql)
                    return try await body(sql)
                }
            case .postgres(let client, _):
                let timeout = suspectedDown.load(ordering: .relaxed) ? min(leaseTimeout, .milliseconds(500)) : leaseTimeout
                return try await leased(from: client, timeout: timeout, body)
            }
        } catch {
            throw DatabaseUnavailable.wrapping(error)
        }
    }

    /// Leases a pooled connection, giving up after `timeout` if none is granted.
    private func leased<T: Sendable>(
        from client: PostgresClient, timeout: Duration, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            // the closure runs at most once, inside the child task awaited before returning
            nonisolated(unsafe) let body = body
            let granted = OnceFlag()
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        granted.set()
                        self.suspectedDown.store(false, ordering: .relaxed)
                        return try await body(connection.sql(queryLogLevel: .trace))
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    if !granted.isSet {
                        self.suspectedDown.store(true, ordering: .relaxed)
                        throw DatabaseUnavailable(reason: "no database connection within \(timeout)")
                    }
                    return nil
                }
                while let next = try await group.next() {
                    if let value = next {
                        group.cancelAll()
                        return value
                    }
                }
                throw DatabaseUnavailable(reason: "the database request ended without a result")
            }
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// The ``Transaction`` is an `SQLDatabase` for the body's statements; work attached to it
    /// (events published `in:` it) runs after the commit and before this returns, and never
    /// when the body throws or the commit fails. It returns only once its writes are committed.
    public func transaction<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> T {
        if case .sqlite(let connection, let lock, let group) = backend {
            // concurrent transactions share one commit (SQLiteGroupCommit); each returns
            // only after the commit that holds its writes
            do {
                let (outcome, commit) = try await lock.withLock {
                    try await group.run(on: connection.sql(), othersWaiting: { lock.hasWaiters }) { sql in
                        let transaction = Transaction(sql)
                        let value = try await body(transaction)
                        try await transaction.finish()
                        return (value, transaction)
                    }
                }
                let (value, transaction) = try outcome.get()
                try await commit.committed()
                transaction.committed()
                return value
            } catch {
                throw DatabaseUnavailable.wrapping(error)
            }
        }
        let (value, transaction) = try await withConnection { sql in
            let transaction = Transaction(sql)
            let result = try await ExplicitTransaction.run(on: sql, kind: kind) {
                let result = try await body(transaction)
                try await transaction.finish()
                return result
            }
            return (result, transaction)
        }
        transaction.committed()
        return value
    }

    /// Opens a PostgreSQL connection outside the pool, for what must hold one session
    /// (cluster mode's LISTEN and its node-name lock). `nil` for SQLite. The caller closes it.
    /// - Parameter settings: session settings sent at connect (`idle_session_timeout`, …).
    func dedicatedConnection(logger: Logger, settings: [(String, String)] = []) async throws -> PostgresConnection? {
        guard case .postgres(_, var configuration) = backend else { return nil }
        configuration.options.additionalStartupParameters += settings
        // the connect runs on its own and is only polled: a connect cancelled at the wrong
        // moment is not sure to end, and a service must stop at once on shutdown regardless;
        // a connection that arrives after we gave up is closed
        let outcome = ConnectAttempt()
        let attempt = Task { [configuration] in
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: Int.random(in: 1...Int.max), logger: logger)
                outcome.result.withLock { $0 = .success(connection) }
            } catch {
                outcome.result.withLock { $0 = .failure(error) }
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            if let result = outcome.result.withLock({ $0 }) { return try result.get() }
            if Task.isCancelled || ContinuousClock.now >= deadline {
                attempt.cancel()
                Task {
                    _ = await attempt.value
                    if case .success(let late) = outcome.result.withLock({ $0 }) { try? await late.close() }
                }
                if Task.isCancelled { throw CancellationError() }
                throw DatabaseUnavailable(reason: "no dedicated database connection within 10 s")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// SQLite commits issued so far (tests check that concurrent transactions share them).
    var sqliteCommits: Int {
        if case .sqlite(_, _, let group) = backend { return group.commits }
        return 0
    }

    /// Answers whether the database responds, within `timeout`.
    public func ping(timeout: Duration = .seconds(2)) async -> Bool {
        do {
            switch backend {
            case .sqlite:
                try await withConnection { try await $0.raw("SELECT 1").run() }
            case .postgres(let client, _):
                try await leased(from: client, timeout: timeout) { try await $0.raw("SELECT 1").run() }
            }
            return true
        } catch {
            return false
        }
    }
}

/// Where a dedicated connection attempt leaves its outcome for the caller that polls it.
private final class ConnectAttempt: Sendable {
    let result = Mutex<Result<PostgresConnection, any Error>?>(nil)
}
