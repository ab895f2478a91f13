public import SQLKit

/// A hot statement that PostgreSQL parses and plans once per pooled connection, not at every
/// run (issue #16: parsing and planning `chat.send`'s statement was a third of PostgreSQL's
/// CPU per message). Run it with ``Database/runPrepared(_:)``.
///
/// The SQL is fixed text — it names the plan — with `$1`, `$2`, … for ``values``, in order.
/// Cast a parameter that may be `NULL` (`$3::text`): its type is inferred from the SQL.
/// ```swift
/// struct RoomSeq: PreparedStatement {
///     static let sql = "UPDATE chat_rooms SET last_seq = last_seq + 1 WHERE name = $1 RETURNING last_seq"
///     var room: String
///     var values: [StatementValue] { [.text(room)] }
/// }
/// let rows = try await database.runPrepared(RoomSeq(room: "general"))
/// ```
public protocol PreparedStatement: Sendable {
    /// The statement, the same text every time.
    static var sql: String { get }
    /// What `$1`, `$2`, … stand for.
    var values: [StatementValue] { get }
}

/// A value bound to a ``PreparedStatement``'s parameter: the types the hub stores, and arrays
/// of them for a statement that writes a batch of rows (`unnest($1::text[], …)`; arrays hold
/// no `NULL`s).
public enum StatementValue: Sendable, Equatable {
    case text(String?)
    case bigint(Int64?)
    case boolean(Bool?)
    case texts([String])
    case bigints([Int64])
    case booleans([Bool])
}
