import Foundation
import NIOCore
import Testing
@testable import HubKernel

@Suite("Outbound frames")
struct OutboundFrameTests {
    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test("a reply echoes an integer or string id") func reply() throws {
        let frame = try json(OutboundFrame.reply(to: .int(7), payload: Data(#"{"a":1}"#.utf8)))
        #expect(frame["re"] as? Int == 7)
        #expect(frame["ok"] as? Bool == true)
        #expect(try json(OutboundFrame.reply(to: .string("x\"y"), payload: Data("{}".utf8)))["re"] as? String == "x\"y")
    }

    @Test("an error reply without id carries re: null and the error object") func errorReply() throws {
        let buffer = OutboundFrame.error(.rateLimited(retryAfterMs: 1500), re: nil)
        let text = String(buffer: buffer)
        #expect(text.hasPrefix(#"{"re":null,"ok":false,"error":"#))
        let error = try #require(try json(buffer)["error"] as? [String: Any])
        #expect(error["code"] as? String == "rate_limited")
        #expect(error["retryAfterMs"] as? Int == 1500)
    }

    @Test("events omit topic and seq when absent") func event() throws {
        let frame = try json(OutboundFrame.event(type: "hub.welcome", topic: nil, seq: nil, payload: Data("{}".utf8)))
        #expect(frame["topic"] == nil)
        #expect(frame["seq"] == nil)
        let sequenced = try json(OutboundFrame.event(type: "x.y", topic: "x:a", seq: 42, payload: Data("{}".utf8)))
        #expect(sequenced["seq"] as? Int == 42)
        #expect(sequenced["topic"] as? String == "x:a")
    }

    @Test("strings are escaped as JSON requires") func escaping() throws {
        var buffer = ByteBuffer()
        OutboundFrame.writeJSONString("a\"b\\c\nd\u{1}é😀", into: &buffer)
        let decoded = try JSONDecoder().decode(String.self, from: Data(buffer.readableBytesView))
        #expect(decoded == "a\"b\\c\nd\u{1}é😀")
    }
}
