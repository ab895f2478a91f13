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
}

/// Runs one admitted WebSocket: a reader that feeds whole messages to the hub in arrival
/// order, the connection's ``SocketWriter`` that drains its queue on the event loop, and its
/// ``LivenessHandler`` (pings, and the idle close); a close the hub requests is sent by the
/// ``WebSocketMessageHandler`` once every frame before it was written.
enum WebSocketSession {
    static func run(
        hub: Hub, identity: Identity, expiresAtMs: Int64, remoteAddress: String,
        messages: NIOAsyncChannelInboundStream<InboundMessage>, connection transport: WebSocketConnection
    ) async {
        // the writer starts before the connect hooks, so hub.welcome leaves at once even when
        // a hook waits for the database; frames arriving meanwhile wait in the socket
        let connection = hub.register(identity: identity, tokenExpiresAtMs: expiresAtMs, remoteAddress: remoteAddress)
        let closer = transport.messages
        transport.writer.start(connection.outbound) { code, reason in
            closer.close(code: WebSocketErrorCode(codeNumber: Int(code.rawValue)), reason: reason)
        }
        let idleMs = hub.settings.idleTimeoutMs
        transport.liveness.start { connection.outbound.close(.goingAway, reason: "no frame from the client for \(idleMs) ms") }
        await hub.connected(connection)
        do {
            for try await message in messages {
                switch message {
                case .text(let text): await hub.receive(text, on: connection)
                case .binary: hub.receiveBinary(on: connection)
                }
            }
        } catch {
            // the socket failed under the reader; the connection ends as if closed
        }
        connection.outbound.finish()
        await hub.close(connection)
    }
}
