public import Logging
public import SQLKit
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
/// SQLite uses one connection in WAL mode (``SQLiteHandle``), serialized by a fair lock, whose
/// statements run in the calling task; durability is ``SQLiteDurability``'s pipelined flush.
/// PostgreSQL uses PostgresNIO's pool, which reconnects by itself when the server comes back.
public final class Database: Sendable {
    /// Which engine is behind this database.
    public enum Kind: String, Sendable { case sqlite, postgres }

    /// The engine.
    public let kind: Kind
    /// Where it is (password elided in `description`).
    public let url: DatabaseURL
    let backend: Backend
    let logger: Logger
    /// How long a request may wait for a pooled connection before it fails as unavailable
    /// (PostgreSQL; the pool itself would queue it until its circuit breaker trips, ~60 s).
    public let leaseTimeout: Duration
    /// Set when a lease timed out, cleared by the next granted lease: while the database is
    /// known to be down, requests give up quickly instead of each waiting the full timeout.
    private let suspectedDown = Atomic(false)
    /// The latest ``SharedCommit``, whose events go out after every earlier one's; held while
    /// shared commits deliver, so that their deliveries never interleave.
    let sharedCommitOrder = Mutex<SharedCommit?>(nil)

    enum Backend: Sendable {
        /// The connection, the lock that serializes its use, and the syncer (nil when nobody
        /// waits for the disk: in memory, or `synchronous = normal`).
        case sqlite(SQLiteHandle, AsyncLock, SQLiteDurability?)
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
    /// - Parameter sqliteCheckpointPages: WAL pages before a checkpoint (``SQLiteDurability``;
    ///   tests use fewer).
    public static func open(_ url: DatabaseURL, logger: Logger, searchPath: String? = nil,
                            leaseTimeout: Duration = .seconds(5), sqliteSynchronous: String = "full",
                            maxConnections: Int = 16, sqliteCheckpointPages: Int = 1000) async throws -> Database {
        switch url {
        case .sqliteMemory, .sqliteFile:
            var path = ":memory:"
            if case .sqliteFile(let file) = url { path = file }
            let handle = try SQLiteHandle(path: path)
            do {
                if case .sqliteFile = url { try handle.execute("PRAGMA journal_mode = WAL") }
                try handle.execute("PRAGMA foreign_keys = ON")
                // a one-shot command (`switchboard user create`) beside the server may hold the write lock briefly
                handle.setBusyTimeout(milliseconds: 5000)
                // commits never wait for the disk here; with `full` (the default) a caller
                // waits for the syncer's flush instead, so an acknowledged commit survives
                // power loss as with SQLite's FULL, and many commits share one flush
                try handle.execute("PRAGMA synchronous = NORMAL")
            } catch {
                handle.close()
                throw error
            }
            var durability: SQLiteDurability?
            if case .sqliteFile(let file) = url, sqliteSynchronous.lowercased() != "normal" {
                durability = SQLiteDurability(handle: handle, databasePath: file, checkpointPages: sqliteCheckpointPages)
            }
            return Database(kind: .sqlite, url: url, backend: .sqlite(handle, AsyncLock(), durability), logger: logger,
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
        case .sqlite:
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3600))
            }
            await close()
        }
    }

    /// Closes an SQLite database that was never ``run()`` (one-shot tools); for PostgreSQL,
    /// cancelling ``run()`` closes the pool.
    public func close() async {
        if case .sqlite(let handle, let lock, let durability) = backend {
            await lock.withLock {
                await durability?.close()
                handle.close()
            }
        }
    }

    /// Runs `body` with a connection of its own; statements run outside any transaction.
    public func withConnection<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            switch backend {
            case .sqlite(let handle, let lock, let durability):
                let (value, written) = try await lock.withLock {
                    handle.beginTurn()
                    let value = try await body(session(handle))
                    durability?.checkpointIfOverdue(on: handle)
                    return (value, durability?.commits.load(ordering: .acquiring) ?? 0)
                }
                // what it wrote, or read of others' commits, is on disk before anyone hears of
                // it: a command's reply waits for that (PendingDurability), anyone else here
                if durability != nil, PendingDurability.current?.hold(until: written) == true { return value }
                try await durability?.waitUntilDurable(written)
                return value
            case .postgres(let client, _):
                let timeout = suspectedDown.load(ordering: .relaxed) ? min(leaseTimeout, .milliseconds(500)) : leaseTimeout
                return try await leased(from: client, timeout: timeout, body)
            }
        } catch {
            throw DatabaseUnavailable.wrapping(error)
        }
    }

    /// Runs `statement` on its own (autocommit), prepared once per pooled connection
    /// (PostgreSQL only: SQLite's statements are compiled once and kept already).
    /// - Returns: its rows.
    /// - Throws: ``DatabaseUnavailable`` when the database is; constraint violations as they
    ///   come (``Swift/Error/isUniqueViolation``); `internal` on SQLite.
    public func runPrepared<Statement: PreparedStatement>(_ statement: Statement) async throws -> [any SQLRow] {
        guard case .postgres(let client, _) = backend else {
            logger.error("runPrepared is for PostgreSQL", metadata: ["statement": .string(String(reflecting: Statement.self))])
            throw HubError.internal(incident: String(UInt32.random(in: .min ... .max), radix: 16))
        }
        do {
            let timeout = suspectedDown.load(ordering: .relaxed) ? min(leaseTimeout, .milliseconds(500)) : leaseTimeout
            return try await leasedConnection(from: client, timeout: timeout) { connection in
                var rows: [any SQLRow] = []
                for try await row in try await connection.execute(PostgresPrepared<Statement>(values: statement.values), logger: logger) {
                    rows.append(row.sql())
                }
                return rows
            }
        } catch {
            throw DatabaseUnavailable.wrapping(error)
        }
    }

    /// Leases a pooled connection, giving up after `timeout` if none is granted.
    private func leased<T: Sendable>(
        from client: PostgresClient, timeout: Duration, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await leasedConnection(from: client, timeout: timeout) { try await body($0.sql(queryLogLevel: .trace)) }
    }

    /// ``leased(from:timeout:_:)`` with the driver's connection.
    private func leasedConnection<T: Sendable>(
        from client: PostgresClient, timeout: Duration, _ body: (PostgresConnection) async throws -> T
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
                        return try await body(connection)
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

    /// Answers whether the database responds, within `timeout` (PostgreSQL); on SQLite,
    /// whether a write commits.
    public func ping(timeout: Duration = .seconds(2)) async -> Bool {
        do {
            switch backend {
            case .sqlite:
                // a read proves little here: a full disk or a file turned read-only still reads;
                // commit (and flush) a write nobody reads — the header's user_version — so that
                // readiness fails exactly while writes do
                try await transaction { try await $0.raw("PRAGMA user_version = \(unsafeRaw: String(Int32.random(in: 1...Int32.max)))").run() }
            case .postgres(let client, _):
                try await leased(from: client, timeout: timeout) { try await $0.raw("SELECT 1").run() }
            }
            return true
        } catch {
            return false
        }
    }
}
