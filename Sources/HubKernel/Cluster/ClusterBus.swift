import Foundation
import Logging
import PostgresKit
import SQLKit
import Synchronization

/// Joins the nodes that share one PostgreSQL database into one hub (cluster mode).
///
/// - **Numbering.** A sequenced event is numbered in the database: one statement bumps the
///   topic's counter row in `hub_topics` (its row lock orders the topic's publishers by
///   commit), writes the event to the bounded `hub_topic_events` history and sends a NOTIFY,
///   which PostgreSQL delivers after the commit, in commit order. Inside a ``Transaction`` it
///   runs just before the commit, so the event exists exactly when the state it describes does.
/// - **Delivery.** The publishing node hands the event to its own subscribers after the
///   commit; every node's listener hands it to theirs when the NOTIFY arrives. The
///   ``TopicRegistry`` delivers each topic in `seq` order and drops what it already delivered.
/// - **Recovery.** What a listener missed while its connection was down is read back from the
///   history once it listens again; a `hub.subscribe {since}` this node cannot answer from
///   memory is answered from the history.
/// - **Identity.** The node holds a session advisory lock on its name on the listener's
///   connection: a second node with the same name is refused while the first lives.
///
/// A single node never builds one: it pays none of these queries.
final class ClusterBus: Sendable {
    /// This node's name.
    let node: String
    let database: Database
    let topics: TopicRegistry
    let historySize: Int
    let clock: any HubClock
    let logger: Logger
    /// The NOTIFY channel, named after the schema so hubs in other schemas of the same
    /// database (tests) do not hear each other; set by ``claim()``.
    let channelName = Mutex("switchboard")
    let claimed = Mutex<PostgresConnection?>(nil)
    let listening = Atomic(false)
    let startedAtMs: Int64
    /// Topics' latest `seq`s looked up together (``latest(of:)``): a reconnect storm reads
    /// each user topic's position, one lookup per batch instead of one per connection.
    let latestLookups: DatabaseBatcher<String, Int64>

    init(node: String, database: Database, topics: TopicRegistry, historySize: Int, clock: any HubClock, logger: Logger) {
        self.node = node
        self.database = database
        self.topics = topics
        self.historySize = max(1, historySize)
        self.clock = clock
        self.logger = logger
        self.startedAtMs = clock.nowMs()
        latestLookups = DatabaseBatcher { [database] topics in
            let rows = try await database.runPrepared(LatestSeqs(topics: topics))
            var latest: [String: Int64] = [:]
            for row in rows { latest[try row.decode(column: "topic", as: String.self)] = try row.decode(column: "seq", as: Int64.self) }
            return topics.map { latest[$0] ?? 0 }
        }
    }

    /// Whether the listener hears the cluster now (`/readyz` names `bus` while it does not).
    var isListening: Bool { listening.load(ordering: .relaxed) }

    var channel: String { channelName.withLock { $0 } }

    // MARK: joining

    /// Takes this node's name and records the node, before the node serves anything.
    /// - Throws: ``NodeNameTaken`` while another live node holds the name; database errors.
    func claim() async throws {
        if claimed.withLock({ $0 != nil }) { return }
        guard let connection = try await database.dedicatedConnection(logger: logger) else { return }
        do {
            let schema = try await connection.sql().raw("SELECT current_schema() AS schema").first()?.decode(column: "schema", as: String.self) ?? "public"
            channelName.withLock { $0 = Self.channel(forSchema: schema) }
            guard try await takeNameLock(on: connection) else { throw NodeNameTaken(name: node) }
            try await database.withConnection { sql in
                try await sql.raw("""
                    INSERT INTO hub_nodes (name, started_at, last_seen_at, connections, leader_of)
                    VALUES (\(bind: node), \(bind: startedAtMs), \(bind: startedAtMs), 0, '')
                    ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, last_seen_at = excluded.last_seen_at,
                        connections = 0, leader_of = ''
                    """).run()
            }
        } catch {
            ConnectionProbe.abandon(connection)
            throw error
        }
        claimed.withLock { $0 = connection }
    }

    /// `switchboard` in the `public` schema, else `switchboard_<schema>` (an identifier).
    static func channel(forSchema schema: String) -> String {
        guard schema != "public" else { return "switchboard" }
        let safe = String(schema.lowercased().unicodeScalars.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_" })
        return String("switchboard_\(safe)".prefix(63))
    }

    func takeNameLock(on connection: PostgresConnection) async throws -> Bool {
        let row = try await connection.sql().raw("""
            SELECT pg_try_advisory_lock(hashtextextended(current_schema() || ':switchboard-node:' || \(bind: node), 0)) AS taken
            """).first()
        return try row?.decode(column: "taken", as: Bool.self) ?? false
    }

    /// Forgets this node in `hub_nodes` and ends its session (graceful shutdown).
    func leave() async {
        try? await database.withConnection { sql in
            try await sql.raw("DELETE FROM hub_nodes WHERE name = \(bind: node)").run()
        }
        let connection = claimed.withLock { connection in
            defer { connection = nil }
            return connection
        }
        await ConnectionProbe.close(connection, within: .seconds(2))
    }

    // MARK: publishing

    /// Numbers `payload` as the next event of `topic`, keeps it in the history and tells the
    /// other nodes, in one statement on `sql` (a transaction's, or one of its own).
    /// - Returns: the event's `seq`.
    func append(type: String, topic: String, payload: Data, on sql: any SQLDatabase) async throws -> Int64 {
        let text = String(decoding: payload, as: UTF8.self)
        let call = numbering(type: type, topic: topic, payload: SQLBind(text), payloadBytes: payload.count)
        guard let seq = try await sql.raw("SELECT \(call) AS seq").first()?.decode(column: "seq", as: Int64?.self) else {
            throw DatabaseUnavailable(reason: "the event was not numbered")
        }
        return seq
    }

    /// The call of `hub_publish` (migrations hub.006 and hub.007) that numbers an event of `topic`, keeps it
    /// in the history and tells the other nodes; its value is the event's `seq`.
    func numbering(type: String, topic: String, payload: any SQLExpression, payloadBytes: Int) -> SQLQueryString {
        let (head, inline) = notificationHead(type: type, topic: topic, payloadBytes: payloadBytes)
        return """
            hub_publish(\(bind: channel), \(bind: head), \(bind: inline), \(bind: topic), \(bind: type),
                        \(payload), \(bind: clock.nowMs()), \(bind: Int64(historySize)))
            """
    }

    /// The start of an event's NOTIFY and whether the payload fits in it: an event too large
    /// for one NOTIFY is sent by reference (`E`), the other nodes read it from the history.
    /// - Parameter payloadBytes: the payload's size in bytes, at most.
    func notificationHead(type: String, topic: String, payloadBytes: Int) -> (head: String, inline: Bool) {
        // head, up to 20 digits of seq, then the fields
        let inline = "e\n\(node)\n".utf8.count + 20 + "\n\(topic)\n\(type)\n".utf8.count + payloadBytes <= BusNotification.maxBytes
        return (inline ? "e\n\(node)\n" : "E\n\(node)\n", inline)
    }

    /// Tells the other nodes of an ephemeral event (no seq, no history); a payload too large
    /// for one NOTIFY travels through `hub_bus_blobs`.
    func announceEphemeral(type: String, topic: String, payload: Data, on sql: any SQLDatabase) async throws {
        let inline = BusNotification.ephemeral(origin: node, topic: topic, type: type, payload: payload).text
        if inline.utf8.count <= BusNotification.maxBytes {
            try await sql.raw("SELECT pg_notify(\(bind: channel), \(bind: inline))").run()
            return
        }
        let blob = UUID().uuidString.lowercased()
        let reference = BusNotification.ephemeralReference(origin: node, blob: blob, topic: topic, type: type).text
        try await sql.raw("""
            WITH b AS (
                INSERT INTO hub_bus_blobs (id, payload, created_at)
                VALUES (\(bind: blob), \(bind: String(decoding: payload, as: UTF8.self)), \(bind: clock.nowMs()))
            )
            SELECT pg_notify(\(bind: channel), \(bind: reference))
            """).run()
    }

    /// Tells the other nodes of a flag change or a revocation.
    func announce(_ notification: BusNotification) async throws {
        try await database.withConnection { sql in
            try await sql.raw("SELECT pg_notify(\(bind: channel), \(bind: notification.text))").run()
        }
    }
}

/// Another live node holds this node's name (`HUB_NODE_NAME`).
struct NodeNameTaken: Error, CustomStringConvertible {
    let name: String
    var description: String {
        "HUB_NODE_NAME '\(name)' is held by another running node of this cluster; give each node its own name (it is free again as soon as that node's database session ends)"
    }
}
