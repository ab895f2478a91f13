public import Foundation
public import NIOCore
import Synchronization

/// The topics of this node: their sequence numbers, bounded histories and local subscribers.
///
/// Each topic has its own lock, held while a publish numbers, stores and enqueues one event,
/// so subscribers see a topic's events in `seq` order and publishes to different topics do
/// not contend. Sequence numbers start at `creation time in ms × 1000`, so they keep
/// increasing across restarts and a stale `since` is detected as unrecoverable.
///
/// In cluster mode the database numbers events (``ClusterBus``) and this registry only
/// delivers them, in `seq` order, however they arrive: ``deliver(seq:type:topic:payload:)``
/// holds an event that comes ahead of its turn until the gap is filled. A topic first seen
/// here is *unanchored* until its position has been read from the database
/// (``anchor(_:latest:events:)``); events arriving before that wait.
public final class TopicRegistry: Sendable {
    final class Channel: Sendable {
        struct State {
            var seq: Int64
            var history: TopicHistory
            var subscribers: [String: Connection] = [:]
            var lastActivityMs: Int64
            /// Cluster mode: whether `seq` is the database's position (else events wait in `pending`).
            var anchored = true
            /// Cluster mode: frames that arrived ahead of their turn, by `seq`.
            var pending: [Int64: ByteBuffer] = [:]
            /// Cluster mode: since when an event has been waiting for a missing one.
            var gapSinceMs: Int64?

            /// Numbers nothing: stores and sends an event the database numbered `seq`.
            mutating func emit(seq: Int64, frame: ByteBuffer) -> Int {
                self.seq = seq
                history.append(seq: seq, frame: frame)
                var delivered = 0
                for subscriber in subscribers.values where subscriber.send(frame) { delivered += 1 }
                return delivered
            }

            /// Takes the database's position (and the events it keeps up to it as history),
            /// then emits what arrived meanwhile. No-op once anchored.
            mutating func anchor(latest: Int64, events: [NumberedFrame], nowMs: Int64) {
                guard !anchored else { return }
                for event in events where event.seq <= latest { history.append(seq: event.seq, frame: event.frame) }
                seq = latest
                anchored = true
                _ = drainPending(nowMs: nowMs)
            }

            /// Emits the waiting events that are now next in line.
            mutating func drainPending(nowMs: Int64) -> Int {
                var delivered = 0
                for stale in pending.keys where stale <= seq { pending[stale] = nil }
                while let frame = pending.removeValue(forKey: seq + 1) { delivered += emit(seq: seq + 1, frame: frame) }
                gapSinceMs = pending.isEmpty ? nil : (gapSinceMs ?? nowMs)
                return delivered
            }
        }
        let name: String
        let state: Mutex<State>
        init(name: String, seq: Int64, historySize: Int, nowMs: Int64, anchored: Bool = true) {
            self.name = name
            var state = State(seq: seq, history: TopicHistory(capacity: historySize), lastActivityMs: nowMs)
            state.anchored = anchored
            self.state = Mutex(state)
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
    /// Whether the database numbers events (cluster mode): new topics start unanchored.
    let clustered: Bool
    /// The most events one topic holds back while waiting for a missing one.
    static let maxPending = 10_000

    /// An empty registry whose topics keep `historySize` events each.
    /// - Parameter clustered: cluster mode, where ``ClusterBus`` numbers the events.
    public init(historySize: Int, clock: any HubClock, clustered: Bool = false) {
        self.historySize = historySize
        self.clock = clock
        self.clustered = clustered
    }

    private func channel(_ topic: String, create: Bool) -> Channel? {
        create ? channel(creating: topic) : channels.withLock { $0[topic] }
    }

    private func channel(creating topic: String) -> Channel {
        channels.withLock { channels in
            if let channel = channels[topic] { return channel }
            let now = clock.nowMs()
            let channel = clustered
                ? Channel(name: topic, seq: 0, historySize: historySize, nowMs: now, anchored: false)
                : Channel(name: topic, seq: now * 1000, historySize: historySize, nowMs: now)
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

// MARK: cluster mode

extension TopicRegistry {
    /// One event as the database keeps it: its number and its frame.
    public struct NumberedFrame: Sendable {
        /// The topic's sequence number of the event.
        public var seq: Int64
        /// The exact bytes subscribers receive.
        public var frame: ByteBuffer
        /// An event numbered `seq`, as `frame`.
        public init(seq: Int64, frame: ByteBuffer) {
            self.seq = seq
            self.frame = frame
        }
    }

    /// What the database says about a topic: its latest `seq` and the events it keeps after
    /// some `since`, oldest first.
    public struct StoredPosition: Sendable {
        /// The topic's latest sequence number (0 for a topic that never had an event).
        public var latest: Int64
        /// The stored events after the requested `since`, oldest first.
        public var events: [NumberedFrame]
        /// Whether `events` starts right after `since` (nothing missing in between).
        public var reachesBack: Bool
        /// A position.
        public init(latest: Int64, events: [NumberedFrame], reachesBack: Bool) {
            self.latest = latest
            self.events = events
            self.reachesBack = reachesBack
        }
    }

    /// Delivers an event the database numbered `seq` to the topic's local subscribers, in
    /// order: an event already delivered is ignored, one ahead of its turn waits for the
    /// missing ones. A topic nobody here follows is ignored.
    /// - Parameter force: accept a jump over missing events (they are no longer stored).
    /// - Returns: how many subscribers it was handed to now.
    @discardableResult
    public func deliver(seq: Int64, type: String, topic: String, payload: Data, force: Bool = false) -> Int {
        deliver(NumberedFrame(seq: seq, frame: OutboundFrame.event(type: type, topic: topic, seq: seq, payload: payload)),
                topic: topic, force: force)
    }

    /// ``deliver(seq:type:topic:payload:force:)`` for an already framed event.
    @discardableResult
    public func deliver(_ event: NumberedFrame, topic: String, force: Bool = false) -> Int {
        guard let channel = channel(topic, create: false) else { return 0 }
        let now = clock.nowMs()
        return channel.state.withLock { state in
            state.lastActivityMs = now
            guard event.seq > state.seq else { return 0 }
            if state.anchored && (event.seq == state.seq + 1 || force) {
                return state.emit(seq: event.seq, frame: event.frame) + state.drainPending(nowMs: now)
            }
            state.pending[event.seq] = event.frame
            if state.pending.count > Self.maxPending, let oldest = state.pending.keys.min() {
                state.pending[oldest] = nil  // bounded: what waits too long is fetched from the database again
            }
            if state.anchored { state.gapSinceMs = state.gapSinceMs ?? now }
            return 0
        }
    }

    /// Sets an unanchored topic's position from the database, stores `events` (those up to
    /// `latest`) as its history and delivers what arrived meanwhile.
    func anchor(_ topic: String, latest: Int64, events: [NumberedFrame]) {
        guard let channel = channel(topic, create: false) else { return }
        let now = clock.nowMs()
        channel.state.withLock { $0.anchor(latest: latest, events: events, nowMs: now) }
    }

    /// Subscribes `connection` in cluster mode, reading the topic's position (and, for a
    /// `since`, the events after it) from the database when this node cannot answer alone.
    ///
    /// `reply` runs under the topic's lock with every event after `since` up to the position
    /// it reports, so no live event overtakes it and none is replayed twice.
    /// - Throws: what `read` throws (the database is unavailable); nothing is subscribed then.
    public func subscribe(
        _ connection: Connection,
        to topic: String,
        since: Int64?,
        read: (Int64?) async throws -> StoredPosition,
        reply: (Subscription) -> Void
    ) async throws {
        let channel = channel(creating: topic)
        let answered = channel.state.withLock { state -> Bool in
            guard state.anchored else { return false }
            var subscription = Subscription(seq: state.seq, recovered: false, missed: [])
            if let since {
                guard let missed = state.history.events(after: since, latest: state.seq) else { return false }
                subscription.recovered = true
                subscription.missed = missed
            }
            state.subscribers[connection.id] = connection
            state.lastActivityMs = clock.nowMs()
            reply(subscription)
            return true
        }
        if answered { return }
        let stored = try await read(since)
        let now = clock.nowMs()
        channel.state.withLock { state in
            state.anchor(latest: stored.latest, events: stored.events, nowMs: now)
            state.subscribers[connection.id] = connection
            state.lastActivityMs = now
            var subscription = Subscription(seq: state.seq, recovered: false, missed: [])
            if let since {
                if let local = state.history.events(after: since, latest: state.seq) {
                    subscription.recovered = true
                    subscription.missed = local
                } else if stored.reachesBack {
                    // the database's events up to what this node has delivered, then this node's
                    var missed = stored.events.filter { $0.seq <= state.seq }.map(\.frame)
                    if stored.latest < state.seq {
                        if let newer = state.history.events(after: stored.latest, latest: state.seq) {
                            missed += newer
                            subscription.recovered = true
                        }
                    } else {
                        subscription.recovered = true
                    }
                    if subscription.recovered { subscription.missed = missed }
                }
            }
            reply(subscription)
        }
        // another subscriber may have removed a channel left idle meanwhile: keep ours registered
        channels.withLock { channels in if channels[topic] == nil { channels[topic] = channel } }
    }

    /// The anchored topics and their positions (to fetch what a reconnecting listener missed).
    func anchoredPositions() -> [(topic: String, seq: Int64)] {
        let all = channels.withLock { Array($0.values) }
        return all.compactMap { channel in
            channel.state.withLock { $0.anchored ? (channel.name, $0.seq) : nil }
        }
    }

    /// Topics that need the database: anchored ones where an event has waited for a missing
    /// one longer than `olderThanMs`, and unanchored ones with subscribers.
    func needingRepair(olderThanMs: Int64) -> (gapped: [(topic: String, seq: Int64)], unanchored: [String]) {
        let now = clock.nowMs()
        let all = channels.withLock { Array($0.values) }
        var gapped: [(String, Int64)] = []
        var unanchored: [String] = []
        for channel in all {
            channel.state.withLock { state in
                if !state.anchored {
                    if !state.subscribers.isEmpty { unanchored.append(channel.name) }
                } else if let since = state.gapSinceMs, now - since >= olderThanMs {
                    gapped.append((channel.name, state.seq))
                }
            }
        }
        return (gapped, unanchored)
    }

    /// Whether `topic` is held here and anchored (tests).
    func isAnchored(_ topic: String) -> Bool {
        channel(topic, create: false)?.state.withLock { $0.anchored } ?? false
    }
}
