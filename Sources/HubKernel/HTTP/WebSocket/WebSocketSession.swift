import NIOCore
import NIOWebSocket

/// The channel handlers of one upgraded WebSocket that the session drives.
struct WebSocketConnection: Sendable {
    /// Writes the hub's queued frames.
    let writer: SocketWriter
    /// Pings, and closes an idle client.
    let liveness: LivenessHandler
    /// Joins frames into messages and runs the close handshake.
    let messages: WebSocketMessageHandler
    /// Hands whole messages to the session, in order, on a task only while there is work.
    let inbound: InboundQueue
}

/// Starts one admitted WebSocket: registers the hub connection, starts the connection's
/// ``SocketWriter`` (it drains the connection's queue on the event loop) and its
/// ``LivenessHandler`` (pings, and the idle close), runs the connect hooks, and then lets the
/// ``InboundQueue`` feed it whole messages in arrival order. A close the hub requests is sent
/// by the ``WebSocketMessageHandler`` once every frame before it was written.
///
/// Nothing waits on an open connection: once started, the socket lives in its channel
/// handlers, and a task runs only while a command is being handled.
struct WebSocketSession: InboundConsumer {
    let hub: Hub
    let connection: Connection

    /// Starts the session; returns once the connect hooks ran and the first command may run.
    static func start(hub: Hub, identity: Identity, expiresAtMs: Int64, remoteAddress: String, transport: WebSocketConnection) async {
        // the writer starts before the connect hooks, so hub.welcome leaves at once even when
        // a hook waits for the database; frames arriving meanwhile wait in the inbound queue
        let connection = hub.register(identity: identity, tokenExpiresAtMs: expiresAtMs, remoteAddress: remoteAddress)
        let closer = transport.messages
        transport.writer.start(connection.outbound) { code, reason in
            closer.close(code: WebSocketErrorCode(codeNumber: Int(code.rawValue)), reason: reason)
        }
        let idleMs = hub.settings.idleTimeoutMs
        transport.liveness.start { connection.outbound.close(.goingAway, reason: "no frame from the client for \(idleMs) ms") }
        await hub.connected(connection)
        transport.inbound.start(WebSocketSession(hub: hub, connection: connection))
    }

    func consume(_ message: InboundMessage) async {
        switch message {
        case .text(let text): await hub.receive(text, on: connection)
        case .binary: hub.receiveBinary(on: connection)
        }
    }

    func ended() async {
        connection.outbound.finish()
        await hub.close(connection)
    }
}
