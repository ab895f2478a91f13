import Foundation
public import HubKernel
public import Logging
import SQLKit
import Synchronization

/// A fresh database for one test: in-memory SQLite, or — when the environment variable
/// `SWITCHBOARD_TEST_DATABASE_URL` names a PostgreSQL server — a schema of its own there,
/// dropped afterwards. CI runs the suite once each way.
///
/// A `SWITCHBOARD_TEST_DATABASE_URL` that is set but does not parse as a PostgreSQL URL stops
/// the test with an error: a typo must not turn the PostgreSQL run into a second SQLite run
/// that passes.
public enum TestDatabase {
    /// The PostgreSQL URL tests should use, or `nil` to use SQLite.
    /// - Throws: ``ConfigurationError`` when the variable is set to anything but a PostgreSQL URL.
    public static func postgresURL() throws -> DatabaseURL? {
        guard let text = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_DATABASE_URL"], !text.isEmpty else { return nil }
        let url = try DatabaseURL(parsing: text)
        guard case .postgres = url else {
            throw ConfigurationError("SWITCHBOARD_TEST_DATABASE_URL must be a postgres:// URL, not '\(url)'")
        }
        return url
    }

    /// Which engine the tests run on: what a test that depends on it (query plans) branches on.
    public static func kind() throws -> Database.Kind { try postgresURL() == nil ? .sqlite : .postgres }

    /// Runs `body` with a fresh, empty database (kept running for the duration).
    public static func with<T: Sendable>(
        logger: Logger = TestHub.quietLogger,
        _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        if try postgresURL() != nil {
            return try await withRestartable(logger: logger) { store in try await store.open(logger: logger, body) }
        }
        let database = try await Database.open(.sqliteMemory, logger: logger)
        return try await running(database) { try await body(database) }
    }

    /// Runs `body` with a database that outlives the hubs opened on it, to test restarts on
    /// whichever engine the suite runs on: an SQLite file, or a PostgreSQL schema. Both are
    /// removed when `body` returns; a failure to remove them fails the test.
    public static func withRestartable<T: Sendable>(
        logger: Logger = TestHub.quietLogger,
        _ body: @Sendable (RestartableDatabase) async throws -> T
    ) async throws -> T {
        if let url = try postgresURL() {
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            // tests run many hubs at once on two cores: a lease may queue for a while without an
            // outage; the schema's admin needs one connection, and small pools keep hundreds of
            // concurrent tests under the server's max_connections
            let admin = try await Database.open(url, logger: logger, leaseTimeout: .seconds(30), maxConnections: 1)
            return try await running(admin) {
                try await admin.withConnection { try await $0.raw("CREATE SCHEMA \(unsafeRaw: String(schema))").run() }
                let result: Result<T, any Error>
                do {
                    result = .success(try await body(RestartableDatabase(location: .postgres(url, schema: String(schema)))))
                } catch {
                    result = .failure(error)
                }
                // a schema left behind would pile up across runs: failing to drop it is an error
                try await admin.withConnection { try await $0.raw("DROP SCHEMA \(unsafeRaw: String(schema)) CASCADE").run() }
                return try result.get()
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-test-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        return try await body(RestartableDatabase(location: .sqliteFile(path)))
    }

    /// How long a test waits, after `body`, for its database to stop. PostgresNIO's
    /// `PostgresClient.run()` does not always return when cancelled (one CI run hung for 20
    /// minutes with every test done but two, each waiting for its pool after its schema was
    /// dropped, no connection left); `serve` bounds the same wait (`databaseCloseLimit`).
    static let stopLimit = Duration.seconds(10)

    /// Keeps `database` running while `body` runs, then stops it, waiting at most
    /// ``stopLimit``: what a test asserts is done by then, and a pool that will not stop is
    /// left behind rather than holding up the suite.
    static func running<T: Sendable>(_ database: Database, _ body: @Sendable () async throws -> T) async throws -> T {
        let runner = Task { await database.run() }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        runner.cancel()
        await firstOf(runner, orAfter: stopLimit)
        return try result.get()
    }

    /// Returns when `task` has finished or `limit` has passed, whichever comes first (awaiting a
    /// task's value cannot be cancelled, so the wait is a continuation resumed once).
    static func firstOf(_ task: Task<Void, Never>, orAfter limit: Duration) async {
        final class Resumed: Sendable { let flag = Atomic(false) }
        let resumed = Resumed()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeOnce: @Sendable () -> Void = {
                if resumed.flag.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
                    continuation.resume()
                }
            }
            let timer = Task { try? await Task.sleep(for: limit); resumeOnce() }
            Task { await task.value; timer.cancel(); resumeOnce() }
        }
    }
}

/// A test database that several hubs open one after the other, as a server is restarted:
/// pass it to ``TestHub/run(modules:_:environment:database:clock:bus:node:configure:_:)``.
public struct RestartableDatabase: Sendable {
    /// Where the data lives between openings.
    public enum Location: Sendable {
        /// An SQLite file (with its WAL).
        case sqliteFile(String)
        /// A schema of its own on a PostgreSQL server.
        case postgres(DatabaseURL, schema: String)
    }

    /// Where the data lives between openings.
    public let location: Location

    /// Opens the database, runs `body`, and closes it again (a restart's "stop").
    public func open<T: Sendable>(logger: Logger = TestHub.quietLogger, _ body: @Sendable (Database) async throws -> T) async throws -> T {
        let database: Database
        switch location {
        case .sqliteFile(let path):
            database = try await Database.open(.sqliteFile(path: path), logger: logger)
        case .postgres(let url, let schema):
            database = try await Database.open(url, logger: logger, searchPath: schema, leaseTimeout: .seconds(30), maxConnections: 4)
        }
        return try await TestDatabase.running(database) { try await body(database) }
    }
}
