import Foundation
public import HubKernel
public import Logging
import SQLKit

/// A fresh database for one test: in-memory SQLite, or — when the environment variable
/// `SWITCHBOARD_TEST_DATABASE_URL` names a PostgreSQL server — a schema of its own there,
/// dropped afterwards. CI runs the suite once each way.
public enum TestDatabase {
    /// The PostgreSQL URL tests should use, if any.
    public static var postgresURL: DatabaseURL? {
        guard let text = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_DATABASE_URL"], !text.isEmpty,
              let url = try? DatabaseURL(parsing: text), case .postgres = url else { return nil }
        return url
    }

    /// Runs `body` with a fresh, empty database (kept running for the duration).
    public static func with<T: Sendable>(
        file: String? = nil,
        logger: Logger = TestHub.quietLogger,
        _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        if file == nil, let url = postgresURL {
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            // tests run many hubs at once on two cores: a lease may queue for a while without an outage
            let admin = try await Database.open(url, logger: logger, leaseTimeout: .seconds(30))
            return try await running(admin) {
                try await admin.withConnection { try await $0.raw("CREATE SCHEMA \(unsafeRaw: String(schema))").run() }
                defer {}
                let database = try await Database.open(url, logger: logger, searchPath: String(schema), leaseTimeout: .seconds(30))
                let result: Result<T, any Error> = await running(database) {
                    do { return .success(try await body(database)) } catch { return .failure(error) }
                }
                try? await admin.withConnection { try await $0.raw("DROP SCHEMA \(unsafeRaw: String(schema)) CASCADE").run() }
                return try result.get()
            }
        }
        let url: DatabaseURL = file.map { .sqliteFile(path: $0) } ?? .sqliteMemory
        let database = try await Database.open(url, logger: logger)
        return try await running(database) { try await body(database) }
    }

    /// Keeps `database` running while `body` runs.
    static func running<T: Sendable>(_ database: Database, _ body: @Sendable () async throws -> T) async rethrows -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await database.run(); return nil }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
