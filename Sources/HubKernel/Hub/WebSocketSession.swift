import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Runs one admitted WebSocket: a reader that feeds frames to the hub in arrival order, and
/// a writer that drains the connection's queue and performs requested closes.
enum WebSocketSession {
    static func run(
        hub: Hub, identity: Identity, expiresAtMs: Int64, remoteAddress: String,
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async throws {
        let connection = await hub.open(identity: identity, tokenExpiresAtMs: expiresAtMs, remoteAddress: remoteAddress)
        var transportError: (any Error)?
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await write(connection.outbound, to: outbound)
            }
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
            await group.waitForAll()
        }
        await hub.close(connection)
        if let transportError { throw transportError }
    }

    private static func write(_ queue: OutboundQueue, to outbound: WebSocketOutboundWriter) async {
        while true {
            switch await queue.next() {
            case .frames(let frames):
                for frame in frames {
                    do {
                        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame)))
                    } catch {
                        queue.finish()
                        return
                    }
                }
            case .close(let code, let reason):
                try? await outbound.close(WebSocketErrorCode(codeNumber: Int(code.rawValue)), reason: reason)
                return
            case .finished:
                return
            }
        }
    }
}
