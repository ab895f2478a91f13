import Foundation
import Logging
import SQLKit
import Testing
@testable import HubKernel

@Suite("SQLite durability setting")
struct SQLiteDurabilityTests {
    /// PRAGMA synchronous: 1 = NORMAL, 2 = FULL.
    func level(_ synchronous: String?) async throws -> Int {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database: Database
        if let synchronous {
            database = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"), sqliteSynchronous: synchronous)
        } else {
            database = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"))
        }
        let value = try await database.withConnection { sql in
            try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
        }
        await database.close()
        return try #require(value)
    }

    @Test("every commit is fsynced by default; normal is used when asked for") func levels() async throws {
        #expect(try await level(nil) == 2)
        #expect(try await level("full") == 2)
        #expect(try await level("normal") == 1)
    }
}
