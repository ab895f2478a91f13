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
    private let channelName = Mutex("switchboard")
    private let claimed = Mutex<PostgresConnection?>(nil)
    private let listening = Atomic(false)
    let startedAtMs: Int64

    init(node: String, database: Database, topics: TopicRegistry, historySize: Int, clock: any HubClock, logger: Logger) {
        self.node = node
        self.database = database
        self.topics = topics
        self.historySize = max(1, historySize)
        self.clock = clock
        self.logger = logger
        self.startedAtMs = clock.nowMs()
    }

    /// Whether the listener hears the cluster now (`/readyz` names `bus` while it does not).
    var isListening: Bool { listening.load(ordering: .relaxed) }

    private var channel: String { channelName.withLock { $0 } }

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

    private func takeNameLock(on connection: PostgresConnection) async throws -> Bool {
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
        var head = "e\n\(node)\n"
        var tail = "\n\(topic)\n\(type)\n\(text)"
        if head.utf8.count + 20 + tail.utf8.count > BusNotification.maxBytes {
            head = "E\n\(node)\n"
            tail = "\n\(topic)"
        }
        let row = try await sql.raw("""
            WITH s AS (
                INSERT INTO hub_topics AS t (topic, seq) VALUES (\(bind: topic), 1)
                ON CONFLICT (topic) DO UPDATE SET seq = t.seq + 1
                RETURNING seq
            ), e AS (
                INSERT INTO hub_topic_events (topic, seq, type, payload, published_at)
                SELECT \(bind: topic), s.seq, \(bind: type), \(bind: text), \(bind: clock.nowMs()) FROM s
            ), d AS (
                DELETE FROM hub_topic_events WHERE topic = \(bind: topic) AND seq <= (SELECT seq FROM s) - \(bind: Int64(historySize))
            )
            SELECT s.seq AS seq, pg_notify(\(bind: channel), \(bind: head) || s.seq || \(bind: tail)) FROM s
            """).first()
        guard let seq = try row?.decode(column: "seq", as: Int64.self) else {
            throw DatabaseUnavailable(reason: "the event was not numbered")
        }
        return seq
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

    // MARK: reading the history

    /// The topic's position and, for a `since`, the stored events after it.
    func position(of topic: String, since: Int64?) async throws -> TopicRegistry.StoredPosition {
        try await database.withConnection { sql in
            guard let since else {
                let row = try await sql.raw("SELECT seq FROM hub_topics WHERE topic = \(bind: topic)").first()
                return .init(latest: try row?.decode(column: "seq", as: Int64.self) ?? 0, events: [], reachesBack: true)
            }
            let rows = try await sql.raw("""
                SELECT t.seq AS latest, e.seq AS event_seq, e.type AS type, e.payload AS payload
                FROM hub_topics t LEFT JOIN hub_topic_events e ON e.topic = t.topic AND e.seq > \(bind: since)
                WHERE t.topic = \(bind: topic)
                ORDER BY e.seq LIMIT \(bind: historySize + 1)
                """).all()
            let latest = try rows.first?.decode(column: "latest", as: Int64.self) ?? 0
            var events: [TopicRegistry.NumberedFrame] = []
            for row in rows {
                guard let seq = try row.decode(column: "event_seq", as: Int64?.self) else { continue }
                let type = try row.decode(column: "type", as: String.self)
                let payload = try row.decode(column: "payload", as: String.self)
                events.append(.init(seq: seq, frame: OutboundFrame.event(type: type, topic: topic, seq: seq, payload: Data(payload.utf8))))
            }
            let reachesBack = since >= latest ? since == latest : events.first?.seq == since + 1
            return .init(latest: latest, events: events, reachesBack: reachesBack)
        }
    }

    /// The stored events after each topic's position, oldest first per topic.
    private func events(after positions: [(topic: String, seq: Int64)]) async throws -> [(topic: String, event: TopicRegistry.NumberedFrame)] {
        var found: [(String, TopicRegistry.NumberedFrame)] = []
        for start in stride(from: 0, to: positions.count, by: 500) {
            let batch = positions[start..<min(start + 500, positions.count)]
            let rows = try await database.withConnection { sql in
                try await sql.raw("""
                    SELECT e.topic AS topic, e.seq AS seq, e.type AS type, e.payload AS payload
                    FROM hub_topic_events e
                    JOIN unnest(\(bind: batch.map(\.topic))::text[], \(bind: batch.map(\.seq))::bigint[]) AS c(topic, seq)
                      ON e.topic = c.topic AND e.seq > c.seq
                    ORDER BY e.topic, e.seq
                    """).all()
            }
            for row in rows {
                let topic = try row.decode(column: "topic", as: String.self)
                let seq = try row.decode(column: "seq", as: Int64.self)
                let type = try row.decode(column: "type", as: String.self)
                let payload = try row.decode(column: "payload", as: String.self)
                found.append((topic, .init(seq: seq, frame: OutboundFrame.event(type: type, topic: topic, seq: seq, payload: Data(payload.utf8)))))
            }
        }
        return found
    }

    /// Delivers what the history holds after each topic's position; the first event of a
    /// topic may jump a gap (what is missing is no longer stored).
    private func catchUp(_ positions: [(topic: String, seq: Int64)]) async throws {
        guard !positions.isEmpty else { return }
        var previousTopic: String?
        for (topic, event) in try await events(after: positions) {
            topics.deliver(event, topic: topic, force: topic != previousTopic)
            previousTopic = topic
        }
    }

    // MARK: running

    /// Listens to the cluster, keeps this node's row fresh and repairs gaps, until cancelled.
    /// - Throws: ``NodeNameTaken`` when, after a lost connection, another node holds the
    ///   name: this node must stop.
    func run(hub: Hub) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.listen(hub: hub) }
            group.addTask { await self.heartbeat(hub: hub) }
            group.addTask { await self.repair() }
            try await group.next()
            group.cancelAll()
        }
    }

    private func listen(hub: Hub) async throws {
        var backoff = Duration.milliseconds(100)
        var connection = claimed.withLock { $0 }
        while !Task.isCancelled {
            do {
                if connection == nil {
                    let fresh = try await database.dedicatedConnection(logger: logger)
                    guard let fresh else { return }
                    claimed.withLock { $0 = fresh }
                    connection = fresh
                    guard try await takeNameLock(on: fresh) else {
                        logger.critical("another node took this node's name while it was disconnected; stopping", metadata: ["sb.node": .string(node)])
                        throw NodeNameTaken(name: node)
                    }
                }
                guard let live = connection else { return }
                try await live.listen(on: channel) { notifications in
                    listening.store(true, ordering: .relaxed)
                    backoff = .milliseconds(100)
                    try await caughtUp(hub: hub)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await notification in notifications { await self.handle(notification.payload, hub: hub) }
                        }
                        group.addTask { try await self.probe(live) }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch let error as NodeNameTaken {
                throw error
            } catch {
                if Task.isCancelled { break }
                logger.warning("cluster listener lost its connection; reconnecting", metadata: ["error": .string(String(describing: error))])
            }
            listening.store(false, ordering: .relaxed)
            ConnectionProbe.abandon(connection)
            connection = nil
            claimed.withLock { $0 = nil }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(1))
        }
        listening.store(false, ordering: .relaxed)
    }

    /// Fails when the listener's connection stops answering (a half-open TCP connection never
    /// ends the notification stream by itself), closing it so the stream ends too.
    private func probe(_ connection: PostgresConnection) async throws {
        while true {
            try await Task.sleep(for: .seconds(2))
            guard await ConnectionProbe.answers(connection, within: .seconds(3)) else {
                ConnectionProbe.abandon(connection)
                throw DatabaseUnavailable(reason: "the cluster listener's connection stopped answering")
            }
        }
    }

    /// After (re)listening: what this node missed while it could not hear the cluster.
    private func caughtUp(hub: Hub) async throws {
        try await catchUp(topics.anchoredPositions())
        let before = Dictionary(uniqueKeysWithValues: hub.flags.snapshot.map { ($0.name, $0.enabled) })
        try await hub.flags.load(from: database)
        for (module, enabled) in hub.flags.snapshot where before[module] != enabled { hub.announceFeature(module, enabled: enabled) }
        try await hub.tokens.loadRevocations(from: database)
    }

    /// Applies one notification from the cluster.
    func handle(_ text: String, hub: Hub) async {
        guard let notification = BusNotification(parsing: text) else {
            logger.warning("ignored a malformed cluster notification", metadata: ["bytes": .stringConvertible(text.utf8.count)])
            return
        }
        do {
            switch notification {
            case .event(_, let seq, let topic, let type, let payload):
                guard hub.publisher.isLive(type, on: Topic(unchecked: topic)) else { return }
                hub.metrics.delivered(module: CommandType(type).module,
                                      count: topics.deliver(seq: seq, type: type, topic: topic, payload: payload))
            case .eventReference(_, let seq, let topic):
                guard topics.isAnchored(topic) else { return }
                let row = try await database.withConnection { sql in
                    try await sql.raw("SELECT type, payload FROM hub_topic_events WHERE topic = \(bind: topic) AND seq = \(bind: seq)").first()
                }
                guard let row else { return }  // already trimmed: the gap repair moves past it
                let type = try row.decode(column: "type", as: String.self)
                guard hub.publisher.isLive(type, on: Topic(unchecked: topic)) else { return }
                let payload = Data(try row.decode(column: "payload", as: String.self).utf8)
                hub.metrics.delivered(module: CommandType(type).module,
                                      count: topics.deliver(seq: seq, type: type, topic: topic, payload: payload))
            case .ephemeral(let origin, let topic, let type, let payload):
                guard origin != node, hub.publisher.isLive(type, on: Topic(unchecked: topic)) else { return }
                hub.publisher.deliver(type: type, topic: topic, payload: payload, sequenced: false)
            case .ephemeralReference(let origin, let blob, let topic, let type):
                guard origin != node, hub.publisher.isLive(type, on: Topic(unchecked: topic)) else { return }
                let row = try await database.withConnection { sql in
                    try await sql.raw("SELECT payload FROM hub_bus_blobs WHERE id = \(bind: blob)").first()
                }
                guard let row else { return }
                hub.publisher.deliver(type: type, topic: topic, payload: Data(try row.decode(column: "payload", as: String.self).utf8), sequenced: false)
            case .feature(let origin, let module, let enabled):
                guard origin != node else { return }
                if hub.flags.apply(module, enabled: enabled) { hub.announceFeature(module, enabled: enabled) }
            case .revocation(let origin, let userID, let validAfterMs):
                guard origin != node else { return }
                hub.tokens.remember(userID, validAfterMs)
                hub.connections.closeRevoked(userID)
            }
        } catch {
            logger.warning("a cluster notification could not be applied", metadata: ["error": .string(String(describing: error))])
        }
    }

    /// Every second: this node's row (`lastSeenAt`, connections, jobs it leads); every
    /// minute: forgets ephemeral blobs and nodes gone for an hour.
    private func heartbeat(hub: Hub) async {
        var beats = 0
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(1))
                let now = clock.nowMs()
                let connections = hub.openConnections.count
                let leads = hub.leadership.ledJobs.joined(separator: ",")
                try await database.withConnection { sql in
                    try await sql.raw("""
                        INSERT INTO hub_nodes (name, started_at, last_seen_at, connections, leader_of)
                        VALUES (\(bind: node), \(bind: startedAtMs), \(bind: now), \(bind: connections), \(bind: leads))
                        ON CONFLICT (name) DO UPDATE SET last_seen_at = excluded.last_seen_at,
                            connections = excluded.connections, leader_of = excluded.leader_of
                        """).run()
                    beats += 1
                    if beats % 60 == 1 {
                        try await sql.raw("DELETE FROM hub_bus_blobs WHERE created_at < \(bind: now - 60_000)").run()
                        try await sql.raw("DELETE FROM hub_nodes WHERE last_seen_at < \(bind: now - 3_600_000)").run()
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("cluster heartbeat failed", metadata: ["error": .string(String(describing: error))])
            }
        }
    }

    /// Every 250 ms: topics whose next event has been missing for 300 ms read it from the
    /// history; topics subscribed before their position could be read get it now.
    private func repair() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .milliseconds(250))
                guard isListening else { continue }
                let (gapped, unanchored) = topics.needingRepair(olderThanMs: 300)
                try await catchUp(gapped)
                for topic in unanchored {
                    let position = try await position(of: topic, since: nil)
                    topics.anchor(topic, latest: position.latest, events: [])
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("cluster gap repair failed", metadata: ["error": .string(String(describing: error))])
            }
        }
    }

    /// The names of the nodes whose heartbeat is at most `withinMs` old.
    func nodeNames(seenWithinMs withinMs: Int64) async throws -> Set<String> {
        let horizon = clock.nowMs() - withinMs
        return try await database.withConnection { sql in
            Set(try await sql.raw("SELECT name FROM hub_nodes WHERE last_seen_at >= \(bind: horizon)").all()
                .map { try $0.decode(column: "name", as: String.self) })
        }
    }

    /// How long a node may miss heartbeats (one a second) before it counts as gone.
    static let liveHorizonMs: Int64 = 5_000

    /// The live nodes: a heartbeat within ``liveHorizonMs``. A job is shown under one node
    /// only, the freshest claimant whose claim is at most two heartbeats old: a node that just
    /// died or froze still has a row for a few seconds, but not the lead it lost.
    func liveNodes() async throws -> [ClusterNode] {
        let now = clock.nowMs()
        var nodes = try await database.withConnection { sql in
            try await sql.raw("""
                SELECT name, started_at, last_seen_at, connections, leader_of FROM hub_nodes
                WHERE last_seen_at >= \(bind: now - Self.liveHorizonMs) ORDER BY name
                """).all().map { row in
                let leads = try row.decode(column: "leader_of", as: String.self)
                return ClusterNode(
                    name: try row.decode(column: "name", as: String.self),
                    startedAt: try row.decode(column: "started_at", as: Int64.self),
                    lastSeenAt: try row.decode(column: "last_seen_at", as: Int64.self),
                    connections: try row.decode(column: "connections", as: Int.self),
                    leaderOf: leads.split(separator: ",").map(String.init))
            }
        }
        var freshest: [String: (node: String, seenAt: Int64)] = [:]
        for node in nodes where now - node.lastSeenAt <= 2_000 {
            for job in node.leaderOf where (freshest[job]?.seenAt ?? .min) < node.lastSeenAt {
                freshest[job] = (node.name, node.lastSeenAt)
            }
        }
        for index in nodes.indices {
            nodes[index].leaderOf = nodes[index].leaderOf.filter { freshest[$0]?.node == nodes[index].name }
        }
        return nodes
    }
}

/// Another live node holds this node's name (`HUB_NODE_NAME`).
struct NodeNameTaken: Error, CustomStringConvertible {
    let name: String
    var description: String {
        "HUB_NODE_NAME '\(name)' is held by another running node of this cluster; give each node its own name (it is free again as soon as that node's database session ends)"
    }
}
