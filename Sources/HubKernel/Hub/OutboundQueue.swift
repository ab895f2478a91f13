public import NIOCore
import Synchronization

/// The bounded queue of frames waiting to be written to one connection.
///
/// Publishers append without waiting (a queue write per subscriber); one writer drains it.
/// When a client stops reading and the queue exceeds its bounds, the queued frames are
/// dropped and the connection is closed with 4008, so a slow consumer never slows others.
public final class OutboundQueue: Sendable {
    /// What the writer should do next.
    public enum Next: Sendable {
        /// Write these frames, in order.
        case frames([ByteBuffer])
        /// Everything queued before the close was written; close with this code.
        case close(CloseCode, reason: String)
        /// The connection is gone; stop.
        case finished
    }

    private struct State {
        var frames = CircularBuffer<ByteBuffer>()
        var bytes = 0
        var waiter: CheckedContinuation<Next, Never>?
        var close: (CloseCode, String)?
        var finished = false
        var overflowed = false
    }

    private let state = Mutex(State())
    /// Most frames held before the client counts as a slow consumer.
    public let maxFrames: Int
    /// Most bytes held before the client counts as a slow consumer.
    public let maxBytes: Int

    public init(maxFrames: Int = 4096, maxBytes: Int = 8 << 20) {
        self.maxFrames = maxFrames
        self.maxBytes = maxBytes
    }

    /// Appends a frame. Returns `false` when the queue is closed, or overflowed by this frame
    /// (the connection is then closed with ``CloseCode/slowConsumer``).
    @discardableResult
    public func enqueue(_ frame: ByteBuffer) -> Bool {
        let (accepted, resume) = state.withLock { state -> (Bool, (CheckedContinuation<Next, Never>, Next)?) in
            guard !state.finished, state.close == nil else { return (false, nil) }
            if state.frames.count + 1 > maxFrames || state.bytes + frame.readableBytes > maxBytes {
                state.frames.removeAll()
                state.bytes = 0
                state.overflowed = true
                state.close = (.slowConsumer, "slow consumer")
                return (false, state.waiter.take().map { ($0, .close(.slowConsumer, reason: "slow consumer")) })
            }
            if let waiter = state.waiter.take() {
                return (true, (waiter, .frames([frame])))
            }
            state.frames.append(frame)
            state.bytes += frame.readableBytes
            return (true, nil)
        }
        if let (waiter, next) = resume { waiter.resume(returning: next) }
        return accepted
    }

    /// Asks the writer to close with `code` once the frames already queued are written.
    public func close(_ code: CloseCode, reason: String) {
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            guard !state.finished, state.close == nil else { return nil }
            state.close = (code, reason)
            return state.frames.isEmpty ? state.waiter.take() : nil
        }
        waiter?.resume(returning: .close(code, reason: reason))
    }

    /// Ends the queue: the socket is gone. Pending frames are dropped.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            state.finished = true
            state.frames.removeAll()
            state.bytes = 0
            return state.waiter.take()
        }
        waiter?.resume(returning: .finished)
    }

    /// Whether this queue overflowed (the client was a slow consumer).
    public var overflowed: Bool { state.withLock { $0.overflowed } }
    /// Whether a close was requested or the queue finished.
    public var isClosing: Bool { state.withLock { $0.finished || $0.close != nil } }

    /// Waits for the next batch of frames, a close request or the end. One writer only.
    public func next() async -> Next {
        await withCheckedContinuation { (continuation: CheckedContinuation<Next, Never>) in
            let immediate = state.withLock { state -> Next? in
                if state.finished { return .finished }
                if !state.frames.isEmpty {
                    let batch = Array(state.frames)
                    state.frames.removeAll(keepingCapacity: state.frames.count <= 64)
                    state.bytes = 0
                    return .frames(batch)
                }
                if let (code, reason) = state.close { return .close(code, reason: reason) }
                state.waiter = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }
}
