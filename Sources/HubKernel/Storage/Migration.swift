public import SQLKit

/// One named, append-only schema change of a module.
///
/// The name is explicit and stable (`"chat.001_create_rooms"`), never derived from the type,
/// so renaming a type never re-runs a migration. Shipped migrations are never edited: a
/// change is a new migration. Each runs in its own transaction with its record.
/// ```swift
/// struct Poll001CreatePolls: Migration {
///     let name = "poll.001_create_polls"
///     func prepare(on db: any SQLDatabase) async throws {
///         try await db.raw("CREATE TABLE poll_polls (id TEXT PRIMARY KEY, …)").run()
///     }
///     func revert(on db: any SQLDatabase) async throws {
///         try await db.raw("DROP TABLE poll_polls").run()
///     }
/// }
/// ```
public protocol Migration: Sendable {
    /// The stable name, `<module>.<NNN>_<what>`.
    var name: String { get }
    /// Applies the change.
    func prepare(on database: any SQLDatabase) async throws
    /// Undoes the change.
    func revert(on database: any SQLDatabase) async throws
}

extension SQLDatabase {
    /// Whether this connection speaks SQLite (for the rare dialect-specific DDL).
    public var isSQLite: Bool { dialect.name == "sqlite" }
}
