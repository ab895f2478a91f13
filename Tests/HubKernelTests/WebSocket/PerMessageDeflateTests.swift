import NIOCore
import NIOEmbedded
import Testing
@testable import HubKernel

@Suite("permessage-deflate negotiation and inflation")
struct PerMessageDeflateTests {
    @Test("what browsers and libraries offer is accepted, always with client_no_context_takeover", arguments: [
        ("permessage-deflate", "permessage-deflate; client_no_context_takeover"),
        ("permessage-deflate; client_max_window_bits", "permessage-deflate; client_no_context_takeover"),
        ("permessage-deflate; client_max_window_bits=10", "permessage-deflate; client_no_context_takeover"),
        ("permessage-deflate;client_no_context_takeover", "permessage-deflate; client_no_context_takeover"),
        ("permessage-deflate; server_no_context_takeover",
         "permessage-deflate; client_no_context_takeover; server_no_context_takeover"),
        ("permessage-deflate; server_max_window_bits=\"12\"",
         "permessage-deflate; client_no_context_takeover; server_max_window_bits=12"),
    ])
    func accepted(offer: String, response: String) {
        #expect(PerMessageDeflate.negotiate(offers: [offer]) == response)
    }

    @Test("an offer with a bad parameter is declined; the next acceptable offer is taken") func declined() {
        for bad in ["permessage-deflate; server_max_window_bits", "permessage-deflate; server_max_window_bits=16",
                    "permessage-deflate; client_max_window_bits=7", "permessage-deflate; client_max_window_bits=1x",
                    "permessage-deflate; mystery", "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                    "permessage-deflate; server_no_context_takeover=1", "x-webkit-deflate-frame", ""] {
            #expect(PerMessageDeflate.negotiate(offers: [bad]) == nil, "\(bad)")
        }
        #expect(PerMessageDeflate.negotiate(offers: ["permessage-deflate; mystery, permessage-deflate; server_no_context_takeover"])
                == "permessage-deflate; client_no_context_takeover; server_no_context_takeover")
        #expect(PerMessageDeflate.negotiate(offers: ["foo", "permessage-deflate"]) == "permessage-deflate; client_no_context_takeover")
        #expect(PerMessageDeflate.negotiate(offers: []) == nil)
    }

    @Test("the inflater stops at the limit and refuses corrupt data, and is usable afterwards") func inflater() throws {
        let loop = EmbeddedEventLoop()
        let inflater = MessageInflater.for(loop)
        let allocator = ByteBufferAllocator()
        // "hello" as raw deflate, sync-flushed, the 00 00 ff ff tail removed
        let hello = ByteBuffer(bytes: [0xCA, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
        #expect(try inflater.inflate(hello, limit: 100, allocator: allocator) == ByteBuffer(string: "hello"))
        #expect(throws: MessageInflater.Failure.tooLarge) { try inflater.inflate(hello, limit: 4, allocator: allocator) }
        #expect(throws: MessageInflater.Failure.corrupt) {
            try inflater.inflate(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF]), limit: 100, allocator: allocator)
        }
        #expect(try inflater.inflate(hello, limit: 5, allocator: allocator) == ByteBuffer(string: "hello"))
        #expect(MessageInflater.for(loop) === inflater)
    }

    @Test("a close reason is cut to whole characters within the control frame's bytes") func closeReason() {
        #expect(WebSocketMessageHandler.truncated("short", toBytes: 123) == "short")
        let long = String(repeating: "é", count: 70)  // 140 bytes
        let cut = WebSocketMessageHandler.truncated(long, toBytes: 123)
        #expect(cut.utf8.count == 122)
        #expect(cut == String(repeating: "é", count: 61))
    }

    @Test("close codes a peer may send") func closeCodes() {
        for valid: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4000, 4999] {
            #expect(WebSocketMessageHandler.isValidCloseCode(valid), "\(valid)")
        }
        for invalid: UInt16 in [0, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2000, 2999, 5000] {
            #expect(!WebSocketMessageHandler.isValidCloseCode(invalid), "\(invalid)")
        }
    }
}
