import Foundation
import Logging
import SQLKit
import Testing
@testable import HubKernel

@Suite("SQLite durability setting")
struct SQLiteDurabilityTests {
    func open(_ synchronous: String?) async throws -> (Database, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString).sqlite").path
        let database: Database
        if let synchronous {
            database = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"), sqliteSynchronous: synchronous)
        } else {
            database = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"))
        }
        try await database.transaction { try await $0.raw("CREATE TABLE t (v INTEGER)").run() }
        try await database.transaction { try await $0.raw("INSERT INTO t (v) VALUES (1)").run() }
        return (database, path)
    }

    func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test("full (the default): commits are flushed by the syncer before they are acknowledged") func full() async throws {
        for setting in [nil, "full"] {
            let (database, path) = try await open(setting)
            defer { remove(path) }
            let state = try #require(database.sqliteDurability)
            #expect(state.commits >= 2 && state.synced == state.commits)
            #expect(database.sqliteFlushes >= 1)
            // the connection itself never waits for the disk
            let level = try await database.withConnection { try await $0.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self) }
            #expect(level == 1)
            await database.close()
        }
    }

    @Test("a failed flush fails the transactions waiting for it as unavailable; the next flush that works acknowledges again")
    func failedFlush() async throws {
        let (database, path) = try await open(nil)
        defer { remove(path) }
        database.failFlushes(true)
        await #expect(throws: DatabaseUnavailable.self) {
            try await database.transaction { try await $0.raw("INSERT INTO t (v) VALUES (2)").run() }
        }
        database.failFlushes(false)
        try await database.transaction { try await $0.raw("INSERT INTO t (v) VALUES (3)").run() }
        let state = try #require(database.sqliteDurability)
        #expect(state.synced == state.commits)
        await database.close()
    }

    @Test("normal: no flush is awaited; SQLite syncs at its checkpoints") func normal() async throws {
        let (database, path) = try await open("normal")
        defer { remove(path) }
        #expect(database.sqliteDurability == nil)
        #expect(database.sqliteFlushes == 0)
        await database.close()
    }

    @Test("readiness on SQLite means a write commits: a database refusing writes is not ready") func readiness() async throws {
        let (database, path) = try await open(nil)
        defer { remove(path) }
        #expect(await database.ping())
        try await database.withConnection { try await $0.raw("PRAGMA query_only = ON").run() }
        #expect(await database.ping() == false)
        try await database.withConnection { try await $0.raw("PRAGMA query_only = OFF").run() }
        #expect(await database.ping())
        await database.close()
    }
}
