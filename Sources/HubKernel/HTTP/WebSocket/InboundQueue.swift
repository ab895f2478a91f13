import NIOConcurrencyHelpers
import NIOCore

/// Who takes a WebSocket's whole messages, one at a time, in arrival order: the hub's session,
/// or the conformance echo.
protocol InboundConsumer: Sendable {
    /// Handles one message; the next is not handed over before this returns.
    func consume(_ message: InboundMessage) async
    /// The socket ended (closed, input closed, or failed) and every message before the end was
    /// consumed. Called once.
    func ended() async
}

/// The last handler of a WebSocket's pipeline: queues each whole message and hands them, in
/// arrival order, to the connection's ``InboundConsumer`` on a task that exists only while
/// there is work. An idle connection holds no task and no async stream — this is what keeps an
/// idle connection small (docs/benchmarks.md, "Idle memory").
///
/// Backpressure: once `highWater` messages wait, the handler stops asking the socket for more
/// (it holds back `read`), and asks again when the consumer has worked the queue down to
/// `lowWater` — a client that pipelines faster than its commands run is slowed by TCP, not
/// buffered without bound.
final class InboundQueue: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = InboundMessage
    typealias OutboundIn = Never

    /// Messages waiting before reading stops.
    static let highWater = 16
    /// Messages waiting when reading resumes.
    static let lowWater = 4

    private struct State {
        var pending = CircularBuffer<InboundMessage>(initialCapacity: 2)
        var consumer: (any InboundConsumer)?
        /// A task is working the queue.
        var draining = false
        /// The socket ended; ``InboundConsumer/ended()`` is owed once the queue is empty.
        var ended = false
        var endReported = false
        /// Reading is held back (too many messages wait).
        var paused = false
        /// A `read` arrived while paused.
        var readHeld = false
    }

    private let state = NIOLockedValueBox(State())
    /// Set on the event loop when the handler is added; used only on the event loop.
    private var context: ChannelHandlerContext?
    private let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Starts handing messages to `consumer`, those that arrived before included. Called once,
    /// when the connection is ready for its first command.
    func start(_ consumer: any InboundConsumer) {
        let run = state.withLockedValue { state -> Bool in
            state.consumer = consumer
            return claimDrain(&state)
        }
        if run { spawnDrain(consumer) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        let (run, consumer) = state.withLockedValue { state -> (Bool, (any InboundConsumer)?) in
            state.pending.append(message)
            if state.pending.count >= Self.highWater { state.paused = true }
            return (claimDrain(&state), state.consumer)
        }
        if run, let consumer { spawnDrain(consumer) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent { end() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // the socket failed under the reader: the connection ends as if closed
        end()
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        let hold = state.withLockedValue { state -> Bool in
            if state.paused { state.readHeld = true }
            return state.paused
        }
        if !hold { context.read() }
    }

    private func end() {
        let (run, consumer) = state.withLockedValue { state -> (Bool, (any InboundConsumer)?) in
            state.ended = true
            return (claimDrain(&state), state.consumer)
        }
        if run, let consumer { spawnDrain(consumer) }
    }

    /// Whether the caller should start a drain task (it then runs exactly one).
    private func claimDrain(_ state: inout State) -> Bool {
        guard state.consumer != nil, !state.draining else { return false }
        guard !state.pending.isEmpty || (state.ended && !state.endReported) else { return false }
        state.draining = true
        return true
    }

    private enum Step {
        case message(InboundMessage, resumeReading: Bool)
        case end
        case idle
    }

    private func spawnDrain(_ consumer: any InboundConsumer) {
        Task { await self.drain(consumer) }
    }

    private func drain(_ consumer: any InboundConsumer) async {
        while true {
            let step = state.withLockedValue { state -> Step in
                if let message = state.pending.popFirst() {
                    let resume = state.paused && state.pending.count <= Self.lowWater
                    if resume { state.paused = false }
                    return .message(message, resumeReading: resume)
                }
                if state.ended && !state.endReported {
                    state.endReported = true
                    return .end
                }
                state.draining = false
                return .idle
            }
            switch step {
            case .message(let message, let resumeReading):
                if resumeReading { resumeReads() }
                await consumer.consume(message)
            case .end:
                await consumer.ended()
                eventLoop.execute { self.context?.close(promise: nil) }
                state.withLockedValue { $0.draining = false }
                return
            case .idle:
                return
            }
        }
    }

    private func resumeReads() {
        eventLoop.execute {
            let held = self.state.withLockedValue { state -> Bool in
                guard state.readHeld, !state.paused else { return false }
                state.readHeld = false
                return true
            }
            if held { self.context?.read() }
        }
    }
}
