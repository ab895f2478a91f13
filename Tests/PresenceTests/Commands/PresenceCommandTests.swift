import Chat
import HubKernel
import HubTesting
import Testing
@testable import Presence

@Suite("presence commands")
struct PresenceCommandTests {
    @Test("presence.set stores state and text and tells presence:users") func set() async throws {
        try await TestHub.run(modules: [PresenceModule.self]) { hub in
            let watcher = try await hub.client()
            _ = try await watcher.send("hub.subscribe", ["topic": "presence:users"])
            let alice = try await hub.client(role: .guest)
            let reply = try await alice.send("presence.set", ["state": "away", "text": "  lunch  "])
            #expect(reply.data["entry"]["state"] == "away")
            #expect(reply.data["entry"]["text"] == "lunch")
            #expect(reply.data["entry"]["online"] == true)
            let event = try await watcher.expectEvent("presence.updated", on: "presence:users")
            #expect(event.data["entry"]["userId"].string == alice.identity.userID)
            #expect(event.seq == nil)
        }
    }

    static let invalid: [(JSON, String)] = [
        (["state": "gone"], "state"), (["state": "away", "text": .string(String(repeating: "x", count: 101))], "text"),
        (["state": "away", "text": "a\u{7}"], "text"), (["text": "x"], "state"),
    ]

    @Test("set rules", arguments: invalid)
    func setRules(payload: JSON, field: String) async throws {
        try await TestHub.run(modules: [PresenceModule.self]) { hub in
            let alice = try await hub.client()
            #expect(try await alice.send("presence.set", payload).error?.field == field)
        }
    }

    @Test("presence.set is limited to 10 a minute, burst 5") func setLimit() async throws {
        try await TestHub.run(modules: [PresenceModule.self], clock: TestClock()) { hub in
            let alice = try await hub.client()
            for _ in 0..<5 { #expect(try await alice.send("presence.set", ["state": "online"]).ok) }
            #expect(try await alice.send("presence.set", ["state": "online"]).error?.retryAfterMs == 6000)
        }
    }

    @Test("presence.query answers up to queryMaxUsers users and leaves out users never seen") func query() async throws {
        try await TestHub.run(modules: [PresenceModule.self], environment: ["MODULES_PRESENCE_QUERY_MAX_USERS": "2"]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let reply = try await alice.send("presence.query", ["userIds": [.string(bob.identity.userID), "never-seen"]])
            #expect(reply.data["items"].array?.count == 1)
            #expect(reply.data["items"][0]["online"] == true && reply.data["items"][0]["connections"] == 1)
            #expect(try await alice.send("presence.query", ["userIds": ["a", "b", "c"]]).error?.field == "userIds")
            #expect(try await alice.send("presence.query", ["userIds": []]).error?.field == "userIds")
            #expect(try await alice.send("presence.query", ["userIds": "a"]).error?.field == "userIds")
        }
    }

    @Test("topic presence: track, list, count, diffs to presence:<topic>, leave after the debounce") func topics() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ChatModule.self, PresenceModule.self], clock: clock) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            _ = try await alice.send("chat.join", ["room": "general"])
            let tracked = try await alice.send("presence.track", ["topic": "chat:general"])
            #expect(tracked.data == ["topic": "chat:general", "users": 1, "connections": 1])
            // the tracker subscribes first, so it sees its own arrival
            #expect(try await alice.expectEvent("presence.diff", on: "presence:chat:general").data["joins"] == [.string(alice.identity.userID)])
            _ = try await bob.send("chat.join", ["room": "general"])
            #expect(try await bob.send("presence.track", ["topic": "chat:general"]).data["users"] == 2)
            let join = try await alice.expectEvent("presence.diff", on: "presence:chat:general")
            #expect(join.data["joins"] == [.string(bob.identity.userID)])
            #expect(join.seq == nil)
            let bobPhone = try await hub.connect(accessToken: bob.accessToken)
            _ = try await bobPhone.send("presence.track", ["topic": "chat:general"])
            try await alice.expectNoEvent("presence.diff")
            #expect(try await alice.send("presence.count", ["topic": "chat:general"]).data == ["users": 2, "connections": 3])
            let list = try await alice.send("presence.list", ["topic": "chat:general"])
            #expect(list.data["items"].array?.count == 2)
            let named = Dictionary(uniqueKeysWithValues: (list.data["items"].array ?? []).map { ($0["userId"].string ?? "", $0["displayName"]) })
            #expect(named[alice.identity.userID] == .string(alice.identity.displayName) && named[bob.identity.userID] == .string(bob.identity.displayName),
                    "each member with their display name: \(list)")
            #expect(list.data["items"].array?.first { $0["userId"].string == bob.identity.userID }?["connections"] == 2)
            _ = try await bob.send("presence.untrack", ["topic": "chat:general"])
            await bobPhone.close()
            try await alice.expectNoEvent("presence.diff")
            clock.advance(ms: 2000)
            await (try presence(hub)).tracker.flush()
            #expect(try await alice.expectEvent("presence.diff", on: "presence:chat:general").data["leaves"] == [.string(bob.identity.userID)])
            #expect(try await alice.send("presence.count", ["topic": "chat:general"]).data == ["users": 1, "connections": 1])
            // diffs are not kept in the topic's history
            let since = try await bob.send("hub.subscribe", ["topic": "presence:chat:general", "since": 0])
            #expect(since.data["missed"] == [])
        }
    }

    @Test("tracking needs the right to subscribe to the topic, decided by its module") func access() async throws {
        try await TestHub.run(modules: [ChatModule.self, PresenceModule.self]) { hub in
            let alice = try await hub.client()
            let eve = try await hub.client()
            _ = try await alice.send("chat.createRoom", ["room": "secret", "visibility": "private"])
            // a private room is not there for others (chat decides; no existence oracle)
            #expect(try await eve.send("presence.track", ["topic": "chat:secret"]).error?.code == .notFound)
            #expect(try await eve.send("presence.list", ["topic": "chat:secret"]).error?.code == .notFound)
            #expect(try await eve.send("presence.count", ["topic": "chat:secret"]).error?.code == .notFound)
            #expect(try await eve.send("hub.subscribe", ["topic": "presence:chat:secret"]).error?.code == .notFound)
            #expect(try await eve.send("presence.track", ["topic": "nowhere:x"]).error?.code == .notFound)
            #expect(try await eve.send("presence.track", ["topic": "presence:users"]).error?.field == "topic")
            #expect(try await eve.send("presence.track", ["topic": "bad"]).error?.field == "topic")
            #expect(try await alice.send("presence.track", ["topic": "chat:secret"]).ok)
        }
    }
}
