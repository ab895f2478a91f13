import HubKernel
import Logging
import SQLKit
import Synchronization

/// Presence across the nodes of a cluster, kept in the database so every node answers the
/// same: one row per open connection (`presence_connections`, with its node), one per
/// connection on a tracked topic (`presence_members`), and the announced state — a user's
/// `presence_status.online`, a topic's `presence_topic_users` — changed only by
/// compare-and-set, so each join and leave is announced once, by whichever node wins it.
///
/// - A user comes online when the first of their connections anywhere opens; a reload that
///   reconnects to another node inside the debounce says nothing.
/// - After a connection closes, its node checks once the debounce has passed: no
///   connection left anywhere → offline (last seen), announced.
/// - The node leading `presence.reaper` removes the rows of nodes that stopped heartbeating
///   (3 s), and announces the leave of anything left without connections for longer than
///   the debounce (a killed node's users; a check lost with a node that died in its debounce).
final class ClusterPresence: Sendable {
    private enum Check: Hashable { case user(String), topic(String, String) }

    private let database: Database
    private let events: EventPublisher<PresenceModule>
    private let clock: any HubClock
    private let node: String
    private let logger: Logger
    private let debounceMs: Int64
    private let access: HubAccess
    /// Leave checks this node owes, by when they are due.
    private let pending = Mutex<[Check: Int64]>([:])
    /// What the reaper found orphaned, and since when.
    private let orphans = Mutex<[Check: Int64]>([:])
    /// Connections opening now, stored a batch at a time.
    private let arrivals: DatabaseBatcher<ConnectionInfo, Void>
    /// How stale a node's heartbeat may be before its connections count as closed.
    static let deadNodeMs: Int64 = 3000

    init(database: Database, events: EventPublisher<PresenceModule>, clock: any HubClock, node: String, logger: Logger,
         debounceMs: Int64, access: HubAccess) {
        self.database = database
        self.events = events
        self.clock = clock
        self.node = node
        self.logger = logger
        self.debounceMs = debounceMs
        self.access = access
        arrivals = DatabaseBatcher { [database, events, clock, node] connections in
            try await Self.storeArrivals(connections, database: database, events: events, now: clock.nowMs(), node: node)
            return Array(repeating: (), count: connections.count)
        }
    }

    // MARK: connections

    /// Records the connection and, when it is the user's first anywhere, announces them
    /// online; connections arriving together are stored together (`DatabaseBatcher`).
    func connected(_ connection: ConnectionInfo) async throws {
        try await arrivals.submit(connection)
    }

    /// One transaction for a batch of new connections: their rows, the users among them who
    /// were offline marked online (in user order, so two nodes' batches never lock each other's
    /// rows in a cycle), and one `presence.diff` joining all of those.
    private static func storeArrivals(_ connections: [ConnectionInfo], database: Database, events: EventPublisher<PresenceModule>,
                                      now: Int64, node: String) async throws {
        try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO presence_connections (connection_id, node, user_id, connected_at)
                SELECT c, \(bind: node), u, \(bind: now) FROM unnest(\(bind: connections.map(\.id))::text[], \(bind: connections.map(\.identity.userID))::text[]) AS a (c, u)
                ON CONFLICT (connection_id) DO NOTHING
                """).run()
            let cameOnline = try await sql.raw("""
                INSERT INTO presence_status AS s (user_id, state, online, last_seen, node, updated_at)
                SELECT u, 'online', TRUE, \(bind: now), \(bind: node), \(bind: now)
                FROM (SELECT DISTINCT u FROM unnest(\(bind: connections.map(\.identity.userID))::text[]) AS a (u)) d ORDER BY u
                ON CONFLICT (user_id) DO UPDATE SET online = TRUE, last_seen = excluded.last_seen, node = excluded.node,
                    updated_at = excluded.updated_at
                WHERE s.online = FALSE
                RETURNING user_id
                """).all().map { try $0.decode(column: "user_id", as: String.self) }
            if !cameOnline.isEmpty {
                try await events.publish(PresenceDiff(topic: PresenceTracker.usersTopic, joins: cameOnline.sorted(), leaves: []),
                                         on: PresenceTopics.of(PresenceTracker.usersTopic), in: sql)
            }
        }
    }

    func disconnected(_ connection: ConnectionInfo) async throws {
        let userID = connection.identity.userID
        let topics = try await database.transaction { sql in
            let topics = try await sql.raw("DELETE FROM presence_members WHERE connection_id = \(bind: connection.id) RETURNING topic")
                .all().map { try $0.decode(column: "topic", as: String.self) }
            try await sql.raw("DELETE FROM presence_connections WHERE connection_id = \(bind: connection.id)").run()
            return topics
        }
        let due = clock.nowMs() + debounceMs
        pending.withLock { pending in
            pending[.user(userID)] = due
            for topic in topics { pending[.topic(topic, userID)] = due }
        }
    }

    // MARK: topics

    func track(_ topic: String, connectionID: String, userID: String) async throws {
        try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO presence_members (connection_id, topic, user_id) VALUES (\(bind: connectionID), \(bind: topic), \(bind: userID))
                ON CONFLICT (connection_id, topic) DO NOTHING
                """).run()
            let joined = try await sql.raw("""
                INSERT INTO presence_topic_users (topic, user_id) VALUES (\(bind: topic), \(bind: userID))
                ON CONFLICT (topic, user_id) DO NOTHING RETURNING user_id
                """).first() != nil
            if joined {
                try await events.publish(PresenceDiff(topic: topic, joins: [userID], leaves: []), on: PresenceTopics.of(topic), in: sql)
            }
        }
    }

    func untrack(_ topic: String, connectionID: String, userID: String) async throws {
        try await database.withConnection { sql in
            try await sql.raw("DELETE FROM presence_members WHERE connection_id = \(bind: connectionID) AND topic = \(bind: topic)").run()
        }
        let due = clock.nowMs() + debounceMs
        pending.withLock { $0[.topic(topic, userID)] = due }
    }

    /// The users present on `topic` with their connections on every node (0 while a leave is pending).
    func members(of topic: String) async throws -> [(userID: String, connections: Int)] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT u.user_id AS user_id, count(m.connection_id) AS connections
                FROM presence_topic_users u
                LEFT JOIN presence_members m ON m.topic = u.topic AND m.user_id = u.user_id
                WHERE u.topic = \(bind: topic)
                GROUP BY u.user_id ORDER BY u.user_id
                """).all().map { (try $0.decode(column: "user_id", as: String.self), try $0.decode(column: "connections", as: Int.self)) }
        }
    }

    /// Whether the user counts as online, and their open connections on every node.
    func status(of userID: String) async throws -> (online: Bool, connections: Int) {
        try await database.withConnection { sql in
            let row = try await sql.raw("""
                SELECT (SELECT online FROM presence_status WHERE user_id = \(bind: userID)) AS online,
                       (SELECT count(*) FROM presence_connections WHERE user_id = \(bind: userID)) AS connections
                """).first()
            return (try row?.decode(column: "online", as: Bool?.self) ?? false, try row?.decode(column: "connections", as: Int.self) ?? 0)
        }
    }

    /// ``status(of:)`` for many users in one query (`presence.query`).
    func statuses(of userIDs: [String]) async throws -> [String: (online: Bool, connections: Int)] {
        guard !userIDs.isEmpty else { return [:] }
        return try await database.withConnection { sql in
            var found: [String: (online: Bool, connections: Int)] = [:]
            for row in try await sql.raw("""
                SELECT s.user_id AS user_id, s.online AS online,
                       (SELECT count(*) FROM presence_connections c WHERE c.user_id = s.user_id) AS connections
                FROM presence_status s WHERE s.user_id IN (\(SQLList(userIDs.map { SQLBind($0) })))
                """).all() {
                found[try row.decode(column: "user_id", as: String.self)] =
                    (try row.decode(column: "online", as: Bool.self), try row.decode(column: "connections", as: Int.self))
            }
            return found
        }
    }

    // MARK: leaves

    /// Runs the leave checks that are due. - Returns: how many leaves were announced.
    func flush() async -> Int {
        let now = clock.nowMs()
        let due = pending.withLock { pending -> [Check] in
            let due = pending.filter { $0.value <= now }.map(\.key)
            for check in due { pending[check] = nil }
            return due
        }
        var announced = 0
        for check in due where await leave(check, lastSeen: now - debounceMs) { announced += 1 }
        return announced
    }

    /// Announces a leave if nothing is left of it anywhere (compare-and-set: once).
    /// - Parameter lastSeen: a user's last seen; `nil` keeps the time of their last recorded change.
    private func leave(_ check: Check, lastSeen: Int64?) async -> Bool {
        do {
            return try await database.transaction { sql in
                switch check {
                case .user(let userID):
                    guard try await sql.raw("""
                        UPDATE presence_status SET online = FALSE, last_seen = COALESCE(\(bind: lastSeen), updated_at),
                            updated_at = \(bind: clock.nowMs())
                        WHERE user_id = \(bind: userID) AND online = TRUE
                          AND NOT EXISTS (SELECT 1 FROM presence_connections WHERE user_id = \(bind: userID))
                        RETURNING user_id
                        """).first() != nil else { return false }
                    try await events.publish(PresenceDiff(topic: PresenceTracker.usersTopic, joins: [], leaves: [userID]),
                                             on: PresenceTopics.of(PresenceTracker.usersTopic), in: sql)
                case .topic(let topic, let userID):
                    guard try await sql.raw("""
                        DELETE FROM presence_topic_users WHERE topic = \(bind: topic) AND user_id = \(bind: userID)
                          AND NOT EXISTS (SELECT 1 FROM presence_members WHERE topic = \(bind: topic) AND user_id = \(bind: userID))
                        RETURNING user_id
                        """).first() != nil else { return false }
                    try await events.publish(PresenceDiff(topic: topic, joins: [], leaves: [userID]), on: PresenceTopics.of(topic), in: sql)
                }
                return true
            }
        } catch {
            logger.warning("could not complete a presence leave", metadata: ["error": .string(String(describing: error))])
            return false
        }
    }

    // MARK: reaping

    /// This node's connections left by an earlier run under the same name (killed, restarted
    /// at once): removed, and their users' leaves announced now. - Returns: how many users
    /// went offline.
    func clearStale(startedAt: Int64) async -> Int {
        do {
            let users = try await database.transaction { sql in
                try await sql.raw("""
                    DELETE FROM presence_members WHERE connection_id IN (
                        SELECT connection_id FROM presence_connections WHERE node = \(bind: node) AND connected_at < \(bind: startedAt))
                    """).run()
                return try await sql.raw("""
                    DELETE FROM presence_connections WHERE node = \(bind: node) AND connected_at < \(bind: startedAt) RETURNING user_id
                    """).all().map { try $0.decode(column: "user_id", as: String.self) }
            }
            var offline = 0
            // offline, last seen at the last recorded change: the process died without a word
            for userID in Set(users) where await leave(.user(userID), lastSeen: nil) { offline += 1 }
            return offline
        } catch {
            logger.warning("could not clear stale presence", metadata: ["error": .string(String(describing: error))])
            return 0
        }
    }

    /// One pass of the reaper (on the leader): the rows of dead nodes go, and whatever has
    /// been without a connection for longer than the debounce is announced as left.
    /// - Returns: how many leaves were announced.
    @discardableResult
    func reap() async throws -> Int {
        let live = try await access.liveNodeNames(withinMs: Self.deadNodeMs)
        guard !live.isEmpty else { return 0 }  // not even this node's heartbeat yet: nothing to judge by
        let now = clock.nowMs()
        try await database.transaction { sql in
            let dead = SQLList(live.map { SQLBind($0) })
            try await sql.raw("""
                DELETE FROM presence_members WHERE connection_id IN (
                    SELECT connection_id FROM presence_connections WHERE node NOT IN (\(dead)))
                """).run()
            try await sql.raw("DELETE FROM presence_connections WHERE node NOT IN (\(dead))").run()
        }
        let found: [Check] = try await database.withConnection { sql in
            let users = try await sql.raw("""
                SELECT s.user_id AS user_id FROM presence_status s
                WHERE s.online = TRUE AND NOT EXISTS (SELECT 1 FROM presence_connections c WHERE c.user_id = s.user_id)
                LIMIT 1000
                """).all().map { Check.user(try $0.decode(column: "user_id", as: String.self)) }
            let topics = try await sql.raw("""
                SELECT u.topic AS topic, u.user_id AS user_id FROM presence_topic_users u
                WHERE NOT EXISTS (SELECT 1 FROM presence_members m WHERE m.topic = u.topic AND m.user_id = u.user_id)
                LIMIT 1000
                """).all().map { Check.topic(try $0.decode(column: "topic", as: String.self), try $0.decode(column: "user_id", as: String.self)) }
            return users + topics
        }
        let ripe = orphans.withLock { orphans -> [Check] in
            let current = Set(found)
            orphans = orphans.filter { current.contains($0.key) }
            for check in current where orphans[check] == nil { orphans[check] = now }
            return orphans.filter { now - $0.value >= debounceMs }.map(\.key)
        }
        var announced = 0
        for check in ripe where await leave(check, lastSeen: now - debounceMs) {
            orphans.withLock { _ = $0.removeValue(forKey: check) }
            announced += 1
        }
        return announced
    }
}
