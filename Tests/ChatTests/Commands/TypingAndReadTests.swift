import HubKernel
import HubTesting
import Testing
@testable import Chat

@Suite("chat.typing, chat.read, chat.rooms")
struct TypingAndReadTests {
    @Test("typing is ephemeral: no seq, not in history, and lapses with typing: false after the TTL") func typing() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ChatModule.self], clock: clock) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            #expect(try await alice.send("chat.typing", ["room": "general", "typing": true]).ok)
            let on = try await bob.expectEvent("chat.typing", on: "chat:general")
            #expect(on.seq == nil)
            #expect(on.data["typing"] == true && on.data["userId"].string == alice.identity.userID && on.data["expiresInMs"] == 5000)
            let chat = try #require(hub.hub.modules.first as? ChatModule)
            clock.advance(by: .seconds(4))
            #expect(await chat.typing.expire() == 0)
            clock.advance(by: .seconds(2))
            #expect(await chat.typing.expire() == 1)
            #expect(try await bob.expectEvent("chat.typing").data["typing"] == false)
            #expect(try await bob.send("chat.history", ["room": "general"]).data["items"] == [])
        }
    }

    @Test("sending a message ends the sender's typing indicator") func sendStopsTyping() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            _ = try await alice.send("chat.typing", ["room": "general", "typing": true])
            try await bob.expectEvent("chat.typing")
            _ = try await alice.say("done", in: "general")
            #expect(try await bob.expectEvent("chat.typing").data["typing"] == false)
        }
    }

    @Test("typing needs membership, a boolean, and is limited to 1 a second (no burst beyond it)") func typingRules() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ChatModule.self], clock: clock) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            #expect(try await bob.send("chat.typing", ["room": "general", "typing": true]).error?.code == .forbidden)
            #expect(try await alice.send("chat.typing", ["room": "general", "typing": true]).ok)
            // "1 per second per user", and a limit given without a burst has burst = count
            let limited = try await alice.send("chat.typing", ["room": "general", "typing": false])
            #expect(limited.error?.code == .rateLimited)
            #expect(limited.error?.retryAfterMs == 1000)
            clock.advance(by: .seconds(1))
            #expect(try await alice.send("chat.typing", ["room": "general", "typing": false]).ok)
            clock.advance(by: .seconds(1))
            #expect(try await alice.send("chat.typing", ["room": "general", "typing": "yes"]).error?.field == "typing")
        }
    }

    @Test("read positions give unread counts; they never move back; other devices hear chat.read") func read() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let bobPhone = try await hub.connect(accessToken: bob.accessToken)
            try await alice.join("general")
            try await bob.join("general")
            var messages: [JSON] = []
            for n in 1...4 { messages.append(try await alice.say("m\(n)", in: "general")) }
            var rooms = try await bob.send("chat.rooms")
            #expect(rooms.data["items"][0]["room"]["name"] == "general")
            #expect(rooms.data["items"][0]["unread"] == 4)
            #expect(rooms.data["items"][0]["lastMessage"]["text"] == "m4")
            // an author has read what they wrote
            #expect(try await alice.send("chat.rooms").data["items"][0]["unread"] == 0)
            let read = try await bob.send("chat.read", ["room": "general", "messageId": messages[1]["id"]])
            #expect(read.data["lastReadSeq"] == messages[1]["seq"])
            #expect(try await bobPhone.expectEvent("chat.read", on: "user:\(bob.identity.userID)").data["lastReadSeq"] == messages[1]["seq"])
            rooms = try await bob.send("chat.rooms")
            #expect(rooms.data["items"][0]["unread"] == 2)
            let back = try await bob.send("chat.read", ["room": "general", "messageId": messages[0]["id"]])
            #expect(back.data["lastReadSeq"] == messages[1]["seq"])
            // deleted messages do not count as unread
            _ = try await alice.send("chat.delete", ["messageId": messages[3]["id"]])
            #expect(try await bob.send("chat.rooms").data["items"][0]["unread"] == 1)
        }
    }

    @Test("read rules: membership, a message of that room") func readRules() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await alice.join("random")
            let elsewhere = try await alice.say("x", in: "random")
            #expect(try await alice.send("chat.read", ["room": "general", "messageId": elsewhere["id"]]).error?.code == .notFound)
            #expect(try await bob.send("chat.read", ["room": "general", "messageId": elsewhere["id"]]).error?.code == .forbidden)
        }
    }

    @Test("chat.rooms lists only the caller's rooms, most recently active first") func rooms() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ChatModule.self], clock: clock) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("alpha")
            try await alice.join("beta")
            try await bob.join("gamma")
            _ = try await alice.say("a", in: "alpha")
            clock.advance(by: .seconds(1))
            _ = try await alice.say("b", in: "beta")
            let rooms = try await alice.send("chat.rooms")
            #expect(rooms.data["items"].array?.map { $0["room"]["name"].string } == ["beta", "alpha"])
        }
    }
}
