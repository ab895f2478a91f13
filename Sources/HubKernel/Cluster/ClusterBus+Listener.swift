import Foundation
import Logging
import PostgresKit
import SQLKit
import Synchronization

/// Hearing the cluster: the listener loop (reconnect, re-LISTEN, catch up), its liveness
/// probe, what each notification does, and the gap repair.
extension ClusterBus {
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

    func listen(hub: Hub) async throws {
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
    func probe(_ connection: PostgresConnection) async throws {
        while true {
            try await Task.sleep(for: .seconds(2))
            guard await ConnectionProbe.answers(connection, within: .seconds(3)) else {
                ConnectionProbe.abandon(connection)
                throw DatabaseUnavailable(reason: "the cluster listener's connection stopped answering")
            }
        }
    }

    /// After (re)listening: what this node missed while it could not hear the cluster.
    func caughtUp(hub: Hub) async throws {
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


    /// Every 250 ms: topics whose next event has been missing for 300 ms read it from the
    /// history; topics subscribed before their position could be read get it now.
    func repair() async {
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
}
