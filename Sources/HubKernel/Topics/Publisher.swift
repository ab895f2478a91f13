public import Foundation
import Logging
import Synchronization

/// Publishes events to topics: the one way modules (handlers and services) reach subscribers.
///
/// The event is encoded once, numbered, kept in the topic's history (when sequenced), written
/// to every local subscriber's queue and handed to the bus for other nodes. Commit state
/// before publishing: a crash must never announce what was not saved.
public protocol Publisher: Sendable {
    /// Publishes `payload` as event `type` on `topic`.
    /// - Parameter sequenced: `false` for ephemeral events (typing): no `seq`, no history.
    /// - Returns: the event's `seq`, or `nil` when unsequenced or dropped (module switched off).
    @discardableResult
    func publish<Payload: Encodable & Sendable>(_ type: String, _ payload: Payload, on topic: Topic, sequenced: Bool) -> Int64?
}

extension Publisher {
    /// Publishes a sequenced event.
    @discardableResult
    public func publish<Payload: Encodable & Sendable>(_ type: String, _ payload: Payload, on topic: Topic) -> Int64? {
        publish(type, payload, on: topic, sequenced: true)
    }

    /// Publishes on `user:<id>`: every connection of that user receives it.
    @discardableResult
    public func publish<Payload: Encodable & Sendable>(_ type: String, _ payload: Payload, toUser userID: String) -> Int64? {
        publish(type, payload, on: Topic(unchecked: "user:\(userID)"), sequenced: true)
    }
}

/// The hub's ``Publisher``: local fan-out plus the bus.
final class HubPublisher: Publisher {
    let node: String
    let topics: TopicRegistry
    let flags: FeatureFlags
    let metrics: HubMetrics
    let encoder = JSONEncoder()
    let logger: Logger
    private let busOutbox: AsyncStream<BusMessage>.Continuation?

    init(node: String, topics: TopicRegistry, flags: FeatureFlags, metrics: HubMetrics, logger: Logger,
         busOutbox: AsyncStream<BusMessage>.Continuation?) {
        self.node = node
        self.logger = logger
        self.topics = topics
        self.flags = flags
        self.metrics = metrics
        self.busOutbox = busOutbox
    }

    func publish<Payload: Encodable & Sendable>(_ type: String, _ payload: Payload, on topic: Topic, sequenced: Bool) -> Int64? {
        let eventModule = CommandType(type).module
        // a switched-off module's topics and events go quiet until it is switched back on
        guard flags.isEnabled(topic.module), flags.isEnabled(eventModule) else { return nil }
        let data: Data
        do {
            data = try encoder.encode(payload)
        } catch {
            // a bug in the module's event type: loud, with an incident id, never a quiet drop
            logger.error("an event could not be encoded and was not published", metadata: [
                "sb.incident": .string(String(UInt32.random(in: .min ... .max), radix: 16)),
                "sb.event.type": .string(type), "sb.topic": .string(topic.name), "error": .string(String(reflecting: error)),
            ])
            return nil
        }
        let result = deliver(type: type, topic: topic.name, payload: data, sequenced: sequenced)
        busOutbox?.yield(BusMessage(origin: node, kind: .event(type: type, topic: topic.name, payload: data, sequenced: sequenced)))
        return result
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
