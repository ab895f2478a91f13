import Foundation
import HubKernel
import HubTesting
import SQLKit
import Testing
import Chat
@testable import Presence

/// Presence in a cluster: two nodes in one process on one PostgreSQL schema count each
/// other's connections; a dead node's leftovers are reaped. (Three real processes with a
/// kill -9: `scripts/cluster_test.py`.)
@Suite("presence across cluster nodes", .enabled(if: (try? TestDatabase.kind()) == .postgres))
struct ClusterPresenceTests {
    func withTwoNodes(clock: TestClock, _ body: @Sendable (TestHub, TestHub) async throws -> Void) async throws {
        try await TestDatabase.withRestartable { store in
            try await TestHub.run(modules: [ChatModule.self, PresenceModule.self], database: store, clock: clock, node: "a") { a in
                try await TestHub.run(modules: [ChatModule.self, PresenceModule.self], database: store, clock: clock, node: "b") { b in
                    try await body(a, b)
                }
            }
        }
    }

    @Test("a user on two nodes is online once; closing one says nothing; the last close says leave after the debounce")
    func devices() async throws {
        let clock = TestClock()
        try await withTwoNodes(clock: clock) { a, b in
            let moduleA = try presence(a)
            let moduleB = try presence(b)
            #expect(moduleA.tracker.cluster != nil && moduleB.tracker.cluster != nil)
            let watcher = try await b.client()
            _ = try await watcher.send("hub.subscribe", ["topic": "presence:users"])
            let laptop = try await a.client()
            let join = try await watcher.expectEvent("presence.diff", on: "presence:users")
            #expect(join.data["joins"] == [.string(laptop.identity.userID)])
            let phone = try await b.connect(accessToken: laptop.accessToken)
            try await watcher.expectNoEvent("presence.diff", settle: .milliseconds(200))
            let query = try await watcher.send("presence.query", ["userIds": [.string(laptop.identity.userID)]])
            #expect(query.data["items"][0]["online"] == true && query.data["items"][0]["connections"] == 2)
            await laptop.close()
            clock.advance(ms: 2000)
            #expect(await moduleA.tracker.flush() == 0, "still connected on b")
            await phone.close()
            clock.advance(ms: 1999)
            #expect(await moduleB.tracker.flush() == 0)
            clock.advance(ms: 1)
            #expect(await moduleB.tracker.flush() == 1)
            #expect(try await watcher.expectEvent("presence.diff", on: "presence:users").data["leaves"] == [.string(laptop.identity.userID)])
            let after = try await watcher.send("presence.query", ["userIds": [.string(laptop.identity.userID)]])
            #expect(after.data["items"][0]["online"] == false && after.data["items"][0]["lastSeen"].int == clock.nowMs() - 2000)
        }
    }

    @Test("a reload that lands on the other node inside the debounce says nothing") func reloadAcross() async throws {
        let clock = TestClock()
        try await withTwoNodes(clock: clock) { a, b in
            let moduleA = try presence(a)
            let moduleB = try presence(b)
            let watcher = try await a.client()
            _ = try await watcher.send("hub.subscribe", ["topic": "presence:users"])
            let alice = try await a.client()
            _ = try await watcher.expectEvent("presence.diff", on: "presence:users")
            await alice.close()
            clock.advance(ms: 1500)
            let reloaded = try await b.connect(accessToken: alice.accessToken)
            clock.advance(ms: 1000)
            #expect(await moduleA.tracker.flush() == 0)
            #expect(await moduleB.tracker.flush() == 0)
            try await watcher.expectNoEvent("presence.diff", settle: .milliseconds(200))
            _ = reloaded
        }
    }

    @Test("topic presence counts both nodes; the join and the leave are announced once") func topics() async throws {
        let clock = TestClock()
        try await withTwoNodes(clock: clock) { a, b in
            let moduleA = try presence(a)
            let moduleB = try presence(b)
            let alice = try await a.client()
            _ = try await alice.send("chat.join", ["room": "general"])
            _ = try await alice.send("presence.track", ["topic": "chat:general"])
            _ = try await alice.expectEvent("presence.diff", on: "presence:chat:general")
            let bobOnA = try await a.client()
            let bobOnB = try await b.connect(accessToken: bobOnA.accessToken)
            _ = try await bobOnA.send("chat.join", ["room": "general"])
            _ = try await bobOnA.send("presence.track", ["topic": "chat:general"])
            #expect(try await alice.expectEvent("presence.diff", on: "presence:chat:general").data["joins"] == [.string(bobOnA.identity.userID)])
            let tracked = try await bobOnB.send("presence.track", ["topic": "chat:general"])
            #expect(tracked.data == ["topic": "chat:general", "users": 2, "connections": 3])
            try await alice.expectNoEvent("presence.diff", settle: .milliseconds(200))
            let onB = try await bobOnB.send("presence.list", ["topic": "chat:general"])
            #expect(onB.data["items"].array?.first { $0["userId"].string == bobOnA.identity.userID }?["connections"] == 2)
            _ = try await bobOnA.send("presence.untrack", ["topic": "chat:general"])
            await bobOnB.close()
            clock.advance(ms: 2000)
            let leftOnA = await moduleA.tracker.flush()
            let leftOnB = await moduleB.tracker.flush()
            #expect(leftOnA + leftOnB == 1, "one leave, however many nodes check")
            #expect(try await alice.expectEvent("presence.diff", on: "presence:chat:general").data["leaves"] == [.string(bobOnA.identity.userID)])
            #expect(try await alice.send("presence.count", ["topic": "chat:general"]).data == ["users": 1, "connections": 1])
        }
    }

    @Test("the reaper closes a dead node's connections: its users leave once the debounce has passed") func reaper() async throws {
        let clock = TestClock()
        try await withTwoNodes(clock: clock) { a, b in
            let moduleA = try presence(a)
            let watcher = try await a.client()
            _ = try await watcher.send("hub.subscribe", ["topic": "presence:users"])
            let ghost = try await b.client()
            _ = try await watcher.expectEvent("presence.diff", on: "presence:users")
            // node b "dies": its connection row stays, and its node row stops being fresh
            try await a.hub.database.withConnection { sql in
                try await sql.raw("UPDATE presence_connections SET node = 'gone' WHERE user_id = \(bind: ghost.identity.userID)").run()
            }
            let reaper = try #require(moduleA.tracker.cluster)
            #expect(try await reaper.reap() == 0, "found orphaned: the debounce starts")
            let status = try await watcher.send("presence.query", ["userIds": [.string(ghost.identity.userID)]])
            #expect(status.data["items"][0]["connections"] == 0)
            clock.advance(ms: 2000)
            #expect(try await reaper.reap() == 1)
            #expect(try await watcher.expectEvent("presence.diff", on: "presence:users").data["leaves"] == [.string(ghost.identity.userID)])
            #expect(try await reaper.reap() == 0)
            _ = b
        }
    }

    @Test("a storm of connects on both nodes: every user is announced online exactly once, a user with two sockets once, and every connection counted")
    func storm() async throws {
        let clock = TestClock()
        try await withTwoNodes(clock: clock) { a, b in
            let watcher = try await a.client()
            _ = try await watcher.send("hub.subscribe", ["topic": "presence:users"])
            // accounts first (no socket yet), then every socket at once, half on each node
            var users: [(String, String)] = []
            for n in 0..<40 {
                let pair = try await a.hub.accounts.guest(displayName: "storm \(n)")
                users.append((try await a.hub.tokens.verify(pair.accessToken).identity.userID, pair.accessToken))
            }
            let sockets = try await withThrowingTaskGroup(of: TestClient.self) { [users] group in
                for (index, user) in users.enumerated() {
                    group.addTask { try await (index % 2 == 0 ? a : b).connect(accessToken: user.1) }
                    // a second device: on the same node (the same batch, likely) or on the other
                    if index < 10 { group.addTask { try await ((index % 2 == 0) == (index < 5) ? a : b).connect(accessToken: user.1) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(sockets.count == 50)
            var joined: [String] = []
            while joined.count < users.count {
                let diff = try await watcher.expectEvent("presence.diff", on: "presence:users")
                #expect(diff.data["leaves"] == [])
                joined += diff.data["joins"].array?.compactMap(\.string) ?? []
            }
            #expect(joined.sorted() == users.map(\.0).sorted(), "each user joins once")
            try await watcher.expectNoEvent("presence.diff", settle: .milliseconds(300))
            let counted = try await watcher.send("presence.query", ["userIds": .array(users.prefix(10).map { .string($0.0) })])
            #expect(counted.data["items"].array?.map { $0["connections"] } == Array(repeating: 2, count: 10))
        }
    }
}
