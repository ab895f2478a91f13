import Foundation
import HubKernel
import SQLKit

/// The chat module's SQL, and nothing else.
struct ChatStore: Sendable {
    let database: Database
    let clock: any HubClock
    /// Authors' display names and who exists: the kernel's accounts, never queried directly.
    let users: any UserDirectory
    /// PostgreSQL: the `chat.send`s being stored together (``SendBatch``).
    let sends: DatabaseBatcher<SendBatch.Pending, SendBatch.Outcome>
    /// SQLite: the `chat.send`s being stored together (``SQLiteSendBatch``). Smaller batches
    /// than PostgreSQL's: a batch holds the only connection, and other commands wait for it.
    let localSends: DatabaseBatcher<SQLiteSendBatch.Pending, SQLiteSendBatch.Outcome>

    init(database: Database, clock: any HubClock, users: any UserDirectory) {
        self.database = database
        self.clock = clock
        self.users = users
        sends = DatabaseBatcher { [database] in try await SendBatch.store($0, on: database) }
        localSends = DatabaseBatcher(maxBatch: 64) { [database] in try await SQLiteSendBatch.store($0, on: database) }
    }

    /// A room and whether the caller belongs to it.
    struct Access: Sendable {
        var room: RoomView
        var isMember: Bool
        /// Whether the caller may read the room and watch its topic.
        var canRead: Bool { room.kind == "public" || isMember }
    }

    /// Message columns (`m` is chat_messages). The author's display name is not among them:
    /// ``named(_:)`` reads it from the directory, one lookup for a whole page.
    static let messageColumns = "m.id, m.room, m.author_id, m.text, m.sent_at, m.edited_at, m.deleted_at, m.seq"
    static let messageSource = "chat_messages m"

    /// A message as stored; its `authorName` is filled by ``named(_:)``.
    static func message(from row: any SQLRow) throws -> MessageView {
        MessageView(
            id: try row.decode(column: "id", as: String.self), room: try row.decode(column: "room", as: String.self),
            authorId: try row.decode(column: "author_id", as: String.self),
            authorName: "", text: try row.decode(column: "text", as: String?.self),
            sentAt: try row.decode(column: "sent_at", as: Int64.self), editedAt: try row.decode(column: "edited_at", as: Int64?.self),
            deleted: try row.decode(column: "deleted_at", as: Int64?.self) != nil, seq: try row.decode(column: "seq", as: Int64.self))
    }

    // MARK: rooms

    /// The room and whether `userID` is a member of it; `nil` when there is no such room.
    func access(_ room: String, for userID: String, on sql: any SQLDatabase) async throws -> Access? {
        try await Self.access(room, for: userID, on: sql)
    }

    /// ``access(_:for:on:)`` for work that runs without a store at hand (``SQLiteSendBatch``).
    static func access(_ room: String, for userID: String, on sql: any SQLDatabase) async throws -> Access? {
        // one statement: the room and whether the caller is a member (chat.send's hot path)
        guard let row = try await sql.raw("""
            SELECT r.kind AS kind, EXISTS (SELECT 1 FROM chat_members m WHERE m.room = r.name AND m.user_id = \(bind: userID)) AS member
            FROM chat_rooms r WHERE r.name = \(bind: room)
            """).first() else { return nil }
        let kind = try row.decode(column: "kind", as: String.self)
        let isMember = try row.decode(column: "member", as: Bool.self)
        var view = RoomView(name: room, kind: kind, members: nil)
        if kind != "public" { view.members = try await Self.members(of: room, on: sql) }
        return Access(room: view, isMember: isMember)
    }

    func access(_ room: String, for userID: String) async throws -> Access? {
        try await database.withConnection { try await access(room, for: userID, on: $0) }
    }

    func members(of room: String, on sql: any SQLDatabase) async throws -> [String] {
        try await Self.members(of: room, on: sql)
    }

    /// The members of `room`, in user-id order.
    static func members(of room: String, on sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("SELECT user_id FROM chat_members WHERE room = \(bind: room) ORDER BY user_id").all()
            .map { try $0.decode(column: "user_id", as: String.self) }
    }

    /// Creates a room with its first members. - Returns: `false` when the name is taken.
    func createRoom(_ name: String, kind: String, createdBy: String?, members: [String], on sql: any SQLDatabase) async throws -> Bool {
        let now = clock.nowMs()
        // ON CONFLICT rather than catching the violation: on PostgreSQL an error would abort the transaction
        let created = try await sql.raw("""
            INSERT INTO chat_rooms (name, kind, created_by, created_at) VALUES (\(bind: name), \(bind: kind), \(bind: createdBy), \(bind: now))
            ON CONFLICT (name) DO NOTHING RETURNING name
            """).first() != nil
        guard created else { return false }
        for member in Set(members) { try await addMember(member, to: name, on: sql) }
        return true
    }

    /// Makes `userID` a member of `room`. - Returns: whether they were not one before.
    @discardableResult
    func addMember(_ userID: String, to room: String, on sql: any SQLDatabase) async throws -> Bool {
        let lastSeq = try await sql.raw("SELECT last_seq FROM chat_rooms WHERE name = \(bind: room)").first()?
            .decode(column: "last_seq", as: Int64.self) ?? 0
        // a new member starts with everything already sent counted as read
        return try await sql.raw("""
            INSERT INTO chat_members (room, user_id, joined_at, last_read_seq) VALUES (\(bind: room), \(bind: userID), \(bind: clock.nowMs()), \(bind: lastSeq))
            ON CONFLICT (room, user_id) DO NOTHING RETURNING user_id
            """).first() != nil
    }

    func removeMember(_ userID: String, from room: String) async throws {
        try await database.withConnection { sql in
            try await sql.raw("DELETE FROM chat_members WHERE room = \(bind: room) AND user_id = \(bind: userID)").run()
        }
    }

    /// The ids among `ids` that are not accounts, in the order given.
    func unknownUsers(_ ids: [String]) async throws -> [String] {
        let known = try await users.existing(ids)
        return ids.filter { !known.contains($0) }
    }

    /// `messages` with their authors' current display names (always current: read with the
    /// account, not copied into the message), in one directory lookup.
    func named(_ messages: [MessageView]) async throws -> [MessageView] {
        guard !messages.isEmpty else { return messages }
        let names = try await users.displayNames(of: messages.map(\.authorId))
        return messages.map { message in
            var message = message
            message.authorName = names[message.authorId] ?? message.authorName
            return message
        }
    }

    private func named(_ message: MessageView?) async throws -> MessageView? {
        guard let message else { return nil }
        return try await named([message]).first
    }

    // MARK: messages

    func message(author: String, clientMsgID: String) async throws -> MessageView? {
        try await named(database.withConnection { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.messageColumns) FROM \(unsafeRaw: Self.messageSource) WHERE m.author_id = \(bind: author) AND m.client_msg_id = \(bind: clientMsgID)")
                .first().map(Self.message(from:))
        })
    }

    func message(id: String) async throws -> MessageView? {
        try await named(database.withConnection { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.messageColumns) FROM \(unsafeRaw: Self.messageSource) WHERE m.id = \(bind: id)").first().map(Self.message(from:))
        })
    }

    /// Replaces a live message's text and runs `announce` with the edited message in the same
    /// transaction. `original` is the message as read before (its author's name is kept: the
    /// user directory is read outside transactions). - Returns: `nil` when it was deleted.
    func edit(_ original: MessageView, text: String,
              announce: @Sendable (MessageView, Transaction) async throws -> Void) async throws -> MessageView? {
        try await database.transaction { sql in
            guard try await sql.raw("""
                UPDATE chat_messages SET text = \(bind: text), edited_at = \(bind: clock.nowMs()) WHERE id = \(bind: original.id) AND deleted_at IS NULL
                RETURNING id
                """).first() != nil else { return nil }
            guard let edited = try await Self.reread(original, on: sql) else { return nil }
            try await announce(edited, sql)
            return edited
        }
    }

    /// Soft-deletes a message and runs `announce` with the tombstone in the same transaction
    /// when it changed. - Returns: the tombstone, and `false` when it was already deleted.
    func delete(_ original: MessageView,
                announce: @Sendable (MessageView, Transaction) async throws -> Void) async throws -> (MessageView, changed: Bool)? {
        try await database.transaction { sql in
            let changed = try await sql.raw("""
                UPDATE chat_messages SET text = NULL, deleted_at = \(bind: clock.nowMs()) WHERE id = \(bind: original.id) AND deleted_at IS NULL
                RETURNING id
                """).first() != nil
            guard let tombstone = try await Self.reread(original, on: sql) else { return nil }
            if changed { try await announce(tombstone, sql) }
            return (tombstone, changed)
        }
    }

    /// `original` as stored now, read in the caller's transaction, with the author's name it had.
    private static func reread(_ original: MessageView, on sql: any SQLDatabase) async throws -> MessageView? {
        guard var message = try await sql.raw("SELECT \(unsafeRaw: messageColumns) FROM \(unsafeRaw: messageSource) WHERE m.id = \(bind: original.id)")
            .first().map(message(from:)) else { return nil }
        message.authorName = original.authorName
        return message
    }

    /// A page of a room's messages, newest first, strictly before `before` (a seq).
    func history(room: String, before: Int64?, limit: Int) async throws -> [MessageView] {
        try await named(database.withConnection { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.messageColumns) FROM \(unsafeRaw: Self.messageSource)
                WHERE m.room = \(bind: room) AND m.seq < \(bind: before ?? Int64.max) ORDER BY m.seq DESC LIMIT \(bind: limit)
                """).all().map(Self.message(from:))
        })
    }

    // MARK: read positions

    /// Moves a member's read position forward to `seq` (never back). - Returns: the position.
    /// Moves the read position forward (never back). - Returns: the position after.
    /// - Parameter announce: publishes the position in the transaction that stores it.
    func markRead(room: String, userID: String, seq: Int64,
                  announce: @Sendable (Int64, Transaction) async throws -> Void = { _, _ in }) async throws -> Int64 {
        try await database.transaction { sql in
            try await sql.raw("UPDATE chat_members SET last_read_seq = \(bind: seq) WHERE room = \(bind: room) AND user_id = \(bind: userID) AND last_read_seq < \(bind: seq)").run()
            let position = try await sql.raw("SELECT last_read_seq FROM chat_members WHERE room = \(bind: room) AND user_id = \(bind: userID)")
                .first()?.decode(column: "last_read_seq", as: Int64.self) ?? 0
            try await announce(position, sql)
            return position
        }
    }

    /// One entry of the caller's room list.
    struct RoomSummary: Sendable {
        var room: RoomView
        var unread: Int
        var lastMessage: MessageView?
    }

    /// The caller's rooms with unread counts (others' live messages after the read position)
    /// and the last message, most recently active first.
    func rooms(of userID: String) async throws -> [RoomSummary] {
        let summaries = try await database.withConnection { sql in
            let rows = try await sql.raw("""
                SELECT r.name, r.kind, r.last_seq,
                  (SELECT COUNT(*) FROM chat_messages x
                     WHERE x.room = m.room AND x.seq > m.last_read_seq AND x.author_id <> m.user_id AND x.deleted_at IS NULL) AS unread
                FROM chat_members m JOIN chat_rooms r ON r.name = m.room
                WHERE m.user_id = \(bind: userID)
                """).all()
            var summaries: [RoomSummary] = []
            for row in rows {
                let name = try row.decode(column: "name", as: String.self)
                let kind = try row.decode(column: "kind", as: String.self)
                let last = try await sql.raw("SELECT \(unsafeRaw: Self.messageColumns) FROM \(unsafeRaw: Self.messageSource) WHERE m.room = \(bind: name) ORDER BY m.seq DESC LIMIT 1")
                    .first().map(Self.message(from:))
                summaries.append(RoomSummary(
                    room: RoomView(name: name, kind: kind, members: kind == "public" ? nil : try await members(of: name, on: sql)),
                    unread: try row.decode(column: "unread", as: Int.self), lastMessage: last))
            }
            return summaries.sorted { ($0.lastMessage?.sentAt ?? 0, $1.room.name) > ($1.lastMessage?.sentAt ?? 0, $0.room.name) }
        }
        let named = try await self.named(summaries.compactMap(\.lastMessage))
        let byID = Dictionary(named.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return summaries.map { summary in
            var summary = summary
            summary.lastMessage = summary.lastMessage.flatMap { byID[$0.id] }
            return summary
        }
    }
}
