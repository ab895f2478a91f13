import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Runs one admitted WebSocket: a reader that feeds frames to the hub in arrival order, the
/// connection's ``SocketWriter`` that drains its queue on the event loop, and its
/// ``LivenessHandler`` (pings, and the idle close); a close the hub requests is performed
/// through the transport once every frame before it was written.
enum WebSocketSession {
    static func run(
        hub: Hub, identity: Identity, expiresAtMs: Int64, remoteAddress: String,
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, writer: SocketWriter, liveness: LivenessHandler
    ) async throws {
        let connection = await hub.open(identity: identity, tokenExpiresAtMs: expiresAtMs, remoteAddress: remoteAddress)
        writer.start(connection.outbound) { code, reason in
            // through the transport, so that its close handshake and timeout apply
            Task { try? await outbound.close(WebSocketErrorCode(codeNumber: Int(code.rawValue)), reason: reason) }
        }
        let idleMs = hub.settings.idleTimeoutMs
        liveness.start { connection.outbound.close(.goingAway, reason: "no frame from the client for \(idleMs) ms") }
        var transportError: (any Error)?
        do {
            for try await message in inbound.messages(maxSize: hub.settings.transportMaxFrameBytes) {
                switch message {
                case .text(let text): await hub.receive(text, on: connection)
                case .binary: hub.receiveBinary(on: connection)
                }
            }
        } catch {
            // invalid UTF-8 (1007) or an oversized message (1009): the transport closes with its code
            transportError = error
        }
        connection.outbound.finish()
        await hub.close(connection)
        if let transportError { throw transportError }
    }
}
