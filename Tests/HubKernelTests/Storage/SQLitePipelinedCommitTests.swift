import Foundation
import Logging
import SQLKit
import Testing
@testable import HubKernel
import Synchronization

@Suite("SQLite pipelined group commit")
struct SQLitePipelinedCommitTests {
    func withDatabase(_ body: (Database) async throws -> Void) async throws {
        try await withItemsDatabase(body)
    }

    func count(_ database: Database) async throws -> Int {
        try await database.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM items").first()?.decode(column: "n", as: Int.self) } ?? -1
    }

    @Test("commits made while a flush is due all share it; none returns before it") func shared() async throws {
        try await withDatabase { database in
            let before = database.sqliteFlushes
            let committedBefore = try #require(database.sqliteDurability).commits
            let returned = Counter()
            database.holdFlushes(true)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        try await database.transaction { sql in
                            try await sql.raw("INSERT INTO items (owner) VALUES (\(bind: "owner-\(n)"))").run()
                        }
                        returned.increment()
                        // returned: its commit (and every earlier one) is flushed
                        let state = try #require(database.sqliteDurability)
                        #expect(state.synced >= committedBefore + 1)
                    }
                }
                // every transaction commits while the flush is held back, and none returns
                for _ in 0..<500 where (database.sqliteDurability?.commits ?? 0) < committedBefore + 200 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(database.sqliteDurability?.commits == committedBefore + 200)
                #expect(returned.value == 0)
                database.holdFlushes(false)
                try await group.waitForAll()
            }
            #expect(returned.value == 200)
            #expect(try await count(database) == 200)
            #expect(database.sqliteFlushes - before == 1, "200 commits in \(database.sqliteFlushes - before) flushes")
            let state = try #require(database.sqliteDurability)
            #expect(state.synced == state.commits)
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
        // checkpoints from 100 pages on, in line from 400 (1.6 MB)
        let database = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"), sqliteCheckpointPages: 100)
        try await database.withConnection { try await $0.raw("CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)").run() }
        let pages = Data(repeating: 7, count: 16_000)
        // ~1,500 pages written: without checkpoints the WAL would hold them all (6 MB)
        for n in 0..<375 {
            try await database.transaction { try await $0.raw("INSERT INTO pages (id, body) VALUES (\(bind: n), \(bind: pages))").run() }
        }
        let wal = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        #expect(wal > 0 && wal < 3_000_000, "WAL is \(wal) bytes")
        let rows = try await database.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM pages").first()?.decode(column: "n", as: Int.self) }
        #expect(rows == 375)
        await database.close()
    }
}

extension SQLitePipelinedCommitTests {
    @Test("when the syncer falls behind (its flushes held), the writer checkpoints in line and bounds the WAL")
    func inlineCheckpoints() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-inline-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        // background checkpoints from 25 pages on, in line from 100 (~400 KB)
        let database = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"), sqliteCheckpointPages: 25)
        try await database.withConnection { try await $0.raw("CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)").run() }
        let pages = Data(repeating: 7, count: 16_000)
        let committedBefore = try #require(database.sqliteDurability).commits
        database.holdFlushes(true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // ~600 pages committed while the syncer can neither flush nor checkpoint
            for n in 0..<150 {
                group.addTask {
                    try await database.transaction { try await $0.raw("INSERT INTO pages (id, body) VALUES (\(bind: n), \(bind: pages))").run() }
                }
            }
            for _ in 0..<500 where (database.sqliteDurability?.commits ?? 0) < committedBefore + 150 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(database.sqliteDurability?.commits == committedBefore + 150)
            let wal = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
            // without the writer's own checkpoints the WAL would hold all ~600 pages (2.4 MB)
            #expect(wal > 0 && wal < 1_000_000, "WAL is \(wal) bytes")
            database.holdFlushes(false)
            try await group.waitForAll()
        }
        let rows = try await database.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM pages").first()?.decode(column: "n", as: Int.self) }
        #expect(rows == 150)
        await database.close()
    }
}

/// Counts from many tasks.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
