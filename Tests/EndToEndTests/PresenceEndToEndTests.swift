import Testing
import HubKernel
import HubTesting
@testable import Switchboard

@Suite("Presence over real sockets")
struct PresenceEndToEndTests {
    @Test("two devices: online once; the leave comes once, after the debounce, from the running service") func devices() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: ["MODULES_PRESENCE_OFFLINE_DEBOUNCE_MS": "300"]) { hub in
            let watcher = try await hub.client()
            _ = try await watcher.send("hub.subscribe", ["topic": "presence:users"])
            let alice = try await hub.client()
            #expect(try await watcher.expectEvent("presence.diff").data["joins"] == [.string(alice.identity.userID)])
            let laptop = try await hub.connect(accessToken: alice.accessToken)
            _ = try await alice.send("chat.join", ["room": "general"])
            _ = try await alice.send("presence.track", ["topic": "chat:general"])
            _ = try await watcher.send("chat.join", ["room": "general"])
            #expect(try await watcher.send("presence.count", ["topic": "chat:general"]).data == ["users": 1, "connections": 1])
            await alice.close()
            try await watcher.expectNoEvent("presence.diff", on: "presence:users", settle: .milliseconds(600))
            await laptop.close()
            let leave = try await watcher.expectEvent("presence.diff", on: "presence:users", timeout: .seconds(3))
            #expect(leave.data["leaves"] == [.string(alice.identity.userID)])
            let entry = try await watcher.send("presence.query", ["userIds": [.string(alice.identity.userID)]])
            #expect(entry.data["items"][0]["online"] == false)
            #expect(try await watcher.send("presence.count", ["topic": "chat:general"]).data == ["users": 0, "connections": 0])
        }
    }
}
