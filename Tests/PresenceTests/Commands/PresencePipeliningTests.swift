import Foundation
@testable import HubKernel
import HubTesting
import Testing
@testable import Presence

/// `presence.set` publishes in the transaction that stores the entry (issue #16): the next
/// command runs and commits while the reply waits for the flush.
@Suite("Presence pipelining")
struct PresencePipeliningTests {
    @Test("two pipelined presence.set both commit before any flush; replies and presence.updated then leave in order")
    func setsRunAhead() async throws {
        try await TestHub.runOnSQLiteFile(modules: [PresenceModule.self]) { hub, path in
            let watcher = try await hub.client()
            #expect(try await watcher.send("hub.subscribe", ["topic": "presence:users"]).ok)
            let alice = try await hub.client()
            _ = try await watcher.expectEvent("presence.diff", on: "presence:users")   // alice came online
            hub.hub.database.holdFlushes(true)
            try await alice.sendRaw(#"{"id":"one","type":"presence.set","data":{"state":"away","text":"one"}}"#)
            try await alice.sendRaw(#"{"id":"two","type":"presence.set","data":{"state":"busy","text":"two"}}"#)
            var stored: [String] = []
            for _ in 0..<250 where stored != ["two"] {
                stored = try CommittedRows.texts(at: path, "SELECT text FROM presence_status WHERE user_id = '\(alice.identity.userID)'")
                if stored != ["two"] { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(stored == ["two"], "the second set waited for the first one's flush")
            try await Task.sleep(for: .milliseconds(200))
            #expect(!alice.unclaimed.contains { $0.isReply }, "a reply left before its flush")
            #expect(!watcher.unclaimed.contains { $0.type == "presence.updated" }, "an update left before its flush")
            hub.hub.database.holdFlushes(false)
            #expect(try await alice.expectReply(re: "one").ok)
            #expect(try await alice.expectReply(re: "two").ok)
            var texts: [String] = []
            for _ in 0..<2 { texts.append(try await watcher.expectEvent("presence.updated", on: "presence:users").data["entry"]["text"].string ?? "-") }
            #expect(texts == ["one", "two"])
        }
    }
}
