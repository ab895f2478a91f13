import HubKernel
import HubTesting
import Testing
@testable import Chat

@Suite("chat rooms: create, join, leave, DMs")
struct RoomCommandTests {
    @Test("joining a public room creates it, makes the caller a member and subscribes") func join() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let reply = try await alice.join("general")
            #expect(reply.data["room"] == ["name": "general", "kind": "public"])
            let bob = try await hub.client()
            try await bob.join("general")
            _ = try await bob.say("hi", in: "general")
            #expect(try await alice.expectEvent("chat.message", on: "chat:general").data["message"]["text"] == "hi")
        }
    }

    @Test("room names follow ^[a-z0-9][a-z0-9_-]{0,63}$", arguments: ["", "General", "-x", "a b", "dm:x", String(repeating: "a", count: 65), "é"])
    func badNames(_ name: String) async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let client = try await hub.client()
            let reply = try await client.send("chat.join", ["room": .string(name)])
            #expect(reply.error?.code == .validationFailed)
            #expect(reply.error?.field == "room")
        }
    }

    @Test("guests cannot chat") func guests() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let guest = try await hub.client(role: .guest)
            #expect(try await guest.send("chat.join", ["room": "general"]).error?.code == .forbidden)
        }
    }

    @Test("a private room admits its members only") func privateRoom() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let eve = try await hub.client()
            let created = try await alice.send("chat.createRoom", ["room": "plans", "visibility": "private", "members": [.string(bob.identity.userID)]])
            #expect(created.data["room"]["kind"] == "private")
            #expect(created.data["room"]["members"].array?.count == 2)
            try await bob.join("plans")
            #expect(try await eve.send("chat.join", ["room": "plans"]).error?.code == .forbidden)
            #expect(try await eve.send("hub.subscribe", ["topic": "chat:plans"]).error?.code == .forbidden)
            #expect(try await eve.send("chat.history", ["room": "plans"]).error?.code == .forbidden)
            #expect(try await eve.send("chat.send", ["room": "plans", "text": "let me in"]).error?.code == .forbidden)
        }
    }

    @Test("createRoom rules") func createRules() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            #expect(try await alice.send("chat.createRoom", ["room": "lobby", "visibility": "public"]).ok)
            #expect(try await alice.send("chat.createRoom", ["room": "lobby", "visibility": "public"]).error?.code == .conflict)
            #expect(try await alice.send("chat.createRoom", ["room": "x", "visibility": "secret"]).error?.field == "visibility")
            #expect(try await alice.send("chat.createRoom", ["room": "y", "visibility": "public", "members": ["a"]]).error?.field == "members")
            #expect(try await alice.send("chat.createRoom", ["room": "z", "visibility": "private", "members": ["nobody"]]).error?.field == "members")
        }
    }

    @Test("a DM is dm:<a>:<b> in ascending order, for exactly those two") func dm() async throws {
        try await TestHub.run(modules: [ChatModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let eve = try await hub.client()
            let ids = [alice.identity.userID, bob.identity.userID].sorted()
            let opened = try await alice.send("chat.openDm", ["userId": .string(bob.identity.userID)])
            let name = "dm:\(ids[0]):\(ids[1])"
            #expect(opened.data["room"]["name"].string == name)
            #expect(opened.data["room"]["kind"] == "dm")
            #expect(opened.data["room"]["members"] == .array(ids.map { .string($0) }))
            let fromBob = try await bob.send("chat.openDm", ["userId": .string(alice.identity.userID)])
            #expect(fromBob.data["room"]["name"].string == name)
            _ = try await alice.say("psst", in: name)
            #expect(try await bob.expectEvent("chat.message", on: "chat:\(name)").data["message"]["text"] == "psst")
            #expect(try await eve.send("chat.join", ["room": .string(name)]).error?.code == .forbidden)
            #expect(try await alice.send("chat.openDm", ["userId": .string(alice.identity.userID)]).error?.field == "userId")
            #expect(try await alice.send("chat.openDm", ["userId": "ghost"]).error?.code == .notFound)
        }
    }

    @Test("leaving ends membership and events; leaving an unknown room is not_found") func leave() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: unlimitedSends) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            try await alice.join("general")
            try await bob.join("general")
            #expect(try await alice.send("chat.leave", ["room": "general"]).ok)
            _ = try await bob.say("anyone?", in: "general")
            try await alice.expectNoEvent("chat.message")
            #expect(try await alice.send("chat.send", ["room": "general", "text": "x"]).error?.code == .forbidden)
            #expect(try await alice.send("chat.leave", ["room": "nowhere"]).error?.code == .notFound)
        }
    }
}
