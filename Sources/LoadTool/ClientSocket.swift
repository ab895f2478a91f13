import NIOCore
import NIOPosix
import NIOWebSocket

/// One WebSocket client connection of the load tool.
///
/// It exists so that the tool's receive path costs as little as possible: every frame is
/// handled by a channel handler on the tool's single event loop, with no task hop, no JSON
/// decoding and no copy. All state is confined to that loop (`@unchecked Sendable` says so).
final class ClientSocket: @unchecked Sendable {
    /// Called on the loop for every complete text frame.
    typealias TextHandler = (ClientSocket, ByteBuffer) -> Void

    let index: Int
    let eventLoop: any EventLoop
    private(set) var channel: (any Channel)?
    var onText: TextHandler
    /// Called once when the connection is gone, whoever closed it.
    var onClose: ((ClientSocket) -> Void)?
    private(set) var isClosed = false
    /// Frames the workload chose to count on this socket.
    var delivered = 0
    /// Whether deliveries to this socket count in the results (a pure sender does not).
    var records = true
    /// Set when the workload saw this socket's first probe.
    var isReady = false
    /// A reply the workload waits for during set-up: request id → promise.
    var pendingReplies: [Int: EventLoopPromise<ParsedFrame.Reply>] = [:]
    var welcome: EventLoopPromise<Void>?

    init(index: Int, eventLoop: any EventLoop, onText: @escaping TextHandler) {
        self.index = index
        self.eventLoop = eventLoop
        self.onText = onText
    }

    /// Opens the TCP connection and performs the HTTP/1.1 upgrade; completes once the
    /// server answered 101 (or fails with the status and body it answered instead).
    func connect(host: String, port: Int, path: String) -> EventLoopFuture<Void> {
        let upgraded = eventLoop.makePromise(of: Void.self)
        let request = UpgradeHandler.request(host: host, port: port, path: path)
        let frames = FrameHandler(socket: self)
        let upgrade = UpgradeHandler(request: request, upgraded: upgraded)
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(20))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        upgrade,
                        ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)),
                        WebSocketFrameEncoder(),
                        frames,
                    ])
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel): self.channel = channel
                case .failure(let error): upgrade.abandon(error)
                }
            }
        return upgraded.futureResult
    }

    /// Queues one masked text frame; `flush: false` lets a caller batch several writes.
    func send(_ text: ByteBuffer, flush: Bool = true) {
        guard let channel, !isClosed else { return }
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: text)
        if flush {
            channel.writeAndFlush(frame, promise: nil)
        } else {
            channel.write(frame, promise: nil)
        }
    }

    func flush() { channel?.flush() }

    /// Sends a close frame and closes the socket.
    func close() {
        guard let channel, !isClosed else { return }
        var code = channel.allocator.buffer(capacity: 2)
        code.write(webSocketErrorCode: .normalClosure)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code)
        channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Marks the socket gone and fails whatever waited on it (also for a connect that never
    /// produced a channel).
    func didClose() {
        guard !isClosed else { return }
        isClosed = true
        let error = ClientError.closed
        welcome?.fail(error)
        welcome = nil
        for promise in pendingReplies.values { promise.fail(error) }
        pendingReplies = [:]
        onClose?(self)
    }
}

/// Why a client connection could not be used.
enum ClientError: Error, CustomStringConvertible {
    case refused(status: Int, body: String)
    case badHandshake
    case closed
    case timedOut(String)

    var description: String {
        switch self {
        case .refused(let status, let body): "upgrade refused: HTTP \(status) \(body.prefix(160))"
        case .badHandshake: "malformed upgrade response"
        case .closed: "connection closed"
        case .timedOut(let what): "timed out waiting for \(what)"
        }
    }
}

/// Writes the upgrade request, reads the response head and steps out of the pipeline;
/// bytes that arrived behind the head go on to the frame decoder.
private final class UpgradeHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: String
    private let upgraded: EventLoopPromise<Void>
    private var received: ByteBuffer?
    private var finished = false

    init(request: String, upgraded: EventLoopPromise<Void>) {
        self.request = request
        self.upgraded = upgraded
    }

    static func request(host: String, port: Int, path: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(NIOWebSocketClientUpgrader.randomRequestKey())\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n"
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        if received == nil { received = chunk } else { received!.writeBuffer(&chunk) }
        guard let buffer = received else { return }
        let view = buffer.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
            if buffer.readableBytes > 16_384 { fail(context: context, ClientError.badHandshake) }
            return
        }
        let head = String(decoding: view[view.startIndex..<end.upperBound], as: UTF8.self)
        let statusLine = head.prefix { $0 != "\r" }.split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            fail(context: context, ClientError.badHandshake)
            return
        }
        guard status == 101 else {
            let body = String(decoding: view[end.upperBound...], as: UTF8.self)
            fail(context: context, ClientError.refused(status: status, body: body))
            return
        }
        let leftover = buffer.getSlice(at: end.upperBound, length: view.endIndex - end.upperBound)
        received = nil
        finished = true
        upgraded.succeed()
        if let leftover, leftover.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(leftover))
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            upgraded.fail(ClientError.closed)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, error)
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        abandon(error)
        context.close(promise: nil)
    }

    /// Fails the upgrade unless it already ended (the TCP connect itself failed).
    func abandon(_ error: any Error) {
        guard !finished else { return }
        finished = true
        upgraded.fail(error)
    }
}

/// Hands complete text frames to the socket, answers pings and close frames.
private final class FrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let socket: ClientSocket
    private var fragments: ByteBuffer?

    init(socket: ClientSocket) { self.socket = socket }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            if frame.fin {
                socket.onText(socket, frame.unmaskedData)
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            var part = frame.unmaskedData
            fragments?.writeBuffer(&part)
            if frame.fin, let whole = fragments {
                fragments = nil
                socket.onText(socket, whole)
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: frame.unmaskedData)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        socket.didClose()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
