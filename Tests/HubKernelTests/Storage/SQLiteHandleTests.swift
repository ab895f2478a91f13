import Foundation
import Logging
import SQLKit
import Testing
@testable import HubKernel

/// The kernel's own SQLite driver: values go in and come back exactly (a NUL inside a text
/// included), compiled statements are reused without leaking one execution's values into the
/// next, and SQLite's errors are told apart as the rest of the kernel needs.
@Suite("SQLite driver")
struct SQLiteHandleTests {
    func withDatabase(_ body: (Database) async throws -> Void) async throws {
        let database = try await Database.open(.sqliteMemory, logger: Logger(label: "test"))
        try await database.withConnection {
            try await $0.raw("CREATE TABLE v (id INTEGER PRIMARY KEY, t TEXT, i INTEGER, r REAL, b BLOB, flag INTEGER CHECK (flag IN (0, 1)), u TEXT UNIQUE)").run()
        }
        try await body(database)
        await database.close()
    }

    enum Colour: String, Codable, Sendable { case red, green }

    @Test("text with a NUL, the empty text, NULL, extreme integers, reals and blobs come back exactly") func roundTrip() async throws {
        try await withDatabase { database in
            let texts = ["\u{0}secret", "abc\u{0}tail", "", "é\u{301}🙂"]
            for (n, text) in texts.enumerated() {
                try await database.withConnection { try await $0.raw("INSERT INTO v (id, t) VALUES (\(bind: n), \(bind: text))").run() }
            }
            for (n, text) in texts.enumerated() {
                let row = try await database.withConnection { try await $0.raw("SELECT t, length(t) AS n, t IS NULL AS missing FROM v WHERE id = \(bind: n)").first() }
                #expect(try row?.decode(column: "t", as: String.self) == text)
                #expect(try row?.decode(column: "missing", as: Bool.self) == false)
            }
            let missing: String? = nil
            try await database.withConnection {
                try await $0.raw("INSERT INTO v (id, t, i, r, b, flag) VALUES (10, \(bind: missing), \(bind: Int64.max), \(bind: 0.1), \(bind: Data([0, 1, 255])), \(bind: true))").run()
                try await $0.raw("INSERT INTO v (id, i, b) VALUES (11, \(bind: Int64.min), \(bind: Data()))").run()
            }
            let row = try #require(try await database.withConnection { try await $0.raw("SELECT * FROM v WHERE id = 10").first() })
            #expect(try row.decodeNil(column: "t"))
            #expect(try row.decode(column: "t", as: String?.self) == nil)
            // a NULL or a value of another kind read as a plain type is an error, never a crash
            #expect(throws: (any Error).self) { try row.decode(column: "t", as: String.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "b", as: Int64.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "i", as: Data.self) }
            #expect(try row.decode(column: "i", as: Int64.self) == .max)
            #expect(try row.decode(column: "r", as: Double.self) == 0.1)
            #expect(try row.decode(column: "b", as: Data.self) == Data([0, 1, 255]))
            #expect(try row.decode(column: "flag", as: Bool.self))
            #expect(row.allColumns == ["id", "t", "i", "r", "b", "flag", "u"])
            #expect(throws: (any Error).self) { try row.decode(column: "nope", as: Int.self) }
            let other = try #require(try await database.withConnection { try await $0.raw("SELECT i, b, typeof(b) AS kind FROM v WHERE id = 11").first() })
            #expect(try other.decode(column: "i", as: Int64.self) == .min)
            #expect(try other.decode(column: "kind", as: String.self) == "blob")
            #expect(try other.decode(column: "b", as: Data.self).isEmpty)
        }
    }

    @Test("enums and optionals bind and read as their raw values") func codable() async throws {
        try await withDatabase { database in
            let colour: Colour? = .green
            try await database.withConnection { try await $0.raw("INSERT INTO v (id, t, i) VALUES (1, \(bind: colour), \(bind: Int?.some(7)))").run() }
            let row = try #require(try await database.withConnection { try await $0.raw("SELECT t, i FROM v").first() })
            #expect(try row.decode(column: "t", as: Colour.self) == .green)
            #expect(try row.decode(column: "i", as: Int?.self) == 7)
            #expect(try row.decode(column: "i", as: UInt16.self) == 7)
            #expect(throws: (any Error).self) { try row.decode(column: "t", as: Int.self) }
        }
    }

    @Test("a compiled statement is reused with fresh values every time") func statementReuse() async throws {
        try await withDatabase { database in
            for n in 0..<300 {
                try await database.withConnection { try await $0.raw("INSERT INTO v (id, i) VALUES (\(bind: n), \(bind: n * 2))").run() }
            }
            for n in stride(from: 0, to: 300, by: 37) {
                let value = try await database.withConnection { try await $0.raw("SELECT i FROM v WHERE id = \(bind: n)").first()?.decode(column: "i", as: Int.self) }
                #expect(value == n * 2)
            }
            // more distinct statements than the cache keeps: still right
            for n in 0..<(SQLiteHandle.cacheLimit + 20) {
                let value = try await database.withConnection { try await $0.raw("SELECT \(unsafeRaw: String(n)) AS k").first()?.decode(column: "k", as: Int.self) }
                #expect(value == n)
            }
            let count = try await database.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM v").first()?.decode(column: "n", as: Int.self) }
            #expect(count == 300)
        }
    }

    @Test("UNIQUE and CHECK violations and SQL errors are told apart; none is 'unavailable'") func errors() async throws {
        try await withDatabase { database in
            try await database.withConnection { try await $0.raw("INSERT INTO v (id, u) VALUES (1, 'a')").run() }
            do {
                try await database.withConnection { try await $0.raw("INSERT INTO v (id, u) VALUES (2, 'a')").run() }
                Issue.record("a duplicate was stored")
            } catch {
                #expect(error.isUniqueViolation && error.isConstraintViolation)
            }
            do {
                try await database.withConnection { try await $0.raw("INSERT INTO v (id) VALUES (1)").run() }
                Issue.record("a duplicate primary key was stored")
            } catch {
                #expect(error.isUniqueViolation)
            }
            do {
                try await database.transaction { try await $0.raw("INSERT INTO v (id, flag) VALUES (3, 2)").run() }
                Issue.record("a CHECK was ignored")
            } catch {
                #expect(error.isConstraintViolation && !error.isUniqueViolation && !(error is DatabaseUnavailable))
            }
            do {
                try await database.withConnection { try await $0.raw("SELEC 1").run() }
                Issue.record("bad SQL ran")
            } catch {
                #expect(!error.isConstraintViolation && !(error is DatabaseUnavailable))
            }
            // the failed transaction left nothing open: another one works
            try await database.transaction { try await $0.raw("INSERT INTO v (id) VALUES (4)").run() }
        }
    }

    @Test("a read-only database file answers unavailable") func readOnly() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ro-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let writable = try await Database.open(.sqliteFile(path: path), logger: Logger(label: "test"))
        try await writable.withConnection { try await $0.raw("CREATE TABLE t (v INTEGER)").run() }
        await writable.close()
        let handle = try SQLiteHandle(path: path)
        try handle.execute("PRAGMA query_only = ON")
        do {
            try handle.execute("INSERT INTO t (v) VALUES (1)")
            Issue.record("wrote to a query-only database")
        } catch {
            #expect(DatabaseUnavailable.wrapping(error) is DatabaseUnavailable)
        }
        handle.close()
    }
}
