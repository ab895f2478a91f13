import Foundation
import Logging
import SQLKit
@testable import HubKernel

/// A fresh SQLite file with the default durability (FULL: a syncer flushes the WAL) and one
/// table, `items (id, owner UNIQUE)`, for the storage tests; removed afterwards.
func withItemsDatabase(_ body: (Database) async throws -> Void) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("items-\(UUID().uuidString).sqlite").path
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    let database = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"))
    try await database.withConnection {
        try await $0.raw("CREATE TABLE items (id INTEGER PRIMARY KEY, owner TEXT NOT NULL UNIQUE)").run()
    }
    try await body(database)
    await database.close()
}
