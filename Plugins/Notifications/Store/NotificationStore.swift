import Foundation
import HubKernel
import SQLKit

/// The notifications module's SQL, and nothing else.
struct NotificationStore: Sendable {
    let database: Database
    let clock: any HubClock
    /// Who exists and who has which role: the kernel's accounts, never queried directly.
    let directory: any UserDirectory
    /// PostgreSQL: the unread counts a connect storm asks for, counted together
    /// (``unreadCountOnConnect(of:)``).
    let connectCounts: DatabaseBatcher<String, Int>

    init(database: Database, clock: any HubClock, directory: any UserDirectory) {
        self.database = database
        self.clock = clock
        self.directory = directory
        connectCounts = DatabaseBatcher { [database] users in
            let rows = try await database.runPrepared(UnreadCounts(users: users))
            var counts: [String: Int] = [:]
            for row in rows { counts[try row.decode(column: "user_id", as: String.self)] = try row.decode(column: "n", as: Int.self) }
            return users.map { counts[$0] ?? 0 }
        }
    }

    static let columns = "id, category, title, body, link, source, created_at, read_at"

    static func view(_ row: any SQLRow) throws -> NotificationView {
        NotificationView(
            id: try row.decode(column: "id", as: String.self), category: try row.decode(column: "category", as: String.self),
            title: try row.decode(column: "title", as: String.self), body: try row.decode(column: "body", as: String.self),
            link: try row.decode(column: "link", as: String?.self), source: try row.decode(column: "source", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self), readAt: try row.decode(column: "read_at", as: Int64?.self))
    }

    /// Stores one notification per recipient in one transaction.
    /// - Parameter announce: publishes each stored notification in that transaction.
    /// - Returns: (recipient, view) pairs.
    func insert(_ notification: OutgoingNotification, to userIDs: [String],
                announce: @Sendable (String, NotificationView, Transaction) async throws -> Void = { _, _, _ in })
        async throws -> [(String, NotificationView)] {
        let now = clock.nowMs()
        return try await database.transaction { sql in
            var stored: [(String, NotificationView)] = []
            for userID in userIDs {
                let view = NotificationView(id: UUID().uuidString.lowercased(), category: notification.category.rawValue,
                                            title: notification.title, body: notification.body, link: notification.link,
                                            source: notification.source, createdAt: now, readAt: nil)
                try await sql.raw("""
                    INSERT INTO notifications_items (id, user_id, category, title, body, link, source, created_at)
                    VALUES (\(bind: view.id), \(bind: userID), \(bind: view.category), \(bind: view.title), \(bind: view.body),
                            \(bind: view.link), \(bind: view.source), \(bind: now))
                    """).run()
                try await announce(userID, view, sql)
                stored.append((userID, view))
            }
            return stored
        }
    }

    /// A cursor position: the last item of the previous page.
    struct Cursor: Sendable {
        var createdAt: Int64
        var id: String
        var text: String { "\(createdAt)_\(id)" }
        init(createdAt: Int64, id: String) { self.createdAt = createdAt; self.id = id }
        init?(_ text: String) {
            let parts = text.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let createdAt = CursorNumber.parse(parts[0]), !parts[1].isEmpty else { return nil }
            self.createdAt = createdAt
            self.id = String(parts[1])
        }
    }

    /// A page of the user's notifications, newest first.
    func page(of userID: String, before: Cursor?, limit: Int, unreadOnly: Bool) async throws -> [NotificationView] {
        try await database.withConnection { sql in
            let at = before?.createdAt ?? Int64.max
            let id = before?.id ?? ""
            return try await sql.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM notifications_items
                WHERE user_id = \(bind: userID) \(unsafeRaw: unreadOnly ? "AND read_at IS NULL" : "")
                  AND (created_at < \(bind: at) OR (created_at = \(bind: at) AND id < \(bind: id)))
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """).all().map(Self.view)
        }
    }

    /// The unread count a new connection is sent. On PostgreSQL the counts of the connections
    /// opening meanwhile are read in one statement (a reconnect storm, issue #16); on SQLite it
    /// is read in the connect hook's own task, which the hook's delivery waits on.
    func unreadCountOnConnect(of userID: String) async throws -> Int {
        guard database.kind == .postgres else { return try await unreadCount(of: userID) }
        return try await connectCounts.submit(userID)
    }

    func unreadCount(of userID: String, on sql: (any SQLDatabase)? = nil) async throws -> Int {
        let query: @Sendable (any SQLDatabase) async throws -> Int = { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM notifications_items WHERE user_id = \(bind: userID) AND read_at IS NULL")
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
        if let sql { return try await query(sql) }
        return try await database.withConnection(query)
    }

    /// Marks the user's notifications `ids` read; all of them must be the user's.
    /// - Returns: how many changed and the unread count after.
    func markRead(_ ids: [String], of userID: String) async throws -> (updated: Int, unread: Int) {
        let now = clock.nowMs()
        return try await database.transaction { sql in
            let unique = Array(Set(ids))
            let owned = try await sql.raw("""
                SELECT COUNT(*) AS n FROM notifications_items WHERE user_id = \(bind: userID) AND id IN (\(SQLList(unique.map { SQLBind($0) })))
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            // someone else's notification is indistinguishable from one that does not exist
            guard owned == unique.count else { throw HubError.notFound("no such notification") }
            let updated = try await sql.raw("""
                UPDATE notifications_items SET read_at = \(bind: now)
                WHERE user_id = \(bind: userID) AND read_at IS NULL AND id IN (\(SQLList(unique.map { SQLBind($0) })))
                RETURNING id
                """).all().count
            return (updated, try await unreadCount(of: userID, on: sql))
        }
    }

    func markAllRead(of userID: String) async throws -> Int {
        try await database.withConnection { sql in
            try await sql.raw("""
                UPDATE notifications_items SET read_at = \(bind: clock.nowMs()) WHERE user_id = \(bind: userID) AND read_at IS NULL RETURNING id
                """).all().count
        }
    }

    /// Account ids with `role`, at most `limit`.
    func users(withRole role: Role, limit: Int) async throws -> [String] {
        try await directory.users(withRole: role, limit: limit).map(\.id)
    }

    /// The ids among `ids` that are not accounts, sorted.
    func unknownUsers(_ ids: [String]) async throws -> [String] {
        let known = try await directory.existing(ids)
        return Set(ids).filter { !known.contains($0) }.sorted()
    }
}

/// The unread counts of a batch of users (``NotificationStore/unreadCountOnConnect(of:)``);
/// users with none have no row.
struct UnreadCounts: PreparedStatement {
    static let sql = "SELECT user_id, count(*) AS n FROM notifications_items WHERE user_id = ANY($1::text[]) AND read_at IS NULL GROUP BY user_id"
    let users: [String]
    var values: [StatementValue] { [.texts(users)] }
}
