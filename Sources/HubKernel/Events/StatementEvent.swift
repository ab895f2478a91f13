import Foundation
public import SQLKit

/// An event published by the very statement that stores the state it announces, for a
/// command whose whole write is one PostgreSQL statement: that statement then runs on its own
/// (autocommit) — one round trip instead of BEGIN, the statement, the event's numbering and
/// COMMIT (issue #16). Get one from ``EventPublisher/inStatement(_:on:)``.
///
/// The payload may hold one number only the statement knows (a message's `seq`): build the
/// event with ``placeholder`` there, and the statement splices the number it assigns in.
///
/// ```swift
/// var draft = message
/// draft.seq = StatementEvent.placeholder
/// let event = try events.inStatement(MessageSent(message: draft), on: ChatTopics.room(room))
/// let row = try await sql.raw("""
///     WITH i AS (INSERT INTO chat_messages … RETURNING seq),
///          e AS (\(event.publishing(number: SQLColumn("seq", table: "i"), from: SQLIdentifier("i"))))
///     SELECT (SELECT seq FROM i) AS seq, (SELECT seq FROM e) AS event_seq
///     """).first()
/// event.committed(number: seq, eventSeq: eventSeq)   // after the statement, never before
/// ```
///
/// ``publishing(number:from:)`` is a `SELECT` with one row per row of its source (publish
/// from a source of exactly one row, or none to publish nothing), so PostgreSQL runs it when
/// the main query reads it: read its `seq` column there. In cluster mode it takes the topic's
/// counter row lock, so make its source depend on every row the statement locks before it
/// (the topic's counter is always locked last, as in a ``Transaction``). Sequenced events only:
/// an ephemeral one has nothing to number, publish it with ``EventPublisher/publish(_:on:)``.
public struct StatementEvent: Sendable {
    /// Stands for the number the statement assigns, in the event as encoded.
    public static let placeholder: Int64 = .min

    let publisher: HubPublisher
    let type: String
    let topic: Topic
    /// The encoded payload before and after the placeholder (all of it in `prefix` when the
    /// event holds none).
    let prefix: Data
    let suffix: Data?
    /// Whether the module and topic were switched on when it was made; a switched-off
    /// module's event is neither numbered nor delivered.
    let live: Bool

    /// The `SELECT` that publishes the event once per row of `source`, with `number` (a
    /// column of that row) in place of ``placeholder``; its column `seq` is the event's `seq`
    /// in cluster mode, `NULL` on one node (numbered in memory by ``committed(number:eventSeq:)``).
    public func publishing(number: any SQLExpression, from source: any SQLExpression) -> any SQLExpression {
        guard live, let cluster = publisher.cluster else {
            return SQLQueryString("SELECT CAST(NULL AS BIGINT) AS seq FROM \(source)")
        }
        let payload: SQLQueryString = suffix.map { suffix in
            "\(bind: String(decoding: prefix, as: UTF8.self)) || \(number) || \(bind: String(decoding: suffix, as: UTF8.self))"
        } ?? "\(bind: String(decoding: prefix, as: UTF8.self))"
        let call = cluster.numbering(type: type, topic: topic.name, payload: payload, payloadBytes: prefix.count + (suffix?.count ?? 0) + 20)
        return SQLQueryString("SELECT \(call) AS seq FROM \(source)")
    }

    /// Delivers the event to this node's subscribers once the statement has committed.
    /// - Parameter number: the number the statement put in place of ``placeholder``.
    /// - Parameter eventSeq: the `seq` column of ``publishing(number:from:)``; in cluster mode
    ///   `nil` means it published nothing.
    public func committed(number: Int64, eventSeq: Int64?) {
        guard live else { return }
        var payload = prefix
        if let suffix {
            payload.append(contentsOf: String(number).utf8)
            payload.append(suffix)
        }
        if publisher.cluster != nil {
            if let eventSeq { publisher.deliverNumbered(type, payload, on: topic.name, seq: eventSeq) }
        } else {
            publisher.deliverEncoded(type, payload, on: topic, sequenced: true)
        }
    }

    /// Splits an encoded payload around the one ``placeholder`` outside its strings.
    /// - Returns: `nil` when it appears more than once.
    static func split(_ payload: Data) -> (prefix: Data, suffix: Data?)? {
        let digits = Array(String(placeholder).utf8)
        let bytes = [UInt8](payload)
        var found: Int?
        var inString = false, escaped = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == digits[0], bytes[index...].starts(with: digits) {
                let after = index + digits.count
                if after == bytes.count || !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[after]) {
                    guard found == nil else { return nil }
                    found = index
                    index = after
                    continue
                }
            }
            index += 1
        }
        guard let found else { return (payload, nil) }
        return (Data(bytes[..<found]), Data(bytes[(found + digits.count)...]))
    }
}
