import Foundation
import HubKernel
import SQLKit

extension ChatStore {
    /// Stores a message by a member of `room`, or finds the author's earlier one with the same
    /// `clientMsgId`.
    ///
    /// One transaction checks that the author has joined the room, takes the room's next
    /// `seq`, stores the row and moves the author's read position (they have read what they
    /// wrote). On PostgreSQL that is one statement, since each statement is a network round
    /// trip (issue #16); SQLite, in process, runs them one by one.
    /// - Parameter announce: publishes a new message in its transaction (so it leaves exactly
    ///   when the message is committed, and the sender's next command need not wait for the
    ///   flush).
    /// - Returns: the message and whether it is new (only new messages are announced).
    /// - Throws: `not_found` for a room the author cannot see, `forbidden` when they have not
    ///   joined it (``joined(_:room:by:)``).
    func send(room: String, by author: Identity, text: String, clientMsgID: String?,
              announce: @Sendable (MessageView, Transaction) async throws -> Void = { _, _ in }) async throws -> (MessageView, isNew: Bool) {
        if let clientMsgID, let existing = try await message(author: author.userID, clientMsgID: clientMsgID) {
            return (existing, false)
        }
        do {
            return try await database.transaction { sql in
                var message = MessageView(id: UUID().uuidString.lowercased(), room: room, authorId: author.userID, authorName: author.displayName,
                                          text: text, sentAt: clock.nowMs(), editedAt: nil, deleted: false, seq: 0)
                message.seq = sql.dialect.name == "postgresql"
                    ? try await storeInOneStatement(message, clientMsgID: clientMsgID, by: author, on: sql)
                    : try await storeStepByStep(message, clientMsgID: clientMsgID, by: author, on: sql)
                try await announce(message, sql)
                return (message, true)
            }
        } catch where error.isUniqueViolation {
            // the same clientMsgId raced in on another connection: answer with the stored one
            if let clientMsgID, let existing = try await message(author: author.userID, clientMsgID: clientMsgID) { return (existing, false) }
            throw error
        }
    }

    /// SQLite: the access check, then the room's next seq, the row and the read position.
    /// - Returns: the message's seq.
    private func storeStepByStep(_ message: MessageView, clientMsgID: String?, by author: Identity, on sql: any SQLDatabase) async throws -> Int64 {
        _ = try Self.joined(try await access(message.room, for: author.userID, on: sql), room: message.room, by: author)
        guard let seq = try await sql.raw("UPDATE chat_rooms SET last_seq = last_seq + 1 WHERE name = \(bind: message.room) RETURNING last_seq")
            .first()?.decode(column: "last_seq", as: Int64.self) else { throw HubError.notFound("no room '\(message.room)'") }
        try await sql.raw("""
            INSERT INTO chat_messages (id, room, seq, author_id, text, client_msg_id, sent_at)
            VALUES (\(bind: message.id), \(bind: message.room), \(bind: seq), \(bind: author.userID), \(bind: message.text), \(bind: clientMsgID), \(bind: message.sentAt))
            """).run()
        try await sql.raw("""
            UPDATE chat_members SET last_read_seq = \(bind: seq)
            WHERE room = \(bind: message.room) AND user_id = \(bind: author.userID) AND last_read_seq < \(bind: seq)
            """).run()
        return seq
    }

    /// PostgreSQL: the same four steps as one statement (data-modifying CTEs), each step
    /// running only when the one before it allows; the access rule is then applied to what it
    /// read, and nothing was written unless the author is a member.
    /// - Returns: the message's seq.
    private func storeInOneStatement(_ message: MessageView, clientMsgID: String?, by author: Identity, on sql: any SQLDatabase) async throws -> Int64 {
        let room = message.room, user = author.userID
        let row = try await sql.raw("""
            WITH r AS (
                SELECT kind, EXISTS (SELECT 1 FROM chat_members WHERE room = \(bind: room) AND user_id = \(bind: user)) AS member
                FROM chat_rooms WHERE name = \(bind: room)
            ), s AS (
                UPDATE chat_rooms SET last_seq = last_seq + 1 WHERE name = \(bind: room) AND (SELECT member FROM r) RETURNING last_seq
            ), i AS (
                INSERT INTO chat_messages (id, room, seq, author_id, text, client_msg_id, sent_at)
                SELECT \(bind: message.id)::text, \(bind: room)::text, s.last_seq, \(bind: user)::text, \(bind: message.text)::text,
                       \(bind: clientMsgID)::text, \(bind: message.sentAt)::bigint FROM s
                RETURNING seq
            ), p AS (
                UPDATE chat_members SET last_read_seq = i.seq FROM i
                WHERE chat_members.room = \(bind: room) AND chat_members.user_id = \(bind: user) AND chat_members.last_read_seq < i.seq
            )
            SELECT r.kind AS kind, r.member AS member, (SELECT seq FROM i) AS seq FROM r
            """).first()
        let access = try row.map { Access(room: RoomView(name: room, kind: try $0.decode(column: "kind", as: String.self), members: nil),
                                          isMember: try $0.decode(column: "member", as: Bool.self)) }
        _ = try Self.joined(access, room: room, by: author)
        guard let seq = try row?.decode(column: "seq", as: Int64?.self) else { throw HubError.notFound("no room '\(room)'") }
        return seq
    }
}
