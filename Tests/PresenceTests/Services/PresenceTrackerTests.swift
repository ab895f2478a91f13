import Foundation
import HubKernel
import HubTesting
import Testing
@testable import Presence

/// The presence module inside a test hub.
func presence(_ hub: TestHub) throws -> PresenceModule {
    try #require(hub.hub.modules.compactMap { $0 as? PresenceModule }.first)
}

@Suite("online status with several devices")
struct PresenceTrackerTests {
    @Test("two connections: online once; closing one says nothing; closing the last says leave once after the debounce") func devices() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [PresenceModule.self], clock: clock) { hub in
            let watcher = try await hub.client()
            _ = try await watcher.send("hub.subscribe", ["topic": "presence:users"])
            let alice = try await hub.client()
            let join = try await watcher.expectEvent("presence.diff", on: "presence:users")
            #expect(join.data == ["topic": "users", "joins": [.string(alice.identity.userID)], "leaves": []])
            #expect(join.seq == nil)
            let tablet = try await hub.connect(accessToken: alice.accessToken)
            try await watcher.expectNoEvent("presence.diff")
            await tablet.close()
            try await watcher.expectNoEvent("presence.diff")
            await alice.close()
            let module = try presence(hub)
            clock.advance(ms: 1999)
            #expect(await module.tracker.flush() == 0)
            clock.advance(ms: 1)
            #expect(await module.tracker.flush() == 1)
            let leave = try await watcher.expectEvent("presence.diff")
            #expect(leave.data["leaves"] == [.string(alice.identity.userID)])
            #expect(await module.tracker.flush() == 0)
            try await watcher.expectNoEvent("presence.diff")
        }
    }

    @Test("a reload inside the debounce says nothing") func reload() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [PresenceModule.self], clock: clock) { hub in
            let watcher = try await hub.client()
            _ = try await watcher.send("hub.subscribe", ["topic": "presence:users"])
            let alice = try await hub.client()
            try await watcher.expectEvent("presence.diff")
            await alice.close()
            clock.advance(ms: 1500)
            let reloaded = try await hub.connect(accessToken: alice.accessToken)
            clock.advance(ms: 1000)
            let module = try presence(hub)
            #expect(await module.tracker.flush() == 0)
            try await watcher.expectNoEvent("presence.diff")
            _ = reloaded
        }
    }

    @Test("status and last seen are persisted; a crashed node's stale entries are offline at the next start") func persisted() async throws {
        try await TestDatabase.withRestartable { store in
            let clock = TestClock()
            let (token, userID): (String, String) = try await TestHub.run(modules: [PresenceModule.self], database: store, clock: clock) { hub in
                let alice = try await hub.client()
                #expect(try await alice.send("presence.set", ["state": "busy", "text": "in a meeting"]).ok)
                // the process "crashes": no disconnect is ever recorded
                return (alice.accessToken, alice.identity.userID)
            }
            clock.advance(by: .seconds(60))
            try await TestHub.run(modules: [PresenceModule.self], database: store, clock: clock) { hub in
                let module = try presence(hub)
                #expect(await module.tracker.clearStale() == 1)
                let bob = try await hub.client()
                let entry = try await bob.send("presence.query", ["userIds": [.string(userID)]]).data["items"][0]
                #expect(entry["online"] == false)
                #expect(entry["state"] == "busy")
                #expect(entry["text"] == "in a meeting")
                #expect(entry["lastSeen"].int == clock.nowMs() - 60_000)
                let alice = try await hub.connect(accessToken: token)
                let back = try await bob.send("presence.query", ["userIds": [.string(userID)]]).data["items"][0]
                #expect(back["online"] == true && back["connections"] == 1 && back["state"] == "busy")
                _ = alice
            }
        }
    }
}
