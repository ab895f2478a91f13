import Synchronization

/// A ``Bus`` between hubs in one process: what a test uses to run two nodes side by side.
public final class MemoryBus: Bus {
    private let subscribers = Mutex<[String: AsyncStream<BusMessage>.Continuation]>([:])

    /// An empty bus; each node subscribes with ``messages(for:)``.
    public init() {}

    /// Delivers `message` to every node but its origin.
    public func publish(_ message: BusMessage) async throws {
        let targets = subscribers.withLock { $0.filter { $0.key != message.origin }.map(\.value) }
        for target in targets { target.yield(message) }
    }

    /// What the other nodes publish, for `node`, until the stream is dropped.
    public func messages(for node: String) async throws -> AsyncStream<BusMessage> {
        let (stream, continuation) = AsyncStream.makeStream(of: BusMessage.self)
        subscribers.withLock { $0[node] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { _ = $0.removeValue(forKey: node) }
        }
        return stream
    }
}
