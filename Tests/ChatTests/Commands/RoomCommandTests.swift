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

    @Test("a private room admits its members only; to anyone else it answers exactly like a room that does not exist")
    func privateRoom() async throws {
        try await TestHub.run(modules: [ChatModule.self], environment: ["RATE_LIMIT_CHAT_TYPING": "off"]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let eve = try await hub.client()
            let created = try await alice.send("chat.createRoom", ["room": "plans", "visibility": "private", "members": [.string(bob.identity.userID)]])
            #expect(created.data["room"]["kind"] == "private")
            #expect(created.data["room"]["members"].array?.count == 2)
            try await bob.join("plans")
            // no existence oracle: each refusal is the one a room that was never created gets
            for (command, data) in [("chat.join", ["room": "plans"]), ("hub.subscribe", ["topic": "chat:plans"]),
                                    ("chat.history", ["room": "plans"]), ("chat.send", ["room": "plans", "text": "let me in"]),
                                    ("chat.typing", ["room": "plans", "typing": true])] as [(String, JSON)] {
                let refused = try await eve.send(command, data)
                let ghost = try await eve.send(command, Self.renamed(data, "plans", to: "dm:a:b"))
                #expect(refused.error?.code == .notFound && refused.error?.message == "no room 'plans'", "\(command): \(refused)")
                #expect(ghost.error?.code == .notFound && ghost.error?.message == "no room 'dm:a:b'", "\(command): \(ghost)")
            }
        }
    }

    /// `data` with every string `old` (or `chat:old`) replaced by `new`.
    static func renamed(_ data: JSON, _ old: String, to new: String) -> JSON {
        guard case .object(let fields) = data else { return data }
        return .object(fields.mapValues { value in
            switch value.string {
            case old: .string(new)
            case "chat:\(old)": .string("chat:\(new)")
            default: value
            }
        })
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
            let outsider = try await eve.send("chat.join", ["room": .string(name)])
            #expect(outsider.error?.code == .notFound && outsider.error?.message == "no room '\(name)'", "a DM is not there for others")
            let history = try await eve.send("chat.history", ["room": .string(name)])
            #expect(history.error?.code == .notFound && history.error?.message == "no room '\(name)'")
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
