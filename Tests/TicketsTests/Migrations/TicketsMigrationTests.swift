import Foundation
import HubKernel
import HubTesting
import SQLKit
import Testing
@testable import Tickets

/// Each tickets migration applied to a database that holds data written at the migration
/// before it, as an upgrade meets it in production (conformance only migrates empty ones).
@Suite("tickets migrations on existing data")
struct TicketsMigrationTests {
    @Test("003 (SLA): tickets from before it keep no SLA, are never warned or breached, sort last by due, and get one with a priority change")
    func slaOnOldTickets() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, clock: clock) { hub in
            let requester = try await hub.client()
            let agent = try await hub.client(role: .agent)
            // the database as 002 left it, with a ticket, a comment and its audit trail
            #expect(try await hub.hub.migrator.revert(module: "tickets", count: 1).map(\.name) == ["tickets.003_add_sla"])
            let created = clock.nowMs() - 3_600_000
            try await hub.hub.database.withConnection { sql in
                try await sql.raw("""
                    INSERT INTO tickets_tickets (id, subject, description, requester_id, status, priority, priority_rank, tags, created_at, updated_at)
                    VALUES ('legacy-1', 'Printer on fire', '', \(bind: requester.identity.userID), 'open', 'urgent', 3, '', \(bind: created), \(bind: created))
                    """).run()
                try await sql.raw("""
                    INSERT INTO tickets_audit (id, ticket_id, actor_id, kind, detail, created_at)
                    VALUES ('audit-1', 'legacy-1', \(bind: requester.identity.userID), 'created', 'Printer on fire', \(bind: created))
                    """).run()
            }
            #expect(try await hub.hub.migrator.migrate().map(\.name) == ["tickets.003_add_sla"])

            let legacy = try await agent.send("tickets.get", ["ticketId": "legacy-1"]).data["ticket"]
            #expect(legacy["firstResponseDue"] == .null && legacy["resolutionDue"] == .null)
            #expect(legacy["firstResponseBreached"] == false && legacy["slaPaused"] == false)
            // an hour old and urgent (100 s / 1000 s targets), but it was never promised an SLA
            let monitor = try tickets(hub).monitor
            #expect(try await monitor.check() == 0)
            let fresh = try #require(try await requester.send("tickets.create", ["subject": "new one", "priority": "low"]).data["ticket"]["id"].string)
            let byDue = try await agent.send("tickets.list", ["sort": "due"]).data["items"].array?.map { $0["id"].string }
            #expect(byDue == [fresh, "legacy-1"])
            // its trail goes on after the entries it had
            _ = try await agent.send("tickets.comment", ["ticketId": "legacy-1", "body": "on it"])
            let trail = try await agent.send("tickets.history", ["ticketId": "legacy-1"]).data["items"].array?.map { $0["kind"].string }
            #expect(trail?.first == "created" && trail?.count == 2)
            // a priority change applies the policy, measured from creation like every ticket's
            let raised = try await agent.send("tickets.setPriority", ["ticketId": "legacy-1", "priority": "high"])
            #expect(raised.data["ticket"]["resolutionDue"].int == created + 86_400_000)
        }
    }
}
