import NIOCore
import NIOWebSocket

/// The session of `/conformance/echo`: every message the hub's transport assembled is sent
/// back as it came (text as text, binary as binary).
///
/// It exists so that Autobahn|Testsuite (`scripts/autobahn.sh`) tests exactly the stack a
/// hub connection runs on — the frame decoder, ``WebSocketMessageHandler``, the inflater, the
/// ``InboundQueue`` — with only the consumer of messages swapped. Mounted only with
/// `HUB_CONFORMANCE_ECHO`, which production refuses.
struct ConformanceEcho: InboundConsumer {
    let channel: any Channel

    func consume(_ message: InboundMessage) async {
        let frame = switch message {
        case .text(let text): WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text))
        case .binary(let bytes): WebSocketFrame(fin: true, opcode: .binary, data: bytes)
        }
        // a socket that closed under the echo is owed nothing
        try? await channel.writeAndFlush(frame).get()
    }

    func ended() async {}
}
