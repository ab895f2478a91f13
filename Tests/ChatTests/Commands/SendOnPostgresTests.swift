import Foundation
@testable import HubKernel
import HubTesting
import Testing
@testable import Chat

/// `chat.send` on PostgreSQL is one statement that also numbers its event (issue #16): what
/// the other nodes hear, what the history replays and what a single node delivers must be the
/// message exactly as stored, with the seq the statement assigned spliced into the event.
@Suite("chat.send on PostgreSQL: one statement", .enabled(if: (try? TestDatabase.kind()) == .postgres))
struct SendOnPostgresTests {
    /// Texts that look like the placeholder the statement replaces must arrive untouched.
    static let texts = ["hello", "\(StatementEvent.placeholder)", #"{"seq":\#(StatementEvent.placeholder)}"#]

    @Test("the other node and a node that only reads the history see each message with the seq it was stored with; a refused send numbers no event")
    func acrossNodes() async throws {
        try await TestDatabase.withRestartable { store in
            try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends, database: store, node: "a") { a in
                try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends, database: store, node: "b") { b in
                    for node in [a, b] { try await node.waitUntilReady() }
                    let alice = try await a.client()
                    let bob = try await b.client()
                    let carol = try await a.client()
                    try await alice.join("general")
                    try await bob.join("general")
                    var sent: [JSON] = []
                    for text in Self.texts { sent.append(try await alice.say(text, in: "general")) }
                    var eventSeqs: [Int64] = []
                    for message in sent {
                        let event = try await bob.expectEvent("chat.message", on: "chat:general")
                        #expect(event.data["message"] == message, "node b heard something else than was stored")
                        eventSeqs.append(event.seq ?? -1)
                    }
                    #expect(sent.map { $0["text"].string } == Self.texts.map { Optional($0) })
                    #expect(sent.map { $0["seq"].int } == [1, 2, 3])
                    #expect(eventSeqs == Array(eventSeqs[0]...(eventSeqs[0] + 2)), "event seqs are not consecutive")

                    // not a member: refused, nothing stored, no event numbered
                    let refused = try await carol.send("chat.send", ["room": "general", "text": "let me in"])
                    #expect(refused.error?.rawCode == "forbidden")
                    let next = try await alice.say("after the refusal", in: "general")
                    #expect(next["seq"].int == 4)
                    #expect(try await bob.expectEvent("chat.message", on: "chat:general").seq == eventSeqs[2] + 1)

                    // a third node knows nothing in memory: it replays the history
                    let (first, stored) = (eventSeqs[0], sent + [next])
                    try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends, database: store, node: "c") { c in
                        try await c.waitUntilReady()
                        let reader = try await c.connect(accessToken: bob.accessToken)
                        let reply = try await reader.send("hub.subscribe", ["topic": "chat:general", "since": .int(first - 1)])
                        #expect(reply.data["recovered"].bool == true)
                        let missed = reply.data["missed"].array ?? []
                        #expect(missed.map { $0["data"]["message"] } == stored)
                        #expect(missed.map { $0["seq"].int } == (first...(first + 3)).map { Optional($0) })
                    }
                }
            }
        }
    }

    @Test("on one node without cluster mode the event is delivered after the statement, with the stored seq")
    func singleNode() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends.merging(["HUB_CLUSTER": "off"]) { $1 }) { hub in
            #expect(!hub.hub.isClustered)
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            for (index, text) in Self.texts.enumerated() {
                let message = try await alice.say(text, in: "general")
                #expect(message["seq"].int == Int64(index + 1))
                #expect(try await bob.expectEvent("chat.message", on: "chat:general").data["message"] == message)
            }
            let stranger = try await hub.client()
            #expect(try await stranger.send("chat.send", ["room": "general", "text": "x"]).error?.rawCode == "forbidden")
            #expect(try await alice.say("last", in: "general")["seq"].int == 4)
        }
    }
}
