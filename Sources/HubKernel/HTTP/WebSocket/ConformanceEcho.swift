import NIOCore
import NIOWebSocket

/// The session of `/conformance/echo`: every message the hub's transport assembled is sent
/// back as it came (text as text, binary as binary).
///
/// It exists so that Autobahn|Testsuite (`scripts/autobahn.sh`) tests exactly the stack a
/// hub connection runs on — the frame decoder, ``WebSocketMessageHandler``, the inflater —
/// with only the consumer of messages swapped. Mounted only with `HUB_CONFORMANCE_ECHO`,
/// which production refuses.
enum ConformanceEcho {
    static func run(messages: NIOAsyncChannelInboundStream<InboundMessage>, channel: any Channel) async {
        do {
            for try await message in messages {
                let frame = switch message {
                case .text(let text): WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text))
                case .binary(let bytes): WebSocketFrame(fin: true, opcode: .binary, data: bytes)
                }
                try await channel.writeAndFlush(frame).get()
            }
        } catch {
            // the socket closed under the echo; nothing is owed
        }
    }
}
