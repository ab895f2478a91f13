import Foundation
import Logging
import PostgresKit
import SQLKit
import Synchronization

/// Reading the cluster's topic history: a topic's position for a subscription, and what a
/// listener missed (catch-up after a reconnect, gap repair).
extension ClusterBus {
    // MARK: reading the history

    /// The topic's latest `seq` (0 for a topic never published on), looked up together with
    /// the other lookups waiting meanwhile.
    func latest(of topic: String) async throws -> Int64 {
        try await latestLookups.submit(topic)
    }

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
    func events(after positions: [(topic: String, seq: Int64)]) async throws -> [(topic: String, event: TopicRegistry.NumberedFrame)] {
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
    func catchUp(_ positions: [(topic: String, seq: Int64)]) async throws {
        guard !positions.isEmpty else { return }
        var previousTopic: String?
        for (topic, event) in try await events(after: positions) {
            topics.deliver(event, topic: topic, force: topic != previousTopic)
            previousTopic = topic
        }
    }
}

/// The latest `seq` of each of a batch of topics (``ClusterBus/latest(of:)``); topics never
/// published on have no row.
struct LatestSeqs: PreparedStatement {
    static let sql = "SELECT topic, seq FROM hub_topics WHERE topic = ANY($1::text[])"
    let topics: [String]
    var values: [StatementValue] { [.texts(topics)] }
}
