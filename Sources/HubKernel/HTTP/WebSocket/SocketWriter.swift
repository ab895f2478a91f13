import NIOConcurrencyHelpers
import NIOCore

/// Writes one WebSocket connection's queued frames to its socket, on its event loop.
///
/// It exists because fan-out is the hub's hot path: the writer is woken once per batch (by
/// ``WriteScheduler``, one event-loop task for every connection woken together), takes
/// everything queued, frames it (a server frame is unmasked, so the header is a few bytes
/// in front of the JSON) and hands the socket one buffer with one flush. No task switch, no
/// per-frame flush. It sits at the head of the pipeline, below the WebSocket encoder that
/// still carries the transport's own pings, pongs and close frames.
///
/// Backpressure: while the socket is not writable the writer leaves frames in the
/// ``OutboundQueue``, whose bounds then close a slow consumer with 4008.
final class SocketWriter: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Frames up to this size are copied into one combined buffer; larger ones are written
    /// as they are, behind their own header.
    private static let combineLimit = 16 * 1024

    private let eventLoop: any EventLoop
    private var context: ChannelHandlerContext?
    private var queue: OutboundQueue?
    private var waitingForWritability = false
    private var ended = false
    /// Performs the close the hub asked for, once every frame before it was written.
    private var onClose: (@Sendable (CloseCode, String) -> Void)?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Starts writing `queue`. `onClose` is called (on the event loop) when the hub asks for a
    /// close and every frame queued before it was written; not at all when the connection
    /// simply ends. No task waits on the writer: an idle connection costs no task here.
    func start(_ queue: OutboundQueue, onClose: @escaping @Sendable (CloseCode, String) -> Void) {
        let scheduler = WriteScheduler.for(eventLoop)
        eventLoop.execute {
            guard !self.ended, self.context != nil else {
                queue.finish()  // the socket closed before the session started
                return
            }
            self.queue = queue
            self.onClose = onClose
            queue.attachWriter { scheduler.wake(self) }  // the cycle ends in end(with:)
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        end(with: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if waitingForWritability, context.channel.isWritable {
            waitingForWritability = false
            writeQueued()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(with: nil)
        context.fireChannelInactive()
    }

    /// Called on the event loop by the scheduler.
    func writeQueued() {
        guard let queue, let context, !ended else { return }
        var wrote = false
        defer { if wrote { context.flush() } }
        while true {
            guard context.channel.isWritable else {
                waitingForWritability = true
                return
            }
            switch queue.drain() {
            case .frames(let frames):
                write(frames, context: context)
                wrote = true
            case .close(let code, let reason):
                end(with: (code, reason))
                return
            case .finished:
                end(with: nil)
                return
            case .empty:
                return
            }
        }
    }

    private func write(_ frames: CircularBuffer<ByteBuffer>, context: ChannelHandlerContext) {
        var combined: ByteBuffer?
        for frame in frames {
            let length = frame.readableBytes
            if length > Self.combineLimit {
                if let pending = combined.take() { context.write(wrapOutboundOut(pending), promise: nil) }
                var header = context.channel.allocator.buffer(capacity: 10)
                Self.writeHeader(length: length, into: &header)
                context.write(wrapOutboundOut(header), promise: nil)
                context.write(wrapOutboundOut(frame), promise: nil)
                continue
            }
            if combined == nil {
                combined = context.channel.allocator.buffer(capacity: min(Self.combineLimit * 4, frames.count * (length + 10)))
            }
            Self.writeHeader(length: length, into: &combined!)
            var payload = frame
            combined!.writeBuffer(&payload)
            if combined!.readableBytes >= Self.combineLimit * 4 {
                context.write(wrapOutboundOut(combined!), promise: nil)
                combined = nil
            }
        }
        if let combined { context.write(wrapOutboundOut(combined), promise: nil) }
    }

    /// A final, unmasked text frame's header (RFC 6455 §5.2).
    static func writeHeader(length: Int, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0x81))
        if length < 126 {
            buffer.writeInteger(UInt8(length))
        } else if length <= Int(UInt16.max) {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(length))
        } else {
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(length))
        }
    }

    private func end(with close: (CloseCode, String)?) {
        guard !ended else { return }
        ended = true
        if close == nil { queue?.finish() }
        queue?.detachWriter()
        if let (code, reason) = close { onClose?(code, reason) }
        onClose = nil
    }
}
