import NIOCore
import NIOHTTP1

/// Bounds how long, and how large, the head of a connection's first HTTP request may be.
///
/// It exists because a socket that sends `GET / HTTP/1.1\r\nHost: x\r\n` and then nothing was
/// held open for ever (two hundred of them held two hundred sockets), and a header block of
/// 70 KB was read and answered. It sits first in a new connection's pipeline and watches the
/// raw bytes for the blank line that ends the head: past `timeout` without it the client gets
/// 408 and the connection closes; past `maxBytes` without it, 431. Once the head is complete
/// it removes itself, so requests and WebSocket frames pass at no cost; idle keep-alive
/// connections are closed by the HTTP connection's own idle timeout.
///
/// All state is touched on the channel's event loop only (handler callbacks and the scheduled
/// timeout), which is what makes `@unchecked Sendable` safe.
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let maxBytes: Int
    private var seen = 0
    /// The last bytes read, to find a `\r\n\r\n` split across reads.
    private var tail: [UInt8] = []
    private var timer: Scheduled<Void>?
    private var done = false

    /// - Parameters:
    ///   - timeoutMs: how long the first request's head may take (`HTTP_HEADER_TIMEOUT_MS`).
    ///   - maxBytes: how large it may be (`HTTP_MAX_HEADER_BYTES`).
    init(timeoutMs: Int, maxBytes: Int) {
        timeout = .milliseconds(Int64(timeoutMs))
        self.maxBytes = maxBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (guardian, context) = loopBound.value
            guardian.refuse(context, status: "408 Request Timeout")
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { timer?.cancel() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        let buffer = unwrapInboundIn(data)
        let bytes = buffer.readableBytesView
        if let end = Self.endOfHead(in: tail, then: bytes) {
            guard seen + end <= maxBytes else { return refuse(context, status: "431 Request Header Fields Too Large") }
            done = true
            timer?.cancel()
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        seen += bytes.count
        guard seen <= maxBytes else { return refuse(context, status: "431 Request Header Fields Too Large") }
        tail = Array((tail + bytes.suffix(3)).suffix(3))
        context.fireChannelRead(data)
    }

    /// Where the head ends in `bytes` (the count of its bytes up to and including the blank
    /// line), given the `previous` last bytes read; `nil` when it does not end there.
    static func endOfHead(in previous: [UInt8], then bytes: ByteBufferView) -> Int? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var window = previous
        for (offset, byte) in bytes.enumerated() {
            window.append(byte)
            if window.count > 4 { window.removeFirst() }
            if window == terminator { return offset + 1 }
        }
        return nil
    }

    /// Answers `status` with an empty body and closes: nothing of the request is handled.
    private func refuse(_ context: ChannelHandlerContext, status: String) {
        guard !done else { return }
        done = true
        timer?.cancel()
        let response = "HTTP/1.1 \(status)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response))).whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// Closes a connection whose request could not be parsed, once NIO's error handler has
/// answered it 400: that handler answers but leaves the socket open, and a client that sent
/// garbage gets nothing more from it. It sits last in the pipeline of an HTTP connection, and
/// leaves when the connection becomes a WebSocket (which answers its own protocol errors).
final class UnparsableRequestCloser: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // only a request that could not be parsed: NIO's error handler wrote and flushed its
        // 400 before the error came this far, so shut output after it
        if error is HTTPParserError { context.close(mode: .output, promise: nil) }
        context.fireErrorCaught(error)
    }
}
