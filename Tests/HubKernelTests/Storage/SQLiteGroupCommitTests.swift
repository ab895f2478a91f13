import Foundation
import Logging
import SQLKit
import Testing
@testable import HubKernel

@Suite("SQLite group commit")
struct SQLiteGroupCommitTests {
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

    @Test("concurrent transactions all commit, sharing commits") func shared() async throws {
        try await withDatabase { database in
            let before = database.sqliteCommits
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        try await database.transaction { sql in
                            try await sql.raw("INSERT INTO items (owner) VALUES (\(bind: "owner-\(n)"))").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await count(database) == 200)
            let commits = database.sqliteCommits - before
            #expect(commits >= 4 && commits < 200, "200 transactions in \(commits) commits (at most 64 per commit)")
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

    @Test("a statement outside a transaction sees only committed data, and commits the open group first") func plainStatements() async throws {
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
}
