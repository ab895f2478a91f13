public import NIOCore

/// The last events of one topic, kept so a reconnecting client can ask for what it missed
/// (`hub.subscribe {since}`).
///
/// Bounded by count: the oldest events fall out first. Events are stored as the exact bytes
/// that were delivered, so a replay is byte-identical to the live delivery.
public struct TopicHistory: Sendable {
    /// How many events are kept at most.
    public let capacity: Int
    private var events = CircularBuffer<(seq: Int64, frame: ByteBuffer)>()

    /// An empty history that keeps the last `capacity` events (`HUB_TOPIC_HISTORY_SIZE`).
    public init(capacity: Int) {
        self.capacity = max(0, capacity)  // storage grows on the first event: most user topics stay empty
    }

    /// Appends the event numbered `seq` (strictly greater than every stored one).
    public mutating func append(seq: Int64, frame: ByteBuffer) {
        guard capacity > 0 else { return }
        if events.count == capacity { events.removeFirst() }
        events.append((seq, frame))
    }

    /// How many events are stored.
    public var count: Int { events.count }

    /// The events after `since`, or `nil` when some of them are no longer stored.
    /// - Parameter latest: the topic's current sequence number.
    public func events(after since: Int64, latest: Int64) -> [ByteBuffer]? {
        if since == latest { return [] }
        guard since < latest, let oldest = events.first?.seq, oldest <= since + 1 else { return nil }
        return events.filter { $0.seq > since }.map(\.frame)
    }
}
