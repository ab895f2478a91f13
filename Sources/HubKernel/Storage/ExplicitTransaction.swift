import SQLKit

/// BEGIN, the body, COMMIT — or ROLLBACK and the body's error: the one place that spells out
/// an explicit transaction on a connection the caller holds (migrations, PostgreSQL's
/// ``Database/transaction(_:)``). SQLite's concurrent writers go through ``SQLiteGroupCommit``.
enum ExplicitTransaction {
    /// Runs `body` between BEGIN (IMMEDIATE on SQLite, so the write lock is taken up front)
    /// and COMMIT on `sql`; rolls back and rethrows when the body or the commit fails.
    static func run<T>(on sql: any SQLDatabase, kind: Database.Kind, _ body: () async throws -> T) async throws -> T {
        try await sql.raw(kind == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
        do {
            let result = try await body()
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            // the body's (or the commit's) error is the one worth reporting
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }
}
