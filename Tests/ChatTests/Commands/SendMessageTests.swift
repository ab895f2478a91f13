import Foundation
import HubKernel
import HubTesting
import Testing
@testable import Chat

@Suite("chat.send")
struct SendMessageTests {
    @Test("the stored message comes back and goes to the room, with the pinned shape") func send() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            let message = try await alice.say("  hello\tworld\n ", in: "general")
            #expect(message["text"] == "hello\tworld")
            #expect(message["authorId"].string == alice.identity.userID)
            #expect(message["authorName"].string == alice.identity.displayName)
            #expect(message["room"] == "general")
            #expect(message["deleted"] == false)
            #expect(message["seq"] == 1)
            #expect(message["sentAt"].int != nil && message["id"].string != nil)
            let event = try await bob.expectEvent("chat.message", on: "chat:general")
            #expect(event.data["message"] == message)
        }
    }

    @Test("text is stored as sent: emoji, HTML and quotes round-trip byte for byte") func verbatim() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            let text = "<script>alert('x')</script> & \"quotes\" 👩‍👩‍👧‍👦 ñ"
            #expect(try await alice.say(text, in: "general")["text"].string == text)
            let history = try await alice.send("chat.history", ["room": "general"])
            #expect(history.data["items"][0]["text"].string == text)
        }
    }

    @Test("length counts user-perceived characters: 4000 emoji pass, 4001 do not") func length() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends, configure: { $0.maxFrameBytes = 200_000 }) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            _ = try await alice.say(String(repeating: "👍🏽", count: 4000), in: "general")
            let tooLong = try await alice.send("chat.send", ["room": "general", "text": .string(String(repeating: "a", count: 4001))])
            #expect(tooLong.error?.field == "text")
        }
    }

    @Test("text rules", arguments: ["", "   ", "\n\t ", "\u{3000}\u{A0}\u{2029}", "bell\u{7}", "nul\u{0}byte", "esc\u{1B}[31m", "del\u{7F}"])
    func textRules(_ text: String) async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            let reply = try await alice.send("chat.send", ["room": "general", "text": .string(text)])
            #expect(reply.error?.code == .validationFailed)
            #expect(reply.error?.field == "text")
            #expect(try await alice.send("chat.history", ["room": "general"]).data["items"] == [])
        }
    }

    @Test("text is stored without leading and trailing white space of any kind; inside it is kept", arguments: [
        ("  hi  ", "hi"), ("\n\thello world\r\n", "hello world"), ("\u{3000}\u{A0}wide\u{2003}\u{2028}", "wide"),
        ("\u{85}a \t b\u{202F}", "a \t b"), ("\u{301}\u{20}", "\u{301}"), ("x", "x"),
    ])
    func trimmed(_ sent: String, _ stored: String) async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            #expect(try await alice.say(sent, in: "general")["text"].string == stored)
            #expect(try await alice.send("chat.history", ["room": "general"]).data["items"][0]["text"].string == stored)
        }
    }

    @Test("wrong types are validation_failed naming the field") func types() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            #expect(try await alice.send("chat.send", ["room": "general", "text": 5]).error?.field == "text")
            #expect(try await alice.send("chat.send", ["room": 1, "text": "x"]).error?.field == "room")
            #expect(try await alice.send("chat.send", ["room": "general", "text": "x", "clientMsgId": ""]).error?.field == "clientMsgId")
            #expect(try await alice.send("chat.send", ["room": "general"]).error?.field == "text")
        }
    }

    @Test("unknown rooms are not_found; a public room must be joined first; a private room is not_found to outsiders and an admin must join it too; a refused send stores nothing")
    func membership() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let admin = try await hub.client(role: .admin)
            #expect(try await alice.send("chat.send", ["room": "nowhere", "text": "x"]).error?.code == .notFound)
            try await alice.join("general")
            #expect(try await bob.send("chat.send", ["room": "general", "text": "x"]).error?.code == .forbidden)
            #expect(try await alice.send("chat.createRoom", ["room": "plans", "visibility": "private"]).ok)
            #expect(try await bob.send("chat.send", ["room": "plans", "text": "x"]).error?.code == .notFound)
            #expect(try await admin.send("chat.send", ["room": "plans", "text": "x"]).error?.code == .forbidden)
            // the refusals took no seq and stored no row
            #expect(try await alice.send("chat.send", ["room": "general", "text": "first"]).data["message"]["seq"] == 1)
            #expect(try await alice.send("chat.send", ["room": "plans", "text": "first"]).data["message"]["seq"] == 1)
            let history = try await alice.send("chat.history", ["room": "general"])
            #expect(history.data["items"].array?.count == 1)
        }
    }

    @Test("a repeated clientMsgId returns the original message, never a duplicate") func idempotent() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            let first = try await alice.say("once", in: "general", clientMsgId: "c-1")
            let again = try await alice.say("once (retry)", in: "general", clientMsgId: "c-1")
            #expect(again == first)
            try await bob.expectEvent("chat.message")
            try await bob.expectNoEvent("chat.message")
            #expect(try await alice.send("chat.history", ["room": "general"]).data["items"].array?.count == 1)
            // the key is per author: another author may use the same one
            #expect(try await bob.say("mine", in: "general", clientMsgId: "c-1")["id"] != first["id"])
        }
    }

    @Test("the same clientMsgId from several connections at once stores one message and answers it to all") func idempotentRace() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            var devices = [alice]
            for _ in 0..<5 { devices.append(try await hub.connect(accessToken: alice.accessToken)) }
            let replies = try await withThrowingTaskGroup(of: TestFrame.self) { group in
                for (n, device) in devices.enumerated() {
                    group.addTask {
                        try await device.send("chat.send", ["room": "general", "text": .string("attempt \(n)"), "clientMsgId": "same-key"])
                    }
                }
                return try await group.reduce(into: [TestFrame]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.ok }, "\(replies.filter { !$0.ok }.map(\.text))")
            #expect(Set(replies.compactMap { $0.data["message"]["id"].string }).count == 1)
            try await bob.expectEvent("chat.message")
            try await bob.expectNoEvent("chat.message")
            #expect(try await bob.send("chat.history", ["room": "general"]).data["items"].array?.count == 1)
        }
    }

    @Test("10 messages a minute per user, burst 5") func rateLimit() async throws {
        try await TestHub.run(modules: [ChatModule.self], clock: TestClock()) { hub in
            let alice = try await hub.client()
            try await alice.join("general")
            for n in 1...5 { _ = try await alice.say("m\(n)", in: "general") }
            let limited = try await alice.send("chat.send", ["room": "general", "text": "m6"])
            #expect(limited.error?.code == .rateLimited)
            #expect(limited.error?.retryAfterMs == 6000)
        }
    }

    @Test("messages, edits, deletes, memberships and read positions survive a restart") func persisted() async throws {
        try await TestDatabase.withRestartable { store in
            let (alice, bob): (String, String) = try await TestHub.run(modules: [ChatModule.self], database: store) { hub in
                let alice = try await hub.client()
                let bob = try await hub.client()
                try await alice.join("general")
                try await bob.join("general")
                let first = try await alice.say("still here?", in: "general")
                let second = try await alice.say("typo", in: "general")
                let third = try await alice.say("gone soon", in: "general")
                _ = try await alice.send("chat.edit", ["messageId": second["id"], "text": "fixed"])
                _ = try await alice.send("chat.delete", ["messageId": third["id"]])
                _ = try await bob.send("chat.read", ["room": "general", "messageId": first["id"]])
                return (alice.accessToken, bob.accessToken)
            }
            try await TestHub.run(modules: [ChatModule.self], database: store) { hub in
                let alice = try await hub.connect(accessToken: alice)
                let bob = try await hub.connect(accessToken: bob)
                let items = try await alice.send("chat.history", ["room": "general"]).data["items"]
                #expect(items.array?.map { $0["text"] } == [.null, "fixed", "still here?"])
                #expect(items[1]["editedAt"].int != nil)
                #expect(items[0]["deleted"] == true)
                let rooms = try await bob.send("chat.rooms")
                #expect(rooms.data["items"][0]["room"]["name"] == "general")
                #expect(rooms.data["items"][0]["unread"] == 1)
                // membership survived: bob can still write without joining again
                #expect(try await bob.send("chat.send", ["room": "general", "text": "back"]).ok)
            }
        }
    }
}
