import Foundation
import HubKernel
import HubTesting
import Notifications
import Testing
@testable import Tickets

/// A helpdesk: a requester, another requester, two agents and an admin.
struct Desk {
    let hub: TestHub
    let requester: TestClient
    let stranger: TestClient
    let agent: TestClient
    let otherAgent: TestClient
    let admin: TestClient

    static func run(_ body: @Sendable (Desk) async throws -> Void) async throws {
        try await TestHub.run(modules: [NotificationsModule.self, TicketsModule.self],
                              environment: ["RATE_LIMIT_TICKETS_CREATE": "off", "RATE_LIMIT_TICKETS_COMMENT": "off"]) { hub in
            try await body(Desk(hub: hub, requester: try await hub.client(name: "Rita"), stranger: try await hub.client(name: "Sam"),
                                agent: try await hub.client(role: .agent, name: "Ada"), otherAgent: try await hub.client(role: .agent, name: "Ben"),
                                admin: try await hub.client(role: .admin, name: "Root")))
        }
    }

    func open(_ subject: String = "Printer on fire", priority: String = "normal") async throws -> String {
        let reply = try await requester.send("tickets.create", ["subject": .string(subject), "description": "It smokes.", "priority": .string(priority)])
        #expect(reply.ok, "\(reply)")
        return try #require(reply.data["ticket"]["id"].string)
    }
}

@Suite("tickets")
struct TicketCommandTests {
    @Test("create: a new ticket, agents notified, the queue hears it") func create() async throws {
        try await Desk.run { desk in
            _ = try await desk.agent.send("hub.subscribe", ["topic": "tickets:queue"])
            let reply = try await desk.requester.send("tickets.create", ["subject": " Printer on fire ", "description": "It <b>smokes</b>.\nHelp", "priority": "high", "tags": ["Hardware", "printer", "printer"]])
            let ticket = reply.data["ticket"]
            #expect(ticket["status"] == "new" && ticket["priority"] == "high" && ticket["subject"] == "Printer on fire")
            #expect(ticket["description"] == "It <b>smokes</b>.\nHelp")
            #expect(ticket["tags"] == ["hardware", "printer"])
            #expect(ticket["requesterId"].string == desk.requester.identity.userID)
            #expect(try await desk.agent.expectEvent("tickets.updated", on: "tickets:queue").data["change"]["kind"] == "created")
            for staff in [desk.agent, desk.otherAgent] {
                #expect(try await staff.expectEvent("notifications.new").data["notification"]["source"] == "tickets")
            }
            try await desk.requester.expectNoEvent("notifications.new")
        }
    }

    static let invalidCreations: [(JSON, String)] = [
        (["subject": ""], "subject"), (["subject": .string(String(repeating: "s", count: 201))], "subject"),
        (["subject": "a\u{7}b"], "subject"), (["subject": "x", "description": .string(String(repeating: "d", count: 20_001))], "description"),
        (["subject": "x", "priority": "asap"], "priority"), (["subject": "x", "tags": ["no spaces"]], "tags[0]"),
        (["subject": "x", "tags": .array(Array(repeating: "t", count: 11))], "tags"), (["subject": 4], "subject"),
    ]

    @Test("create rules", arguments: invalidCreations)
    func createRules(payload: JSON, field: String) async throws {
        try await TestHub.run(modules: [TicketsModule.self], configure: { $0.maxFrameBytes = 100_000 }) { hub in
            let requester = try await hub.client()
            let reply = try await requester.send("tickets.create", payload)
            #expect(reply.error?.code == .validationFailed)
            #expect(reply.error?.field == field)
            #expect(try await requester.send("tickets.list").data["items"] == [])
        }
    }

    @Test("guests cannot file tickets; creating is limited to 10 a minute, burst 5") func createLimits() async throws {
        try await TestHub.run(modules: [TicketsModule.self], clock: TestClock()) { hub in
            let guest = try await hub.client(role: .guest)
            #expect(try await guest.send("tickets.create", ["subject": "x"]).error?.code == .forbidden)
            let requester = try await hub.client()
            for n in 1...5 { #expect(try await requester.send("tickets.create", ["subject": .string("t\(n)")]).ok) }
            #expect(try await requester.send("tickets.create", ["subject": "t6"]).error?.retryAfterMs == 6000)
        }
    }

    @Test("requesters see only their own tickets; another's is not_found everywhere") func visibility() async throws {
        try await Desk.run { desk in
            let id = try await desk.open()
            let ticket: JSON = ["ticketId": .string(id)]
            #expect(try await desk.stranger.send("tickets.get", ticket).error?.code == .notFound)
            #expect(try await desk.stranger.send("tickets.history", ticket).error?.code == .notFound)
            #expect(try await desk.stranger.send("tickets.comment", ["ticketId": .string(id), "body": "me too"]).error?.code == .notFound)
            #expect(try await desk.stranger.send("tickets.transition", ["ticketId": .string(id), "status": "open"]).error?.code == .notFound)
            #expect(try await desk.stranger.send("hub.subscribe", ["topic": .string("tickets:\(id)")]).error?.code == .notFound)
            #expect(try await desk.stranger.send("hub.subscribe", ["topic": "tickets:queue"]).error?.code == .forbidden)
            #expect(try await desk.stranger.send("tickets.list", ["scope": "all"]).data["items"] == [])
            #expect(try await desk.requester.send("tickets.get", ticket).ok)
            #expect(try await desk.agent.send("tickets.get", ticket).ok)
            #expect(try await desk.requester.send("tickets.get", ["ticketId": "nope"]).error?.code == .notFound)
        }
    }

    @Test("staff make exactly the legal transitions; everything else is conflict") func transitions() async throws {
        for from in TicketStatus.allCases {
            for to in TicketStatus.allCases where to != from {
                try await Desk.run { desk in
                    let id = try await desk.open()
                    // walk the ticket to `from` along legal moves
                    let path: [TicketStatus] = switch from {
                    case .new: []
                    case .open: [.open]
                    case .pending: [.open, .pending]
                    case .onHold: [.open, .onHold]
                    case .solved: [.open, .solved]
                    case .closed: [.open, .solved, .closed]
                    }
                    for step in path { #expect(try await desk.agent.send("tickets.transition", ["ticketId": .string(id), "status": .string(step.rawValue)]).ok) }
                    let reply = try await desk.agent.send("tickets.transition", ["ticketId": .string(id), "status": .string(to.rawValue)])
                    if from.canMove(to: to) {
                        #expect(reply.data["ticket"]["status"].string == to.rawValue, "\(from) → \(to)")
                    } else {
                        #expect(reply.error?.code == .conflict, "\(from) → \(to): \(reply)")
                    }
                }
            }
        }
    }

    @Test("a requester may only reopen their own solved ticket; asking anything else is forbidden first") func requesterTransitions() async throws {
        try await Desk.run { desk in
            let id = try await desk.open()
            // closing an open ticket is both illegal and not theirs to do: permission comes first
            #expect(try await desk.requester.send("tickets.transition", ["ticketId": .string(id), "status": "closed"]).error?.code == .forbidden)
            #expect(try await desk.requester.send("tickets.transition", ["ticketId": .string(id), "status": "solved"]).error?.code == .forbidden)
            // new → open is legal for staff, but never the requester's to make
            #expect(try await desk.requester.send("tickets.transition", ["ticketId": .string(id), "status": "open"]).error?.code == .forbidden)
            _ = try await desk.agent.send("tickets.transition", ["ticketId": .string(id), "status": "open"])
            let solved = try await desk.agent.send("tickets.transition", ["ticketId": .string(id), "status": "solved"])
            #expect(solved.data["ticket"]["solvedAt"].int != nil)
            let reopened = try await desk.requester.send("tickets.transition", ["ticketId": .string(id), "status": "open"])
            #expect(reopened.data["ticket"]["status"] == "open")
            #expect(reopened.data["ticket"]["solvedAt"] == .null)
            #expect(try await desk.requester.send("tickets.transition", ["ticketId": .string(id), "status": "on_hold"]).error?.code == .forbidden)
            // reopening is for solved tickets only: an open one is not the requester's to move again
            #expect(try await desk.requester.send("tickets.transition", ["ticketId": .string(id), "status": "open"]).error?.code == .forbidden)
            #expect(try await desk.requester.send("tickets.transition", ["ticketId": .string(id), "status": "lost"]).error?.field == "status")
        }
    }

    @Test("internal notes: staff only, never in a requester's view, history or events") func internalNotes() async throws {
        try await Desk.run { desk in
            let id = try await desk.open()
            _ = try await desk.requester.send("hub.subscribe", ["topic": .string("tickets:\(id)")])
            #expect(try await desk.requester.send("tickets.comment", ["ticketId": .string(id), "body": "psst", "internal": true]).error?.code == .forbidden)
            let note = try await desk.agent.send("tickets.comment", ["ticketId": .string(id), "body": "customer is VIP", "internal": true])
            #expect(note.data["comment"]["internal"] == true)
            #expect(note.data["ticket"]["status"] == "new")          // a note is not a response
            #expect(note.data["ticket"]["firstResponseAt"] == .null)
            try await desk.requester.expectNoEvent("tickets.updated")
            let view = try await desk.requester.send("tickets.get", ["ticketId": .string(id)])
            #expect(view.data["comments"] == [])
            #expect(!(try await desk.requester.send("tickets.history", ["ticketId": .string(id)])).text.contains("VIP"))
            #expect(try await desk.agent.send("tickets.get", ["ticketId": .string(id)]).data["comments"].array?.count == 1)
            #expect(try await desk.agent.send("tickets.history", ["ticketId": .string(id)]).data["items"].array?.map { $0["kind"].string } == ["created", "internal_note"])
        }
    }

    @Test("the first public staff reply is the first response and opens a new ticket; replies notify the other side") func replies() async throws {
        try await Desk.run { desk in
            let id = try await desk.open()
            _ = try await desk.requester.send("hub.subscribe", ["topic": .string("tickets:\(id)")])
            let own = try await desk.requester.send("tickets.comment", ["ticketId": .string(id), "body": "any news?"])
            #expect(own.data["ticket"]["firstResponseAt"] == .null && own.data["ticket"]["status"] == "new")
            for staff in [desk.agent, desk.otherAgent] {      // unassigned: every agent hears the requester
                _ = try await staff.expectEvent("notifications.new")  // the creation
                #expect(try await staff.expectEvent("notifications.new").data["notification"]["title"] == "New reply: Printer on fire")
            }
            let answer = try await desk.agent.send("tickets.comment", ["ticketId": .string(id), "body": "On it."])
            #expect(answer.data["ticket"]["status"] == "open")
            let firstResponse = try #require(answer.data["ticket"]["firstResponseAt"].int)
            #expect(try await desk.requester.expectEvent("notifications.new").data["notification"]["link"].string == "/tickets/\(id)")
            var kinds: [String] = []
            for _ in 0..<3 { kinds.append(try await desk.requester.expectEvent("tickets.updated", on: "tickets:\(id)").data["change"]["kind"].string ?? "") }
            #expect(kinds == ["commented", "commented", "status"])
            let again = try await desk.otherAgent.send("tickets.comment", ["ticketId": .string(id), "body": "Also on it."])
            #expect(again.data["ticket"]["firstResponseAt"].int == firstResponse)
            #expect(try await desk.requester.send("tickets.comment", ["ticketId": .string(id), "body": "  "]).error?.field == "body")
        }
    }

    @Test("assignment: to agents only, by staff only; the assignee is notified and the queue hears it") func assign() async throws {
        try await Desk.run { desk in
            let id = try await desk.open()
            #expect(try await desk.requester.send("tickets.assign", ["ticketId": .string(id), "agentId": .string(desk.agent.identity.userID)]).error?.code == .forbidden)
            #expect(try await desk.agent.send("tickets.assign", ["ticketId": .string(id), "agentId": .string(desk.requester.identity.userID)]).error?.field == "agentId")
            #expect(try await desk.agent.send("tickets.assign", ["ticketId": .string(id), "agentId": "ghost"]).error?.code == .notFound)
            #expect(try await desk.agent.send("tickets.assign", ["ticketId": "nope", "agentId": .string(desk.agent.identity.userID)]).error?.code == .notFound)
            let assigned = try await desk.admin.send("tickets.assign", ["ticketId": .string(id), "agentId": .string(desk.otherAgent.identity.userID)])
            #expect(assigned.data["ticket"]["assigneeId"].string == desk.otherAgent.identity.userID)
            _ = try await desk.otherAgent.expectEvent("notifications.new")   // the creation
            #expect(try await desk.otherAgent.expectEvent("notifications.new").data["notification"]["title"] == "Assigned to you: Printer on fire")
            let mine = try await desk.otherAgent.send("tickets.list", ["scope": "assignedToMe"])
            #expect(mine.data["items"].array?.map { $0["id"].string } == [id])
            // with an assignee, a requester's reply notifies only them
            _ = try await desk.requester.send("tickets.comment", ["ticketId": .string(id), "body": "hello?"])
            #expect(try await desk.otherAgent.expectEvent("notifications.new").data["notification"]["title"] == "New reply: Printer on fire")
            _ = try await desk.agent.expectEvent("notifications.new")          // the creation only
            try await desk.agent.expectNoEvent("notifications.new")
            #expect(try await desk.admin.send("tickets.assign", ["ticketId": .string(id), "agentId": nil]).data["ticket"]["assigneeId"] == .null)
        }
    }

    @Test("priority: staff change it, it is audited; closed tickets are final") func priority() async throws {
        try await Desk.run { desk in
            let id = try await desk.open()
            #expect(try await desk.requester.send("tickets.setPriority", ["ticketId": .string(id), "priority": "urgent"]).error?.code == .forbidden)
            #expect(try await desk.agent.send("tickets.setPriority", ["ticketId": .string(id), "priority": "asap"]).error?.field == "priority")
            #expect(try await desk.agent.send("tickets.setPriority", ["ticketId": .string(id), "priority": "urgent"]).data["ticket"]["priority"] == "urgent")
            let history = try await desk.requester.send("tickets.history", ["ticketId": .string(id)]).data["items"]
            #expect(history.array?.last?["detail"] == "normal → urgent")
            #expect(history.array?.last?["actorId"].string == desk.agent.identity.userID)
            for status in ["open", "solved", "closed"] { _ = try await desk.agent.send("tickets.transition", ["ticketId": .string(id), "status": .string(status)]) }
            #expect(try await desk.agent.send("tickets.setPriority", ["ticketId": .string(id), "priority": "low"]).error?.code == .conflict)
            #expect(try await desk.agent.send("tickets.comment", ["ticketId": .string(id), "body": "late"]).error?.code == .conflict)
        }
    }

    @Test("list: scopes, filters, priority sort and stable paging") func list() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [TicketsModule.self], environment: ["RATE_LIMIT_TICKETS_CREATE": "off"], clock: clock) { hub in
            let requester = try await hub.client()
            let other = try await hub.client()
            let agent = try await hub.client(role: .agent)
            var ids: [String] = []
            for (n, priority) in ["low", "urgent", "normal", "high", "urgent"].enumerated() {
                let reply = try await requester.send("tickets.create", ["subject": .string("t\(n)"), "priority": .string(priority)])
                ids.append(reply.data["ticket"]["id"].string!)
                clock.advance(ms: 10)
            }
            _ = try await other.send("tickets.create", ["subject": "theirs"])
            #expect(try await requester.send("tickets.list", ["scope": "all"]).data["items"].array?.count == 5)
            #expect(try await agent.send("tickets.list").data["items"].array?.count == 6)
            let urgent = try await agent.send("tickets.list", ["priority": ["urgent"]])
            #expect(urgent.data["items"].array?.map { $0["subject"].string } == ["t4", "t1"])
            let byPriority = try await requester.send("tickets.list", ["sort": "priority", "limit": 2])
            #expect(byPriority.data["items"].array?.map { $0["subject"].string } == ["t4", "t1"])
            let next = try await requester.send("tickets.list", ["sort": "priority", "limit": 2, "before": byPriority.data["nextCursor"]])
            #expect(next.data["items"].array?.map { $0["subject"].string } == ["t3", "t2"])
            let recent = try await requester.send("tickets.list", ["limit": 3])
            #expect(recent.data["items"].array?.map { $0["subject"].string } == ["t4", "t3", "t2"])
            _ = try await agent.send("tickets.transition", ["ticketId": .string(ids[0]), "status": "open"])
            #expect(try await agent.send("tickets.list", ["status": ["open"]]).data["items"].array?.map { $0["subject"].string } == ["t0"])
            for (payload, field) in [(JSON.object(["scope": "everything"]), "scope"), (["status": ["lost"]], "status[0]"), (["sort": "soon"], "sort"),
                                     (["breached": "yes"], "breached"), (["before": "x"], "before"), (["limit": 0], "limit")] {
                #expect(try await agent.send("tickets.list", payload).error?.field == field)
            }
        }
    }

    @Test("tickets keep working when notifications are switched off or not loaded") func withoutNotifications() async throws {
        try await Desk.run { desk in
            try await desk.hub.hub.setFeature("notifications", enabled: false, by: nil)
            let id = try await desk.open()
            #expect(try await desk.agent.send("tickets.comment", ["ticketId": .string(id), "body": "hi"]).ok)
            try await desk.requester.expectNoEvent("notifications.new")
            #expect(desk.hub.hub.metrics.render().contains(#"sb_notifications_unsent_total{module="tickets",reason="skipped"} 2"#))
        }
        try await TestHub.run(modules: [TicketsModule.self]) { hub in
            let requester = try await hub.client()
            let agent = try await hub.client(role: .agent)
            let id = try #require(try await requester.send("tickets.create", ["subject": "x"]).data["ticket"]["id"].string)
            #expect(try await agent.send("tickets.comment", ["ticketId": .string(id), "body": "hi"]).ok)
            #expect(hub.hub.metrics.render().contains(#"sb_notifications_unsent_total{module="tickets",reason="not_loaded"} 2"#))
        }
    }

    @Test("tickets, comments and the audit trail survive a restart") func persisted() async throws {
        try await TestDatabase.withRestartable { store in
            let (token, id): (String, String) = try await TestHub.run(modules: [TicketsModule.self], database: store) { hub in
                let requester = try await hub.client()
                let agent = try await hub.client(role: .agent)
                let id = try #require(try await requester.send("tickets.create", ["subject": "Keep me"]).data["ticket"]["id"].string)
                _ = try await agent.send("tickets.comment", ["ticketId": .string(id), "body": "noted"])
                return (requester.accessToken, id)
            }
            try await TestHub.run(modules: [TicketsModule.self], database: store) { hub in
                let requester = try await hub.connect(accessToken: token)
                let view = try await requester.send("tickets.get", ["ticketId": .string(id)])
                #expect(view.data["ticket"]["status"] == "open")
                #expect(view.data["comments"][0]["body"] == "noted")
                #expect(try await requester.send("tickets.history", ["ticketId": .string(id)]).data["items"].array?.count == 3)
            }
        }
    }
}
