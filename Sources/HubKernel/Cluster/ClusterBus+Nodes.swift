import Foundation
import Logging
import PostgresKit
import SQLKit
import Synchronization

/// The cluster's nodes: this node's heartbeat row and the list of live nodes.
extension ClusterBus {
    /// Every second: this node's row (`lastSeenAt`, connections, jobs it leads); every
    /// minute: forgets ephemeral blobs and nodes gone for an hour.
    func heartbeat(hub: Hub) async {
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
