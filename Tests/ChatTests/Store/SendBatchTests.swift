import Foundation
@testable import HubKernel
import HubTesting
import SQLKit
import Testing
@testable import Chat

/// `chat.send` on PostgreSQL stored in batches (``SendBatch``, issue #16): each send of a batch
/// is judged on its own, each room's messages get consecutive seqs in arrival order, the events
/// go out in that order, and a batch that fails as a whole hands every send back to be stored
/// alone.
@Suite("chat.send on PostgreSQL: batches", .enabled(if: (try? TestDatabase.kind()) == .postgres))
struct SendBatchTests {
    /// A send as the handler prepares it, with its event.
    func pending(_ text: String, by client: TestClient, in room: String, clientMsgID: String? = nil,
                 chat: ChatModule, at now: Int64) throws -> SendBatch.Pending {
        let message = MessageView(id: UUID().uuidString.lowercased(), room: room, authorId: client.identity.userID,
                                  authorName: client.identity.displayName, text: text, sentAt: now, editedAt: nil, deleted: false, seq: 0)
        var draft = message
        draft.seq = StatementEvent.placeholder
        let event = try chat.publisher.inStatement(MessageSent(message: draft), on: ChatTopics.room(room))
        return SendBatch.Pending(message: message, clientMsgID: clientMsgID, event: event)
    }

    func seqs(_ outcomes: [SendBatch.Outcome]) -> [Int64?] {
        outcomes.map { if case .stored(let stored) = $0 { stored.seq } else { -1 } }
    }

    @Test("one batch: members' messages numbered per room in arrival order, a stranger's and a missing room's refused alone, read positions at each author's latest")
    func mixedBatch() async throws {
        for environment in [unlimitedSends, unlimitedSends.merging(["HUB_CLUSTER": "off"]) { $1 }] {
            try await TestHub.run(modules: [ChatModule.self], environment: environment) { hub in
                let chat = try #require(hub.hub.modules.first as? ChatModule)
                let alice = try await hub.client()
                let bob = try await hub.client()
                let carol = try await hub.client()
                try await alice.join("general")
                try await bob.join("general")
                try await alice.join("random")
                let now = hub.clock.nowMs()
                let batch = [
                    try pending("one", by: alice, in: "general", chat: chat, at: now),
                    try pending("two", by: bob, in: "general", chat: chat, at: now),
                    try pending("let me in", by: carol, in: "general", chat: chat, at: now),
                    try pending("elsewhere", by: alice, in: "random", chat: chat, at: now),
                    try pending("nowhere", by: alice, in: "no-such-room", chat: chat, at: now),
                    try pending("three", by: alice, in: "general", clientMsgID: "c-1", chat: chat, at: now),
                ]
                let outcomes = try await SendBatch.store(batch, on: hub.hub.database)
                #expect(seqs(outcomes) == [1, 2, nil, 1, nil, 3])
                guard case .stored(let stranger) = outcomes[2], case .stored(let missing) = outcomes[4] else { Issue.record("\(outcomes)"); return }
                #expect(stranger.kind == "public" && !stranger.isMember, "the stranger: \(stranger)")
                #expect(missing.kind == nil && !missing.isMember, "the missing room: \(missing)")

                var heard: [(seq: Int64?, message: JSON)] = []
                for _ in 0..<3 {
                    let event = try await bob.expectEvent("chat.message", on: "chat:general")
                    heard.append((event.seq, event.data["message"]))
                }
                #expect(heard.map { $0.message["text"].string } == ["one", "two", "three"])
                #expect(heard.map { $0.message["seq"].int } == [1, 2, 3])
                let eventSeqs = heard.compactMap(\.seq)
                #expect(eventSeqs.count == 3 && eventSeqs == Array(eventSeqs[0]...(eventSeqs[0] + 2)), "event seqs \(eventSeqs)")
                try await bob.expectNoEvent("chat.message", on: "chat:general", settle: .milliseconds(100))

                let history = try await bob.send("chat.history", ["room": "general"]).data["items"].array ?? []
                #expect(history.map { $0["text"].string }.sorted { ($0 ?? "") < ($1 ?? "") } == ["one", "three", "two"])
                let positions = try await BatchedSends.readPositions(in: "general", on: hub.hub.database)
                #expect(positions == [alice.identity.userID: 3, bob.identity.userID: 2])
                #expect(try await alice.say("after", in: "general")["seq"].int == 4)
            }
        }
    }

    @Test("in cluster mode a batch numbers each topic's events at once: the counter moved once, the history trimmed to its size, the payloads as stored, the other node hearing every event in order")
    func numberedAcrossNodes() async throws {
        let environment = unlimitedSends.merging(["HUB_TOPIC_HISTORY_SIZE": "3"]) { $1 }
        try await TestDatabase.withRestartable { store in
            try await TestHub.run(modules: [ChatModule.self], environment: environment, database: store, node: "a") { a in
                try await TestHub.run(modules: [ChatModule.self], environment: environment, database: store, node: "b") { b in
                    for node in [a, b] { try await node.waitUntilReady() }
                    let chat = try #require(a.hub.modules.first as? ChatModule)
                    let alice = try await a.client()
                    let bob = try await a.client()
                    let listener = try await b.connect(accessToken: bob.accessToken)
                    for client in [alice, bob] { try await client.join("general") }
                    try await alice.join("random")
                    _ = try await listener.send("hub.subscribe", ["topic": "chat:general"])
                    _ = try await listener.send("hub.subscribe", ["topic": "chat:random"])
                    let before = try await alice.say("before", in: "general")
                    let first = try await listener.expectEvent("chat.message", on: "chat:general")
                    #expect(first.data["message"] == before)
                    let now = a.clock.nowMs()
                    let texts = ["g1", "g2", "r1", "g3", "g4", "g5"]
                    let batch = try texts.enumerated().map { n, text in
                        try pending(text, by: n % 2 == 0 ? alice : bob, in: text.hasPrefix("g") ? "general" : "random", chat: chat, at: now)
                    }
                    let outcomes = try await SendBatch.store(batch, on: a.hub.database)
                    #expect(seqs(outcomes) == [2, 3, 1, 4, 5, 6])

                    var heard: [JSON] = []
                    var eventSeqs: [Int64] = []
                    for _ in 0..<5 {
                        let event = try await listener.expectEvent("chat.message", on: "chat:general")
                        heard.append(event.data["message"])
                        eventSeqs.append(event.seq ?? -1)
                    }
                    #expect(heard.map { $0["text"].string } == ["g1", "g2", "g3", "g4", "g5"])
                    #expect(heard.map { $0["seq"].int } == [2, 3, 4, 5, 6])
                    let firstSeq = try #require(first.seq)
                    #expect(eventSeqs == Array((firstSeq + 1)...(firstSeq + 5)), "event seqs \(eventSeqs) after \(firstSeq)")
                    let random = try await listener.expectEvent("chat.message", on: "chat:random")
                    #expect(random.data["message"]["text"].string == "r1")

                    let (counter, kept) = try await a.hub.database.withConnection { sql in
                        let counter = try await sql.raw("SELECT seq FROM hub_topics WHERE topic = 'chat:general'").first()?.decode(column: "seq", as: Int64.self)
                        let kept = try await sql.raw("SELECT seq, payload FROM hub_topic_events WHERE topic = 'chat:general' ORDER BY seq").all()
                            .map { (try $0.decode(column: "seq", as: Int64.self), try $0.decode(column: "payload", as: String.self)) }
                        return (counter, kept)
                    }
                    #expect(counter == firstSeq + 5)
                    #expect(kept.map(\.0) == Array((firstSeq + 3)...(firstSeq + 5)), "the history keeps the last 3")
                    let storedPayloads = try kept.map { try JSONDecoder().decode(JSON.self, from: Data($0.1.utf8))["message"] }
                    #expect(storedPayloads == Array(heard.suffix(3)), "the history holds the events as heard")
                }
            }
        }
    }

    @Test("a batch that fails as a whole stores nothing and sends every send back to be stored alone")
    func failedBatch() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends) { hub in
            let chat = try #require(hub.hub.modules.first as? ChatModule)
            let alice = try await hub.client()
            try await alice.join("general")
            let now = hub.clock.nowMs()
            // the same clientMsgId twice in one batch: the unique index refuses the statement
            let batch = [
                try pending("first", by: alice, in: "general", chat: chat, at: now),
                try pending("twin", by: alice, in: "general", clientMsgID: "twin", chat: chat, at: now),
                try pending("twin again", by: alice, in: "general", clientMsgID: "twin", chat: chat, at: now),
            ]
            let outcomes = try await SendBatch.store(batch, on: hub.hub.database)
            #expect(outcomes.allSatisfy { if case .alone = $0 { true } else { false } })
            let count = try await hub.hub.database.withConnection { sql in
                try await sql.raw("SELECT count(*) AS n FROM chat_messages").first()?.decode(column: "n", as: Int64.self)
            }
            #expect(count == 0)
            try await alice.expectNoEvent("chat.message", on: "chat:general", settle: .milliseconds(100))
            #expect(try await alice.say("next", in: "general")["seq"].int == 1, "the failed batch moved the room's seq")
        }
    }

    @Test("many senders at once, in cluster mode and on one node: every send acknowledged once, each room numbered 1…n without a gap, each listener hears each room in seq order")
    func concurrentSenders() async throws {
        for environment in [unlimitedSends, unlimitedSends.merging(["HUB_CLUSTER": "off"]) { $1 }] {
            try await TestHub.run(modules: [ChatModule.self], environment: environment) { hub in
                let rooms = ["general", "random"]
                let (acknowledged, heard) = try await BatchedSends.sendAtOnce(on: hub, senders: 6, perSender: 20, clientMsgIDs: true)
                #expect(acknowledged.count == 120)
                for room in rooms {
                    let seqs = acknowledged.filter { $0.room == room }.map(\.seq).sorted()
                    #expect(seqs == Array(1...Int64(seqs.count)), "\(room): \(seqs)")
                }
                for room in rooms { #expect(heard[room] == heard[room]?.sorted(), "\(room) out of order: \(heard[room] ?? [])") }
            }
        }
    }
}
