import HubKernel
import HubTesting
import SQLKit
import Testing
@testable import Chat

@Suite("chat.edit and chat.delete")
struct EditDeleteTests {
    @Test("the author edits within the window; the room hears chat.edited") func edit() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ChatModule.self], clock: clock) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            let message = try await alice.say("helo", in: "general")
            try await bob.expectEvent("chat.message")
            clock.advance(by: .seconds(60))
            let edited = try await alice.send("chat.edit", ["messageId": message["id"], "text": "hello"])
            #expect(edited.data["message"]["text"] == "hello")
            #expect(edited.data["message"]["editedAt"].int == clock.nowMs())
            #expect(edited.data["message"]["seq"] == message["seq"])
            #expect(try await bob.expectEvent("chat.edited").data["message"]["text"] == "hello")
        }
    }

    @Test("after editWindowSeconds an edit is conflict") func window() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ChatModule.self], environment: ["MODULES_CHAT_EDIT_WINDOW_SECONDS": "30"], clock: clock) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            let message = try await alice.say("x", in: "general")
            clock.advance(by: .seconds(31))
            #expect(try await alice.send("chat.edit", ["messageId": message["id"], "text": "y"]).error?.code == .conflict)
        }
    }

    @Test("someone else's message is forbidden, even when it is also too old") func notAuthor() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ChatModule.self], clock: clock) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            let message = try await alice.say("mine", in: "general")
            clock.advance(by: .seconds(3600))
            #expect(try await bob.send("chat.edit", ["messageId": message["id"], "text": "ours"]).error?.code == .forbidden)
            #expect(try await bob.send("chat.delete", ["messageId": message["id"]]).error?.code == .forbidden)
        }
    }

    @Test("edit rules: text rules apply, unknown ids are not_found") func editRules() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            let message = try await alice.say("x", in: "general")
            #expect(try await alice.send("chat.edit", ["messageId": message["id"], "text": " "]).error?.field == "text")
            #expect(try await alice.send("chat.edit", ["messageId": "nope", "text": "y"]).error?.code == .notFound)
            #expect(try await alice.send("chat.delete", ["messageId": "nope"]).error?.code == .notFound)
        }
    }

    @Test("a private room's messages are not_found for outsiders") func invisible() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let eve = try await hub.client()
            _ = try await alice.send("chat.createRoom", ["room": "secret", "visibility": "private"])
            let message = try await alice.say("hidden", in: "secret")
            #expect(try await eve.send("chat.delete", ["messageId": message["id"]]).error?.code == .notFound)
        }
    }

    @Test("delete leaves a tombstone with id and seq; announced once; edits refused after") func delete() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            let message = try await alice.say("oops", in: "general")
            try await bob.expectEvent("chat.message")
            let deleted = try await alice.send("chat.delete", ["messageId": message["id"]])
            let tombstone = deleted.data["message"]
            #expect(tombstone["deleted"] == true && tombstone["text"] == .null && tombstone.has("text"))
            #expect(tombstone["id"] == message["id"] && tombstone["seq"] == message["seq"])
            #expect(tombstone["authorName"] == message["authorName"])
            #expect(try await bob.expectEvent("chat.deleted").data["message"] == tombstone)
            #expect(try await alice.send("chat.delete", ["messageId": message["id"]]).ok)
            try await bob.expectNoEvent("chat.deleted")
            #expect(try await alice.send("chat.edit", ["messageId": message["id"], "text": "back"]).error?.code == .conflict)
            #expect(try await bob.send("chat.history", ["room": "general"]).data["items"][0] == tombstone)
        }
    }

    @Test("an admin may delete anyone's message") func admin() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let admin = try await hub.client(role: .admin)
            try await alice.join("general")
            let message = try await alice.say("spam", in: "general")
            #expect(try await admin.send("chat.delete", ["messageId": message["id"]]).data["message"]["deleted"] == true)
        }
    }
}

@Suite("chat.edit and chat.delete when the database fails")
struct EditDeleteFailureTests {
    @Test("a failing membership lookup is an error, never a message that 'does not exist'") func lookupFailure() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            let message = try await alice.say("hello", in: "general")
            // the message is found, then the access check cannot be answered
            try await hub.hub.database.withConnection { try await $0.raw("DROP TABLE chat_members").run() }
            let edit = try await alice.send("chat.edit", ["messageId": message["id"], "text": "changed"])
            #expect(edit.error?.code == .internal, "\(edit)")
            let delete = try await alice.send("chat.delete", ["messageId": message["id"]])
            #expect(delete.error?.code == .internal, "\(delete)")
        }
    }
}
