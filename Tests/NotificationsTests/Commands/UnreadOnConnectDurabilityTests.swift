import Foundation
import HubTesting
import Testing
@testable import HubKernel
@testable import Notifications

/// The connect hooks run like one command on the SQLite default (`Hub.connected`): their reads
/// and writes do not wait for a flush each, so what they send must wait for the one flush that
/// covers it.
@Suite("the unread count on connect and the flush")
struct UnreadOnConnectDurabilityTests {
    func withFileHub(_ body: @Sendable (TestHub) async throws -> Void) async throws {
        try await TestHub.runOnSQLiteFile(modules: [NotificationsModule.self], environment: ["RATE_LIMIT_NOTIFICATIONS_SEND": "off"]) { hub, _ in
            try await body(hub)
        }
    }

    /// Waits until some commit is made and not yet flushed (the flushes are held).
    func awaitUnflushedCommit(_ database: Database) async throws {
        for _ in 0..<250 {
            if let state = database.sqliteDurability, state.commits > state.synced { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no commit waited for a flush")
    }

    func unread(_ client: TestClient) -> [TestFrame] {
        client.unclaimed.filter { !$0.isReply && $0.type == "notifications.unread" }
    }

    @Test("a count that includes a notification not yet on disk leaves only after the flush")
    func countWaitsForFlush() async throws {
        try await withFileHub { hub in
            let alice = try await hub.client()
            #expect(try await alice.expectEvent("notifications.unread").data["count"] == 0)
            let admin = try await hub.client(role: .admin)
            hub.hub.database.holdFlushes(true)
            try await admin.sendRaw(#"{"id":"n1","type":"notifications.send","data":{"userIds":["\#(alice.identity.userID)"],"category":"info","title":"held"}}"#)
            try await awaitUnflushedCommit(hub.hub.database)
            let again = try await hub.connect(accessToken: alice.accessToken)
            try await Task.sleep(for: .milliseconds(300))
            #expect(unread(again).isEmpty, "the count left before the notification it counts was on disk")
            hub.hub.database.holdFlushes(false)
            #expect(try await again.expectEvent("notifications.unread").data["count"] == 1)
            #expect(try await admin.expectReply(re: "n1").ok)
        }
    }

    @Test("when that flush fails the count is not sent, and the connection works")
    func failedFlush() async throws {
        try await withFileHub { hub in
            let alice = try await hub.client()
            _ = try await alice.expectEvent("notifications.unread")
            let admin = try await hub.client(role: .admin)
            hub.hub.database.holdFlushes(true)
            try await admin.sendRaw(#"{"id":"lost","type":"notifications.send","data":{"userIds":["\#(alice.identity.userID)"],"category":"info","title":"lost"}}"#)
            try await awaitUnflushedCommit(hub.hub.database)
            let again = try await hub.connect(accessToken: alice.accessToken)
            try await Task.sleep(for: .milliseconds(200))
            hub.hub.database.failFlushes(true)
            hub.hub.database.holdFlushes(false)
            let failed = try await admin.expectReply(re: "lost")
            #expect(failed.re == "lost" && failed.error?.code == .unavailable)
            hub.hub.database.failFlushes(false)
            #expect(try await again.send("hub.ping").ok)
            #expect(unread(again).isEmpty, "a count resting on a failed flush was sent")
            #expect(try await again.send("notifications.unreadCount").ok)
        }
    }
}
