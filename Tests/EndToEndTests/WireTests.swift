import Testing
import HubKernel
import HubTesting
@testable import Switchboard

@Suite("The wire over a real socket")
struct WireTests {
    @Test("binary frames get bad_request and the connection stays open") func binary() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let client = try await hub.client()
            try await client.sendBinary([0xDE, 0xAD])
            #expect(try await client.expectUnaddressedError().error?.code == .badRequest)
            #expect(try await client.send("hub.ping").ok)
        }
    }

    @Test("invalid UTF-8 closes with 1007") func invalidUTF8() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let client = try await hub.client()
            try await client.sendRawText([0x7B, 0xFF, 0xFE, 0x7D])
            #expect(try await client.expectClose() == 1007)
        }
    }

    @Test("a frame above HUB_MAX_FRAME_BYTES is payload_too_large; above 1 MiB the socket closes with 1009") func sizes() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let client = try await hub.client()
            try await client.sendRaw(#"{"type":"hub.ping","data":{"pad":"\#(String(repeating: "x", count: 70_000))"}}"#)
            #expect(try await client.expectUnaddressedError().error?.code == .payloadTooLarge)
            #expect(try await client.send("hub.ping").ok)
            try await client.sendRaw(String(repeating: "x", count: (1 << 20) + 10))
            #expect(try await client.expectClose() == 1009)
        }
    }

    @Test("JSON escapes of invalid sequences, null bytes and garbage never break the connection") func garbage() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let client = try await hub.client()
            for frame in [#"{"id":1,"type":"poll.create","data":{"question":"\ud800","options":["a","b"]}}"#,
                          #"{"id":2,"type":"poll.create","data":{"question":"a\u0000b","options":["a","b"]}}"#,
                          #"{"id":3,"type":"poll.vote","data":{"pollId":["x"],"option":{}}}"#] {
                try await client.sendRaw(frame)
            }
            for id in 1...3 {
                let reply = try await client.expectReply(re: .int(Int64(id)))
                #expect(reply.error?.code == .validationFailed, "\(reply)")
            }
            #expect(try await client.send("hub.ping").ok)
        }
    }

    @Test("two users over sockets: a vote reaches the watcher") func fanout() async throws {
        try await TestHub.run(modules: Catalog.modules, .live) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client(role: .guest)
            let created = try await alice.send("poll.create", ["question": "Lunch?", "options": ["pizza", "salad"]])
            let id = try #require(created.data["poll"]["id"].string)
            _ = try await alice.send("hub.subscribe", ["topic": .string("poll:\(id)")])
            _ = try await bob.send("poll.vote", ["pollId": .string(id), "option": 0])
            let tally = try await alice.expectEvent("poll.tally", on: "poll:\(id)")
            #expect(tally.data["poll"]["options"][0]["votes"] == 1)
            let http = HTTP(baseURL: hub.baseURL!)
            let viaHTTP = try await http.get("/poll/polls/\(id)", token: bob.accessToken)
            #expect(viaHTTP.body["poll"]["options"][0]["votes"] == 1)
            #expect(try await http.get("/poll/polls/\(id)").status == 401)
            #expect(try await http.get("/poll/polls/nope", token: bob.accessToken).status == 404)
        }
    }
}

@Suite("The socket writer over a real socket")
struct SocketWriterTests {
    @Test("every frame length encoding arrives intact, in order: short, 16-bit and 64-bit lengths, batched and alone")
    func frameLengths() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["RATE_LIMIT_CHAT_SEND": "off"]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            _ = try await alice.send("chat.join", ["room": "lengths"])
            _ = try await bob.send("chat.join", ["room": "lengths"])
            // a reply under 126 bytes has the one-byte length
            #expect(try await bob.send("hub.ping").ok)
            // ~4 KB messages have 16-bit lengths; sent without waiting, they reach bob in batches
            let texts = (0..<25).map { n in "\(n) " + String(repeating: "é", count: 1990) }
            for text in texts {
                try await alice.sendWithoutID("chat.send", ["room": "lengths", "text": .string(text)])
            }
            for text in texts {
                #expect(try await bob.expectEvent("chat.message", on: "chat:lengths").data["message"]["text"].string == text)
            }
            // a history page of 25 × ~4 KB is one frame of ~100 KB: the 64-bit length, written
            // behind its own header instead of being copied into a combined buffer
            let page = try await bob.send("chat.history", ["room": "lengths", "limit": 25])
            let items = try #require(page.data["items"].array)
            #expect(items.count == 25)
            #expect(Set(items.compactMap { $0["text"].string }) == Set(texts))
            #expect(try await alice.send("hub.ping").ok)
        }
    }
}
