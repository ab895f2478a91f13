public import Foundation
public import NIOCore
import Synchronization

/// The topics of this node: their sequence numbers, bounded histories and local subscribers.
///
/// Each topic has its own lock, held while a publish numbers, stores and enqueues one event,
/// so subscribers see a topic's events in `seq` order and publishes to different topics do
/// not contend. Sequence numbers start at `creation time in ms × 1000`, so they keep
/// increasing across restarts and a stale `since` is detected as unrecoverable.
public final class TopicRegistry: Sendable {
    final class Channel: Sendable {
        struct State {
            var seq: Int64
            var history: TopicHistory
            var subscribers: [String: Connection] = [:]
            var lastActivityMs: Int64
        }
        let name: String
        let state: Mutex<State>
        init(name: String, seq: Int64, historySize: Int, nowMs: Int64) {
            self.name = name
            self.state = Mutex(State(seq: seq, history: TopicHistory(capacity: historySize), lastActivityMs: nowMs))
        }
    }

    /// The result of subscribing.
    public struct Subscription: Sendable {
        /// The topic's current sequence number.
        public var seq: Int64
        /// Whether every event after `since` could be replayed.
        public var recovered: Bool
        /// The replayed events, oldest first.
        public var missed: [ByteBuffer]
    }

    private let channels = Mutex<[String: Channel]>([:])
    private let historySize: Int
    private let clock: any HubClock

    /// An empty registry whose topics keep `historySize` events each.
    public init(historySize: Int, clock: any HubClock) {
        self.historySize = historySize
        self.clock = clock
    }

    private func channel(_ topic: String, create: Bool) -> Channel? {
        create ? channel(creating: topic) : channels.withLock { $0[topic] }
    }

    private func channel(creating topic: String) -> Channel {
        channels.withLock { channels in
            if let channel = channels[topic] { return channel }
            let now = clock.nowMs()
            let channel = Channel(name: topic, seq: now * 1000, historySize: historySize, nowMs: now)
            channels[topic] = channel
            return channel
        }
    }

    /// Numbers (when `sequenced`), stores and delivers one event to every local subscriber.
    /// - Returns: the event's sequence number, or `nil` for unsequenced events.
    @discardableResult
    public func publish(type: String, topic: String, payload: Data, sequenced: Bool) -> (seq: Int64?, delivered: Int) {
        guard let channel = channel(topic, create: sequenced) else { return (nil, 0) }
        return channel.state.withLock { state in
            state.lastActivityMs = clock.nowMs()
            var seq: Int64?
            if sequenced {
                state.seq += 1
                seq = state.seq
            }
            let frame = OutboundFrame.event(type: type, topic: topic, seq: seq, payload: payload)
            if let seq { state.history.append(seq: seq, frame: frame) }
            var delivered = 0
            for subscriber in state.subscribers.values where subscriber.send(frame) {
                delivered += 1
            }
            return (seq, delivered)
        }
    }

    /// Adds `connection` as a subscriber and, under the same lock, hands the current
    /// position and the replay to `reply` so no live event can overtake the reply.
    public func subscribe(
        _ connection: Connection,
        to topic: String,
        since: Int64?,
        reply: (Subscription) -> Void
    ) {
        let channel = channel(creating: topic)
        channel.state.withLock { state in
            state.subscribers[connection.id] = connection
            state.lastActivityMs = clock.nowMs()
            var subscription = Subscription(seq: state.seq, recovered: false, missed: [])
            if let since, let missed = state.history.events(after: since, latest: state.seq) {
                subscription.recovered = true
                subscription.missed = missed
            }
            reply(subscription)
        }
    }

    /// Removes `connection` from `topic`'s subscribers.
    public func unsubscribe(_ connection: Connection, from topic: String) {
        guard let channel = channel(topic, create: false) else { return }
        channel.state.withLock { state in
            state.subscribers[connection.id] = nil
            state.lastActivityMs = clock.nowMs()
        }
    }

    /// Forgets topics with no subscribers and no activity for `idleMs`, bounding memory.
    /// - Returns: how many topics were dropped.
    @discardableResult
    public func sweep(idleMs: Int64) -> Int {
        let now = clock.nowMs()
        return channels.withLock { channels in
            let before = channels.count
            channels = channels.filter { _, channel in
                channel.state.withLock { !$0.subscribers.isEmpty || now - $0.lastActivityMs < idleMs }
            }
            return before - channels.count
        }
    }

    /// How many topics are held.
    public var count: Int { channels.withLock { $0.count } }
}
