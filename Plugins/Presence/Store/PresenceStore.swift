import HubKernel
import SQLKit

/// The presence module's SQL, and nothing else.
struct PresenceStore: Sendable {
    let database: Database

    struct Row: Sendable {
        var userID: String
        var state: String
        var text: String?
        var online: Bool
        var lastSeen: Int64
    }

    /// Records that a user came online (keeping their chosen state and text).
    /// Records `userID` online and runs `announce` (the `presence.diff`) in the same
    /// transaction, so the news leaves with the write that backs it.
    func markOnline(_ userID: String, node: String, nowMs: Int64, announce: (Transaction) async throws -> Void) async throws {
        try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO presence_status (user_id, state, online, last_seen, node, updated_at)
                VALUES (\(bind: userID), 'online', \(bind: true), \(bind: nowMs), \(bind: node), \(bind: nowMs))
                ON CONFLICT (user_id) DO UPDATE SET online = excluded.online, last_seen = excluded.last_seen,
                  node = excluded.node, updated_at = excluded.updated_at
                """).run()
            try await announce(sql)
        }
    }

    func markOffline(_ userID: String, lastSeen: Int64, nowMs: Int64) async throws {
        try await database.withConnection { sql in
            try await sql.raw("""
                UPDATE presence_status SET online = \(bind: false), last_seen = \(bind: lastSeen), updated_at = \(bind: nowMs)
                WHERE user_id = \(bind: userID)
                """).run()
        }
    }

    /// Entries left online by a process that is gone: marked offline, last seen when last updated.
    @discardableResult
    func markStaleOffline(before startedAt: Int64) async throws -> Int {
        try await database.withConnection { sql in
            try await sql.raw("""
                UPDATE presence_status SET online = \(bind: false), last_seen = updated_at
                WHERE online = \(bind: true) AND updated_at < \(bind: startedAt) RETURNING user_id
                """).all().count
        }
    }

    /// Stores a user's status. - Parameter announce: publishes it in the transaction that stores it.
    func setStatus(_ userID: String, state: String, text: String?, online: Bool, node: String, nowMs: Int64,
                   announce: @Sendable (Row, Transaction) async throws -> Void = { _, _ in }) async throws -> Row {
        try await database.transaction { sql in
            guard let row = try await sql.raw("""
                INSERT INTO presence_status (user_id, state, text, online, last_seen, node, updated_at)
                VALUES (\(bind: userID), \(bind: state), \(bind: text), \(bind: online), \(bind: nowMs), \(bind: node), \(bind: nowMs))
                ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, text = excluded.text, updated_at = excluded.updated_at
                RETURNING user_id, state, text, online, last_seen
                """).first() else { throw HubError.unavailable("presence was not stored") }
            let stored = try Self.row(row)
            try await announce(stored, sql)
            return stored
        }
    }

    func rows(_ userIDs: [String]) async throws -> [Row] {
        guard !userIDs.isEmpty else { return [] }
        return try await database.withConnection { sql in
            try await sql.raw("""
                SELECT user_id, state, text, online, last_seen FROM presence_status
                WHERE user_id IN (\(SQLList(userIDs.map { SQLBind($0) })))
                """).all().map(Self.row)
        }
    }

    private static func row(_ row: any SQLRow) throws -> Row {
        Row(userID: try row.decode(column: "user_id", as: String.self), state: try row.decode(column: "state", as: String.self),
            text: try row.decode(column: "text", as: String?.self), online: try row.decode(column: "online", as: Bool.self),
            lastSeen: try row.decode(column: "last_seen", as: Int64.self))
    }
}
