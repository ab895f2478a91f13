import SQLKit
import Testing
import HubTesting
@testable import HubKernel

@Suite("Command pipeline")
struct HubPipelineTests {
    @Test("hub.ping answers with the server's time") func ping() async throws {
        let clock = TestClock(startMs: 1_800_000_000_000)
        try await TestHub.run(modules: [ProbeModule.self], clock: clock) { hub in
            let client = try await hub.client()
            let reply = try await client.send("hub.ping")
            #expect(reply.ok)
            #expect(reply.data["serverTime"].int == 1_800_000_000_000)
        }
    }

    @Test("welcome lists loaded modules with their flags, the user and the heartbeat") func welcome() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { testHub in
            let client = try await testHub.client(role: .host, name: "Hostess")
            let data = client.welcome.data
            #expect(data["user"]["role"] == "host")
            #expect(data["user"]["displayName"] == "Hostess")
            #expect(data["user"]["id"].string == client.identity.userID)
            #expect(data["modules"] == [["name": "probe", "enabled": true]])
            #expect(data["heartbeatMs"] == 25000)
            #expect(data["node"].string == testHub.hub.node)
            #expect(data["connectionId"].string?.isEmpty == false)
            #expect(client.welcome.json.has("topic") == false)
        }
    }

    @Test("a string id is echoed and replies come in command order over a real socket") func order() async throws {
        // live: the socket's reader could run a fast command while a slow one is in flight;
        // the protocol says replies come in command order, so the fast one must wait
        try await TestHub.run(modules: [ProbeModule.self], .live) { hub in
            let client = try await hub.client()
            try await client.sendRaw(#"{"id":"first","type":"probe.slow","data":{"ms":100}}"#)
            try await client.sendRaw(#"{"id":"second","type":"hub.ping"}"#)
            try await client.sendRaw(#"{"id":"third","type":"probe.echo","data":{"text":"x"}}"#)
            let arrived = try await [client.nextFrame(), client.nextFrame(), client.nextFrame()]
            #expect(arrived.map(\.re) == ["first", "second", "third"])
            #expect(arrived.allSatisfy { $0.ok })
        }
    }

    @Test("an unknown type is unknown_type") func unknownType() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let client = try await hub.client()
            let reply = try await client.send("nope.thing")
            #expect(reply.error?.code == .unknownType)
        }
    }

    @Test("validation runs before the handler and names the field") func validation() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let client = try await hub.client()
            let tooLong = try await client.send("probe.echo", ["text": "eleven chars"])
            #expect(tooLong.error?.code == .validationFailed)
            #expect(tooLong.error?.field == "text")
            let wrongType = try await client.send("probe.echo", ["text": 5])
            #expect(wrongType.error?.field == "text")
            #expect(try await client.send("probe.echo", [:]).error?.message == "text is required")
            let fine = try await client.send("probe.echo", ["text": "hi"])
            #expect(fine.data["text"] == "hi")
        }
    }

    @Test("a role that does not suffice is forbidden", arguments: [Role.guest, .user, .agent, .host])
    func forbidden(_ role: Role) async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let client = try await hub.client(role: role)
            let reply = try await client.send("probe.admin")
            #expect(reply.error?.code == .forbidden)
        }
    }

    @Test("agent commands: agents and admins pass, hosts do not") func agent() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let agent = try await hub.client(role: .agent)
            let admin = try await hub.client(role: .admin)
            let host = try await hub.client(role: .host)
            #expect(try await agent.send("probe.agent").ok)
            #expect(try await admin.send("probe.agent").ok)
            #expect(try await host.send("probe.agent").error?.code == .forbidden)
        }
    }

    @Test("over the limit: rate_limited with retryAfterMs; the bucket refills with time") func rateLimit() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ProbeModule.self], clock: clock) { hub in
            let client = try await hub.client()
            #expect(try await client.send("probe.limited").ok)
            #expect(try await client.send("probe.limited").ok)
            let limited = try await client.send("probe.limited")
            #expect(limited.error?.code == .rateLimited)
            #expect(limited.error?.retryAfterMs == 30_000)
            // the limit is per connection: another connection of the same user is unaffected
            let other = try await hub.connect(accessToken: client.accessToken)
            #expect(try await other.send("probe.limited").ok)
            clock.advance(by: .seconds(30))
            #expect(try await client.send("probe.limited").ok)
        }
    }

    @Test("an unexpected error answers internal with an incident id; the connection stays") func internalError() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let client = try await hub.client()
            let reply = try await client.send("probe.boom")
            #expect(reply.error?.code == .internal)
            #expect(reply.error?.message.contains("incident") == true)
            #expect(!reply.text.contains("ProbeBug"))
            #expect(try await client.send("hub.ping").ok)
        }
    }

    @Test("fire-and-forget: success sends nothing, an error comes back with re: null") func fireAndForget() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let client = try await hub.client()
            try await client.sendWithoutID("probe.echo", ["text": "ok"])
            try await client.sendWithoutID("probe.echo", ["text": ""])
            let error = try await client.expectUnaddressedError()
            #expect(error.error?.code == .validationFailed)
            #expect(try await client.send("hub.ping").ok)
            #expect(client.unclaimed.isEmpty)
        }
    }

    @Test("oversized frames are payload_too_large and do not count as bad frames") func oversized() async throws {
        try await TestHub.run(modules: [ProbeModule.self], configure: { $0.maxFrameBytes = 200; $0.maxConsecutiveBadFrames = 2 }) { hub in
            let client = try await hub.client()
            for _ in 0..<3 {
                try await client.sendRaw(#"{"id":1,"type":"probe.echo","data":{"text":"\#(String(repeating: "x", count: 300))"}}"#)
                #expect(try await client.expectUnaddressedError().error?.code == .payloadTooLarge)
            }
            #expect(try await client.send("hub.ping").ok)
        }
    }

    @Test("consecutive bad frames close with 1008 after the last is answered; a good frame resets the count") func badFrames() async throws {
        try await TestHub.run(modules: [ProbeModule.self], configure: { $0.maxConsecutiveBadFrames = 3 }) { hub in
            let client = try await hub.client()
            try await client.sendRaw("garbage")
            try await client.sendRaw("[]")
            #expect(try await client.send("hub.ping").ok)
            try await client.sendRaw("garbage")
            try await client.sendRaw("{}")
            try await client.sendBinary([1, 2, 3])
            for _ in 0..<3 { #expect(try await client.expectUnaddressedError().error?.code == .badRequest) }
            #expect(try await client.expectClose() == CloseCode.policyViolation.rawValue)
        }
    }

    @Test("unknown types and validation failures do not count as bad frames") func notBad() async throws {
        try await TestHub.run(modules: [ProbeModule.self], configure: { $0.maxConsecutiveBadFrames = 2 }) { hub in
            let client = try await hub.client()
            for _ in 0..<5 {
                #expect(try await client.send("nope.x").error?.code == .unknownType)
                #expect(try await client.send("probe.echo", ["text": ""]).error?.code == .validationFailed)
            }
            #expect(!client.isClosed)
        }
    }

    @Test("a statement error (a table gone) is internal, not unavailable") func statementError() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { testHub in
            let client = try await testHub.client()
            #expect(try await client.send("probe.note", ["text": "kept"]).ok)
            try await testHub.hub.database.withConnection { try await $0.raw("DROP TABLE probe_notes").run() }
            let reply = try await client.send("probe.note", ["text": "lost"])
            #expect(reply.error?.code == .internal)
            #expect(reply.error?.message.contains("incident") == true)
        }
    }

    @Test("a database that cannot take writes answers unavailable, and service resumes with it") func unavailable() async throws {
        // SQLite's read-only state (a full or read-only disk behaves the same); PostgreSQL's
        // outages are driven for real by the smoke test (scripts/smoke.py, outage)
        guard try TestDatabase.kind() == .sqlite else { return }
        try await TestHub.run(modules: [ProbeModule.self]) { testHub in
            let client = try await testHub.client()
            try await testHub.hub.database.withConnection { try await $0.raw("PRAGMA query_only = ON").run() }
            let refused = try await client.send("probe.note", ["text": "later"])
            #expect(refused.error?.code == .unavailable)
            #expect(refused.error?.message == "the database is unavailable, retry later")
            try await testHub.hub.database.withConnection { try await $0.raw("PRAGMA query_only = OFF").run() }
            #expect(try await client.send("probe.note", ["text": "later"]).ok)
        }
    }

    @Test("a user-scoped limit is shared by all of that user's connections, and only theirs") func userScopedLimit() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let phone = try await hub.client()
            let laptop = try await hub.connect(accessToken: phone.accessToken)
            let someoneElse = try await hub.client()
            #expect(try await phone.send("probe.userLimited").ok)
            #expect(try await laptop.send("probe.userLimited").ok)
            #expect(try await phone.send("probe.userLimited").error?.code == .rateLimited)
            #expect(try await laptop.send("probe.userLimited").error?.code == .rateLimited)
            #expect(try await someoneElse.send("probe.userLimited").ok)
        }
    }
}
