import Foundation
import Testing
@testable import HubKernel

@Suite("Envelope parsing")
struct EnvelopeTests {
    func parse(_ text: String) -> Envelope { Envelope.parse(Data(text.utf8), decoder: JSONDecoder()) }

    @Test("an integer id and a type parse") func intID() {
        let envelope = parse(#"{"id":7,"type":"chat.send","data":{"room":"x"}}"#)
        #expect(envelope.error == nil)
        #expect(envelope.id == .int(7))
        #expect(envelope.type == "chat.send")
    }

    @Test("a string id of 64 characters is accepted") func stringID() {
        let id = String(repeating: "a", count: 64)
        #expect(parse(#"{"id":"\#(id)","type":"hub.ping"}"#).id == .string(id))
    }

    @Test("null and missing ids mean no id") func nullID() {
        #expect(parse(#"{"id":null,"type":"hub.ping"}"#).id == nil)
        #expect(parse(#"{"type":"hub.ping"}"#).error == nil)
    }

    @Test("the largest safe integer id is accepted") func maxID() {
        #expect(parse(#"{"id":9007199254740991,"type":"hub.ping"}"#).id == .int(9_007_199_254_740_991))
    }

    @Test("bad ids are bad_request without re", arguments: [
        #"{"id":-1,"type":"hub.ping"}"#, #"{"id":9007199254740992,"type":"hub.ping"}"#, #"{"id":"","type":"hub.ping"}"#,
        #"{"id":"\#(String(repeating: "x", count: 65))","type":"hub.ping"}"#, #"{"id":{},"type":"hub.ping"}"#,
        #"{"id":[1],"type":"hub.ping"}"#, #"{"id":true,"type":"hub.ping"}"#, #"{"id":1.5,"type":"hub.ping"}"#,
    ])
    func badIDs(_ frame: String) {
        let envelope = parse(frame)
        #expect(envelope.error?.code == .badRequest)
        #expect(envelope.id == nil)
    }

    @Test("a missing or non-string type is bad_request, keeping a valid id", arguments: [
        #"{"id":3}"#, #"{"id":3,"type":null}"#, #"{"id":3,"type":5}"#, #"{"id":3,"type":{}}"#,
    ])
    func badType(_ frame: String) {
        let envelope = parse(frame)
        #expect(envelope.error?.code == .badRequest)
        #expect(envelope.id == .int(3))
    }

    @Test("data must be an object when present", arguments: [
        #"{"type":"hub.ping","data":[]}"#, #"{"type":"hub.ping","data":"x"}"#, #"{"type":"hub.ping","data":1}"#,
    ])
    func badData(_ frame: String) {
        #expect(parse(frame).error?.message == "data must be a JSON object")
    }

    @Test("null data is the empty object") func nullData() {
        #expect(parse(#"{"type":"hub.ping","data":null}"#).error == nil)
    }

    @Test("non-objects and non-JSON are bad_request", arguments: ["", "x", "[1,2]", "42", "\"s\"", "{", "null"])
    func notObjects(_ frame: String) {
        #expect(parse(frame).error?.code == .badRequest)
    }

    @Test("deeply nested data is rejected, not a crash") func deep() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(parse(#"{"type":"hub.ping","data":{"x":\#(deep)}}"#).error?.code == .badRequest)
    }
}

@Suite("Payload decoding")
struct PayloadDecoderTests {
    struct Payload: Decodable { var room: String; var count: Int; var nested: Nested? }
    struct Nested: Decodable { var flag: Bool }

    /// Decodes the `data` of a whole frame, as the hub does.
    func decode(_ text: String) throws -> Payload {
        let frame = Data(text.utf8)
        let range = try FrameScanner.scan(frame).data
        return try PayloadDecoder.decode(Payload.self, data: range.map { frame.subdata(in: $0) }, decoder: JSONDecoder())
    }

    @Test("a missing field names it") func missing() {
        #expect(throws: HubError.validation("count", "count is required")) { try decode(#"{"data":{"room":"a"}}"#) }
    }

    @Test("a wrong type names the field and the expected type") func wrongType() {
        #expect(throws: HubError.validation("count", "count must be an integer")) { try decode(#"{"data":{"room":"a","count":"1"}}"#) }
        #expect(throws: HubError.validation("room", "room must be a string")) { try decode(#"{"data":{"room":1,"count":1}}"#) }
    }

    @Test("nested fields are named with a dotted path") func nested() {
        #expect(throws: HubError.validation("nested.flag", "nested.flag must be a boolean")) {
            try decode(#"{"data":{"room":"a","count":1,"nested":{"flag":"yes"}}}"#)
        }
    }

    @Test("a fractional number is not an integer, and the error names the field") func fraction() {
        #expect(throws: HubError.validation("count", "count must be an integer within range")) {
            try decode(#"{"data":{"room":"a","count":1.5}}"#)
        }
    }

    @Test("escaped type names and ids decode; trailing garbage and bad escapes are rejected") func escapes() {
        #expect(EnvelopeTests().parse(#"{"type":"hub.p\u0069ng","id":"a\"b"}"#).type == "hub.ping")
        #expect(EnvelopeTests().parse(#"{"type":"hub.ping","id":"a\"b"}"#).id == .string("a\"b"))
        #expect(EnvelopeTests().parse(#"{"type":"hub.ping"} x"#).error?.code == .badRequest)
        #expect(EnvelopeTests().parse(#"{"type":"hub.ping","x":"\q"}"#).error?.code == .badRequest)
        #expect(EnvelopeTests().parse(#"{"type":"hub.ping","x":01}"#).error?.code == .badRequest)
        #expect(EnvelopeTests().parse(#"{"type":"hub.ping","x":[1,]}"#).error?.code == .badRequest)
        #expect(EnvelopeTests().parse("{\"type\":\"hub.ping\",\"x\":\"a\u{1}b\"}").error?.code == .badRequest)
        #expect(EnvelopeTests().parse(#" {"type":"hub.ping","x":-1.5e+3,"y":[true,false,null,{}]} "#).error == nil)
    }

    @Test("missing data decodes as the empty object") func empty() throws {
        struct Nothing: Decodable {}
        _ = try PayloadDecoder.decode(Nothing.self, data: nil, decoder: JSONDecoder())
    }
}
