import Foundation
@testable import HubKernel
import HubTesting
import Testing
@testable import Chat

/// `chat.read`, `chat.edit` and `chat.delete` publish in the transaction that stores the change
/// (issue #16): the caller's next command runs and commits while the reply waits for the flush.
@Suite("Chat pipelining")
struct ChatPipeliningTests {
    @Test("a send after a chat.read commits before the read's flush; replies and the other device's chat.read then leave in order")
    func readRunsAhead() async throws {
        try await TestHub.runOnSQLiteFile(modules: [ChatModule.self], environment: unlimitedSends) { hub, path in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let bobPhone = try await hub.connect(accessToken: bob.accessToken)
            try await alice.join("general")
            try await bob.join("general")
            let message = try await alice.say("read me", in: "general")
            _ = try await bob.expectEvent("chat.message", on: "chat:general")
            hub.hub.database.holdFlushes(true)
            try await bob.sendRaw(#"{"id":"read","type":"chat.read","data":{"room":"general","messageId":"\#(message["id"].string ?? "")"}}"#)
            try await bob.sendRaw(#"{"id":"send","type":"chat.send","data":{"room":"general","text":"after reading"}}"#)
            let stored = try await CommittedRows.awaitTexts(
                at: path, "SELECT text FROM chat_messages WHERE room = 'general' ORDER BY seq", count: 2)
            #expect(stored == ["read me", "after reading"], "the send waited for the read's flush")
            #expect(try CommittedRows.texts(at: path, """
                SELECT last_read_seq FROM chat_members WHERE room = 'general' AND user_id = '\(bob.identity.userID)'
                """) == ["2"])
            try await Task.sleep(for: .milliseconds(200))
            #expect(!bob.unclaimed.contains { $0.isReply }, "a reply left before its flush")
            #expect(!bobPhone.unclaimed.contains { $0.type == "chat.read" }, "chat.read left before its flush")
            hub.hub.database.holdFlushes(false)
            let first = try await bob.expectReply(re: "read")
            let second = try await bob.expectReply(re: "send")
            #expect(first.data["lastReadSeq"] == message["seq"])
            #expect(second.ok)
            #expect(try await bobPhone.expectEvent("chat.read", on: "user:\(bob.identity.userID)").data["lastReadSeq"] == message["seq"])
        }
    }

    @Test("a send after a chat.edit and a chat.delete commits before their flush; replies and events then leave in order")
    func editAndDeleteRunAhead() async throws {
        try await TestHub.runOnSQLiteFile(modules: [ChatModule.self], environment: unlimitedSends) { hub, path in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            let first = try await alice.say("first", in: "general")
            let second = try await alice.say("second", in: "general")
            for _ in 0..<2 { _ = try await bob.expectEvent("chat.message", on: "chat:general") }
            hub.hub.database.holdFlushes(true)
            let firstID = first["id"].string ?? "", secondID = second["id"].string ?? ""
            try await alice.sendRaw(#"{"id":"edit","type":"chat.edit","data":{"messageId":"\#(firstID)","text":"first, edited"}}"#)
            try await alice.sendRaw(#"{"id":"delete","type":"chat.delete","data":{"messageId":"\#(secondID)"}}"#)
            try await alice.sendRaw(#"{"id":"send","type":"chat.send","data":{"room":"general","text":"third"}}"#)
            let query = "SELECT coalesce(text, '(deleted)') FROM chat_messages WHERE room = 'general' ORDER BY seq"
            let stored = try await CommittedRows.awaitTexts(at: path, query, count: 3)
            #expect(stored == ["first, edited", "(deleted)", "third"], "a command waited for an earlier one's flush")
            try await Task.sleep(for: .milliseconds(200))
            #expect(!alice.unclaimed.contains { $0.isReply }, "a reply left before its flush")
            #expect(!bob.unclaimed.contains { $0.type == "chat.edited" || $0.type == "chat.deleted" }, "an event left before its flush")
            hub.hub.database.holdFlushes(false)
            let edited = try await alice.expectReply(re: "edit")
            #expect(edited.data["message"]["text"] == "first, edited" && edited.data["message"]["authorName"] == first["authorName"])
            #expect(edited.data["message"]["editedAt"].int != nil)
            let deleted = try await alice.expectReply(re: "delete")
            #expect(deleted.data["message"]["deleted"] == true && deleted.data["message"]["text"] == .null)
            #expect(try await alice.expectReply(re: "send").ok)
            let heard = try await bob.expectEvent("chat.edited", on: "chat:general")
            #expect(heard.data["message"] == edited.data["message"])
            #expect(try await bob.expectEvent("chat.deleted", on: "chat:general").data["message"] == deleted.data["message"])
        }
    }
}
