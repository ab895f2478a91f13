import Testing
import HubKernel
import HubTesting
@testable import Switchboard

@Suite("Helpdesk over real sockets")
struct HelpdeskEndToEndTests {
    @Test("requester, two agents and an admin; the running SLA monitor breaches once; notifications switched off mid-way") func helpdesk() async throws {
        try await TestHub.run(modules: Catalog.modules, .live, environment: [
            "MODULES_TICKETS_SLA_URGENT_FIRST_RESPONSE_SECONDS": "1", "MODULES_TICKETS_SLA_CHECK_INTERVAL_MS": "100",
        ]) { hub in
            let requester = try await hub.client()
            let ada = try await hub.client(role: .agent)
            let ben = try await hub.client(role: .agent)
            let admin = try await hub.client(role: .admin)
            _ = try await ada.send("hub.subscribe", ["topic": "tickets:queue"])
            let created = try await requester.send("tickets.create", ["subject": "VPN down", "priority": "urgent"])
            let id = try #require(created.data["ticket"]["id"].string)
            _ = try await requester.send("hub.subscribe", ["topic": .string("tickets:\(id)")])
            #expect(try await ben.expectEvent("notifications.new").data["notification"]["title"] == "New ticket: VPN down")
            let breach = try await ada.expectEvent("tickets.sla_breached", on: "tickets:queue", timeout: .seconds(5))
            #expect(breach.data["target"] == "firstResponse")
            try await ada.expectNoEvent("tickets.sla_breached", settle: .milliseconds(400))

            // an operator switches notifications off: tickets keep working, nobody is notified
            let http = HTTP(baseURL: hub.baseURL!)
            #expect(try await http.put("/admin/features/notifications", ["enabled": false], token: admin.accessToken).status == 200)
            _ = try await ada.send("tickets.assign", ["ticketId": .string(id), "agentId": .string(ben.identity.userID)])
            let reply = try await ben.send("tickets.comment", ["ticketId": .string(id), "body": "Restarting the gateway."])
            #expect(reply.data["ticket"]["status"] == "open")
            #expect(try await requester.expectEvent("tickets.updated", on: "tickets:\(id)").data["change"]["kind"] == "assigned")
            try await requester.expectNoEvent("notifications.new")
            _ = try await ben.send("tickets.transition", ["ticketId": .string(id), "status": "solved"])
            #expect(try await requester.send("tickets.transition", ["ticketId": .string(id), "status": "open"]).data["ticket"]["status"] == "open")
            let history = try await admin.send("tickets.history", ["ticketId": .string(id)])
            #expect(history.data["items"].array?.map { $0["kind"].string } == ["created", "assigned", "commented", "status", "status", "status"])
        }
    }
}
