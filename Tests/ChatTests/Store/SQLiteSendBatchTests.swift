import Foundation
@testable import HubKernel
import HubTesting
import SQLKit
import Testing
@testable import Chat

/// `chat.send` on the SQLite default stored in batches (``SQLiteSendBatch``, issue #16): each
/// send of a batch is judged on its own, the batch commits once, its events go out in `seq`
/// order once its flush is done, replies still wait for that flush while the senders' next
/// commands run, and a batch that fails as a whole hands every send back to be stored alone.
@Suite("chat.send on SQLite: batches", .enabled(if: (try? TestDatabase.kind()) == .sqlite))
struct SQLiteSendBatchTests {
    /// A send as the handler hands it to the batch.
    func pending(_ text: String, by client: TestClient, in room: String, clientMsgID: String? = nil,
                 chat: ChatModule, at now: Int64) -> SQLiteSendBatch.Pending {
        let message = MessageView(id: UUID().uuidString.lowercased(), room: room, authorId: client.identity.userID,
                                  authorName: client.identity.displayName, text: text, sentAt: now, editedAt: nil, deleted: false, seq: 0)
        return SQLiteSendBatch.Pending(message: message, clientMsgID: clientMsgID, author: client.identity, events: chat.publisher)
    }

    /// The seq of each stored send, the error code of each refused one, `alone` for a send handed back.
    func answers(_ outcomes: [SQLiteSendBatch.Outcome]) -> [String] {
        outcomes.map { outcome in
            switch outcome {
            case .stored(let seq, _, _): "\(seq)"
            case .refused(let error): error.code.rawValue
            case .alone: "alone"
            }
        }
    }

    func count(_ sql: String, on database: Database) async throws -> Int64? {
        try await database.withConnection { try await $0.raw("\(unsafeRaw: sql)").first()?.decode(column: "n", as: Int64.self) }
    }

    @Test("one batch, one commit: members' messages numbered per room in order, a stranger's and a missing room's refused alone, events in seq order once on disk")
    func mixedBatch() async throws {
        try await TestHub.runOnSQLiteFile(modules: [ChatModule.self], environment: unlimitedSends) { hub, _ in
            let chat = try #require(hub.hub.modules.first as? ChatModule)
            let database = hub.hub.database
            let alice = try await hub.client()
            let bob = try await hub.client()
            let carol = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            try await alice.join("random")
            let now = hub.clock.nowMs()
            let batch = [
                pending("one", by: alice, in: "general", chat: chat, at: now),
                pending("two", by: bob, in: "general", chat: chat, at: now),
                pending("let me in", by: carol, in: "general", chat: chat, at: now),
                pending("elsewhere", by: alice, in: "random", chat: chat, at: now),
                pending("nowhere", by: alice, in: "no-such-room", chat: chat, at: now),
                pending("three", by: alice, in: "general", clientMsgID: "c-1", chat: chat, at: now),
            ]
            let commitsBefore = try #require(database.sqliteDurability).commits
            database.holdFlushes(true)
            let outcomes = try await SQLiteSendBatch.store(batch, on: database)
            #expect(answers(outcomes) == ["1", "2", "forbidden", "1", "not_found", "3"])
            #expect(try #require(database.sqliteDurability).commits == commitsBefore + 1, "one commit for the batch")
            let commits = outcomes.compactMap { if case .stored(_, _, let commit) = $0 { commit } else { nil } }
            #expect(commits.count == 4 && commits.allSatisfy { $0 === commits[0] }, "the stored sends share one commit")
            // each stored send's event payload, which its reply reuses: {message} with its seq
            let replies = try outcomes.compactMap { if case .stored(_, let json, _) = $0 { try JSONDecoder().decode(JSON.self, from: json) } else { nil } }
            #expect(replies.map { $0["message"]["text"].string ?? "" } == ["one", "two", "elsewhere", "three"])
            #expect(replies.map { $0["message"]["seq"].int ?? 0 } == [1, 2, 1, 3])

            // nothing is announced before the batch is on disk
            try await bob.expectNoEvent("chat.message", on: "chat:general", settle: .milliseconds(100))
            database.holdFlushes(false)
            try await commits[0].adopt()
            var heard: [String] = []
            for _ in 0..<3 { heard.append(try await bob.expectEvent("chat.message", on: "chat:general").data["message"]["text"].string ?? "") }
            #expect(heard == ["one", "two", "three"])
            for commit in commits { try await commit.adopt() }
            try await bob.expectNoEvent("chat.message", on: "chat:general", settle: .milliseconds(100))

            #expect(try await BatchedSends.readPositions(in: "general", on: database) == [alice.identity.userID: 3, bob.identity.userID: 2])
            #expect(try await alice.say("after", in: "general")["seq"].int == 4)
        }
    }

    @Test("a batch that fails as a whole stores nothing and hands every send back; a batch of one throws")
    func failedBatch() async throws {
        try await TestHub.runOnSQLiteFile(modules: [ChatModule.self], environment: unlimitedSends) { hub, _ in
            let chat = try #require(hub.hub.modules.first as? ChatModule)
            let database = hub.hub.database
            let alice = try await hub.client()
            try await alice.join("general")
            let now = hub.clock.nowMs()
            // the same clientMsgId twice in one batch: the unique index refuses the second insert
            let batch = [
                pending("first", by: alice, in: "general", chat: chat, at: now),
                pending("twin", by: alice, in: "general", clientMsgID: "twin", chat: chat, at: now),
                pending("twin again", by: alice, in: "general", clientMsgID: "twin", chat: chat, at: now),
            ]
            #expect(answers(try await SQLiteSendBatch.store(batch, on: database)) == ["alone", "alone", "alone"])
            #expect(try await count("SELECT count(*) AS n FROM chat_messages", on: database) == 0)
            #expect(try await count("SELECT last_seq AS n FROM chat_rooms WHERE name = 'general'", on: database) == 0)

            _ = try await SQLiteSendBatch.store([pending("twin", by: alice, in: "general", clientMsgID: "twin", chat: chat, at: now)], on: database)
            await #expect(throws: (any Error).self) {
                _ = try await SQLiteSendBatch.store([pending("twin again", by: alice, in: "general", clientMsgID: "twin", chat: chat, at: now)], on: database)
            }
            #expect(try await count("SELECT count(*) AS n FROM chat_messages", on: database) == 1)
            // through the handler the twin is answered with the stored message, not an error
            let again = try await alice.send("chat.send", ["room": "general", "text": "twin again", "clientMsgId": "twin"])
            #expect(again.ok && again.data["message"]["text"] == "twin" && again.data["message"]["seq"] == 1, "\(again)")
            #expect(try await alice.say("next", in: "general")["seq"].int == 2, "a failed batch moved the room's seq")
        }
    }

    @Test("many senders at once: fewer commits than sends, every send acknowledged once, each room numbered 1…n without a gap, each listener hears each room in seq order")
    func concurrentSenders() async throws {
        try await TestHub.runOnSQLiteFile(modules: [ChatModule.self], environment: unlimitedSends) { hub, _ in
            let rooms = ["general", "random"]
            var commitsBefore: UInt64 = 0
            let (acknowledged, heard) = try await BatchedSends.sendAtOnce(on: hub, senders: 8, perSender: 10, clientMsgIDs: false) {
                commitsBefore = try #require(hub.hub.database.sqliteDurability).commits
            }
            let total = 80
            let commits = try #require(hub.hub.database.sqliteDurability).commits - commitsBefore
            #expect(commits < UInt64(total), "\(total) sends in \(commits) commits: no batch held more than one")
            #expect(acknowledged.count == total)
            for room in rooms {
                let seqs = acknowledged.filter { $0.room == room }.map(\.seq).sorted()
                #expect(seqs == Array(1...Int64(seqs.count)), "\(room): \(seqs)")
            }
            for room in rooms { #expect(heard[room] == Array(1...Int64(heard[room]?.count ?? 0)), "\(room) out of order: \(heard[room] ?? [])") }
        }
    }

    @Test("sends from several connections while the flush is held: all commit, no reply or event leaves before the flush, then every one does")
    func repliesWaitForTheFlush() async throws {
        try await TestHub.runOnSQLiteFile(modules: [ChatModule.self], environment: unlimitedSends) { hub, path in
            var senders: [TestClient] = []
            for _ in 0..<4 {
                let client = try await hub.client()
                try await client.join("general")
                senders.append(client)
            }
            let listener = try await hub.client()
            try await listener.join("general")
            hub.hub.database.holdFlushes(true)
            for (n, sender) in senders.enumerated() {
                for k in 0..<3 {
                    try await sender.sendRaw(#"{"id":"s-\#(k)","type":"chat.send","data":{"room":"general","text":"\#(n)-\#(k)"}}"#)
                }
            }
            // each connection's three sends commit one after the other without waiting for a flush
            let stored = try await CommittedRows.awaitTexts(at: path, "SELECT text FROM chat_messages WHERE room = 'general' ORDER BY seq", count: 12)
            #expect(stored.count == 12)
            try await Task.sleep(for: .milliseconds(200))
            for sender in senders { #expect(!sender.unclaimed.contains { $0.isReply }, "a reply left before its flush") }
            #expect(!listener.unclaimed.contains { $0.type == "chat.message" }, "an event left before its flush")
            hub.hub.database.holdFlushes(false)
            for sender in senders {
                for k in 0..<3 { #expect(try await sender.expectReply(re: .string("s-\(k)")).ok) }
            }
            var seqs: [Int64] = []
            for _ in 0..<12 { seqs.append(try await listener.expectEvent("chat.message", on: "chat:general").data["message"]["seq"].int ?? -1) }
            #expect(seqs == Array(1...12))
        }
    }
}
