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

    @Test("many senders at once: every send acknowledged once, each room numbered 1…n without a gap, each listener hears each room in seq order")
    func concurrentSenders() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends) { hub in
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
