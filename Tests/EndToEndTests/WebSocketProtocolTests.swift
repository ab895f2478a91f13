import CompressNIO
import Foundation
import NIOCore
import Testing
import HubKernel
import HubTesting
@testable import Switchboard

/// The hub's own RFC 6455 / RFC 7692 layer over a real socket: what a browser, a library
/// client or a hostile one sends, frame by frame (docs/protocol.md "Connecting").
@Suite("WebSocket protocol")
struct WebSocketProtocolTests {
    /// Opens a raw socket as a fresh guest on a hub without modules (nothing but replies
    /// arrives unasked), reads the welcome, and hands it to `body`.
    func withSocket(headers: [String: String] = [:], _ body: @escaping @Sendable (RawWebSocket, TestHub) async throws -> Void) async throws {
        try await TestHub.run(modules: [], .live) { hub in
            let token = try await hub.hub.accounts.guest(displayName: "raw").accessToken
            let socket = try await RawWebSocket.open(port: hub.port, path: "/ws?access_token=\(token)", headers: headers)
            #expect(socket.status == 101, "\(socket.responseHead)")
            let welcome = try #require(try await socket.nextIgnoringPings())
            #expect(welcome.text.contains("hub.welcome"))
            try await body(socket, hub)
            await socket.close()
        }
    }

    /// Asserts the server closes with `code` and then ends the TCP connection.
    func expectClosed(_ socket: RawWebSocket, with code: UInt16, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let frame = try await socket.nextIgnoringPings()
        #expect(frame?.opcode == 0x8, "expected a close frame, got \(String(describing: frame))", sourceLocation: sourceLocation)
        #expect(frame?.closeCode == code, sourceLocation: sourceLocation)
        #expect(try await socket.next() == nil, "the socket stays open after the close", sourceLocation: sourceLocation)
    }

    /// Sends `hub.ping` with `id` and returns the reply's `re`.
    func ping(_ socket: RawWebSocket, id: String) async throws -> String? {
        socket.send(text: #"{"id":"\#(id)","type":"hub.ping"}"#)
        let reply = try await socket.nextIgnoringPings()
        return JSON.parse(reply?.text ?? "")?["re"].string
    }

    @Test("a message in three fragments is one command; a ping between them is answered") func fragments() async throws {
        try await withSocket { socket, _ in
            let command = Array(#"{"id":"frag","type":"hub.ping"}"#.utf8)
            socket.send(opcode: 0x1, Array(command[0..<5]), fin: false)
            socket.send(opcode: 0x9, Array("mid".utf8))
            socket.send(opcode: 0x0, Array(command[5..<12]), fin: false)
            socket.send(opcode: 0x0, Array(command[12...]))
            let pong = try await socket.nextIgnoringPings()
            #expect(pong?.opcode == 0xA)
            #expect(pong?.text == "mid")
            let reply = try await socket.nextIgnoringPings()
            #expect(JSON.parse(reply?.text ?? "")?["re"] == "frag")
        }
    }

    @Test("a character split across fragments is valid UTF-8") func splitCharacter() async throws {
        try await withSocket { socket, _ in
            let command = Array(#"{"id":"é€𝄞","type":"hub.ping"}"#.utf8)
            for index in command.indices {
                socket.send(opcode: index == 0 ? 0x1 : 0x0, [command[index]], fin: index == command.count - 1)
            }
            let reply = try await socket.nextIgnoringPings()
            #expect(JSON.parse(reply?.text ?? "")?["re"] == "é€𝄞")
        }
    }

    @Test("a ping is answered with a pong carrying its payload") func pingPong() async throws {
        try await withSocket { socket, _ in
            socket.send(opcode: 0x9, Array("are you there".utf8))
            let pong = try await socket.nextIgnoringPings()
            #expect(pong?.opcode == 0xA)
            #expect(pong?.text == "are you there")
        }
    }

    @Test("text that is not UTF-8 closes with 1007") func invalidUTF8() async throws {
        try await withSocket { socket, _ in
            socket.send(opcode: 0x1, [0x7B, 0xC3, 0x28, 0x7D])
            try await expectClosed(socket, with: 1007)
        }
    }

    @Test("protocol violations close with 1002", arguments: [
        "unmasked", "continuation first", "text inside a message", "reserved opcode", "RSV2", "RSV1 without deflate",
        "one-byte close", "close code 1005", "close code 999", "close code 2999",
    ])
    func violations(_ violation: String) async throws {
        try await withSocket { socket, _ in
            let ping = Array(#"{"id":1,"type":"hub.ping"}"#.utf8)
            switch violation {
            case "unmasked": socket.send(opcode: 0x1, ping, masked: false)
            case "continuation first": socket.send(opcode: 0x0, ping)
            case "text inside a message":
                socket.send(opcode: 0x1, Array(ping[0..<4]), fin: false)
                socket.send(opcode: 0x1, ping)
            case "reserved opcode": socket.send(opcode: 0x3, ping)
            case "RSV2": socket.send(opcode: 0x1, ping, rsv2: true)
            case "RSV1 without deflate": socket.send(opcode: 0x1, ping, rsv1: true)
            case "one-byte close": socket.send(opcode: 0x8, [0x03])
            case "close code 1005": socket.send(opcode: 0x8, [0x03, 0xED])
            case "close code 999": socket.send(opcode: 0x8, [0x03, 0xE7])
            case "close code 2999": socket.send(opcode: 0x8, [0x0B, 0xB7])
            default: Issue.record("unknown case \(violation)")
            }
            try await expectClosed(socket, with: 1002)
        }
    }

    @Test("a client's close is echoed with its code and the socket closed") func clientClose() async throws {
        try await withSocket { socket, _ in
            socket.send(opcode: 0x8, [0x0F, 0xA0] + Array("done here".utf8))  // 4000
            try await expectClosed(socket, with: 4000)
        }
        try await withSocket { socket, _ in
            socket.send(opcode: 0x8, [])  // no status: answered 1000
            try await expectClosed(socket, with: 1000)
        }
        try await withSocket { socket, _ in
            socket.send(opcode: 0x8, [0x03, 0xE8, 0xC3, 0x28])  // a reason that is not UTF-8
            try await expectClosed(socket, with: 1007)
        }
    }

    @Test("a message above the transport limit closes with 1009, in one frame or many") func tooLarge() async throws {
        let limit = HubSettings().transportMaxFrameBytes
        try await withSocket { socket, _ in
            socket.send(opcode: 0x1, Array(repeating: 0x20, count: limit + 1))
            try await expectClosed(socket, with: 1009)
        }
        try await withSocket { socket, _ in
            let chunk = [UInt8](repeating: 0x20, count: limit / 4)
            for index in 0..<4 { socket.send(opcode: index == 0 ? 0x1 : 0x0, chunk, fin: false) }  // exactly the limit so far
            socket.send(opcode: 0x0, [0x20], fin: false)
            try await expectClosed(socket, with: 1009)
        }
    }

    @Test("permessage-deflate: the server asks for no context takeover and reads compressed messages")
    func deflate() async throws {
        try await withSocket(headers: ["Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"]) { socket, _ in
            let accepted = try #require(socket.header("Sec-WebSocket-Extensions"))
            #expect(accepted.hasPrefix("permessage-deflate"))
            #expect(accepted.contains("client_no_context_takeover"))
            for id in ["first", "second"] {
                socket.send(opcode: 0x1, try Self.deflated(#"{"id":"\#(id)","type":"hub.ping"}"#), rsv1: true)
                let reply = try await socket.nextIgnoringPings()
                #expect(JSON.parse(reply?.text ?? "")?["re"].string == id)
            }
            // a compressed message may be fragmented; RSV1 is on its first frame only
            let parts = try Self.deflated(#"{"id":"split","type":"hub.ping"}"#)
            socket.send(opcode: 0x1, Array(parts.prefix(3)), fin: false, rsv1: true)
            socket.send(opcode: 0x0, Array(parts.dropFirst(3)))
            let reply = try await socket.nextIgnoringPings()
            #expect(JSON.parse(reply?.text ?? "")?["re"].string == "split")
            // and plain messages still work on a compressing connection
            #expect(try await ping(socket, id: "plain") == "plain")
        }
    }

    @Test("a compressed message inflating past the limit closes with 1009; corrupt data with 1007") func deflateBomb() async throws {
        let limit = HubSettings().transportMaxFrameBytes
        try await withSocket(headers: ["Sec-WebSocket-Extensions": "permessage-deflate"]) { socket, _ in
            let bomb = try Self.deflated(String(repeating: " ", count: limit + 1))
            #expect(bomb.count < 10_000)
            socket.send(opcode: 0x1, bomb, rsv1: true)
            try await expectClosed(socket, with: 1009)
        }
        try await withSocket(headers: ["Sec-WebSocket-Extensions": "permessage-deflate"]) { socket, _ in
            socket.send(opcode: 0x1, [0xFF, 0xFF, 0xFF, 0xFF, 0x00], rsv1: true)
            try await expectClosed(socket, with: 1007)
        }
    }

    @Test("/conformance/echo exists only when mounted, and echoes text as text and binary as binary") func echo() async throws {
        try await TestHub.run(modules: [], .live) { hub in
            let absent = try await RawWebSocket.open(port: hub.port, path: "/conformance/echo")
            #expect(absent.status == 404)
            await absent.close()
        }
        try await TestHub.run(modules: [], .live, environment: ["HUB_CONFORMANCE_ECHO": "true"]) { hub in
            let socket = try await RawWebSocket.open(port: hub.port, path: "/conformance/echo",
                                                     headers: ["Sec-WebSocket-Extensions": "permessage-deflate"])
            #expect(socket.status == 101)
            socket.send(opcode: 0x1, Array("héllo".utf8))
            let text = try await socket.nextIgnoringPings()
            #expect(text?.opcode == 0x1)
            #expect(text?.text == "héllo")
            socket.send(opcode: 0x2, [0x00, 0xFF, 0x10], fin: false)
            socket.send(opcode: 0x0, [0x20])
            let binary = try await socket.nextIgnoringPings()
            #expect(binary?.opcode == 0x2)
            #expect(binary?.payload == [0x00, 0xFF, 0x10, 0x20])
            socket.send(opcode: 0x1, try Self.deflated("compressed echo"), rsv1: true)
            #expect(try await socket.nextIgnoringPings()?.text == "compressed echo")
            socket.send(opcode: 0x8, [0x03, 0xE8])
            try await expectClosed(socket, with: 1000)
        }
    }

    /// `text` as a permessage-deflate payload: raw deflate, sync-flushed, the 4-byte tail removed.
    static func deflated(_ text: String) throws -> [UInt8] {
        var input = ByteBuffer(string: text)
        let compressor = try ZlibCompressor(algorithm: .deflate)
        var output = ByteBuffer()
        output.reserveCapacity(compressor.maxSize(from: input))
        try compressor.deflate(from: &input, to: &output, flush: .sync)
        var bytes = Array(output.readableBytesView)
        if bytes.suffix(4) == [0x00, 0x00, 0xFF, 0xFF] { bytes.removeLast(4) }
        return bytes
    }
}
