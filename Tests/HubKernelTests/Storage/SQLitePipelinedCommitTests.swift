import Foundation
import Logging
import SQLKit
import Testing
@testable import HubKernel

@Suite("SQLite pipelined group commit")
struct SQLitePipelinedCommitTests {
    func withDatabase(_ body: (Database) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("group-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"))
        try await database.withConnection {
            try await $0.raw("CREATE TABLE items (id INTEGER PRIMARY KEY, owner TEXT NOT NULL UNIQUE)").run()
        }
        try await body(database)
        await database.close()
    }

    func count(_ database: Database) async throws -> Int {
        try await database.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM items").first()?.decode(column: "n", as: Int.self) } ?? -1
    }

    @Test("concurrent transactions all commit, sharing flushes, and each returns only once on disk") func shared() async throws {
        try await withDatabase { database in
            let before = database.sqliteFlushes
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        let commit = try await database.transaction { sql in
                            try await sql.raw("INSERT INTO items (owner) VALUES (\(bind: "owner-\(n)"))").run()
                        }
                        // returned: its commit (and every earlier one) is flushed
                        let state = try #require(database.sqliteDurability)
                        #expect(state.synced >= 1)
                        _ = commit
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await count(database) == 200)
            let flushes = database.sqliteFlushes - before
            #expect(flushes >= 1 && flushes < 200, "200 commits in \(flushes) flushes")
            let state = try #require(database.sqliteDurability)
            #expect(state.commits >= 200 && state.synced == state.commits)
        }
    }

    @Test("a failing transaction rolls back only its own writes; the others in its commit persist") func isolation() async throws {
        try await withDatabase { database in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in 0..<60 {
                    group.addTask {
                        do {
                            try await database.transaction { sql in
                                try await sql.raw("INSERT INTO items (owner) VALUES (\(bind: "tx-\(n)-a"))").run()
                                // every third one breaks the UNIQUE constraint after its first write
                                let second = n % 3 == 0 ? "tx-\(n)-a" : "tx-\(n)-b"
                                try await sql.raw("INSERT INTO items (owner) VALUES (\(bind: second))").run()
                            }
                            return true
                        } catch {
                            #expect(error.isUniqueViolation)
                            return false
                        }
                    }
                }
                var committed = 0
                for try await ok in group where ok { committed += 1 }
                #expect(committed == 40)
            }
            // 40 transactions × 2 rows; the 20 that failed left not even their first row
            #expect(try await count(database) == 80)
            let orphans = try await database.withConnection {
                try await $0.raw("SELECT COUNT(*) AS n FROM items WHERE owner IN ('tx-0-a', 'tx-3-a', 'tx-57-a')").first()?.decode(column: "n", as: Int.self)
            }
            #expect(orphans == 0)
        }
    }

    @Test("a statement outside a transaction sees only committed data") func plainStatements() async throws {
        try await withDatabase { database in
            async let writes: Void = withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<50 {
                    group.addTask {
                        try await database.transaction { try await $0.raw("INSERT INTO items (owner) VALUES (\(bind: "w-\(n)"))").run() }
                    }
                }
                try await group.waitForAll()
            }
            var seen: [Int] = []
            for _ in 0..<20 { seen.append(try await count(database)) }
            try await writes
            #expect(seen == seen.sorted())
            #expect(try await count(database) == 50)
            // nothing is left uncommitted: a second connection sees every row
            let other = try await Database.open(database.url, logger: Logger(label: "other"))
            #expect(try await count(other) == 50)
            await other.close()
        }
    }

    @Test("one writer's transactions: each returns after the flush that covers it") func sequential() async throws {
        try await withDatabase { database in
            for n in 0..<30 {
                try await database.transaction { try await $0.raw("INSERT INTO items (owner) VALUES (\(bind: "s-\(n)"))").run() }
                let state = try #require(database.sqliteDurability)
                #expect(state.synced == state.commits, "transaction \(n) returned before its flush")
            }
            // a plain write outside a transaction waits for its flush too
            try await database.withConnection { try await $0.raw("INSERT INTO items (owner) VALUES ('plain')").run() }
            let state = try #require(database.sqliteDurability)
            #expect(state.synced == state.commits)
            #expect(try await count(database) == 31)
        }
    }

    @Test("the syncer checkpoints: the WAL stops growing while writes go on") func checkpoints() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"))
        try await database.withConnection { try await $0.raw("CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)").run() }
        let pages = Data(repeating: 7, count: 16_000)
        // ~8,000 pages written: without checkpoints the WAL would hold them all (32 MB); the
        // writer checkpoints itself at 4,000 pages at the latest (16 MB)
        for n in 0..<2000 {
            try await database.transaction { try await $0.raw("INSERT INTO pages (id, body) VALUES (\(bind: n), \(bind: pages))").run() }
        }
        let wal = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        #expect(wal > 0 && wal < 20_000_000, "WAL is \(wal) bytes")
        let rows = try await database.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM pages").first()?.decode(column: "n", as: Int.self) }
        #expect(rows == 2000)
        await database.close()
    }
}
