import Foundation
import HubKernel
import HubTesting
import Notifications
import Testing
@testable import Tickets

/// Urgent tickets get 100 s to a first response and 1000 s to a solution; warnings at 80 %.
let fastSLA = ["MODULES_TICKETS_SLA_URGENT_FIRST_RESPONSE_SECONDS": "100", "MODULES_TICKETS_SLA_URGENT_RESOLUTION_SECONDS": "1000",
               "RATE_LIMIT_TICKETS_CREATE": "off"]

func tickets(_ hub: TestHub) throws -> TicketsModule {
    try #require(hub.hub.modules.compactMap { $0 as? TicketsModule }.first)
}

@Suite("SLA clocks and the monitor")
struct SLAMonitorTests {
    @Test("due times come from the priority's targets") func dueTimes() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, clock: clock) { hub in
            let requester = try await hub.client()
            let urgent = try await requester.send("tickets.create", ["subject": "down", "priority": "urgent"]).data["ticket"]
            #expect(urgent["firstResponseDue"].int == clock.nowMs() + 100_000)
            #expect(urgent["resolutionDue"].int == clock.nowMs() + 1_000_000)
            let normal = try await requester.send("tickets.create", ["subject": "meh"]).data["ticket"]
            #expect(normal["firstResponseDue"].int == clock.nowMs() + 28_800_000)
            #expect(normal["firstResponseBreached"] == false && normal["slaPaused"] == false)
        }
    }

    @Test("a warning at 80 %, a breach at 100 %, each once; agents hear them while unassigned") func warnAndBreach() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [NotificationsModule.self, TicketsModule.self], environment: fastSLA, clock: clock) { hub in
            let requester = try await hub.client()
            let agent = try await hub.client(role: .agent)
            _ = try await agent.send("hub.subscribe", ["topic": "tickets:queue"])
            let id = try #require(try await requester.send("tickets.create", ["subject": "down", "priority": "urgent"]).data["ticket"]["id"].string)
            _ = try await requester.send("hub.subscribe", ["topic": .string("tickets:\(id)")])
            _ = try await agent.expectEvent("notifications.new")          // new ticket
            let monitor = try tickets(hub).monitor
            clock.advance(ms: 79_999)
            #expect(try await monitor.check() == 0)
            clock.advance(ms: 1)
            #expect(try await monitor.check() == 1)
            let warning = try await agent.expectEvent("tickets.sla_warning", on: "tickets:queue")
            #expect(warning.data["target"] == "firstResponse" && warning.data["ticket"]["id"].string == id)
            #expect(warning.data["ticket"]["firstResponseWarned"] == true && warning.data["ticket"]["resolutionWarned"] == false,
                    "the ticket carries the monitor's warning, for a queue to colour it")
            #expect(try await agent.send("tickets.get", ["ticketId": .string(id)]).data["ticket"]["firstResponseWarned"] == true)
            #expect(try await requester.expectEvent("tickets.sla_warning", on: "tickets:\(id)").data["target"] == "firstResponse")
            #expect(try await agent.expectEvent("notifications.new").data["notification"]["category"] == "warning")
            #expect(try await monitor.check() == 0)
            clock.advance(ms: 20_000)
            #expect(try await monitor.check() == 1)
            let breach = try await agent.expectEvent("tickets.sla_breached", on: "tickets:queue")
            #expect(breach.data["ticket"]["firstResponseBreached"] == true)
            #expect(try await agent.expectEvent("notifications.new").data["notification"]["category"] == "error")
            clock.advance(ms: 10_000)
            #expect(try await monitor.check() == 0)
            try await agent.expectNoEvent("tickets.sla_breached")
            let breached = try await agent.send("tickets.list", ["breached": true])
            #expect(breached.data["items"].array?.map { $0["id"].string } == [id])
            #expect(try await agent.send("tickets.list", ["breached": false]).data["items"] == [])
        }
    }

    @Test("a ticket found late (the monitor was down past its due time) gets its warning, then its breach") func late() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, clock: clock) { hub in
            let requester = try await hub.client()
            let agent = try await hub.client(role: .agent)
            _ = try await agent.send("hub.subscribe", ["topic": "tickets:queue"])
            let id = try #require(try await requester.send("tickets.create", ["subject": "down", "priority": "urgent"]).data["ticket"]["id"].string)
            clock.advance(ms: 150_000)  // past the first-response breach (100 s), the warning (80 s) never raised
            #expect(try await tickets(hub).monitor.check() == 2)
            let warning = try await agent.expectEvent("tickets.sla_warning", on: "tickets:queue")
            let breach = try await agent.expectEvent("tickets.sla_breached", on: "tickets:queue")
            #expect(warning.data["ticket"]["id"].string == id && breach.data["target"] == "firstResponse")
            #expect((warning.seq ?? .max) < (breach.seq ?? .min), "the warning comes first")
            #expect(try await tickets(hub).monitor.check() == 0)
        }
    }

    @Test("monitors checking at the same time raise each warning exactly once") func concurrentChecks() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, clock: clock) { hub in
            let requester = try await hub.client()
            let agent = try await hub.client(role: .agent)
            _ = try await agent.send("hub.subscribe", ["topic": "tickets:queue"])
            for n in 0..<20 { _ = try await requester.send("tickets.create", ["subject": .string("down \(n)"), "priority": "urgent"]) }
            let monitor = try tickets(hub).monitor
            clock.advance(ms: 80_000)
            let raised = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await monitor.check() } }
                return try await group.reduce(0, +)
            }
            #expect(raised == 20)
            var warned: Set<String> = []
            for _ in 0..<20 { warned.insert(try #require(try await agent.expectEvent("tickets.sla_warning", on: "tickets:queue").data["ticket"]["id"].string)) }
            #expect(warned.count == 20)
            try await agent.expectNoEvent("tickets.sla_warning")
        }
    }

    @Test("a first response in time ends that clock; solving ends the resolution clock") func met() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, clock: clock) { hub in
            let requester = try await hub.client()
            let agent = try await hub.client(role: .agent)
            let id = try #require(try await requester.send("tickets.create", ["subject": "down", "priority": "urgent"]).data["ticket"]["id"].string)
            clock.advance(ms: 50_000)
            _ = try await agent.send("tickets.comment", ["ticketId": .string(id), "body": "looking"])
            clock.advance(ms: 200_000)
            let monitor = try tickets(hub).monitor
            #expect(try await monitor.check() == 0)
            _ = try await agent.send("tickets.transition", ["ticketId": .string(id), "status": "solved"])
            clock.advance(ms: 2_000_000)
            #expect(try await monitor.check() == 0)
            let ticket = try await agent.send("tickets.get", ["ticketId": .string(id)]).data["ticket"]
            #expect(ticket["firstResponseBreached"] == false && ticket["resolutionBreached"] == false)
        }
    }

    @Test("the clock pauses in pending and on_hold and resumes with the time already used") func pause() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, clock: clock) { hub in
            let requester = try await hub.client()
            let agent = try await hub.client(role: .agent)
            let created = try await requester.send("tickets.create", ["subject": "down", "priority": "urgent"]).data["ticket"]
            let id = try #require(created["id"].string)
            let firstDue = try #require(created["resolutionDue"].int)
            _ = try await agent.send("tickets.comment", ["ticketId": .string(id), "body": "need logs"])   // opens it
            clock.advance(ms: 300_000)
            let pending = try await agent.send("tickets.transition", ["ticketId": .string(id), "status": "pending"])
            #expect(pending.data["ticket"]["slaPaused"] == true)
            clock.advance(ms: 5_000_000)                                  // far past the due time, but paused
            let monitor = try tickets(hub).monitor
            #expect(try await monitor.check() == 0)
            let resumed = try await agent.send("tickets.transition", ["ticketId": .string(id), "status": "open"])
            #expect(resumed.data["ticket"]["slaPaused"] == false)
            #expect(resumed.data["ticket"]["resolutionDue"].int == firstDue + 5_000_000)
            clock.advance(ms: 800_000 - 300_000 - 1)                      // 80 % of 1000 s, less the 300 s used before the pause
            #expect(try await monitor.check() == 0)
            clock.advance(ms: 1)
            #expect(try await monitor.check() == 1)
        }
    }

    @Test("a priority change recomputes the due times") func priority() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, clock: clock) { hub in
            let requester = try await hub.client()
            let agent = try await hub.client(role: .agent)
            let created = try await requester.send("tickets.create", ["subject": "down", "priority": "urgent"]).data["ticket"]
            let id = try #require(created["id"].string)
            let start = clock.nowMs()
            clock.advance(ms: 10_000)
            let lowered = try await agent.send("tickets.setPriority", ["ticketId": .string(id), "priority": "low"])
            #expect(lowered.data["ticket"]["firstResponseDue"].int == start + 86_400_000)
            clock.advance(ms: 200_000)
            #expect(try await tickets(hub).monitor.check() == 0)
        }
    }

    @Test("a restart in the middle of an SLA neither loses nor repeats a warning or a breach") func restart() async throws {
        try await TestDatabase.withRestartable { store in
            let clock = TestClock()
            try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, database: store, clock: clock) { hub in
                let requester = try await hub.client()
                _ = try await requester.send("tickets.create", ["subject": "down", "priority": "urgent"])
                clock.advance(ms: 85_000)
                #expect(try await tickets(hub).monitor.check() == 1)          // the warning
            }
            try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, database: store, clock: clock) { hub in
                let monitor = try tickets(hub).monitor
                #expect(try await monitor.check() == 0)                       // not repeated
                clock.advance(ms: 15_000)
                #expect(try await monitor.check() == 1)                       // the breach, once
                #expect(try await monitor.check() == 0)
            }
        }
    }

    @Test("sort by due: soonest resolution first") func dueSort() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [TicketsModule.self], environment: fastSLA, clock: clock) { hub in
            let requester = try await hub.client()
            _ = try await requester.send("tickets.create", ["subject": "later", "priority": "low"])
            _ = try await requester.send("tickets.create", ["subject": "soon", "priority": "urgent"])
            _ = try await requester.send("tickets.create", ["subject": "middle", "priority": "high"])
            let first = try await requester.send("tickets.list", ["sort": "due", "limit": 2])
            #expect(first.data["items"].array?.map { $0["subject"].string } == ["soon", "middle"])
            let rest = try await requester.send("tickets.list", ["sort": "due", "limit": 2, "before": first.data["nextCursor"]])
            #expect(rest.data["items"].array?.map { $0["subject"].string } == ["later"])
        }
    }

    @Test("SLA settings are checked at start") func settings() async throws {
        await #expect(throws: ConfigurationError.self) {
            try await TestHub.run(modules: [TicketsModule.self], environment: ["MODULES_TICKETS_SLA_WARNING_PERCENT": "100"]) { _ in }
        }
        await #expect(throws: ConfigurationError.self) {
            try await TestHub.run(modules: [TicketsModule.self], environment: ["MODULES_TICKETS_SLA_LOW_RESOLUTION_SECONDS": "0"]) { _ in }
        }
    }
}
