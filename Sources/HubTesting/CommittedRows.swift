import CSQLite

/// Reads an SQLite database file through a connection of its own: what is committed, whether
/// flushed to disk or not. Pipelining tests hold the hub's flushes back and watch commands
/// commit ahead of them (issue #16).
public enum CommittedRows {
    /// Why a file could not be read.
    public struct ReadFailed: Error, CustomStringConvertible {
        /// SQLite's message.
        public let description: String
    }

    /// The first column of every row `query` returns, as text (`NULL` as "").
    public static func texts(at path: String, _ query: String) throws -> [String] {
        var handle: OpaquePointer?
        defer { sqlite3_close_v2(handle) }
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
            throw ReadFailed(description: "cannot open \(path)")
        }
        sqlite3_busy_timeout(handle, 2000)
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(handle, query, -1, &statement, nil) == SQLITE_OK else {
            throw ReadFailed(description: String(cString: sqlite3_errmsg(handle)))
        }
        var texts: [String] = []
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                texts.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "")
            case SQLITE_DONE:
                return texts
            default:
                throw ReadFailed(description: String(cString: sqlite3_errmsg(handle)))
            }
        }
    }

    /// ``texts(at:_:)`` once it has at least `count` rows, or what it has after `within`.
    public static func awaitTexts(at path: String, _ query: String, count: Int, within: Duration = .seconds(5)) async throws -> [String] {
        let deadline = ContinuousClock.now + within
        while true {
            let texts = try Self.texts(at: path, query)
            if texts.count >= count || ContinuousClock.now >= deadline { return texts }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
