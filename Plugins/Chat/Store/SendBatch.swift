import HubKernel
import SQLKit

/// `chat.send` on PostgreSQL, stored in batches (``DatabaseBatcher``): the sends that arrive while
/// one batch is being stored go together in the next, as one statement and one commit — one
/// WAL flush and, in cluster mode, one turn of PostgreSQL's one-at-a-time commit of notifying
/// transactions for all of them, where each send used to pay both (issue #16). A send that
/// arrives alone runs alone, at once, as ``SendStatement``.
///
/// Each send is judged on its own: a room that does not exist or an author who has not joined
/// stops that message only. A batch that fails as a whole (a `clientMsgId` that raced in on
/// another connection, a deadlock with another node's batch) is stored again one send at a
/// time, so each caller gets the answer its send alone would have got.
enum SendBatch {
    /// One `chat.send` waiting for its batch: the message (its `seq` still to be assigned) and
    /// its `chat.message` event with the placeholder where the `seq` goes.
    struct Pending: Sendable {
        var message: MessageView
        var clientMsgID: String?
        var event: StatementEvent
    }

    /// What storing found and did for one send: `kind` is `nil` when the room does not exist;
    /// `seq` is `nil` when nothing was stored (not a member). When `seq` is set the event was
    /// delivered to this node's subscribers.
    struct Stored: Sendable {
        var kind: String?
        var isMember: Bool
        var seq: Int64?
    }

    /// A send's answer from its batch.
    enum Outcome: Sendable {
        case stored(Stored)
        /// The batch failed as a whole: store this send on its own (``storeAlone(_:on:)``).
        case alone
    }

    /// Stores `sends` (one statement, committed on its own) and delivers their events on this
    /// node, in the order of the batch, which is the order of each room's `seq`.
    /// - Throws: only when a batch of one fails (a larger batch answers ``Outcome/alone``).
    static func store(_ sends: [Pending], on database: Database) async throws -> [Outcome] {
        if sends.count == 1, let send = sends.first { return [.stored(try await storeAlone(send, on: database))] }
        let rows: [any SQLRow]
        do {
            rows = try await database.runPrepared(SendBatchStatement(sends))
        } catch {
            return Array(repeating: .alone, count: sends.count)
        }
        var outcomes = [Outcome](repeating: .stored(Stored(kind: nil, isMember: false, seq: nil)), count: sends.count)
        for (index, row) in rows.enumerated() where index < sends.count {
            outcomes[index] = .stored(try stored(row, delivering: sends[index].event))
        }
        return outcomes
    }

    /// Stores one send by itself (``SendStatement``): a batch of one, or a send handed back by
    /// a batch that failed.
    static func storeAlone(_ send: Pending, on database: Database) async throws -> Stored {
        let row = try await database.runPrepared(SendStatement(message: send.message, clientMsgID: send.clientMsgID, event: send.event)).first
        guard let row else { return Stored(kind: nil, isMember: false, seq: nil) }
        return try stored(row, delivering: send.event)
    }

    /// Reads a result row (`kind`, `member`, `seq`, `event_seq`) and delivers the event of a
    /// stored message.
    private static func stored(_ row: any SQLRow, delivering event: StatementEvent) throws -> Stored {
        let result = Stored(kind: try row.decode(column: "kind", as: String?.self),
                            isMember: try row.decode(column: "member", as: Bool?.self) ?? false,
                            seq: try row.decode(column: "seq", as: Int64?.self))
        if let seq = result.seq { event.committed(number: seq, eventSeq: try row.decode(column: "event_seq", as: Int64?.self)) }
        return result
    }
}

/// Many `chat.send`s as one statement: the sends as rows (`unnest`, in arrival order), their
/// rooms locked in name order (two nodes' batches never wait on each other in a cycle), each
/// room's `seq` moved on by the number of messages its members sent and handed out in arrival
/// order, the messages stored, each author's read position moved to their latest, and one
/// `chat.message` event per message numbered in that order — the locks taken room, member
/// row, topic counter, as by ``SendStatement`` and every publishing ``Transaction``. One result
/// row per send, in order: the room's kind (`NULL`: no such room), whether the author is a
/// member, the message's `seq` and its event's.
struct SendBatchStatement: PreparedStatement {
    static let sql = """
        WITH input AS MATERIALIZED (
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], \(eventParameters))
                WITH ORDINALITY AS t (room, author, id, text, client_msg_id, sent_at, \(StatementEvent.columns), ord)
        ), rooms AS MATERIALIZED (
            SELECT name, kind FROM chat_rooms WHERE name IN (SELECT room FROM input) ORDER BY name FOR UPDATE
        ), checked AS MATERIALIZED (
            SELECT input.*, EXISTS (SELECT 1 FROM chat_members m WHERE m.room = input.room AND m.user_id = input.author) AS member
            FROM input JOIN rooms ON rooms.name = input.room
        ), counts AS (
            SELECT room, count(*) AS n FROM checked WHERE member GROUP BY room
        ), s AS (
            UPDATE chat_rooms SET last_seq = chat_rooms.last_seq + counts.n FROM counts WHERE chat_rooms.name = counts.room
            RETURNING chat_rooms.name AS room, chat_rooms.last_seq - counts.n AS base
        ), numbered AS MATERIALIZED (
            SELECT checked.*, s.base + row_number() OVER (PARTITION BY checked.room ORDER BY checked.ord) AS seq
            FROM checked JOIN s ON s.room = checked.room WHERE checked.member
        ), i AS (
            INSERT INTO chat_messages (id, room, seq, author_id, text, client_msg_id, sent_at)
            SELECT id, room, seq, author, text, NULLIF(client_msg_id, ''), sent_at FROM numbered
            RETURNING seq
        ), p AS (
            UPDATE chat_members SET last_read_seq = latest.seq
            FROM (SELECT room, author, max(seq) AS seq FROM numbered GROUP BY room, author) AS latest
            WHERE chat_members.room = latest.room AND chat_members.user_id = latest.author AND chat_members.last_read_seq < latest.seq
            RETURNING latest.seq
        ), stored AS MATERIALIZED (
            SELECT numbered.* FROM numbered WHERE (SELECT count(*) FROM i) + (SELECT count(*) FROM p) >= 0 ORDER BY numbered.ord
        ), \(StatementEvent.publishingEvery(number: "seq", from: "stored"))
        SELECT rooms.kind AS kind, checked.member AS member, numbered.seq AS seq, e.event_seq AS event_seq
        FROM input LEFT JOIN rooms ON rooms.name = input.room LEFT JOIN checked ON checked.ord = input.ord
            LEFT JOIN numbered ON numbered.ord = input.ord LEFT JOIN e ON e.ord = input.ord
        ORDER BY input.ord
        """

    /// `$7::boolean[], $8::text[], …`: the events' columns.
    private static var eventParameters: String {
        StatementEvent.arrayTypes.enumerated().map { "$\($0.offset + 7)::\($0.element)" }.joined(separator: ", ")
    }

    let values: [StatementValue]

    init(_ sends: [SendBatch.Pending]) {
        let messages: [StatementValue] = [
            .texts(sends.map { $0.message.room }), .texts(sends.map { $0.message.authorId }), .texts(sends.map { $0.message.id }),
            .texts(sends.map { $0.message.text ?? "" }), .texts(sends.map { $0.clientMsgID ?? "" }), .bigints(sends.map { $0.message.sentAt }),
        ]
        values = messages + StatementEvent.arrays(sends.map { $0.event })
    }
}
