import Foundation
import SQLKit
import Testing
import HubTesting
@testable import HubKernel

/// ``Database/runPrepared(_:)``: PostgreSQL keeps the statement prepared per pooled connection;
/// what a caller sees must be exactly what an ordinary statement gives.
@Suite("Prepared statements")
struct PreparedStatementTests {
    struct Insert: PreparedStatement {
        static let sql = "INSERT INTO notes (id, body, size, done) VALUES ($1, $2::text, $3::bigint, $4::boolean) RETURNING id, body, size, done"
        var id: String, body: String?, size: Int64?, done: Bool?
        var values: [StatementValue] { [.text(id), .text(body), .bigint(size), .boolean(done)] }
    }

    func withNotes(_ body: @Sendable (Database) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try await database.withConnection {
                try await $0.raw("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT, size BIGINT, done BOOLEAN)").run()
            }
            try await body(database)
        }
    }

    @Test("values, NULLs and rows round-trip, run after run (prepared once, then reused)",
          .enabled(if: (try? TestDatabase.kind()) == .postgres))
    func roundTrip() async throws {
        try await withNotes { database in
            // more runs than pooled connections: every connection prepares once, then reuses
            for n in 0..<40 {
                let nulls = n % 2 == 0
                let rows = try await database.runPrepared(Insert(id: "n\(n)", body: nulls ? nil : "body \(n) ✓", size: nulls ? nil : Int64(n) << 40,
                                                                 done: nulls ? nil : n % 4 == 1))
                #expect(rows.count == 1)
                let row = try #require(rows.first)
                #expect(try row.decode(column: "id", as: String.self) == "n\(n)")
                #expect(try row.decode(column: "body", as: String?.self) == (nulls ? nil : "body \(n) ✓"))
                #expect(try row.decode(column: "size", as: Int64?.self) == (nulls ? nil : Int64(n) << 40))
                #expect(try row.decode(column: "done", as: Bool?.self) == (nulls ? nil : n % 4 == 1))
            }
            let count = try await database.withConnection { try await $0.raw("SELECT count(*) AS n FROM notes").first()?.decode(column: "n", as: Int.self) }
            #expect(count == 40)
        }
    }

    @Test("a constraint violation comes through as one", .enabled(if: (try? TestDatabase.kind()) == .postgres))
    func violation() async throws {
        try await withNotes { database in
            _ = try await database.runPrepared(Insert(id: "same", body: "a", size: 1, done: true))
            let error = await #expect(throws: (any Error).self) { try await database.runPrepared(Insert(id: "same", body: "b", size: 2, done: false)) }
            #expect(error?.isUniqueViolation == true)
            // the connection is still good for the next run
            #expect(try await database.runPrepared(Insert(id: "other", body: nil, size: nil, done: nil)).count == 1)
        }
    }

    @Test("on SQLite it is refused as internal, nothing run", .enabled(if: (try? TestDatabase.kind()) != .postgres))
    func sqlite() async throws {
        try await withNotes { database in
            let error = await #expect(throws: HubError.self) { try await database.runPrepared(Insert(id: "x", body: nil, size: nil, done: nil)) }
            #expect(error?.code == .internal)
            let left = try await database.withConnection { try await $0.raw("SELECT id FROM notes").all().count }
            #expect(left == 0)
        }
    }
}
