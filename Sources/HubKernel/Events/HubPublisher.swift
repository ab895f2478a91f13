import Foundation
import Logging
import Synchronization

/// The hub's publishing engine behind every module's ``EventPublisher``: encode once, check
/// the feature flags, number and keep the event (when sequenced), write it to every local
/// subscriber's queue and hand it to the bus for other nodes.
///
/// Kernel code and kernel tests use it untyped (`publish(_:_:on:sequenced:)`); modules only
/// ever see their typed ``EventPublisher``.
final class HubPublisher: Sendable {
    let node: String
    let topics: TopicRegistry
    let flags: FeatureFlags
    let metrics: HubMetrics
    let encoder = JSONEncoder()
    let logger: Logger
    private let busOutbox: AsyncStream<BusMessage>.Continuation?
    /// Cluster mode: numbers events in the database and tells the other nodes.
    let cluster: ClusterBus?
    let database: Database

    init(node: String, topics: TopicRegistry, flags: FeatureFlags, metrics: HubMetrics, logger: Logger,
         busOutbox: AsyncStream<BusMessage>.Continuation?, cluster: ClusterBus? = nil, database: Database) {
        self.node = node
        self.cluster = cluster
        self.database = database
        self.logger = logger
        self.topics = topics
        self.flags = flags
        self.metrics = metrics
        self.busOutbox = busOutbox
    }

    /// Publishes `payload` as `type` on `topic` now.
    /// - Returns: the event's `seq`, or `nil` when unsequenced or dropped (module switched off).
    /// - Throws: `internal` (logged with an incident id) when the payload cannot be encoded.
    /// In cluster mode the event is numbered and stored in the database first (one round
    /// trip); the throw is then `unavailable` when the database is.
    @discardableResult
    func publishChecked<Payload: Encodable>(_ type: String, _ payload: Payload, on topic: Topic, sequenced: Bool) async throws -> Int64? {
        guard isLive(type, on: topic) else { return nil }
        let encoded = try encode(type, payload, on: topic)
        guard let cluster else {
            // inside a command on the SQLite default, whatever the command committed is
            // flushed and announced first (PendingDurability), so events keep their order
            if let pending = PendingDurability.current { try await pending.settle(database: database) }
            return fanOut(type, encoded, on: topic, sequenced: sequenced)
        }
        if sequenced {
            let seq = try await database.withConnection { try await cluster.append(type: type, topic: topic.name, payload: encoded, on: $0) }
            deliverNumbered(type, encoded, on: topic.name, seq: seq)
            return seq
        }
        deliver(type: type, topic: topic.name, payload: encoded, sequenced: false)
        try await database.withConnection { try await cluster.announceEphemeral(type: type, topic: topic.name, payload: encoded, on: $0) }
        return nil
    }

    /// Publishes an encoded event once `transaction` commits. In cluster mode it is numbered
    /// and stored inside the transaction, just before the commit.
    func publish(encoded payload: Data, _ type: String, on topic: Topic, sequenced: Bool, in transaction: Transaction) {
        guard let cluster else {
            transaction.afterCommit { self.deliverEncoded(type, payload, on: topic, sequenced: sequenced) }
            return
        }
        let seq = Mutex<Int64?>(nil)
        transaction.beforeCommit(key: topic.name) { sql in
            guard self.isLive(type, on: topic) else { return }
            if sequenced {
                let number = try await cluster.append(type: type, topic: topic.name, payload: payload, on: sql)
                seq.withLock { $0 = number }
            } else {
                try await cluster.announceEphemeral(type: type, topic: topic.name, payload: payload, on: sql)
            }
        }
        transaction.afterCommit {
            if sequenced {
                if let number = seq.withLock({ $0 }) { self.deliverNumbered(type, payload, on: topic.name, seq: number) }
            } else if self.isLive(type, on: topic) {
                self.deliver(type: type, topic: topic.name, payload: payload, sequenced: false)
            }
        }
    }

    /// Prepares an event that a module's own statement publishes (``StatementEvent``).
    /// - Throws: `internal` (logged) when it cannot be encoded or holds the placeholder twice.
    func inStatement(encoded payload: Data, _ type: String, on topic: Topic) throws -> StatementEvent {
        guard let (prefix, suffix) = StatementEvent.split(payload) else {
            let incident = String(UInt32.random(in: .min ... .max), radix: 16)
            logger.error("an event holds StatementEvent.placeholder more than once and was not published", metadata: [
                "sb.incident": .string(incident), "sb.event.type": .string(type), "sb.topic": .string(topic.name),
            ])
            throw HubError.internal(incident: incident)
        }
        return StatementEvent(publisher: self, type: type, topic: topic, prefix: prefix, suffix: suffix, live: isLive(type, on: topic),
                              nowMs: cluster?.clock.nowMs() ?? 0)
    }

    /// The untyped form for kernel code and kernel tests: an encode failure is logged and the
    /// event not published. - Returns: the `seq`, as ``publishChecked(_:_:on:sequenced:)``.
    @discardableResult
    func publish<Payload: Encodable>(_ type: String, _ payload: Payload, on topic: Topic, sequenced: Bool = true) async -> Int64? {
        try? await publishChecked(type, payload, on: topic, sequenced: sequenced)
    }

    /// Publishes on `user:<id>` (untyped, for kernel code and tests).
    @discardableResult
    func publish<Payload: Encodable>(_ type: String, _ payload: Payload, toUser userID: String) async -> Int64? {
        await publish(type, payload, on: Topic(unchecked: "user:\(userID)"))
    }

    /// Hands an event the database numbered to this node's subscribers, in `seq` order.
    func deliverNumbered(_ type: String, _ payload: Data, on topic: String, seq: Int64) {
        let module = CommandType(type).module
        metrics.published(module: module)
        metrics.delivered(module: module, count: topics.deliver(seq: seq, type: type, topic: topic, payload: payload))
    }

    /// The payload's bytes. - Throws: `internal`, logged with an incident id.
    func encode<Payload: Encodable>(_ type: String, _ payload: Payload, on topic: Topic) throws -> Data {
        do {
            return try encoder.encode(payload)
        } catch {
            let incident = String(UInt32.random(in: .min ... .max), radix: 16)
            logger.error("an event could not be encoded and was not published", metadata: [
                "sb.incident": .string(incident), "sb.event.type": .string(type), "sb.topic": .string(topic.name),
                "error": .string(String(reflecting: error)),
            ])
            throw HubError.internal(incident: incident)
        }
    }

    /// Publishes an encoded event now, unless its module or topic is switched off (a
    /// switched-off module's topics and events go quiet until it is switched back on).
    @discardableResult
    func deliverEncoded(_ type: String, _ payload: Data, on topic: Topic, sequenced: Bool) -> Int64? {
        guard isLive(type, on: topic) else { return nil }
        return fanOut(type, payload, on: topic, sequenced: sequenced)
    }

    /// Local delivery plus the bus, for an event whose flags were just checked.
    private func fanOut(_ type: String, _ payload: Data, on topic: Topic, sequenced: Bool) -> Int64? {
        let result = deliver(type: type, topic: topic.name, payload: payload, sequenced: sequenced)
        busOutbox?.yield(BusMessage(origin: node, kind: .event(type: type, topic: topic.name, payload: payload, sequenced: sequenced)))
        return result
    }

    func isLive(_ type: String, on topic: Topic) -> Bool {
        flags.isEnabled(topic.module) && flags.isEnabled(CommandType(type).module)
    }

    /// Local delivery only (also used for events arriving from the bus).
    @discardableResult
    func deliver(type: String, topic: String, payload: Data, sequenced: Bool) -> Int64? {
        let result = topics.publish(type: type, topic: topic, payload: payload, sequenced: sequenced)
        let module = CommandType(type).module
        metrics.published(module: module)
        metrics.delivered(module: module, count: result.delivered)
        return result.seq
    }
}
