public import Foundation

/// An event published by the very statement that stores the state it announces, for a
/// command whose whole write is one PostgreSQL statement: that statement then runs on its own
/// (autocommit, ``Database/runPrepared(_:)``) — one round trip instead of BEGIN, the
/// statement, the event's numbering and COMMIT (issue #16). Get one from
/// ``EventPublisher/inStatement(_:on:)``.
///
/// The payload may hold one number only the statement knows (a message's `seq`): build the
/// event with ``placeholder`` there, and the statement splices the number it assigns in.
///
/// ```swift
/// struct StoreMessage: PreparedStatement {
///     static let sql = """
///         WITH i AS (INSERT INTO chat_messages … VALUES ($1, …) RETURNING seq),
///              e AS (\(StatementEvent.publishing(number: "i.seq", from: "i", firstParameter: 5)))
///         SELECT (SELECT seq FROM i) AS seq, (SELECT seq FROM e) AS event_seq
///         """
///     var values: [StatementValue]   // $1…$4, then event.values
/// }
/// var draft = message
/// draft.seq = StatementEvent.placeholder
/// let event = try events.inStatement(MessageSent(message: draft), on: ChatTopics.room(room))
/// let row = try await database.runPrepared(StoreMessage(values: mine + event.values)).first
/// event.committed(number: seq, eventSeq: eventSeq)   // after the statement, never before
/// ```
///
/// ``publishing(number:from:firstParameter:)`` is a `SELECT` with one row per row of its
/// source (publish from a source of exactly one row, or none to publish nothing), so
/// PostgreSQL runs it when the main query reads it: read its `seq` column there. In cluster
/// mode it takes the topic's counter row lock, so make its source depend on every row the
/// statement locks before it (the topic's counter is always locked last, as in a
/// ``Transaction``). Sequenced events only: an ephemeral one has nothing to number, publish it
/// with ``EventPublisher/publish(_:on:)``.
public struct StatementEvent: Sendable {
    /// Stands for the number the statement assigns, in the event as encoded.
    public static let placeholder: Int64 = .min
    /// How many parameters ``publishing(number:from:firstParameter:)`` takes (``values``).
    public static let parameterCount = 10

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
    /// When it was made (the history's `published_at`).
    let nowMs: Int64

    /// The `SELECT` that publishes the event once per row of `source`, with the SQL expression
    /// `number` in place of ``placeholder``; its column `seq` is the event's `seq` in cluster
    /// mode, `NULL` on one node (numbered in memory by ``committed(number:eventSeq:)``).
    /// Parameters `$first` … `$(first + 9)` take ``values``.
    public static func publishing(number: String, from source: String, firstParameter first: Int) -> String {
        func p(_ offset: Int) -> String { "$\(first + offset)" }
        return """
            SELECT CASE WHEN \(p(0))::boolean THEN hub_publish(\(p(1))::text, \(p(2))::text, \(p(3))::boolean, \(p(4))::text, \(p(5))::text,
                CASE WHEN \(p(7))::text IS NULL THEN \(p(6))::text ELSE \(p(6))::text || (\(number))::text || \(p(7))::text END,
                \(p(8))::bigint, \(p(9))::bigint) END AS seq FROM \(source)
            """
    }

    /// The columns ``publishingEvery(number:from:)`` reads, for a statement that stores a batch of
    /// rows and publishes one event per row: `unnest` ``arrays(_:)`` into them, in this order.
    public static let columns = "ev_number, ev_channel, ev_head, ev_inline, ev_topic, ev_type, ev_prefix, ev_suffix, ev_now, ev_keep"

    /// The SQL types of ``arrays(_:)``, in order, to cast the parameters with.
    public static let arrayTypes = ["boolean[]", "text[]", "text[]", "boolean[]", "text[]", "text[]", "text[]", "text[]", "bigint[]", "bigint[]"]

    /// ``values`` of many events as ten arrays with one element per event (an event without
    /// ``placeholder`` has an empty suffix: a payload is a JSON object, it never ends in the number).
    public static func arrays(_ events: [StatementEvent]) -> [StatementValue] {
        let rows = events.map(\.values)
        func texts(_ column: Int) -> StatementValue { .texts(rows.map { if case .text(let text) = $0[column] { text ?? "" } else { "" } }) }
        func bigints(_ column: Int) -> StatementValue { .bigints(rows.map { if case .bigint(let number) = $0[column] { number ?? 0 } else { 0 } }) }
        func booleans(_ column: Int) -> StatementValue { .booleans(rows.map { if case .boolean(let flag) = $0[column] { flag ?? false } else { false } }) }
        return [booleans(0), texts(1), texts(2), booleans(3), texts(4), texts(5), texts(6), texts(7), bigints(8), bigints(9)]
    }

    /// Common table expressions that publish one event per row of `source` — a CTE with the
    /// ``columns`` and an `ord` column giving the order of each topic's events — with the SQL
    /// expression `number` in place of ``placeholder``. The last, `e (ord, event_seq)`, holds
    /// each numbered row's event `seq` (cluster mode; no row where nothing is numbered in the
    /// database): `LEFT JOIN` it by `ord` in the main query, which makes the rest run.
    ///
    /// What `hub_publish` does per event, done once per batch (issue #16): each topic's counter
    /// row moved on by the number of its events (the topics locked in name order, after
    /// everything `source` depends on), the events numbered in `ord` order, the history rows
    /// kept and the older ones trimmed, one NOTIFY per event in each topic's `seq` order (the
    /// text and the trim are hub.007's `hub_notification` and `hub_history_floor`, as in
    /// `hub_publish`). Set-based, PostgreSQL's executor starts a handful of nodes
    /// for the batch where a PL/pgSQL call per event started four statements each.
    public static func publishingEvery(number: String, from source: String) -> String {
        """
        ev AS MATERIALIZED (
            SELECT ord, ev_channel, ev_head, ev_inline, ev_topic, ev_type, ev_now, ev_keep,
                CASE WHEN ev_suffix = '' THEN ev_prefix ELSE ev_prefix || (\(number))::text || ev_suffix END AS ev_payload
            FROM \(source) WHERE ev_number
        ), ev_counts AS MATERIALIZED (
            SELECT ev_topic, count(*) AS n, max(ev_keep) AS keep FROM ev GROUP BY ev_topic
        ), ev_counters AS (
            INSERT INTO hub_topics AS t (topic, seq) SELECT ev_topic, n FROM ev_counts ORDER BY ev_topic
            ON CONFLICT (topic) DO UPDATE SET seq = t.seq + excluded.seq
            RETURNING t.topic, t.seq AS top
        ), ev_numbered AS MATERIALIZED (
            SELECT ev.*, c.top - k.n + row_number() OVER (PARTITION BY ev.ev_topic ORDER BY ev.ord) AS event_seq, hub_history_floor(c.top, k.keep) AS trim_below
            FROM ev JOIN ev_counters c ON c.topic = ev.ev_topic JOIN ev_counts k ON k.ev_topic = ev.ev_topic
        ), ev_history AS (
            INSERT INTO hub_topic_events (topic, seq, type, payload, published_at)
            SELECT ev_topic, event_seq, ev_type, ev_payload, ev_now FROM ev_numbered WHERE event_seq > trim_below
        ), ev_trimmed AS (
            DELETE FROM hub_topic_events h USING (SELECT DISTINCT ev_topic, trim_below FROM ev_numbered) x
            WHERE h.topic = x.ev_topic AND h.seq <= x.trim_below
        ), ev_notified AS MATERIALIZED (
            SELECT pg_notify(ev_channel, hub_notification(ev_head, event_seq, ev_topic, ev_inline, ev_type, ev_payload))
            FROM ev_numbered ORDER BY ev_topic, event_seq
        ), e AS MATERIALIZED (
            SELECT ord, event_seq FROM ev_numbered WHERE (SELECT count(*) FROM ev_notified) >= 0
        )
        """
    }

    /// The values of the parameters of ``publishing(number:from:firstParameter:)``, in order:
    /// whether to number the event (cluster mode, switched on), the NOTIFY's channel and
    /// head, whether the payload fits in it, topic, type, the payload around the number, the
    /// time and the history's size.
    public var values: [StatementValue] {
        let prefixText = String(decoding: prefix, as: UTF8.self)
        let suffixText = suffix.map { String(decoding: $0, as: UTF8.self) }
        guard live, let cluster = publisher.cluster else {
            return [.boolean(false), .text(""), .text(""), .boolean(false), .text(topic.name), .text(type),
                    .text(prefixText), .text(suffixText), .bigint(nowMs), .bigint(0)]
        }
        let (head, inline) = cluster.notificationHead(type: type, topic: topic.name, payloadBytes: prefix.count + (suffix?.count ?? 0) + 20)
        return [.boolean(true), .text(cluster.channel), .text(head), .boolean(inline), .text(topic.name), .text(type),
                .text(prefixText), .text(suffixText), .bigint(nowMs), .bigint(Int64(cluster.historySize))]
    }

    /// Delivers the event to this node's subscribers once the statement has committed.
    /// - Parameter number: the number the statement put in place of ``placeholder``.
    /// - Parameter eventSeq: the `seq` column of ``publishing(number:from:)``; in cluster mode
    ///   `nil` means it published nothing.
    public func committed(number: Int64, eventSeq: Int64?) {
        guard live else { return }
        let payload = payload(number: number)
        if publisher.cluster != nil {
            if let eventSeq { publisher.deliverNumbered(type, payload, on: topic.name, seq: eventSeq) }
        } else {
            publisher.deliverEncoded(type, payload, on: topic, sequenced: true)
        }
    }

    /// The event's payload as encoded, with `number` in place of ``placeholder``: what
    /// subscribers receive, and the JSON of a reply with the event's fields (``EncodedReply``).
    public func payload(number: Int64) -> Data {
        guard let suffix else { return prefix }
        var payload = prefix
        payload.append(contentsOf: String(number).utf8)
        payload.append(suffix)
        return payload
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
