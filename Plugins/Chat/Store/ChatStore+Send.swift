import Foundation
import HubKernel
import SQLKit

extension ChatStore {
    /// Stores a message by a member of `room` and announces it (`chat.message` on the room),
    /// or finds the author's earlier one with the same `clientMsgId` (announced then already).
    ///
    /// The author must have joined the room; the message takes the room's next `seq` and moves
    /// the author's read position (they have read what they wrote), all or nothing. On
    /// PostgreSQL that is one statement, the event's numbering included: one round trip, in a
    /// batch with the sends that arrived meanwhile (``SendBatch``). SQLite, in process, runs
    /// the steps one by one in a transaction that publishes the event, also shared with the
    /// sends that arrived meanwhile (``SQLiteSendBatch``); the sender's next command need not
    /// wait for its flush (issue #16).
    /// - Returns: the message, whether it is new (only new messages are announced) and, for a
    ///   new one, its `chat.message` payload as encoded, which is `{message}`: the reply's JSON
    ///   too (``EncodedReply``).
    /// - Throws: `not_found` for a room the author cannot see, `forbidden` when they have not
    ///   joined it (``joined(_:room:by:)``).
    func send(room: String, by author: Identity, text: String, clientMsgID: String?,
              events: EventPublisher<ChatModule>) async throws -> (MessageView, isNew: Bool, json: Data?) {
        if let clientMsgID, let existing = try await message(author: author.userID, clientMsgID: clientMsgID) {
            return (existing, false, nil)
        }
        var message = MessageView(id: UUID().uuidString.lowercased(), room: room, authorId: author.userID, authorName: author.displayName,
                                  text: text, sentAt: clock.nowMs(), editedAt: nil, deleted: false, seq: 0)
        do {
            if database.kind == .postgres {
                let (seq, json) = try await storeInOneStatement(message, clientMsgID: clientMsgID, by: author, events: events)
                message.seq = seq
                return (message, true, json)
            }
            switch try await localSends.submit(SQLiteSendBatch.Pending(message: message, clientMsgID: clientMsgID, author: author, events: events)) {
            case .stored(let seq, let json, let commit):
                try await commit.adopt()
                message.seq = seq
                return (message, true, json)
            case .refused(let refusal):
                throw refusal
            case .alone:
                return try await database.transaction { sql in
                    _ = try Self.joined(try await Self.access(room, for: author.userID, on: sql), room: room, by: author)
                    message.seq = try await Self.storeJoined(message, clientMsgID: clientMsgID, on: sql)
                    let json = try await events.publish(MessageSent(message: message), on: ChatTopics.room(room), in: sql)
                    return (message, true, json)
                }
            }
        } catch where error.isUniqueViolation {
            // the same clientMsgId raced in on another connection: answer with the stored one
            if let clientMsgID, let existing = try await self.message(author: author.userID, clientMsgID: clientMsgID) { return (existing, false, nil) }
            throw error
        }
    }

    /// SQLite, once the author is known to have joined the room: the room's next seq, the
    /// row and the author's read position. - Returns: the message's seq.
    static func storeJoined(_ message: MessageView, clientMsgID: String?, on sql: any SQLDatabase) async throws -> Int64 {
        guard let seq = try await sql.raw("UPDATE chat_rooms SET last_seq = last_seq + 1 WHERE name = \(bind: message.room) RETURNING last_seq")
            .first()?.decode(column: "last_seq", as: Int64.self) else { throw HubError.notFound("no room '\(message.room)'") }
        try await sql.raw("""
            INSERT INTO chat_messages (id, room, seq, author_id, text, client_msg_id, sent_at)
            VALUES (\(bind: message.id), \(bind: message.room), \(bind: seq), \(bind: message.authorId), \(bind: message.text), \(bind: clientMsgID), \(bind: message.sentAt))
            """).run()
        try await sql.raw("""
            UPDATE chat_members SET last_read_seq = \(bind: seq)
            WHERE room = \(bind: message.room) AND user_id = \(bind: message.authorId) AND last_read_seq < \(bind: seq)
            """).run()
        return seq
    }

    /// PostgreSQL: the same four steps and the event as one prepared statement, committed on
    /// its own — together with the other sends of its batch (``SendBatch``), or alone
    /// (``SendStatement``) when that batch failed as a whole; the access rule is then applied to
    /// what it read, and nothing was written or published unless the author is a member.
    /// - Returns: the message's seq and its event's payload as encoded.
    private func storeInOneStatement(_ message: MessageView, clientMsgID: String?, by author: Identity,
                                     events: EventPublisher<ChatModule>) async throws -> (seq: Int64, json: Data) {
        let room = message.room
        var draft = message
        draft.seq = StatementEvent.placeholder
        let event = try events.inStatement(MessageSent(message: draft), on: ChatTopics.room(room))
        let pending = SendBatch.Pending(message: message, clientMsgID: clientMsgID, event: event)
        let stored: SendBatch.Stored
        switch try await sends.submit(pending) {
        case .stored(let result): stored = result
        case .alone: stored = try await SendBatch.storeAlone(pending, on: database)
        }
        let access = stored.kind.map { Access(room: RoomView(name: room, kind: $0, members: nil), isMember: stored.isMember) }
        _ = try Self.joined(access, room: room, by: author)
        guard let seq = stored.seq else { throw HubError.notFound("no room '\(room)'") }
        return (seq, event.payload(number: seq))
    }
}

/// `chat.send` on PostgreSQL: the membership check, the room's next seq, the message, the
/// author's read position and the `chat.message` event in one statement (data-modifying
/// CTEs), each step running only when the one before it allows. The event's numbering
/// (cluster mode) reads the read position's update first, so the statement locks the room,
/// the member row, then the topic's counter — the order a publishing ``Transaction`` takes.
struct SendStatement: PreparedStatement {
    static let sql = """
        WITH r AS (
            SELECT kind, EXISTS (SELECT 1 FROM chat_members WHERE room = $1 AND user_id = $2) AS member
            FROM chat_rooms WHERE name = $1
        ), s AS (
            UPDATE chat_rooms SET last_seq = last_seq + 1 WHERE name = $1 AND (SELECT member FROM r) RETURNING last_seq
        ), i AS (
            INSERT INTO chat_messages (id, room, seq, author_id, text, client_msg_id, sent_at)
            SELECT $3::text, $1::text, s.last_seq, $2::text, $4::text, $5::text, $6::bigint FROM s
            RETURNING seq
        ), p AS (
            UPDATE chat_members SET last_read_seq = i.seq FROM i
            WHERE chat_members.room = $1 AND chat_members.user_id = $2 AND chat_members.last_read_seq < i.seq
            RETURNING i.seq
        ), stored AS (
            SELECT i.seq FROM i WHERE (SELECT count(*) FROM p) >= 0
        ), e AS (
            \(StatementEvent.publishing(number: "stored.seq", from: "stored", firstParameter: 7))
        )
        SELECT r.kind AS kind, r.member AS member, (SELECT seq FROM stored) AS seq, (SELECT seq FROM e) AS event_seq FROM r
        """

    let values: [StatementValue]

    init(message: MessageView, clientMsgID: String?, event: StatementEvent) {
        values = [.text(message.room), .text(message.authorId), .text(message.id), .text(message.text), .text(clientMsgID),
                  .bigint(message.sentAt)] + event.values
    }
}
