public import NIOCore
import Synchronization

/// The bounded queue of frames waiting to be written to one connection.
///
/// Publishers append without waiting (a queue write per subscriber); one writer drains it.
/// When a client stops reading and the queue exceeds its bounds, the queued frames are
/// dropped and the connection is closed with 4008, so a slow consumer never slows others.
///
/// The writer is either an async consumer (``next()``, the in-process test transport) or a
/// socket writer on the connection's event loop (``attachWriter(_:)`` + ``drain()``): that
/// one is woken once per batch, not per frame, and takes everything queued at once.
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
        /// The event-loop writer's wake-up, and whether one is already on its way.
        var wake: (@Sendable () -> Void)?
        var wakePending = false

        /// Claims a wake-up for the event-loop writer unless one is pending.
        mutating func claimWake() -> (@Sendable () -> Void)? {
            guard let wake, !wakePending else { return nil }
            wakePending = true
            return wake
        }
    }

    /// What a socket writer takes from the queue.
    public enum Drained: Sendable {
        /// Write these frames, in order, then drain again.
        case frames(CircularBuffer<ByteBuffer>)
        /// Everything queued before the close was taken; close with this code.
        case close(CloseCode, reason: String)
        /// The connection is gone.
        case finished
        /// Nothing queued; the next enqueue wakes the writer again.
        case empty
    }

    private let state = Mutex(State())
    /// Most frames held before the client counts as a slow consumer.
    public let maxFrames: Int
    /// Most bytes held before the client counts as a slow consumer.
    public let maxBytes: Int

    /// A queue that closes its connection with 4008 past either bound (`HUB_OUTBOUND_MAX_*`).
    public init(maxFrames: Int = 4096, maxBytes: Int = 8 << 20) {
        self.maxFrames = maxFrames
        self.maxBytes = maxBytes
    }

    /// Appends a frame. Returns `false` when the queue is closed, or overflowed by this frame
    /// (the connection is then closed with ``CloseCode/slowConsumer``).
    @discardableResult
    public func enqueue(_ frame: ByteBuffer) -> Bool {
        let (accepted, wakeup) = state.withLock { state -> (Bool, Wakeup?) in
            guard !state.finished, state.close == nil else { return (false, nil) }
            if state.frames.count + 1 > maxFrames || state.bytes + frame.readableBytes > maxBytes {
                state.frames.removeAll()
                state.bytes = 0
                state.overflowed = true
                state.close = (.slowConsumer, "slow consumer")
                if let waiter = state.waiter.take() {
                    return (false, .resume(waiter, .close(.slowConsumer, reason: "slow consumer")))
                }
                return (false, state.claimWake().map(Wakeup.wake))
            }
            if let waiter = state.waiter.take() {
                return (true, .resume(waiter, .frames([frame])))
            }
            state.frames.append(frame)
            state.bytes += frame.readableBytes
            return (true, state.claimWake().map(Wakeup.wake))
        }
        wakeup?.fire()
        return accepted
    }

    /// Whom an operation must wake once the lock is released.
    private enum Wakeup {
        case resume(CheckedContinuation<Next, Never>, Next)
        case wake(@Sendable () -> Void)

        func fire() {
            switch self {
            case .resume(let waiter, let next): waiter.resume(returning: next)
            case .wake(let wake): wake()
            }
        }
    }

    /// Asks the writer to close with `code` once the frames already queued are written.
    public func close(_ code: CloseCode, reason: String) {
        let wakeup = state.withLock { state -> Wakeup? in
            guard !state.finished, state.close == nil else { return nil }
            state.close = (code, reason)
            if state.frames.isEmpty, let waiter = state.waiter.take() {
                return .resume(waiter, .close(code, reason: reason))
            }
            return state.claimWake().map(Wakeup.wake)
        }
        wakeup?.fire()
    }

    /// Ends the queue: the socket is gone. Pending frames are dropped.
    public func finish() {
        let wakeup = state.withLock { state -> Wakeup? in
            state.finished = true
            state.frames.removeAll()
            state.bytes = 0
            if let waiter = state.waiter.take() { return .resume(waiter, .finished) }
            return state.claimWake().map(Wakeup.wake)
        }
        wakeup?.fire()
    }

    /// Makes `wake` the writer: it is called (from any thread) when frames, a close or the
    /// end arrive and no wake-up is pending; the writer then calls ``drain()`` until it
    /// answers ``Drained/empty``. Called at once when something is already queued.
    public func attachWriter(_ wake: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> (@Sendable () -> Void)? in
            state.wake = wake
            state.wakePending = false
            let hasWork = !state.frames.isEmpty || state.close != nil || state.finished
            return hasWork ? state.claimWake() : nil
        }
        now?()
    }

    /// Forgets the socket writer (it stopped): later frames wake nobody.
    public func detachWriter() {
        state.withLock { $0.wake = nil }
    }

    /// Takes everything queued (socket writer only). Answers ``Drained/empty`` only when
    /// nothing is left, and from then on the next enqueue wakes the writer again.
    public func drain() -> Drained {
        state.withLock { state in
            if state.finished { return .finished }
            if !state.frames.isEmpty {
                var batch = CircularBuffer<ByteBuffer>(initialCapacity: 16)
                swap(&batch, &state.frames)
                state.bytes = 0
                return .frames(batch)
            }
            if let (code, reason) = state.close { return .close(code, reason: reason) }
            state.wakePending = false
            return .empty
        }
    }

    /// Whether this queue overflowed (the client was a slow consumer).
    public var overflowed: Bool { state.withLock { $0.overflowed } }

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
