import NIOCore
import NIOWebSocket

/// Keeps a WebSocket connection honest about being alive (protocol.md "Liveness"): a ping
/// every `heartbeat`, and a close with 1001 once the client has sent nothing at all for
/// `idleTimeout` — no frame of any kind; a command, a pong (asked for or not) or a ping of
/// its own each count.
///
/// It exists because the transport's auto-ping counts only a pong that answers its latest
/// ping, so a client that proves it is alive in any other way was closed. It runs as one
/// scheduled task on the connection's event loop, re-armed for whichever comes first (the
/// next ping or the idle deadline): an idle connection costs no Swift task.
///
/// All state is touched only on the channel's event loop (handler callbacks, the scheduled
/// task, and ``start(onIdle:)`` which hops there), which is what makes `@unchecked Sendable` safe.
final class LivenessHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let heartbeat: TimeAmount
    private let idleTimeout: TimeAmount
    private let eventLoop: any EventLoop
    private var context: ChannelHandlerContext?
    private var lastActivity = NIODeadline.now()
    private var lastPing = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var onIdle: (@Sendable () -> Void)?
    private var stopped = false

    /// - Parameters:
    ///   - heartbeatMs: how often the server pings.
    ///   - idleTimeoutMs: how long a client may send nothing before it is closed.
    init(heartbeatMs: Int, idleTimeoutMs: Int, eventLoop: any EventLoop) {
        heartbeat = .milliseconds(Int64(heartbeatMs))
        idleTimeout = .milliseconds(Int64(idleTimeoutMs))
        self.eventLoop = eventLoop
    }

    /// Starts pinging; `onIdle` is called once, on the event loop, when the client has been
    /// silent for the idle timeout (the caller closes through the hub, after queued frames).
    func start(onIdle: @escaping @Sendable () -> Void) {
        eventLoop.execute {
            guard !self.stopped, self.context != nil else { return }
            self.onIdle = onIdle
            self.lastActivity = .now()
            self.lastPing = .now()
            self.arm()
        }
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    private func arm() {
        guard !stopped else { return }
        timer = eventLoop.scheduleTask(deadline: min(lastPing + heartbeat, lastActivity + idleTimeout)) { self.tick() }
    }

    private func tick() {
        guard let context, !stopped else { return }
        let now = NIODeadline.now()
        if now >= lastActivity + idleTimeout {
            let onIdle = self.onIdle
            stop()
            onIdle?()
            return
        }
        if now >= lastPing + heartbeat {
            lastPing = now
            let ping = WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(wrapOutboundOut(ping), promise: nil)
        }
        arm()
    }

    private func stop() {
        stopped = true
        timer?.cancel()
        timer = nil
        onIdle = nil
    }
}
