import CSQLite
import SQLKit

/// One open SQLite connection, driven synchronously by whoever holds the database's lock.
///
/// It exists for speed: a statement runs on the caller's thread, compiled once and kept in a
/// cache, instead of hopping to a thread pool and back for every statement (the cost that
/// dominated a persisted command). Statements are microseconds because the file is opened
/// with `synchronous = NORMAL` and nothing here waits for the disk: durability is the
/// ``SQLiteDurability`` syncer's job, off this thread.
///
/// Not thread-safe by itself; ``Database`` serializes every use with its ``AsyncLock``.
final class SQLiteHandle: @unchecked Sendable {
    /// How many compiled statements are kept; past it the cache starts over (statements with
    /// values spliced into their text would otherwise grow it forever).
    static let cacheLimit = 256

    /// The `sqlite3*`; nil once closed.
    private(set) var raw: OpaquePointer?
    private var statements: [String: CompiledStatement] = [:]

    /// A compiled statement and the names of its result columns.
    private final class CompiledStatement {
        let pointer: OpaquePointer
        var columns: [String]
        init(pointer: OpaquePointer, columns: [String]) {
            self.pointer = pointer
            self.columns = columns
        }
    }

    /// Opens (creating if needed) the database at `path`, or a private in-memory one for
    /// `":memory:"`.
    init(path: String) throws(SQLiteFailure) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite3_close_v2(handle)
            throw SQLiteFailure(code: status, message: "\(message) (\(path))")
        }
        raw = handle
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit { close() }

    /// Finalizes every statement and closes the connection (idempotent).
    func close() {
        for statement in statements.values { sqlite3_finalize(statement.pointer) }
        statements = [:]
        if let raw { sqlite3_close_v2(raw) }
        raw = nil
    }

    /// Waits up to `milliseconds` for another process's lock before answering busy.
    func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(raw, milliseconds)
    }

    /// Runs one statement with its bound values, handing each result row to `onRow`.
    func execute(_ sql: String, _ binds: [SQLiteValue] = [], onRow: (SQLiteResultRow) -> Void = { _ in }) throws(SQLiteFailure) {
        let statement = try compiled(sql)
        let pointer = statement.pointer
        defer {
            sqlite3_reset(pointer)
            sqlite3_clear_bindings(pointer)
        }
        for (index, value) in binds.enumerated() {
            let status = bind(value, at: Int32(index + 1), to: pointer)
            guard status == SQLITE_OK else { throw failure(status) }
        }
        var status = sqlite3_step(pointer)
        if status == SQLITE_ROW {
            let count = Int(sqlite3_column_count(pointer))
            if statement.columns.count != count { statement.columns = Self.columnNames(of: pointer) }
            while status == SQLITE_ROW {
                var values: [SQLiteValue] = []
                values.reserveCapacity(count)
                for column in 0..<Int32(count) { values.append(Self.value(of: pointer, at: column)) }
                onRow(SQLiteResultRow(columns: statement.columns, values: values))
                status = sqlite3_step(pointer)
            }
        }
        guard status == SQLITE_DONE else { throw failure(status) }
    }

    /// When the current holder took the connection or last let its thread go (see
    /// ``runningSince(yieldEvery:)``).
    private var lastYield = ContinuousClock.now

    /// Marks the start of a holder's turn (the database's lock was just taken).
    func beginTurn() { lastYield = ContinuousClock.now }

    /// Whether statements ran for `interval` since the last yield (and starts a new interval
    /// if so): the session then yields its cooperative thread.
    func runningSince(yieldEvery interval: Duration) -> Bool {
        let now = ContinuousClock.now
        guard now - lastYield >= interval else { return false }
        lastYield = now
        return true
    }

    /// Row changes made by INSERT, UPDATE and DELETE since the connection opened.
    var totalChanges: Int64 { sqlite3_total_changes64(raw) }

    /// Whether a transaction is open on this connection.
    var inTransaction: Bool { sqlite3_get_autocommit(raw) == 0 }

    private func compiled(_ sql: String) throws(SQLiteFailure) -> CompiledStatement {
        if let statement = statements[sql] { return statement }
        guard let raw else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the database is closed") }
        var pointer: OpaquePointer?
        let status = sqlite3_prepare_v3(raw, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard status == SQLITE_OK, let pointer else { throw failure(status) }
        if statements.count >= Self.cacheLimit {
            for statement in statements.values { sqlite3_finalize(statement.pointer) }
            statements = [:]
        }
        let statement = CompiledStatement(pointer: pointer, columns: Self.columnNames(of: pointer))
        statements[sql] = statement
        return statement
    }

    private func failure(_ status: Int32) -> SQLiteFailure {
        let code = raw.map { sqlite3_extended_errcode($0) } ?? status
        let message = raw.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite error \(status)"
        return SQLiteFailure(code: code == 0 ? status : code, message: message)
    }

    private func bind(_ value: SQLiteValue, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(statement, index)
        case .integer(let integer):
            return sqlite3_bind_int64(statement, index, Int64(integer))
        case .real(let double):
            return sqlite3_bind_double(statement, index, double)
        case .text(var text):
            // explicit length: a NUL inside the text is kept, not a terminator
            return text.withUTF8 { bytes in
                guard let base = bytes.baseAddress, !bytes.isEmpty else {
                    // a null pointer would bind NULL, not the empty text
                    return sqlite3_bind_text64(statement, index, "", 0, Self.transient, UInt8(SQLITE_UTF8))
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                    sqlite3_bind_text64(statement, index, chars, UInt64(bytes.count), Self.transient, UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            if bytes.isEmpty { return sqlite3_bind_zeroblob(statement, index, 0) }
            return bytes.withUnsafeBytes { raw in
                sqlite3_bind_blob64(statement, index, raw.baseAddress, UInt64(raw.count), Self.transient)
            }
        }
    }

    /// SQLite copies the bound bytes (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func columnNames(of statement: OpaquePointer) -> [String] {
        (0..<sqlite3_column_count(statement)).map { column in
            sqlite3_column_name(statement, column).map { String(cString: $0) } ?? ""
        }
    }

    private static func value(of statement: OpaquePointer, at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let text = sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let blob = sqlite3_column_blob(statement, column), count > 0 else { return .blob([]) }
            return .blob([UInt8](UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }
}

/// One result row: column names (shared by every row of the statement) and values.
struct SQLiteResultRow: SQLRow {
    let columns: [String]
    let values: [SQLiteValue]

    var allColumns: [String] { columns }

    func contains(column: String) -> Bool { columns.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.firstIndex(of: column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.firstIndex(of: column) else {
            throw DecodingError.keyNotFound(RowColumn(stringValue: column), .init(codingPath: [], debugDescription: "no column '\(column)' in the row"))
        }
        return try values[index].decoded(as: D.self)
    }

    /// A column name as a coding key, for the missing-column error.
    private struct RowColumn: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
