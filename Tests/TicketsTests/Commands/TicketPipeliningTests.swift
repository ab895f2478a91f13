import Foundation
@testable import HubKernel
import HubTesting
import Notifications
import Testing
import Tickets

/// Tickets publish in the transaction that stores the change (issue #16): a requester's next
/// command runs and commits while the previous reply waits for the flush, and nothing — reply
/// or event — leaves before it.
@Suite("Ticket pipelining")
struct TicketPipeliningTests {
    @Test("pipelined tickets.create commands all commit before any flush; replies and queue events then leave in order")
    func createsRunAhead() async throws {
        try await TestHub.runOnSQLiteFile(modules: [TicketsModule.self, NotificationsModule.self]) { hub, path in
            let requester = try await hub.client()
            let agent = try await hub.client(role: .agent)
            #expect(try await agent.send("hub.subscribe", ["topic": "tickets:queue"]).ok)
            _ = try await requester.expectEvent("notifications.unread")   // the count sent on connecting
            hub.hub.database.holdFlushes(true)
            for n in 1...3 {
                try await requester.sendRaw(#"{"id":"t\#(n)","type":"tickets.create","data":{"subject":"printer \#(n)"}}"#)
            }
            var stored: [String] = []
            for _ in 0..<250 where stored.count < 3 {
                stored = try Self.subjects(at: path)
                if stored.count < 3 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(stored == ["printer 1", "printer 2", "printer 3"])
            await #expect(throws: (any Error).self) { _ = try await requester.nextFrame(timeout: .milliseconds(300)) }
            try await agent.expectNoEvent("tickets.updated")
            hub.hub.database.holdFlushes(false)
            var replies: [String] = []
            for _ in 0..<3 {
                let reply = try await requester.nextFrame()
                #expect(reply.ok)
                replies.append(reply.re.string ?? "-")
            }
            #expect(replies == ["t1", "t2", "t3"])
            var announced: [String] = []
            for _ in 0..<3 { announced.append(try await agent.expectEvent("tickets.updated").data["ticket"]["subject"].string ?? "-") }
            #expect(announced == ["printer 1", "printer 2", "printer 3"])
        }
    }

    /// Ticket subjects as committed (flushed or not), read through a connection of its own.
    static func subjects(at path: String) throws -> [String] {
        try CommittedRows.texts(at: path, "SELECT subject FROM tickets_tickets ORDER BY created_at, rowid")
    }
}
